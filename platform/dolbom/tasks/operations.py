"""A worker's tasks: reading the small form, adding, completing, listing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom.cases.models import Case
from dolbom.clock import today
from dolbom.db import utcnow
from dolbom.people.models import Person
from dolbom.tasks.models import Task

TITLE_MAX = 200
LIST_MAX = 200  # a list longer than this is a backlog to talk about, not to scroll


@dataclass
class Row:
    task: Task
    case_id: int | None
    person: str | None
    dong_code: str | None


def read_task(form: Mapping[str, str]) -> tuple[dict[str, object], dict[str, str]]:
    """The title and due date typed, or Korean errors by field."""
    errors: dict[str, str] = {}
    title = (form.get("title") or "").strip()
    if not title:
        errors["title"] = "할 일을 적으세요"
    elif len(title) > TITLE_MAX:
        errors["title"] = f"{TITLE_MAX}자까지 적을 수 있습니다 ({len(title):,}자)"
    due: dt.date | None = None
    raw = (form.get("due_on") or "").strip()
    if raw:
        try:
            due = dt.date.fromisoformat(raw)
        except ValueError:
            errors["due_on"] = "날짜를 YYYY-MM-DD로 적으세요"
        else:
            if due < today():
                errors["due_on"] = "기한은 오늘이나 그 뒤여야 합니다"
    return {"title": title, "due_on": due}, errors


def add(session: Session, form: Mapping[str, str], *, user_id: int,
        case: Case | None = None) -> dict[str, str]:  # fmt: skip
    """A task for the signed-in worker themself (about `case`, if given)."""
    values, errors = read_task(form)
    if not errors:
        session.add(Task(assignee_id=user_id, created_by=user_id, source="manual",
                         case_id=case.id if case else None, **values))  # fmt: skip
        session.flush()
    return errors


def complete(session: Session, task: Task, *, user_id: int) -> str | None:
    """Mark done; the reason it cannot be, or None."""
    if task.assignee_id != user_id:
        return "다른 사람의 할 일입니다"
    if task.done_at is not None:
        return "이미 마친 할 일입니다"
    task.done_at, task.done_by = utcnow(), user_id
    session.flush()
    return None


def open_rows(session: Session, user_id: int, *, case_scope: sa.ColumnElement[bool]) -> list[Row]:
    """The worker's open tasks, soonest first, with the case's person where the worker may still
    see that case (a case moved out of their dongs shows no name)."""
    stmt = (
        sa.select(Task, Case.id, Person.name, Case.dong_code)
        .outerjoin(Case, sa.and_(Case.id == Task.case_id, case_scope))
        .outerjoin(Person, Person.id == Case.person_id)
        .where(Task.assignee_id == user_id, Task.done_at.is_(None))
        .order_by(Task.due_on.asc().nulls_last(), Task.id)
        .limit(LIST_MAX)
    )
    return [Row(t, cid, name, dong) for t, cid, name, dong in session.execute(stmt)]


def open_count(session: Session, user_id: int) -> int:
    return session.scalar(
        sa.select(sa.func.count()).select_from(Task)
        .where(Task.assignee_id == user_id, Task.done_at.is_(None))
    ) or 0  # fmt: skip


def for_case(session: Session, case_id: int) -> Sequence[Task]:
    return session.scalars(
        sa.select(Task).where(Task.case_id == case_id, Task.done_at.is_(None))
        .order_by(Task.due_on.asc().nulls_last(), Task.id)
    ).all()  # fmt: skip
