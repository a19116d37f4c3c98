"""The 복지기동대 plugin's tables (in the tenant's schema, created by its own migrations).

Case ids are plain integers, not foreign keys: the plugin's tables are parked in a schema of
their own when a tenant switches it off, and a key into the core's `case` table would tie them.
Keep this file and `migrations/` identical in columns, indexes and constraint names."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as pgettext  # lazy; named so pybabel finds it
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from dolbom.plugins.api import NAMING

SKILLS = {
    "repair": _l("소규모 수리"),
    "cleanup": _l("주거 정리"),
    "safety": _l("전기·가스 안전점검"),
}
KINDS = {
    "repair": _l("긴급 소규모 수리"),
    "cleanup": _l("주거 정리"),
    "safety": _l("노후주택 안전점검"),
}
STATUSES = {
    "received": _l("접수"),
    "assigned": _l("배정"),
    "done": _l("완료"),
    "cancelled": pgettext("status", "취소"),
}
URGENCIES = {"urgent": _l("긴급"), "normal": _l("보통")}
# The safety check of an old house (노후주택 안전점검): every item needs an answer.
CHECK_ITEMS = {
    "electric": _l("전기 (누전·배선)"),
    "gas": _l("가스 (누출·호스)"),
    "fire": _l("소화기·감지기"),
}
CHECK_RESULTS = {"ok": _l("양호"), "action": _l("조치 필요"), "na": _l("해당 없음")}


def utcnow() -> datetime:
    return datetime.now().astimezone()


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)


class Volunteer(Base):
    """A 봉사자 of one dong. Name and phone are personal data: shown to staff only."""

    __tablename__ = "squad_volunteer"
    __table_args__ = (sa.Index("ix_squad_volunteer_dong_active", "dong_code", "active"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    phone: Mapped[str] = mapped_column(sa.String(20))
    dong_code: Mapped[str] = mapped_column(sa.String(32))
    skills: Mapped[list[str]] = mapped_column(ARRAY(sa.String(16)))
    active: Mapped[bool] = mapped_column(default=True)
    joined_on: Mapped[date] = mapped_column(sa.Date)
    created_by: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    lock_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": lock_version}


class WorkOrder(Base):
    """A 작업 요청: 접수 → 배정 → 완료, or 취소 with a reason. Linked to a case when the person
    is registered; otherwise it carries the address where the squad goes."""

    __tablename__ = "squad_order"
    __table_args__ = (
        sa.Index("ix_squad_order_dong_status", "dong_code", "status"),
        sa.Index("ix_squad_order_requested_on", "requested_on"),
        sa.Index("ix_squad_order_completed_on", "completed_on"),
        sa.Index("ix_squad_order_case_id", "case_id"),
        sa.CheckConstraint("case_id IS NOT NULL OR address IS NOT NULL", name="case_or_address"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    dong_code: Mapped[str] = mapped_column(sa.String(32))
    case_id: Mapped[int | None] = mapped_column()
    address: Mapped[str | None] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.String(2000))
    urgency: Mapped[str] = mapped_column(sa.String(8))
    requested_on: Mapped[date] = mapped_column(sa.Date)
    due_on: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(12), default="received")
    assigned_on: Mapped[date | None] = mapped_column(sa.Date)
    completed_on: Mapped[date | None] = mapped_column(sa.Date)
    completion_notes: Mapped[str | None] = mapped_column(sa.String(2000))
    checklist: Mapped[dict[str, str] | None] = mapped_column(JSONB)
    cancelled_on: Mapped[date | None] = mapped_column(sa.Date)
    cancel_reason: Mapped[str | None] = mapped_column(sa.String(500))
    created_by: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    lock_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": lock_version}

    @property
    def needs_action(self) -> bool:
        return any(v == "action" for v in (self.checklist or {}).values())


class Assignment(Base):
    """A volunteer sent on an order (one order may need several hands)."""

    __tablename__ = "squad_assignment"
    __table_args__ = (sa.Index("ix_squad_assignment_volunteer_id", "volunteer_id"),)

    order_id: Mapped[int] = mapped_column(
        sa.ForeignKey("squad_order.id", ondelete="CASCADE"), primary_key=True
    )
    volunteer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("squad_volunteer.id", ondelete="CASCADE"), primary_key=True
    )
    assigned_by: Mapped[int] = mapped_column()
    assigned_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


class Photo(Base):
    """A completion photo (JPEG or PNG by its first bytes), kept in the database so it moves,
    parks and is dropped with the tenant's plugin tables."""

    __tablename__ = "squad_photo"
    __table_args__ = (sa.Index("ix_squad_photo_order_id", "order_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("squad_order.id", ondelete="CASCADE"))
    content_type: Mapped[str] = mapped_column(sa.String(16))
    size: Mapped[int] = mapped_column()
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
    uploaded_by: Mapped[int] = mapped_column()
    uploaded_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
