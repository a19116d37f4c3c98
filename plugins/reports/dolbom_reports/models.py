"""The 위기가구 신고 plugin's tables (in the tenant's schema, created by its own migrations).

A report (`reports_report`) holds what a resident told us, including the reporter's contact,
which is personal data kept for the reward and shown only to coordinators and city
administrators. When the reported household's case is approved, a reward-due row
(`reports_reward_due`, one per report) is written in the approval's transaction; a job then
creates the payment (`reports_payment`, one per report: the unique constraint makes a second
run a no-op) at the amount the city's rule set names on the approval date."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from dolbom.plugins.api import NAMING

_TS = sa.DateTime(timezone=True)

CRISIS_KINDS = {
    "meals": _l("끼니 거름"),
    "arrears": _l("공과금 체납·단전"),
    "health": _l("건강 악화"),
    "isolation": _l("고립·은둔"),
    "housing": _l("주거 위기"),
    "other": _l("그 밖에"),
}
RELATIONS = {
    "neighbour": _l("이웃"),
    "landlord": _l("집주인·관리인"),
    "family": _l("가족·친척"),
    "acquaintance": _l("지인"),
    "tongjang": _l("통장·이장"),
    "other": _l("그 밖에"),
}
REPORT_STATUSES = {
    "new": _l("접수"),
    "duplicate": _l("중복"),
    "linked": _l("기존 사례 연결"),
    "application": _l("신규 신청"),
    "not_applicable": _l("해당 없음"),
}
PAYMENT_STATUSES = {"due": _l("지급 예정"), "paid": _l("지급 완료"), "over_cap": _l("한도 초과")}
# The reward-due row's outcome: waiting for the job, a payment row exists, or why none.
DUE_STATES = {
    "pending": _l("지급 확인 중"),
    "created": _l("포상금 기록됨"),
    "no_rule": _l("포상금 규칙 없음"),
    "not_in_service": _l("서비스 대상자 아님"),
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)


class Report(Base):
    __tablename__ = "reports_report"
    __table_args__ = (
        sa.Index("ix_reports_report_dong_received", "dong_code", "received_at"),
        # One report carries a case (and its reward): held here when two staff link at once.
        sa.Index("uq_reports_report_case_active", "case_id", unique=True,
                 postgresql_where=sa.text("status IN ('linked', 'application')")),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_no: Mapped[str] = mapped_column(sa.String(20), unique=True)
    received_at: Mapped[dt.datetime] = mapped_column(_TS, default=utcnow)
    dong_code: Mapped[str] = mapped_column(sa.String(32))
    address: Mapped[str] = mapped_column(sa.String(200))
    kinds: Mapped[list[str]] = mapped_column(sa.JSON)
    description: Mapped[str | None] = mapped_column(sa.Text)
    subject_name: Mapped[str | None] = mapped_column(sa.String(50))
    reporter_name: Mapped[str] = mapped_column(sa.String(50))
    reporter_phone: Mapped[str] = mapped_column(sa.String(20))
    reporter_relation: Mapped[str] = mapped_column(sa.String(20))
    # HMAC of the normalised phone: finds the same reporter (yearly caps) without the number.
    reporter_key: Mapped[str] = mapped_column(sa.String(64), index=True)
    consent_text: Mapped[str] = mapped_column(sa.String(20))  # the consent text's version
    consented_at: Mapped[dt.datetime] = mapped_column(_TS)
    status: Mapped[str] = mapped_column(sa.String(16), default="new", index=True)
    duplicate_of: Mapped[int | None] = mapped_column(sa.ForeignKey("reports_report.id"))
    case_id: Mapped[int | None] = mapped_column(index=True)
    close_reason: Mapped[str | None] = mapped_column(sa.String(500))
    handled_by: Mapped[int | None] = mapped_column()
    handled_at: Mapped[dt.datetime | None] = mapped_column(_TS)
    lock_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": lock_version}  # noqa: RUF012

    @property
    def status_label(self) -> str:
        return str(REPORT_STATUSES.get(self.status, self.status))


class RewardDue(Base):
    """The reported household became a recipient: a reward is due unless the rules say no."""

    __tablename__ = "reports_reward_due"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("reports_report.id"), unique=True)
    case_id: Mapped[int] = mapped_column()
    approved_on: Mapped[dt.date] = mapped_column(sa.Date)
    state: Mapped[str] = mapped_column(sa.String(16), default="pending")
    note: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[dt.datetime] = mapped_column(_TS, default=utcnow)
    checked_at: Mapped[dt.datetime | None] = mapped_column(_TS)


class Payment(Base):
    """One reward per report, ever: `report_id` is unique and the job inserts with ON CONFLICT
    DO NOTHING. Over the yearly cap the row is kept, as 한도 초과, with its reason."""

    __tablename__ = "reports_payment"
    __table_args__ = (sa.Index("ix_reports_payment_year_status", "year", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("reports_report.id"), unique=True)
    case_id: Mapped[int] = mapped_column()
    reporter_key: Mapped[str] = mapped_column(sa.String(64), index=True)
    year: Mapped[int] = mapped_column()
    approved_on: Mapped[dt.date] = mapped_column(sa.Date)
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    status: Mapped[str] = mapped_column(sa.String(16))
    reason: Mapped[str | None] = mapped_column(sa.String(300))
    citation: Mapped[str] = mapped_column(sa.String(500))
    rule_set: Mapped[str] = mapped_column(sa.String(100))
    rule_version: Mapped[int] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(_TS, default=utcnow)
    paid_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    paid_by: Mapped[int | None] = mapped_column()
    lock_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": lock_version}  # noqa: RUF012

    @property
    def status_label(self) -> str:
        return str(PAYMENT_STATUSES.get(self.status, self.status))
