"""Reading complaints within the member's scope: the register page by page with counts per
status, one complaint, and who last changed one (for the "changed by X at T" refusal)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom.audit.access import AccessLog
from dolbom.complaints.models import COMPLAINT_STATUSES, Complaint

PAGE = 30
# Who handles complaints (the situation room); everyone else on staff sees what they registered.
HANDLERS = frozenset({"coordinator", "city_admin"})


def scope_clause(role: str, user_id: int) -> sa.ColumnElement[bool]:
    if role in HANDLERS:
        return sa.true()
    if role == "frontline_worker":
        return Complaint.created_by == user_id
    return sa.false()


def complaint_in_scope(
    session: Session, complaint_id: int, role: str, user_id: int
) -> Complaint | None:
    return session.scalar(
        sa.select(Complaint).where(Complaint.id == complaint_id, scope_clause(role, user_id))
    )


@dataclass
class Register:
    rows: list[Complaint]
    counts: dict[str, int]
    status: str  # "" for all
    page: int

    @property
    def total(self) -> int:
        return self.counts.get(self.status, 0) if self.status else sum(self.counts.values())

    @property
    def pages(self) -> int:
        return max(1, (self.total + PAGE - 1) // PAGE)

    def query_args(self, **change: object) -> dict[str, object]:
        """The filter as URL parameters (defaults left out), with some changed."""
        out: dict[str, object] = {"status": self.status, "page": self.page, **change}
        return {k: v for k, v in out.items() if v not in ("", 1)}


def register(session: Session, args: Mapping[str, str], *, role: str, user_id: int) -> Register:
    """Newest first. Two queries: the counts per status and the page."""
    status = args.get("status", "")
    status = status if status in COMPLAINT_STATUSES else ""
    page_arg = args.get("page", "1")
    page = max(1, min(int(page_arg), 100_000)) if page_arg.isdecimal() else 1
    scope = scope_clause(role, user_id)
    counts = dict(
        session.execute(
            sa.select(Complaint.status, sa.func.count()).where(scope).group_by(Complaint.status)
        ).all()
    )
    where = [scope] + ([Complaint.status == status] if status else [])
    rows = list(
        session.scalars(
            sa.select(Complaint).where(*where)
            .order_by(Complaint.received_on.desc(), Complaint.id.desc())
            .limit(PAGE).offset((page - 1) * PAGE)
        )
    )  # fmt: skip
    return Register(rows, counts, status, page)


def last_change(session: Session, complaint_id: int) -> tuple[int, datetime] | None:
    """Who saved the complaint last, and when: from the access log, which every save writes."""
    row = session.execute(
        sa.select(AccessLog.user_id, AccessLog.at)
        .where(
            AccessLog.subject_type == "complaint",
            AccessLog.subject_id == complaint_id,
            AccessLog.action.in_(("create", "edit")),
        )
        .order_by(AccessLog.id.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else None
