"""Reading cases within the signed-in member's scope: a frontline worker sees the cases of
their dongs, coordinators and administrators the whole tenant."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom.cases.models import Case

STAFF = frozenset({"city_admin", "coordinator", "frontline_worker"})


def scope_clause(role: str, dong_codes: Sequence[str]) -> sa.ColumnElement[bool]:
    if role == "frontline_worker":
        return Case.dong_code.in_(list(dong_codes))
    if role in STAFF:
        return sa.true()
    return sa.false()


def case_in_scope(
    session: Session, case_id: int, role: str, dong_codes: Sequence[str]
) -> Case | None:
    return session.scalar(sa.select(Case).where(Case.id == case_id, scope_clause(role, dong_codes)))
