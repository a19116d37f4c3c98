"""Changing what is known of a person: contact details, household, carer, benefits; household
members; consents. Each reader returns Korean messages by field and stores nothing when there
are any. A save over someone else's newer one is refused with who changed it and when."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom.cases.intake import _PHONE, _choice
from dolbom.cases.models import Case
from dolbom.clock import today
from dolbom.db import utcnow
from dolbom.people.models import CONSENT_PURPOSES, Consent, HouseholdMember, Person
from dolbom.rules.facts import DISABILITY, INCOME_BANDS, LTC_GRADES

MAX_PROVIDERS = 30


@dataclass
class PersonStale(Exception):
    by: int | None
    at: dt.datetime


def _text(form: Mapping[str, str], key: str, limit: int, errors: dict[str, str], *,
          required: str | None = None) -> str | None:  # fmt: skip
    value = (form.get(key) or "").strip()
    if not value:
        if required:
            errors[key] = required
        return None
    if len(value) > limit:
        errors[key] = f"{limit:,}자까지 적을 수 있습니다 ({len(value):,}자)"
        return None
    return value


def _phone(form: Mapping[str, str], key: str, errors: dict[str, str]) -> str | None:
    value = (form.get(key) or "").strip() or None
    if value and not _PHONE.fullmatch(value):
        errors[key] = "전화번호 형식이 아닙니다 (예: 010-1234-5678, 063-123-4567)"
        return None
    return value


def _date(form: Mapping[str, str], key: str, errors: dict[str, str], *,
          required: str | None = None) -> dt.date | None:  # fmt: skip
    raw = (form.get(key) or "").strip()
    if not raw:
        if required:
            errors[key] = required
        return None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        errors[key] = "날짜를 YYYY-MM-DD로 적으세요"
        return None
    if day > today():
        errors[key] = "앞으로의 날짜는 적을 수 없습니다"
        return None
    return day


def read_details(form: Mapping[str, str], allowed_dongs: Collection[str]) -> tuple[dict[str, object], dict[str, str]]:  # fmt: skip
    errors: dict[str, str] = {}
    values: dict[str, object] = {
        "name": _text(form, "name", 50, errors, required="이름을 적으세요"),
        "address": _text(form, "address", 200, errors),
        "phone": _phone(form, "phone", errors),
        "carer_name": _text(form, "carer_name", 50, errors),
        "carer_relation": _text(form, "carer_relation", 20, errors),
        "carer_phone": _phone(form, "carer_phone", errors),
        "ltc_grade": _choice(form, "ltc_grade", LTC_GRADES, errors),
        "disability": _choice(form, "disability", DISABILITY, errors),
        "income_band": _choice(form, "income_band", INCOME_BANDS, errors),
    }
    dong = (form.get("dong_code") or "").strip()
    if not dong:
        errors["dong_code"] = "거주 동을 고르세요"
    elif dong not in allowed_dongs:
        errors["dong_code"] = (
            "담당하는 동에서 고르세요 (다른 동으로 옮긴 사람은 시군구 담당자가 옮깁니다)"
        )
    values["dong_code"] = dong
    size_raw = (form.get("household_size") or "").strip()
    size = None
    if size_raw:
        if not size_raw.isdecimal() or not 1 <= int(size_raw) <= 20:
            errors["household_size"] = "가구원 수는 1~20명입니다"
        else:
            size = int(size_raw)
    alone = {"true": True, "false": False}.get(form.get("lives_alone") or "")
    if alone is True and size not in (None, 1):
        errors["household_size"] = "혼자 사신다면 가구원 수는 1명입니다"
    values["lives_alone"], values["household_size"] = alone, 1 if alone else size
    if values["carer_phone"] and not values["carer_name"] and "carer_name" not in errors:
        errors["carer_name"] = "보호자 연락처가 있으면 이름도 적으세요"
    return values, errors


def save_details(session: Session, person: Person, values: Mapping[str, object], *,
                 lock_version: int | None, user_id: int) -> None:  # fmt: skip
    """Apply checked values; open cases follow the person to a new dong."""
    if lock_version != person.lock_version:
        raise PersonStale(person.updated_by, person.updated_at)
    moved = values["dong_code"] != person.dong_code
    for key, value in values.items():
        setattr(person, key, value)
    person.updated_at, person.updated_by = utcnow(), user_id
    if moved:
        session.execute(
            sa.update(Case)
            .where(Case.person_id == person.id, Case.stage != "closed")
            .values(dong_code=values["dong_code"], lock_version=Case.lock_version + 1)
        )
    session.flush()


def household_of(session: Session, person_id: int) -> Sequence[HouseholdMember]:
    return session.scalars(
        sa.select(HouseholdMember).where(HouseholdMember.person_id == person_id)
        .order_by(HouseholdMember.id)
    ).all()  # fmt: skip


def add_member(session: Session, person: Person, form: Mapping[str, str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    name = _text(form, "member_name", 50, errors, required="이름을 적으세요")
    relation = _text(
        form, "member_relation", 20, errors, required="관계를 적으세요 (예: 배우자, 아들)"
    )
    phone = _phone(form, "member_phone", errors)
    year_raw = (form.get("member_birth_year") or "").strip()
    year = None
    if year_raw:
        if not year_raw.isdecimal() or not 1900 <= int(year_raw) <= today().year:
            errors["member_birth_year"] = (
                f"출생연도는 1900~{today().year} 사이의 네 자리 숫자입니다"
            )
        else:
            year = int(year_raw)
    together = form.get("member_lives_together", "yes") != "no"
    if not errors:
        session.add(HouseholdMember(person_id=person.id, name=name, relation=relation,
                                    birth_year=year, lives_together=together, phone=phone))  # fmt: skip
        session.flush()
    return errors


def consents_of(session: Session, person_id: int) -> Sequence[Consent]:
    return session.scalars(
        sa.select(Consent).where(Consent.person_id == person_id)
        .order_by(Consent.given_on.desc(), Consent.id.desc())
    ).all()  # fmt: skip


def add_consent(session: Session, person: Person, form: Mapping[str, str], *,
                user_id: int) -> dict[str, str]:  # fmt: skip
    errors: dict[str, str] = {}
    purpose = form.get("consent_purpose", "")
    if purpose not in CONSENT_PURPOSES:
        errors["consent_purpose"] = "동의 목적을 고르세요"
    given_on = _date(form, "consent_given_on", errors, required="동의한 날짜를 적으세요")
    given_by = _text(
        form,
        "consent_given_by",
        50,
        errors,
        required="동의한 사람을 적으세요 (본인 또는 보호자 이름)",
    )
    scope = form.get("consent_scope", "")
    providers = [p.strip() for p in (form.get("consent_providers") or "").split(",") if p.strip()]
    if scope not in ("all", "named"):
        errors["consent_scope"] = "제공 범위를 고르세요"
    elif scope == "named" and not providers:
        errors["consent_providers"] = "제공해도 되는 기관을 쉼표로 나눠 적으세요"
    elif len(providers) > MAX_PROVIDERS or any(len(p) > 100 for p in providers):
        errors["consent_providers"] = f"기관은 {MAX_PROVIDERS}곳까지, 이름은 100자까지입니다"
    if not errors:
        session.add(Consent(person_id=person.id, purpose=purpose, all_providers=scope == "all",
                            providers=[] if scope == "all" else providers, given_on=given_on,
                            given_by=given_by, recorded_by=user_id))  # fmt: skip
        session.flush()
    return errors


def withdraw(session: Session, consent: Consent, form: Mapping[str, str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if consent.withdrawn_on is not None:
        return {"withdrawn_on": f"{consent.withdrawn_on}에 이미 철회되었습니다"}
    day = _date(form, "withdrawn_on", errors, required="철회한 날짜를 적으세요")
    note = _text(form, "withdrawal_note", 200, errors)
    if day is not None and day < consent.given_on:
        errors["withdrawn_on"] = f"동의한 날({consent.given_on})보다 앞설 수 없습니다"
    if not errors:
        consent.withdrawn_on, consent.withdrawal_note = day, note
        session.flush()
    return errors
