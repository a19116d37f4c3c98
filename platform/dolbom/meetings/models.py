"""A meeting, its attendees and minutes, and its agenda of cases with a decision each."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dolbom.cases.models import Case
from dolbom.db import TenantBase, utcnow

DECISIONS = {"approve": "승인", "change": "변경", "close": "종결"}


class Meeting(TenantBase):
    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    held_on: Mapped[date] = mapped_column(sa.Date, index=True)
    place: Mapped[str] = mapped_column(sa.String(200))
    # [{"name", "organisation"}]: staff and external members (보건소, providers, experts)
    attendees: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    minutes: Mapped[str | None] = mapped_column(sa.Text)
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    signed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    signed_by: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    created_by: Mapped[int] = mapped_column()
    lock_version: Mapped[int] = mapped_column(default=1)

    items: Mapped[list[MeetingItem]] = relationship(
        back_populates="meeting", order_by="MeetingItem.id", lazy="selectin"
    )

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": lock_version}

    @property
    def signed(self) -> bool:
        return self.signed_at is not None


class MeetingItem(TenantBase):
    __tablename__ = "meeting_item"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id"), index=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id"), index=True)
    decision: Mapped[str | None] = mapped_column(sa.String(10))
    remarks: Mapped[str | None] = mapped_column(sa.String(1000))
    added_by: Mapped[int] = mapped_column()

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    case: Mapped[Case] = relationship(lazy="joined", innerjoin=True)
