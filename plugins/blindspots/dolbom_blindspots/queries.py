"""Reading the plugin's tables for its screens: batches, a batch's report and figures, the
worklist of a member's dongs (highest risk first), a task within the member's scope."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom_blindspots.models import RISKS, TASK_STATUSES, Batch, Problem, Task

PAGE = 50
PROBLEM_PAGE = 100


def batches(session: Session, limit: int = 36) -> list[Batch]:
    return list(session.scalars(sa.select(Batch).order_by(Batch.id.desc()).limit(limit)))


def _page(raw: Any) -> int:
    try:
        return max(1, int(raw))
    except (TypeError, ValueError):
        return 1


@dataclass
class ProblemPage:
    rows: list[Problem]
    total: int
    page: int
    pages: int


def problems(session: Session, batch_id: int, page_arg: Any = 1) -> ProblemPage:
    total = session.scalar(
        sa.select(sa.func.count()).select_from(Problem).where(Problem.batch_id == batch_id)
    ) or 0  # fmt: skip
    pages = max(1, math.ceil(total / PROBLEM_PAGE))
    page = min(_page(page_arg), pages)
    rows = session.scalars(
        sa.select(Problem).where(Problem.batch_id == batch_id)
        .order_by(Problem.line, Problem.id).offset((page - 1) * PROBLEM_PAGE).limit(PROBLEM_PAGE)
    ).all()  # fmt: skip
    return ProblemPage(list(rows), total, page, pages)


def all_problems(session: Session, batch_id: int) -> list[tuple[int, str | None, str]]:
    return [tuple(r) for r in session.execute(  # type: ignore[misc]
        sa.select(Problem.line, Problem.column, Problem.reason)
        .where(Problem.batch_id == batch_id).order_by(Problem.line, Problem.id))]  # fmt: skip


def batch_figures(session: Session, batch_id: int) -> dict[str, Any]:
    """Tasks by dong × risk and by status: the batch page's table."""
    rows = session.execute(
        sa.select(Task.dong_code, Task.risk, Task.status, sa.func.count())
        .where(Task.batch_id == batch_id).group_by(Task.dong_code, Task.risk, Task.status)
    ).all()  # fmt: skip
    by_dong: dict[str, dict[str, int]] = {}
    totals: dict[str, int] = {}
    for dong, risk, status, n in rows:
        d = by_dong.setdefault(dong, {})
        d[risk] = d.get(risk, 0) + n
        d[status] = d.get(status, 0) + n
        d["all"] = d.get("all", 0) + n
        for k in (risk, status, "all"):
            totals[k] = totals.get(k, 0) + n
    return {"by_dong": dict(sorted(by_dong.items())), "totals": totals}


@dataclass
class Filters:
    dong: str = ""
    status: str = "open"
    risk: str = ""
    batch: int | None = None
    page: int = 1

    @classmethod
    def read(cls, args: Mapping[str, str], dongs: list[str]) -> Filters:
        dong = args.get("dong", "")
        status = args.get("status", "open")
        risk = args.get("risk", "")
        batch = args.get("batch", "")
        return cls(
            dong=dong if dong in dongs else "",
            status=status if status in (*TASK_STATUSES, "all") else "open",
            risk=risk if risk in RISKS else "",
            batch=int(batch) if batch.isdecimal() else None,
            page=_page(args.get("page")),
        )

    def query_args(self, **changes: Any) -> dict[str, Any]:
        values = {"dong": self.dong, "status": self.status, "risk": self.risk,
                  "batch": self.batch or "", "page": self.page} | changes  # fmt: skip
        return {k: v for k, v in values.items() if v not in ("", None) and not (k == "page" and v == 1)}  # fmt: skip


@dataclass
class Worklist:
    rows: list[Task]
    total: int
    page: int
    pages: int
    counts: dict[str, int] = field(default_factory=dict)


def _scope(dongs: list[str] | None) -> sa.ColumnElement[bool]:
    return sa.true() if dongs is None else Task.dong_code.in_(dongs)


def worklist(session: Session, dongs: list[str] | None, f: Filters) -> Worklist:
    """The member's tasks (`dongs` None: every dong), highest risk first."""
    where = [_scope(dongs)]
    if f.dong:
        where.append(Task.dong_code == f.dong)
    if f.risk:
        where.append(Task.risk == f.risk)
    if f.batch:
        where.append(Task.batch_id == f.batch)
    counts = dict(session.execute(
        sa.select(Task.status, sa.func.count()).where(*where).group_by(Task.status)
    ).all())  # fmt: skip
    if f.status != "all":
        where.append(Task.status == f.status)
    total = counts.get(f.status, 0) if f.status != "all" else sum(counts.values())
    pages = max(1, math.ceil(total / PAGE))
    page = min(f.page, pages)
    rows = session.scalars(
        sa.select(Task).where(*where)
        .order_by(Task.score.desc(), Task.batch_id.desc(), Task.id)
        .offset((page - 1) * PAGE).limit(PAGE)
    ).all()  # fmt: skip
    return Worklist(list(rows), total, page, pages, counts)


def task_in_scope(session: Session, task_id: int, dongs: list[str] | None) -> Task | None:
    return session.scalar(sa.select(Task).where(Task.id == task_id, _scope(dongs)))


def export_rows(session: Session, batch_id: int) -> list[Task]:
    return list(session.scalars(
        sa.select(Task).where(Task.batch_id == batch_id).order_by(Task.line)
    ))  # fmt: skip


def open_counts(session: Session, dongs: list[str] | None) -> dict[str, int]:
    """Open tasks by risk in the member's dongs: the landing panel."""
    return dict(session.execute(
        sa.select(Task.risk, sa.func.count()).where(_scope(dongs), Task.status == "open")
        .group_by(Task.risk)
    ).all())  # fmt: skip


def tasks_of_case(session: Session, case_id: int, person_id: int) -> list[tuple[Task, Batch]]:
    return [tuple(r) for r in session.execute(  # type: ignore[misc]
        sa.select(Task, Batch).join(Batch, Batch.id == Task.batch_id)
        .where(sa.or_(Task.case_id == case_id, Task.person_id == person_id))
        .order_by(Task.id.desc()).limit(5))]  # fmt: skip
