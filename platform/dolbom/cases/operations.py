"""Opening cases."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dolbom.cases import deadlines
from dolbom.cases.models import Case
from dolbom.clock import today
from dolbom.people.models import Person


def open_case(session: Session, person: Person, *, source: str, source_note: str | None,
              user_id: int, risk_level: str | None = None) -> Case:  # fmt: skip
    """A new application; the worker who takes it becomes responsible for it."""
    case = Case(person_id=person.id, dong_code=person.dong_code, source=source,
                source_note=source_note, stage="application", opened_on=today(),
                stage_since=today(), created_by=user_id, worker_id=user_id,
                risk_level=risk_level)  # fmt: skip
    deadlines.refresh(session, case)
    session.add(case)
    session.flush()
    return case
