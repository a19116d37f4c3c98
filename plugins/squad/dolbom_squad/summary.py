"""The monthly summary (월별 실적) per dong and kind of work, and its CSV export.

- requested: orders whose request date falls in the month (cancelled ones included, and
  counted again under 취소);
- completed: orders completed in the month, whenever requested; the median days from request
  to completion and the distinct volunteers on them are over these;
- checks needing action: completed safety checks with at least one item 조치 필요."""

from __future__ import annotations

import csv
import datetime as dt
import io
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import force_locale
from sqlalchemy.orm import Session

from dolbom_squad.models import KINDS, Assignment, WorkOrder
from dolbom_squad.orders import in_scope
from dolbom_squad.queries import month_end


@dataclass
class SummaryRow:
    dong_code: str
    kind: str
    requested: int = 0
    cancelled: int = 0
    completed: int = 0
    days: list[int] = field(default_factory=list)
    volunteers: set[int] = field(default_factory=set)
    needs_action: int = 0

    @property
    def median_days(self) -> float | None:
        return statistics.median(self.days) if self.days else None


@dataclass(frozen=True)
class Summary:
    month: dt.date
    rows: list[SummaryRow]
    total: SummaryRow


def monthly(
    session: Session, first: dt.date, scope: Sequence[str] | None, dong_order: Sequence[str]
) -> Summary:
    """`dong_order`: dong codes in display order (dongs not in it come last)."""
    end = month_end(first)
    rows: dict[tuple[str, str], SummaryRow] = {}

    def row(dong: str, kind: str) -> SummaryRow:
        return rows.setdefault((dong, kind), SummaryRow(dong, kind))

    requested = session.execute(
        sa.select(WorkOrder.dong_code, WorkOrder.kind, WorkOrder.status, sa.func.count())
        .where(in_scope(scope), WorkOrder.requested_on >= first, WorkOrder.requested_on < end)
        .group_by(WorkOrder.dong_code, WorkOrder.kind, WorkOrder.status)
    ).all()
    for dong, kind, status, n in requested:
        r = row(dong, kind)
        r.requested += n
        if status == "cancelled":
            r.cancelled += n
    done = session.execute(
        sa.select(WorkOrder.id, WorkOrder.dong_code, WorkOrder.kind, WorkOrder.requested_on,
                  WorkOrder.completed_on, WorkOrder.checklist)
        .where(in_scope(scope), WorkOrder.status == "done",
               WorkOrder.completed_on >= first, WorkOrder.completed_on < end)
    ).all()  # fmt: skip
    key_of = {}
    for oid, dong, kind, req, comp, checklist in done:
        r = row(dong, kind)
        r.completed += 1
        r.days.append((comp - req).days)
        r.needs_action += any(v == "action" for v in (checklist or {}).values())
        key_of[oid] = (dong, kind)
    if key_of:
        for oid, vid in session.execute(
            sa.select(Assignment.order_id, Assignment.volunteer_id).where(
                Assignment.order_id.in_(list(key_of))
            )
        ):
            rows[key_of[oid]].volunteers.add(vid)
    position = {code: i for i, code in enumerate(dong_order)}
    kinds = list(KINDS)
    ordered = sorted(
        rows.values(),
        key=lambda r: (
            position.get(r.dong_code, len(position)),
            r.dong_code,
            kinds.index(r.kind) if r.kind in kinds else 99,
        ),
    )
    total = SummaryRow("", "")
    for r in ordered:
        total.requested += r.requested
        total.cancelled += r.cancelled
        total.completed += r.completed
        total.days += r.days
        total.volunteers |= r.volunteers
        total.needs_action += r.needs_action
    return Summary(first, ordered, total)


HEADER = ["월", "동", "작업 종류", "요청", "취소", "완료", "완료까지 일수(중앙값)",
          "참여 봉사자", "조치 필요 점검"]  # fmt: skip


def days_label(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}"


def to_csv(summary: Summary, dong_names: dict[str, str]) -> str:
    """UTF-8 with a BOM so Excel opens the Hangul correctly."""
    out = io.StringIO()
    out.write("\ufeff")
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(HEADER)
    month = summary.month.strftime("%Y-%m")
    with force_locale("ko"):  # the file stays Korean, like its header, whatever the page's language
        kinds = {k: str(v) for k, v in KINDS.items()}
    for r in [*summary.rows, summary.total]:
        total = r is summary.total
        w.writerow([month, "합계" if total else dong_names.get(r.dong_code, r.dong_code),
                    "" if total else kinds.get(r.kind, r.kind), r.requested, r.cancelled,
                    r.completed, days_label(r.median_days), len(r.volunteers),
                    r.needs_action])  # fmt: skip
    return out.getvalue()
