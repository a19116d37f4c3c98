"""Read queries for forms and responses, with the caller's scope applied in SQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom.districts.models import Dong, Gu
from dolbom.forms.models import Form, FormResponse, FormResponseRevision, FormVersion

PAGE_SIZE = 50
# Roles that see every response of the tenant; a frontline worker sees their dongs' and their own.
ALL_RESPONSES = frozenset({"city_admin", "coordinator"})
FILLERS = frozenset({"city_admin", "coordinator", "frontline_worker"})


@dataclass(frozen=True)
class Scope:
    role: str
    user_id: int
    dong_codes: tuple[str, ...]

    def clause(self) -> sa.ColumnElement[bool]:
        if self.role in ALL_RESPONSES:
            return sa.true()
        if self.role == "frontline_worker":
            mine = FormResponse.created_by == self.user_id
            if self.dong_codes:
                return sa.or_(mine, FormResponse.dong_code.in_(self.dong_codes))
            return mine
        return sa.false()

    def allows(self, response: FormResponse) -> bool:
        if self.role in ALL_RESPONSES:
            return True
        if self.role == "frontline_worker":
            return response.created_by == self.user_id or response.dong_code in self.dong_codes
        return False


def published_forms(session: Session) -> Sequence[Form]:
    return session.scalars(
        sa.select(Form).where(Form.current_number.is_not(None)).order_by(Form.title)
    ).all()


def all_forms(session: Session) -> Sequence[sa.Row]:
    """Every form with whether it has a draft (and whether that draft is valid) and its
    number of responses: one query."""
    draft = sa.orm.aliased(FormVersion)
    responses = (
        sa.select(sa.func.count(FormResponse.id))
        .where(FormResponse.form_id == Form.id)
        .scalar_subquery()
    )
    return session.execute(
        sa.select(
            Form,
            draft.valid.label("draft_valid"),
            draft.updated_at.label("draft_updated"),
            responses.label("responses"),
        )
        .outerjoin(draft, sa.and_(draft.form_id == Form.id, draft.number.is_(None)))
        .order_by(Form.title)
    ).all()


def form_by_key(session: Session, key: str) -> Form | None:
    return session.scalar(sa.select(Form).where(Form.key == key))


def versions_of(session: Session, form: Form) -> Sequence[FormVersion]:
    return session.scalars(
        sa.select(FormVersion)
        .where(FormVersion.form_id == form.id)
        .order_by(FormVersion.number.desc().nulls_first())
    ).all()


def version(session: Session, form: Form, number: int | None) -> FormVersion | None:
    condition = FormVersion.number.is_(None) if number is None else FormVersion.number == number
    return session.scalar(sa.select(FormVersion).where(FormVersion.form_id == form.id, condition))


def responses(
    session: Session, scope: Scope, *, status: str | None = None, page: int = 1
) -> tuple[Sequence[FormResponse], int]:
    query = sa.select(FormResponse).where(scope.clause())
    if status in ("draft", "complete"):
        query = query.where(FormResponse.status == status)
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(FormResponse.updated_at.desc(), FormResponse.id.desc())
        .limit(PAGE_SIZE)
        .offset((max(page, 1) - 1) * PAGE_SIZE)
    ).all()
    return rows, total


def response_in_scope(session: Session, scope: Scope, response_id: int) -> FormResponse | None:
    """The response if it exists and the caller may see it; the same None either way, so an
    id outside one's scope reveals nothing."""
    return session.scalar(
        sa.select(FormResponse).where(FormResponse.id == response_id, scope.clause())
    )


def revisions(session: Session, response: FormResponse) -> Sequence[FormResponseRevision]:
    return session.scalars(
        sa.select(FormResponseRevision)
        .where(FormResponseRevision.response_id == response.id)
        .order_by(FormResponseRevision.id.desc())
    ).all()


@dataclass(frozen=True)
class DongChoice:
    code: str
    name: str
    gu: str


def dong_choices(session: Session, on: dt.date) -> list[DongChoice]:
    """Dongs valid on a day, grouped by gu name, for the dong picker."""
    rows = session.execute(
        sa.select(Dong.code, Dong.name, Gu.name)
        .join(Gu, Gu.id == Dong.gu_id)
        .where(Dong.valid_from <= on, sa.or_(Dong.valid_to.is_(None), Dong.valid_to > on))
        .order_by(Gu.name, Dong.name)
    ).all()
    return [DongChoice(code, name, gu) for code, name, gu in rows]


def dong_names(session: Session, codes: set[str]) -> dict[str, str]:
    """Names for codes, including dongs no longer valid (an old response keeps its dong)."""
    if not codes:
        return {}
    return dict(session.execute(sa.select(Dong.code, Dong.name).where(Dong.code.in_(codes))).all())
