"""A referral to one provider for one programme, and the service records against it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dolbom.catalogue.models import Programme, Provider
from dolbom.db import TenantBase, utcnow

STATUSES = {
    "waiting": _l("대기"),
    "sent": _l("의뢰"),
    "accepted": _l("수락"),
    "in_service": _l("서비스 중"),
    "declined": _l("거절"),
    "revoked": _l("철회"),
    "completed": _l("완료"),
    "stopped": _l("중단"),
}
# A referral in one of these holds one of the provider's places for the programme.
HOLDS_PLACE = frozenset({"sent", "accepted", "in_service"})
OPEN = frozenset({"waiting", "sent", "accepted", "in_service"})


class Referral(TenantBase):
    __tablename__ = "referral"
    __table_args__ = (
        # The inbox, the board and the capacity count all ask by provider, programme and status.
        sa.Index("ix_referral_provider_status", "provider_id", "programme_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programme.id"))
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("provider.id"))
    status: Mapped[str] = mapped_column(sa.String(12))
    frequency: Mapped[str | None] = mapped_column(sa.String(100))  # the plan row's 횟수·시간
    needs: Mapped[str | None] = mapped_column(sa.String(1000))  # what the provider must know
    period_from: Mapped[date] = mapped_column(sa.Date)
    period_until: Mapped[date] = mapped_column(sa.Date)
    due_on: Mapped[date | None] = mapped_column(sa.Date)  # the provider's answer is due
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    responded_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    responded_by: Mapped[int | None] = mapped_column()
    reason: Mapped[str | None] = mapped_column(sa.String(500))  # why declined or stopped
    ended_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_by: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    lock_version: Mapped[int] = mapped_column(default=1)

    programme: Mapped[Programme] = relationship(lazy="joined", innerjoin=True)
    provider: Mapped[Provider] = relationship(lazy="joined", innerjoin=True)

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": lock_version}

    @property
    def status_label(self) -> str:
        return str(STATUSES.get(self.status, self.status))


class ServiceRecord(TenantBase):
    """One delivery: a visit, hours of care, meals, an item."""

    __tablename__ = "service_record"
    __table_args__ = (sa.Index("ix_service_record_referral_day", "referral_id", "served_on"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    referral_id: Mapped[int] = mapped_column(sa.ForeignKey("referral.id"))
    served_on: Mapped[date] = mapped_column(sa.Date, index=True)
    quantity: Mapped[Decimal] = mapped_column(sa.Numeric(7, 2))
    note: Mapped[str | None] = mapped_column(sa.String(300))
    recorded_by: Mapped[int] = mapped_column()
    recorded_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    # Over the monthly entitlement: only with a coordinator's reason.
    over_cap_reason: Mapped[str | None] = mapped_column(sa.String(300))
    over_cap_by: Mapped[int | None] = mapped_column()
