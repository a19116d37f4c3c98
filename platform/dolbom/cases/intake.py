"""The application form (접수): reading and checking it field by field. Every problem is a
Korean message keyed by the field, and what was typed comes back to the form unchanged."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from dolbom.cases.models import INITIATIVE_REASONS, RISK_LEVELS
from dolbom.clock import today
from dolbom.people.operations import PersonInput
from dolbom.people.rrn import RrnError, parse_rrn
from dolbom.rules.facts import CASE_SOURCES, DISABILITY, INCOME_BANDS, LTC_GRADES

_PHONE = re.compile(r"0\d{1,2}-?\d{3,4}-?\d{4}")


@dataclass
class Intake:
    person: PersonInput
    source: str
    source_note: str | None
    risk_level: str | None = None
    errors: dict[str, str] = field(default_factory=dict)


def _choice(
    form: Mapping[str, str], key: str, allowed: Mapping[str, str], errors: dict[str, str]
) -> str | None:
    value = (form.get(key) or "").strip()
    if not value:
        return None
    if value not in allowed:
        errors[key] = "목록에서 고르세요"
        return None
    return value


def read_intake(form: Mapping[str, str], allowed_dongs: set[str]) -> Intake:
    errors: dict[str, str] = {}
    name = (form.get("name") or "").strip()
    if not name:
        errors["name"] = "이름을 적으세요"
    elif len(name) > 50:
        errors["name"] = "이름은 50자까지입니다"
    rrn = None
    raw_rrn = (form.get("rrn") or "").strip()
    if raw_rrn:
        try:
            rrn = parse_rrn(raw_rrn, today=today())
        except RrnError as exc:
            errors["rrn"] = str(exc)
    elif form.get("source") not in ("주민신고", "발굴명단"):
        errors["rrn"] = "주민등록번호를 적으세요 (위기가구 신고·발굴 명단은 나중에 적어도 됩니다)"
    dong = (form.get("dong_code") or "").strip() or None
    if dong is None:
        errors["dong_code"] = "거주 동을 고르세요"
    elif dong not in allowed_dongs:
        errors["dong_code"] = "담당하는 동에서 고르세요"
    phone = (form.get("phone") or "").strip() or None
    if phone and not _PHONE.fullmatch(phone):
        errors["phone"] = "전화번호 형식이 아닙니다 (예: 010-1234-5678, 063-123-4567)"
    address = (form.get("address") or "").strip() or None
    if address and len(address) > 200:
        errors["address"] = "주소는 200자까지입니다"
    household = (form.get("household_size") or "").strip()
    size = None
    if household:
        if not household.isdecimal() or not 1 <= int(household) <= 20:
            errors["household_size"] = "가구원 수는 1~20명입니다"
        else:
            size = int(household)
    alone = {"true": True, "false": False}.get(form.get("lives_alone") or "")
    if alone is True and size not in (None, 1):
        errors["household_size"] = "혼자 사신다면 가구원 수는 1명입니다"
    source = (form.get("source") or "").strip()
    if source not in CASE_SOURCES:
        errors["source"] = "신청 경로를 고르세요"
    note = (form.get("source_note") or "").strip() or None
    if source == "직권":
        reason = _choice(form, "initiative_reason", INITIATIVE_REASONS, errors)
        if reason is None and "initiative_reason" not in errors:
            errors["initiative_reason"] = "직권 신청은 사유가 있어야 합니다"
        elif reason is not None:
            note = f"{INITIATIVE_REASONS[reason]}" + (f" — {note}" if note else "")
    if note and len(note) > 500:
        errors["source_note"] = "500자까지 적을 수 있습니다"
    person = PersonInput(
        name=name, rrn=rrn, dong_code=dong, address=address, phone=phone, lives_alone=alone,
        household_size=1 if alone else size,
        ltc_grade=_choice(form, "ltc_grade", LTC_GRADES, errors),
        disability=_choice(form, "disability", DISABILITY, errors),
        income_band=_choice(form, "income_band", INCOME_BANDS, errors),
    )  # fmt: skip
    risk = _choice(form, "risk_level", RISK_LEVELS, errors)
    return Intake(person, source, note, risk, errors)
