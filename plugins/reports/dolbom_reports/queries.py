"""Reading reports and payments for the staff pages (scope: a frontline worker's dongs)."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom.plugins.api import CaseInfo, PersonBrief, cases_of_people, people_matching
from dolbom_reports.models import PAYMENT_STATUSES, REPORT_STATUSES, Payment, Report, RewardDue

PAGE = 30
DUPLICATE_DAYS = 30
_SPACE = re.compile(r"\s+")


def in_scope(dongs: list[str] | None) -> sa.ColumnElement[bool]:
    return sa.true() if dongs is None else Report.dong_code.in_(dongs)


def report_in_scope(session: Session, report_id: int, dongs: list[str] | None) -> Report | None:
    return session.scalar(sa.select(Report).where(Report.id == report_id, in_scope(dongs)))


@dataclass
class ReportList:
    rows: list[Report]
    counts: dict[str, int]
    total: int
    page: int
    pages: int
    status: str
    dong: str
    args: dict[str, str] = field(default_factory=dict)

    def query_args(self, **changes: Any) -> dict[str, Any]:
        out = {"status": self.status, "dong": self.dong, "page": self.page} | changes
        return {k: v for k, v in out.items() if v not in ("", None, 1)}


def report_list(session: Session, args: Mapping[str, str], dongs: list[str] | None) -> ReportList:
    status = args.get("status", "")
    status = status if status in REPORT_STATUSES else ""
    dong = args.get("dong", "")
    try:
        page = max(1, int(args.get("page", "1")))
    except ValueError:
        page = 1
    where = [in_scope(dongs)]
    if dong:
        where.append(Report.dong_code == dong)
    counts = dict(
        session.execute(
            sa.select(Report.status, sa.func.count()).where(*where).group_by(Report.status)
        ).all()
    )
    if status:
        where.append(Report.status == status)
    total = counts.get(status, 0) if status else sum(counts.values())
    pages = max(1, -(-total // PAGE))
    page = min(page, pages)
    rows = session.scalars(
        sa.select(Report).where(*where).order_by(Report.received_at.desc(), Report.id.desc())
        .limit(PAGE).offset((page - 1) * PAGE)
    ).all()  # fmt: skip
    return ReportList(list(rows), counts, total, page, pages, status, dong)


def _squeeze(text: str | None) -> str:
    return _SPACE.sub("", text or "").lower()


def similar_address(a: str, b: str) -> bool:
    a, b = _squeeze(a), _squeeze(b)
    if not a or not b:
        return False
    if len(a) >= 4 and len(b) >= 4 and (a in b or b in a):
        return True
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.75


def possible_duplicates(session: Session, report: Report) -> list[Report]:
    """Other reports of the same dong within 30 days either side with a similar address or the
    same name of the person reported."""
    window = dt.timedelta(days=DUPLICATE_DAYS)
    nearby = session.scalars(
        sa.select(Report).where(
            Report.dong_code == report.dong_code, Report.id != report.id,
            Report.received_at.between(report.received_at - window, report.received_at + window),
        ).order_by(Report.received_at).limit(500)
    ).all()  # fmt: skip
    name = _squeeze(report.subject_name)
    return [
        r for r in nearby
        if similar_address(r.address, report.address) or (name and _squeeze(r.subject_name) == name)
    ]  # fmt: skip


@dataclass(frozen=True)
class Match:
    person: PersonBrief
    cases: list[CaseInfo]


def matching_people(session: Session, report: Report) -> list[Match]:
    people = people_matching(session, dong_code=report.dong_code, name=report.subject_name,
                             address=report.address)  # fmt: skip
    cases = cases_of_people(session, [p.id for p in people])
    return [Match(p, cases.get(p.id, [])) for p in people]


def reward_of(session: Session, report_id: int) -> tuple[RewardDue | None, Payment | None]:
    due = session.scalar(sa.select(RewardDue).where(RewardDue.report_id == report_id))
    payment = session.scalar(sa.select(Payment).where(Payment.report_id == report_id))
    return due, payment


@dataclass(frozen=True)
class LedgerRow:
    payment: Payment
    receipt_no: str
    dong_code: str
    reporter_name: str
    reporter_phone: str


@dataclass
class Ledger:
    year: int
    status: str
    rows: list[LedgerRow]
    totals: dict[str, tuple[int, int]]  # status → (count, amount) over the whole year
    years: list[int]

    @property
    def shown_amount(self) -> int:
        """What the rows on screen pay out: 한도 초과 rows are listed but not paid."""
        return sum(r.payment.amount for r in self.rows if r.payment.status != "over_cap")


def ledger(session: Session, year: int, status: str) -> Ledger:
    status = status if status in PAYMENT_STATUSES else ""
    where = [Payment.year == year] + ([Payment.status == status] if status else [])
    rows = session.execute(
        sa.select(Payment, Report.receipt_no, Report.dong_code, Report.reporter_name,
                  Report.reporter_phone)
        .join(Report, Report.id == Payment.report_id)
        .where(*where)
        .order_by(Payment.approved_on, Payment.id)
    ).all()  # fmt: skip
    totals = {
        s: (int(n), int(a))
        for s, n, a in session.execute(
            sa.select(Payment.status, sa.func.count(), sa.func.sum(Payment.amount))
            .where(Payment.year == year).group_by(Payment.status)
        ).all()
    }  # fmt: skip
    years = sorted(set(session.scalars(sa.select(Payment.year).distinct())) | {year}, reverse=True)
    return Ledger(year, status, [LedgerRow(*r) for r in rows], totals, years)


def new_count(session: Session, dongs: list[str] | None) -> int:
    return int(
        session.scalar(
            sa.select(sa.func.count()).select_from(Report).where(Report.status == "new", in_scope(dongs))
        ) or 0
    )  # fmt: skip


def report_of_case(session: Session, case_id: int) -> Report | None:
    return session.scalar(
        sa.select(Report).where(Report.case_id == case_id, Report.status.in_(("linked", "application")))
        .order_by(Report.received_at).limit(1)
    )  # fmt: skip
