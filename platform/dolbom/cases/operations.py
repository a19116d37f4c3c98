"""Opening cases."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dolbom.cases.models import Case
from dolbom.clock import today
from dolbom.people.models import Person


def open_case(session: Session, person: Person, *, source: str, source_note: str | None,
              user_id: int) -> Case:  # fmt: skip
    case = Case(person_id=person.id, dong_code=person.dong_code, source=source,
                source_note=source_note, stage="application", opened_on=today(),
                created_by=user_id)  # fmt: skip
    session.add(case)
    session.flush()
    return case
