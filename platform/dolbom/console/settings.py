"""The tenant's profile (with the readiness items the ministry tracks) and case-work settings,
each change checked and recorded before → after."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from dolbom.cases.deadlines import SERVICE_LEVELS, check_levels, service_levels
from dolbom.cases.followup import monitoring_months
from dolbom.console.changes import record_change
from dolbom.tenancy import directory
from dolbom.tenancy.models import Tenant
from dolbom.tenancy.packs import PILOT_FIELDS, _Reader, check_profile
from dolbom.tenant_settings import get as setting
from dolbom.tenant_settings import set_value


class Invalid(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


# Form field → (profile path, kind). One flat form; the profile keeps the pack's nesting.
PROFILE_FORM: dict[str, tuple[tuple[str, ...], str]] = {
    "name_en": (("name_en",), "text"),
    "pilot_since": (("pilot_since",), "int"),
    "pilot_field": (("pilot_field",), "text"),
    "population": (("population",), "int"),
    "population_65": (("population_65",), "int"),
    "contact_department": (("contact", "department"), "text"),
    "contact_phone": (("contact", "phone"), "text"),
    "contact_email": (("contact", "email"), "text"),
    "ordinance_title": (("ordinance", "title"), "text"),
    "ordinance_promulgated": (("ordinance", "promulgated"), "text"),
    "unit_name": (("unit", "name"), "text"),
    "unit_established": (("unit", "established"), "text"),
    "staff_count": (("staff", "count"), "int"),
    "staff_as_of": (("staff", "as_of"), "text"),
}


def profile(session: Session) -> dict[str, Any]:
    value = setting(session, "profile", None)
    return dict(value) if isinstance(value, dict) else {}


def flat(p: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, (path, _kind) in PROFILE_FORM.items():
        value: Any = p
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        out[name] = "" if value is None else str(value)
    return out


def _nest(form: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name, (path, kind) in PROFILE_FORM.items():
        raw = (form.get(name) or "").strip()
        if not raw:
            continue
        value: Any = raw
        if kind == "int":
            if not raw.isdecimal():
                errors[name] = "0 이상의 정수로 적으세요"
                continue
            value = int(raw)
        target = out
        for part in path[:-1]:
            target = target.setdefault(part, {})
        target[path[-1]] = value
    return out, errors


def save_profile(session: Session, slug: str, form: dict[str, str], *, user_id: int) -> None:
    name = (form.get("name") or "").strip()
    region = (form.get("region") or "").strip() or None
    new, errors = _nest(form)
    if not name:
        errors["name"] = "기관 이름을 적으세요"
    elif len(name) > 100:
        errors["name"] = "100자를 넘을 수 없습니다"
    r = _Reader("profile")
    check_profile(new, r)
    for message in r.errors:
        # "profile: profile.ordinance.promulgated: …" → the form field it came from
        where, _, text = message.removeprefix("profile: ").partition(": ")
        field = "_".join(where.split(".")[1:])
        errors.setdefault(field if field in PROFILE_FORM else "name_en", text)
    todo = [line.strip() for line in (form.get("todo") or "").splitlines() if line.strip()]
    if errors:
        raise Invalid(errors)
    tenant = session.scalar(sa.select(Tenant).where(Tenant.slug == slug).with_for_update())
    assert tenant is not None
    old = profile(session)
    old_todo = list(setting(session, "todo", None) or [])
    record_change(session, "profile", "profile",
                  before={"name": tenant.name, "region": tenant.region, **old, "todo": old_todo},
                  after={"name": name, "region": region, **new, "todo": todo},
                  user_id=user_id)  # fmt: skip
    renamed = (tenant.name, tenant.region) != (name, region)
    tenant.name, tenant.region = name, region
    set_value(session, "profile", new)
    set_value(session, "todo", todo)
    session.flush()
    if renamed:
        session.info["directory_changed"] = True


def after_commit(session: Session) -> None:
    if session.info.pop("directory_changed", False):
        directory.changed()


@dataclass(frozen=True)
class Readiness:
    key: str
    label: str
    done: bool
    detail: str


def readiness(session: Session) -> list[Readiness]:
    """The ministry's five readiness items as this tenant stands today. Identification and
    linkage are counted from the tenant's own work (applications received, referrals sent)."""
    from dolbom.cases.models import Case
    from dolbom.referrals.models import Referral

    p = profile(session)
    ordinance, unit, staff = p.get("ordinance") or {}, p.get("unit") or {}, p.get("staff") or {}
    cases = session.scalar(sa.select(sa.func.count()).select_from(Case)) or 0
    referrals = session.scalar(sa.select(sa.func.count()).select_from(Referral)) or 0
    none = _("미입력")
    return [
        Readiness("ordinance", _("조례 제정"), bool(ordinance.get("promulgated")),
                  _("%(title)s · 공포 %(day)s", title=ordinance.get("title") or _("제목 없음"),
                    day=ordinance.get("promulgated") or none)),
        Readiness("unit", _("전담조직"), bool(unit.get("name")),
                  _("%(name)s · 설치 %(day)s", name=unit.get("name") or none,
                    day=unit.get("established") or none)),
        Readiness("staff", _("전담인력"), bool(staff.get("count")),
                  _("%(n)s명 · 기준일 %(day)s", n=staff.get("count") or 0,
                    day=staff.get("as_of") or none)),
        Readiness("identification", _("신청·발굴"), cases > 0, _("접수된 사례 %(n)s건", n=cases)),
        Readiness("linkage", _("서비스 연계"), referrals > 0,
                  _("제공기관 의뢰 %(n)s건", n=referrals)),
    ]  # fmt: skip


def pilot_field_label(value: str | None) -> str:
    return PILOT_FIELDS.get(value or "", "—")


def case_settings(session: Session) -> dict[str, Any]:
    return {"levels": service_levels(session), "months": monitoring_months(session)}


def save_case_settings(session: Session, form: dict[str, str], *, user_id: int) -> None:
    errors: dict[str, str] = {}
    levels: dict[str, int] = {}
    for key in SERVICE_LEVELS:
        raw = (form.get(f"level_{key}") or "").strip()
        if not raw.lstrip("-").isdecimal():
            errors[f"level_{key}"] = "일수를 정수로 적으세요"
            continue
        levels[key] = int(raw)
    for key, message in check_levels(levels).items():
        errors[f"level_{key}"] = message
    raw_months = (form.get("months") or "").replace(" ", "")
    months: list[int] = []
    for part in filter(None, raw_months.split(",")):
        if not part.isdecimal() or not 0 < int(part) <= 24:
            errors["months"] = "1~24 사이 개월 수를 쉼표로 나눠 적으세요 (예: 1, 3)"
            break
        months.append(int(part))
    if not months and "months" not in errors:
        errors["months"] = "점검 시점을 하나 이상 적으세요 (예: 1, 3)"
    if errors:
        raise Invalid(errors)
    months = sorted(set(months))
    old = case_settings(session)
    record_change(session, "settings", "service_levels", before=old["levels"], after=levels,
                  user_id=user_id)  # fmt: skip
    record_change(session, "settings", "monitoring_months",
                  before={"months": list(old["months"])}, after={"months": months},
                  user_id=user_id)  # fmt: skip
    set_value(session, "service_levels", levels)
    set_value(session, "monitoring_months", months)
