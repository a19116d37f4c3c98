"""Reading cases within the signed-in member's scope: a frontline worker sees the cases of
their dongs, coordinators and administrators the whole tenant."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom.cases.models import Case

STAFF = frozenset({"city_admin", "coordinator", "frontline_worker"})
PAGE = 50


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


def cases(session: Session, role: str, dong_codes: Sequence[str], *, page: int = 1,
          include_closed: bool = False) -> tuple[Sequence[Case], int]:  # fmt: skip
    where = [scope_clause(role, dong_codes)]
    if not include_closed:
        where.append(Case.stage != "closed")
    total = session.scalar(sa.select(sa.func.count()).select_from(Case).where(*where)) or 0
    rows = session.scalars(
        sa.select(Case).where(*where).order_by(Case.id.desc()).limit(PAGE).offset((page - 1) * PAGE)
    ).all()
    return rows, total
