"""Registering people and reading their resident registration number back."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom.people import pii
from dolbom.people.models import Person
from dolbom.people.rrn import Rrn


@dataclass
class PersonInput:
    """What the registration form gives, already checked field by field."""

    name: str
    rrn: Rrn | None = None
    dong_code: str | None = None
    address: str | None = None
    phone: str | None = None
    lives_alone: bool | None = None
    household_size: int | None = None
    ltc_grade: str | None = None
    disability: str | None = None
    income_band: str | None = None
    extra: dict[str, object] = field(default_factory=dict)


def possible_duplicates(session: Session, tenant: str, data: PersonInput) -> list[Person]:
    """People who may be this one: the same resident number (blind index), or the same name
    and birth date. The worker chooses; nothing is merged behind their back."""
    clauses = []
    if data.rrn is not None:
        clauses.append(Person.rrn_index == pii.cipher().blind_index(tenant, data.rrn.canonical))
        clauses.append((Person.name == data.name) & (Person.birth_date == data.rrn.birth_date))
    if not clauses:
        return []
    return list(
        session.scalars(sa.select(Person).where(sa.or_(*clauses)).order_by(Person.id).limit(20))
    )


def register(session: Session, tenant: str, data: PersonInput, *, user_id: int) -> Person:
    person = Person(name=data.name, created_by=user_id)
    set_rrn(person, tenant, data.rrn)
    for attr in ("dong_code", "address", "phone", "lives_alone", "household_size", "ltc_grade",
                 "disability", "income_band"):  # fmt: skip
        setattr(person, attr, getattr(data, attr))
    session.add(person)
    session.flush()
    return person


def set_rrn(person: Person, tenant: str, rrn: Rrn | None) -> None:
    if rrn is None:
        person.rrn_cipher = person.rrn_index = person.rrn_masked = None
        return
    c = pii.cipher()
    person.rrn_cipher = c.encrypt(tenant, rrn.canonical)
    person.rrn_index = c.blind_index(tenant, rrn.canonical)
    person.rrn_masked = rrn.masked
    person.birth_date = rrn.birth_date
    person.sex = rrn.sex


def reveal_rrn(session: Session, tenant: str, person_id: int) -> str | None:
    blob = session.scalar(sa.select(Person.rrn_cipher).where(Person.id == person_id))
    return pii.cipher().decrypt(tenant, blob) if blob else None


def find_by_rrn(session: Session, tenant: str, canonical: str) -> list[int]:
    index = pii.cipher().blind_index(tenant, canonical)
    return list(session.scalars(sa.select(Person.id).where(Person.rrn_index == index)))


def age(person: Person, on: dt.date) -> int | None:
    from dolbom.rules.facts import age_on

    return age_on(person.birth_date, on) if person.birth_date else None
