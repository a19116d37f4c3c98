"""A case: one person's way from application to closure."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dolbom.clock import today
from dolbom.db import TenantBase, utcnow
from dolbom.people.models import Person

# The act's steps (domain.md, "The process"), in order.
STAGES = {
    "application": "접수",
    "survey": "사전조사",
    "judgement": "통합판정",
    "plan": "지원계획",
    "meeting": "통합지원회의",
    "provision": "서비스 제공",
    "monitoring": "모니터링",
    "closed": "종결",
}
IN_SERVICE = frozenset({"provision", "monitoring"})
# When an official may apply on the person's behalf (domain.md, step 1a).
INITIATIVE_REASONS = {
    "ltc_rejected": "장기요양 신청이 기각됨",
    "crisis": "긴급복지지원법상 위기 상황",
    "family_unable": "가족 돌봄이 불가능함",
    "care_gap": "갑작스러운 돌봄 공백",
    "other": "그 밖의 사유",
}
# The integrated judgement's result as the city records it when NHIS sends it back. The
# judgement's own scale is not public: these levels are reconstructed (재구성).
JUDGEMENT_LEVELS = {
    "intensive": "집중 지원 필요",
    "general": "일반 지원 필요",
    "linkage": "서비스 연계 필요",
    "none": "통합지원 불필요",
}
RISK_LEVELS = {"high": "높음", "medium": "보통", "low": "낮음"}
CLOSURE_REASONS = {
    "goals_met": "목표 달성",
    "moved": "전출",
    "institutionalised": "시설 입소",
    "death": "사망",
    "refusal": "서비스 거부",
}


class Case(TenantBase):
    __tablename__ = "case"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    dong_code: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    source: Mapped[str | None] = mapped_column(sa.String(16))  # rules.facts.CASE_SOURCES
    # Why an official applied on the person's behalf (직권신청), or who referred them.
    source_note: Mapped[str | None] = mapped_column(sa.String(500))
    stage: Mapped[str] = mapped_column(sa.String(16), default="application", index=True)
    opened_on: Mapped[date] = mapped_column(sa.Date, default=today)
    closed_on: Mapped[date | None] = mapped_column(sa.Date)
    judgement_level: Mapped[str | None] = mapped_column(sa.String(16))
    closure_reason: Mapped[str | None] = mapped_column(sa.String(20))
    follow_up_on: Mapped[date | None] = mapped_column(sa.Date)
    services_started_on: Mapped[date | None] = mapped_column(sa.Date)
    # The responsible worker (담당자, a shared-schema user id): their caseload, their reminders.
    worker_id: Mapped[int | None] = mapped_column(index=True)
    risk_level: Mapped[str | None] = mapped_column(sa.String(8), index=True)  # RISK_LEVELS
    # When the case entered its stage, and the stage's deadline from the tenant's service levels
    # (cases/deadlines.py): kept on the row so that lists filter "overdue" with an index.
    stage_since: Mapped[date | None] = mapped_column(sa.Date)
    due_on: Mapped[date | None] = mapped_column(sa.Date, index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    created_by: Mapped[int | None] = mapped_column()
    lock_version: Mapped[int] = mapped_column(default=1)

    person: Mapped[Person] = relationship(lazy="joined", innerjoin=True)

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": lock_version}

    @property
    def stage_label(self) -> str:
        return STAGES.get(self.stage, self.stage)


class CaseEvent(TenantBase):
    """One step of a case's history: who did what, when, and why. Only ever added."""

    __tablename__ = "case_event"

    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id"), index=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    by: Mapped[int] = mapped_column()
    action: Mapped[str] = mapped_column(sa.String(32))
    from_stage: Mapped[str | None] = mapped_column(sa.String(16))
    to_stage: Mapped[str | None] = mapped_column(sa.String(16))
    note: Mapped[str | None] = mapped_column(sa.String(1000))
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)


CONTACT_KINDS = {"visit": "가정 방문", "phone": "전화", "counter": "창구 상담", "other": "기타"}


class Contact(TenantBase):
    """A contact record (상담·방문 기록): a visit, a call or a counter conversation."""

    __tablename__ = "case_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id"), index=True)
    on: Mapped[date] = mapped_column(sa.Date)
    kind: Mapped[str] = mapped_column(sa.String(16))
    content: Mapped[str] = mapped_column(sa.String(2000))
    next_action: Mapped[str | None] = mapped_column(sa.String(500))
    by: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


class MonitoringCheck(TenantBase):
    """A scheduled check after services start (by default at 1 and 3 months): the person's
    condition, their use of the services, and whether the plan must change."""

    __tablename__ = "monitoring_check"
    __table_args__ = (sa.UniqueConstraint("case_id", "months"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id"), index=True)
    months: Mapped[int] = mapped_column()
    due_on: Mapped[date] = mapped_column(sa.Date, index=True)
    done_on: Mapped[date | None] = mapped_column(sa.Date)
    condition: Mapped[str | None] = mapped_column(sa.String(1000))
    service_use: Mapped[str | None] = mapped_column(sa.String(1000))
    plan_change: Mapped[bool | None] = mapped_column()
    by: Mapped[int | None] = mapped_column()


class SupportPlan(TenantBase):
    """The individual support plan (개인별 지원계획) a 읍면동 drafts for the meeting: goals,
    the services with their frequency and provider, and the period."""

    __tablename__ = "support_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id"), unique=True)
    goals: Mapped[str] = mapped_column(sa.String(2000))
    services: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    period_from: Mapped[date | None] = mapped_column(sa.Date)
    period_until: Mapped[date | None] = mapped_column(sa.Date)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_by: Mapped[int] = mapped_column()
    lock_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": lock_version}
