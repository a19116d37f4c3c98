"""The situation room's figures, each one aggregate query over the tenant: open cases by stage
and dong (with the overdue ones in the same pass), overdue tasks by worker, new
identifications of the last seven days by source, complaints by status.

Only counts and staff names come out: no person is shown, so nothing here is access-logged."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom.cases.models import STAGES, Case
from dolbom.complaints.models import COMPLAINT_STATUSES, Complaint
from dolbom.forms.queries import dong_choices, dong_names
from dolbom.rules.facts import CASE_SOURCES
from dolbom.tasks.models import Task

OPEN_STAGES = tuple(s for s in STAGES if s != "closed")
NEW_DAYS = 7


@dataclass
class DongRow:
    code: str | None  # None: cases recorded without a dong
    name: str
    gu: str
    current: bool  # valid today, so the caseload can filter by it
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Matrix:
    """Open cases: a row per dong, a column per stage, with totals both ways."""

    rows: list[DongRow]
    by_stage: dict[str, int]
    overdue_by_stage: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_stage.values())

    @property
    def busy_rows(self) -> list[DongRow]:
        return [r for r in self.rows if r.total]

    @property
    def quiet_rows(self) -> list[DongRow]:
        """Dongs without an open case: named below the table, not 30 rows of zeros (a city
        with none in a dong may be missing people there, which is worth seeing too)."""
        return [r for r in self.rows if not r.total]

    @property
    def overdue_total(self) -> int:
        return sum(self.overdue_by_stage.values())


def stage_by_dong(session: Session, on: dt.date) -> Matrix:
    # One pass over open cases gives both the matrix and the overdue count per stage.
    counts = session.execute(
        sa.select(Case.dong_code, Case.stage, sa.func.count(),
                  sa.func.count().filter(Case.due_on < on))
        .where(Case.stage != "closed")
        .group_by(Case.dong_code, Case.stage)
    ).all()  # fmt: skip
    rows: dict[str | None, DongRow] = {
        d.code: DongRow(d.code, d.name, d.gu, True) for d in dong_choices(session, on)
    }
    # Cases can still sit in a dong since merged away (금암1동 before 2025-03-10).
    old = {code for code, *_ in counts if code is not None and code not in rows}
    for code, name in sorted(dong_names(session, old).items(), key=lambda kv: kv[1]):
        rows[code] = DongRow(code, name, "", False)
    by_stage = dict.fromkeys(OPEN_STAGES, 0)
    overdue = dict.fromkeys(OPEN_STAGES, 0)
    for code, stage, n, late in counts:
        if stage not in by_stage:
            continue  # a stage this version does not know: left out rather than guessed
        row = rows.get(code)
        if row is None:
            row = rows[code] = DongRow(code, code or "", "", False)
        row.counts[stage] = row.counts.get(stage, 0) + n
        by_stage[stage] += n
        overdue[stage] += late
    unknown = rows.pop(None, None)
    ordered = list(rows.values()) + ([unknown] if unknown else [])
    return Matrix(ordered, by_stage, overdue)


@dataclass
class WorkerTasks:
    user_id: int
    count: int
    oldest: dt.date


def overdue_tasks(session: Session, on: dt.date) -> list[WorkerTasks]:
    """Open tasks past their due date per assignee, the most behind first."""
    rows = session.execute(
        sa.select(Task.assignee_id, sa.func.count(), sa.func.min(Task.due_on))
        .where(Task.done_at.is_(None), Task.due_on < on)
        .group_by(Task.assignee_id)
        .order_by(sa.func.count().desc(), sa.func.min(Task.due_on))
    ).all()
    return [WorkerTasks(user_id, n, oldest) for user_id, n, oldest in rows]


@dataclass
class NewCases:
    since: dt.date
    by_source: list[tuple[str | None, str, int]]  # code, label ("" unrecorded), count

    @property
    def total(self) -> int:
        return sum(n for *_, n in self.by_source)


def new_identifications(session: Session, on: dt.date) -> NewCases:
    """Cases opened in the last seven days including today, by how they were found."""
    since = on - dt.timedelta(days=NEW_DAYS - 1)
    rows = session.execute(
        sa.select(Case.source, sa.func.count())
        .where(Case.opened_on >= since, Case.opened_on <= on)
        .group_by(Case.source)
    ).all()
    by_source = sorted(
        ((code, CASE_SOURCES.get(code, code) if code else "", n) for code, n in rows),
        key=lambda r: (-r[2], r[1]),
    )
    return NewCases(since, by_source)


def complaints_by_status(session: Session) -> dict[str, int]:
    counts = dict(
        session.execute(
            sa.select(Complaint.status, sa.func.count()).group_by(Complaint.status)
        ).all()
    )
    return {status: counts.get(status, 0) for status in COMPLAINT_STATUSES}


@dataclass
class Board:
    on: dt.date
    matrix: Matrix
    tasks: list[WorkerTasks]
    new: NewCases
    complaints: dict[str, int]


def board(session: Session, on: dt.date) -> Board:
    return Board(
        on,
        stage_by_dong(session, on),
        overdue_tasks(session, on),
        new_identifications(session, on),
        complaints_by_status(session),
    )
