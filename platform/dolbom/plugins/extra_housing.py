"""Core data the care-safe housing plugin needs beyond `services.py` (to be merged into the API).

Why: the admission queue scores a person on facts the core already records on the person
(living alone, long-term-care grade, income band). Without `person_care_facts` the coordinator
would type them again — the double entry the users complain about — and the queue's and the
occupancy lists show many people at once, which `person_brief` would fetch one query per row.
Same style as `services.py`: plain functions on the tenant session, small frozen records."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom.people.models import Person
from dolbom.plugins.services import PersonBrief
from dolbom.rules.facts import INCOME_BANDS, LTC_GRADES

__all__ = ["INCOME_BANDS", "LTC_GRADES", "CareFacts", "person_briefs", "person_care_facts"]


@dataclass(frozen=True)
class CareFacts:
    """What the registry knows of a person's situation (None: not recorded)."""

    lives_alone: bool | None
    household_size: int | None
    ltc_grade: str | None  # a key of LTC_GRADES
    income_band: str | None  # a key of INCOME_BANDS


def person_care_facts(session: Session, person_id: int) -> CareFacts | None:
    row = session.execute(
        sa.select(Person.lives_alone, Person.household_size, Person.ltc_grade,
                  Person.income_band).where(Person.id == person_id)
    ).first()  # fmt: skip
    return CareFacts(*row) if row else None


def person_briefs(session: Session, person_ids: Iterable[int]) -> dict[int, PersonBrief]:
    """`person_brief` for many people in one query (a list's rows)."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    rows = session.execute(
        sa.select(Person.id, Person.name, Person.rrn_masked, Person.birth_date, Person.dong_code,
                  Person.phone).where(Person.id.in_(ids))
    )  # fmt: skip
    return {r[0]: PersonBrief(*r) for r in rows}
