"""Order lists: per dong with filters (status, kind, month), and an order's case panel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from dolbom_squad.models import KINDS, STATUSES, Assignment, WorkOrder
from dolbom_squad.orders import in_scope

PAGE = 30


def parse_month(raw: str) -> dt.date | None:
    """The first day of a month written `2026-10`, or None."""
    try:
        year, month = raw.split("-")
        if len(year) != 4 or len(month) != 2:
            return None
        return dt.date(int(year), int(month), 1)
    except ValueError:
        return None


def month_end(first: dt.date) -> dt.date:
    """The first day of the next month."""
    return (first + dt.timedelta(days=32)).replace(day=1)


@dataclass
class OrderFilter:
    dong: str = ""
    status: str = ""
    kind: str = ""
    month: str = ""
    case_id: int | None = None
    page: int = 1
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, args: Mapping[str, str], dongs: Sequence[str] | None) -> OrderFilter:
        f = cls()
        dong = args.get("dong", "")
        f.dong = dong if dong and (dongs is None or dong in dongs) else ""
        f.status = args.get("status", "") if args.get("status", "") in STATUSES else ""
        f.kind = args.get("kind", "") if args.get("kind", "") in KINDS else ""
        month = args.get("month", "").strip()
        if month and parse_month(month) is None:
            f.errors["month"] = _("달을 YYYY-MM으로 적으세요 (예: 2026-10)")
        else:
            f.month = month
        raw_case = args.get("case_id", "")
        f.case_id = int(raw_case) if raw_case.isdecimal() else None
        page = args.get("page", "1")
        f.page = int(page) if page.isdecimal() else 1
        return f

    def query_args(self, **changes: object) -> dict[str, object]:
        base = {"dong": self.dong, "status": self.status, "kind": self.kind,
                "month": self.month, "case_id": self.case_id, "page": self.page}  # fmt: skip
        base.update(changes)
        return {k: v for k, v in base.items() if v not in ("", None) and (k != "page" or v != 1)}


@dataclass(frozen=True)
class OrderRow:
    id: int
    kind: str
    dong_code: str
    case_id: int | None
    urgency: str
    requested_on: dt.date
    due_on: dt.date
    status: str
    completed_on: dt.date | None
    volunteers: int
    needs_action: bool


@dataclass(frozen=True)
class OrderPage:
    rows: list[OrderRow]
    total: int
    page: int
    pages: int
    counts: dict[str, int]


def _where(f: OrderFilter, scope: Sequence[str] | None) -> list[sa.ColumnElement[bool]]:
    where = [in_scope(scope)]
    if f.dong:
        where.append(WorkOrder.dong_code == f.dong)
    if f.kind:
        where.append(WorkOrder.kind == f.kind)
    first = parse_month(f.month) if f.month else None
    if first:
        where.append(WorkOrder.requested_on >= first)
        where.append(WorkOrder.requested_on < month_end(first))
    if f.case_id is not None:
        where.append(WorkOrder.case_id == f.case_id)
    return where


def listing(session: Session, f: OrderFilter, scope: Sequence[str] | None) -> OrderPage:
    where = _where(f, scope)
    counts = dict(
        session.execute(
            sa.select(WorkOrder.status, sa.func.count()).where(*where).group_by(WorkOrder.status)
        ).all()
    )
    if f.status:
        where.append(WorkOrder.status == f.status)
    total = counts.get(f.status, 0) if f.status else sum(counts.values())
    pages = max(1, -(-total // PAGE))
    page = min(max(f.page, 1), pages)
    n = (
        sa.select(sa.func.count())
        .where(Assignment.order_id == WorkOrder.id)
        .correlate(WorkOrder)
        .scalar_subquery()
    )
    rows = session.execute(
        sa.select(WorkOrder, n)
        .where(*where)
        .order_by(WorkOrder.requested_on.desc(), WorkOrder.id.desc())
        .limit(PAGE)
        .offset((page - 1) * PAGE)
    ).all()
    out = [
        OrderRow(
            o.id,
            o.kind,
            o.dong_code,
            o.case_id,
            o.urgency,
            o.requested_on,
            o.due_on,
            o.status,
            o.completed_on,
            count,
            o.needs_action,
        )
        for o, count in rows
    ]
    return OrderPage(out, total, page, pages, counts)


def orders_of_case(session: Session, case_id: int) -> list[WorkOrder]:
    return list(
        session.scalars(
            sa.select(WorkOrder)
            .where(WorkOrder.case_id == case_id)
            .order_by(WorkOrder.requested_on.desc(), WorkOrder.id.desc())
            .limit(20)
        ).all()
    )
