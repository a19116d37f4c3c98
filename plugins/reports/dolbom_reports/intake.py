"""Reading the public report form: every field checked, a Korean message per field, nothing
the reporter typed dropped (the caller re-renders with what came in)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from dolbom_reports.models import CRISIS_KINDS, RELATIONS

CONSENT_VERSION = "2026-1"
CONSENT_ITEMS = (
    (
        _l("수집 항목"),
        _l("신고인의 이름·전화번호·관계, 신고한 가구의 위치와 상황(이름을 아는 경우 이름)"),
    ),
    (
        _l("이용 목적"),
        _l("위기가구 신고의 확인·처리와, 신고한 가구가 서비스 대상자가 되었을 때의 포상금 지급"),
    ),
    (
        _l("보유 기간"),
        _l("포상금 지급이 끝난 해의 다음 해부터 5년 (지급 대상이 아니면 신고 처리 후 1년)"),
    ),
    (
        _l("동의 거부"),
        _l(
            "동의하지 않으면 이 양식으로 신고할 수 없습니다. 익명 신고는 129 보건복지상담센터나 동 행정복지센터에서 할 수 있습니다"
        ),
    ),
)
HONEYPOT = "website"  # hidden from people; bots fill every field
LIMITS = {"address": 200, "description": 2000, "subject_name": 50, "reporter_name": 50}
_DIGITS = re.compile(r"\D+")


def normalise_phone(text: str) -> str | None:
    """Digits of a Korean phone number (`01012345678`), or None if it cannot be one."""
    digits = _DIGITS.sub("", text or "")
    if digits.startswith("82") and len(digits) >= 11:
        digits = "0" + digits[2:]
    return digits if re.fullmatch(r"0\d{8,10}", digits) else None


def format_phone(digits: str) -> str:
    if digits.startswith("02"):
        head, rest = digits[:2], digits[2:]
    else:
        head, rest = digits[:3], digits[3:]
    return f"{head}-{rest[:-4]}-{rest[-4:]}"


@dataclass
class Reading:
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    bot: bool = False


def read_report(form: Mapping[str, Any], dong_codes: set[str]) -> Reading:
    """Check a submitted report. `form` is request.form (a MultiDict: kinds come as a list)."""
    out = Reading()
    text = {k: (form.get(k) or "").strip() for k in (
        "dong_code", "address", "description", "subject_name", "reporter_name",
        "reporter_phone", "reporter_relation")}  # fmt: skip
    out.bot = bool((form.get(HONEYPOT) or "").strip())
    for name, limit in LIMITS.items():
        if len(text[name]) > limit:
            out.errors[name] = _("%(limit)s자까지 적을 수 있습니다", limit=f"{limit:,}")
    if text["dong_code"] not in dong_codes:
        out.errors["dong_code"] = _("가구가 있는 동을 고르세요")
    if not text["address"]:
        out.errors.setdefault("address", _("주소나 장소를 적으세요 (예: ○○아파트 3동 뒤 단독주택)"))
    kinds = (
        [k for k in form.getlist("kinds") if k in CRISIS_KINDS] if hasattr(form, "getlist") else []
    )
    if not kinds:
        out.errors["kinds"] = _("어떤 어려움이 있는지 하나 이상 고르세요")
    elif kinds == ["other"] and not text["description"]:
        out.errors["description"] = _("'그 밖에'를 골랐다면 어떤 상황인지 적어 주세요")
    if not text["reporter_name"]:
        out.errors.setdefault("reporter_name", _("신고하시는 분의 이름을 적으세요"))
    phone = normalise_phone(text["reporter_phone"])
    if not text["reporter_phone"]:
        out.errors["reporter_phone"] = _("연락받을 전화번호를 적으세요")
    elif phone is None:
        out.errors["reporter_phone"] = _("전화번호를 숫자로 적으세요 (예: 010-1234-5678)")
    if text["reporter_relation"] not in RELATIONS:
        out.errors["reporter_relation"] = _("신고한 가구와의 관계를 고르세요")
    if form.get("consent") != "yes":
        out.errors["consent"] = _("개인정보 수집·이용에 동의해야 신고할 수 있습니다")
    if out.errors:
        return out
    out.values = {
        "dong_code": text["dong_code"],
        "address": text["address"],
        "kinds": kinds,
        "description": text["description"] or None,
        "subject_name": text["subject_name"] or None,
        "reporter_name": text["reporter_name"],
        "reporter_phone": format_phone(phone or ""),
        "reporter_relation": text["reporter_relation"],
        "phone_digits": phone,
    }
    return out


def kept(form: Mapping[str, Any]) -> dict[str, Any]:
    """What the reporter typed, to fill the form again (never the honeypot or the token)."""
    values: dict[str, Any] = {k: v for k, v in form.items() if k not in ("csrf_token", HONEYPOT)}
    values["kinds"] = form.getlist("kinds") if hasattr(form, "getlist") else []
    return values
