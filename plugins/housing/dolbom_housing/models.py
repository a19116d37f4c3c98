"""The 케어안심주택 plugin's tables (in the tenant's schema, created by its own migrations).

Keep these identical to `migrations/ho0001_housing.py`: a test compares them column by column.
People and cases are the core's: rows here hold their ids only (no foreign keys into core
tables, so switching the plugin off parks these tables cleanly)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from dolbom.plugins.api import NAMING

BUILDING_KINDS = {"remodel": _l("영구임대 리모델링"), "dedicated": _l("전용 건물")}
BUILDING_STATUSES = {"open": _l("운영"), "planned": _l("계획")}
FLAT_STATUSES = {"available": _l("입주 가능"), "occupied": _l("입주 중"), "repair": _l("수리 중")}
FEATURES = {
    "safety_bars": _l("안전손잡이"),
    "no_thresholds": _l("문턱 제거"),
    "emergency_call": _l("응급호출"),
}
ENTRY_STATUSES = {"waiting": _l("대기"), "housed": _l("입주"), "withdrawn": _l("대기 취소")}
MOVE_OUT_REASONS = {
    "moved": _l("이사 (다른 주거로)"),
    "facility": _l("시설 입소"),
    "hospital": _l("장기 입원"),
    "death": _l("사망"),
    "declined": _l("본인 포기"),
    "other": _l("그 밖의 사유"),
}

_TS = sa.DateTime(timezone=True)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)


class Building(Base):
    __tablename__ = "housing_building"
    __table_args__ = (
        sa.UniqueConstraint("name"),
        sa.CheckConstraint("kind IN ('remodel', 'dedicated')", name="kind"),
        sa.CheckConstraint("status IN ('open', 'planned')", name="status"),
        sa.CheckConstraint("planned_flats IS NULL OR planned_flats >= 0", name="planned_flats"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    address: Mapped[str | None] = mapped_column(sa.String(200))
    dong_code: Mapped[str | None] = mapped_column(sa.String(32))
    kind: Mapped[str] = mapped_column(sa.String(16))
    status: Mapped[str] = mapped_column(sa.String(16))
    planned_flats: Mapped[int | None] = mapped_column()
    # On-site services as the coordinators write them ("방문간호 주 2회", "공동식당").
    services: Mapped[list[str]] = mapped_column(JSONB, default=list)
    note: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[dt.datetime] = mapped_column(_TS, default=_now)
    created_by: Mapped[int | None] = mapped_column()
    updated_at: Mapped[dt.datetime] = mapped_column(_TS, default=_now, onupdate=_now)
    updated_by: Mapped[int | None] = mapped_column()
    lock_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": lock_version}  # noqa: RUF012


class Flat(Base):
    __tablename__ = "housing_flat"
    __table_args__ = (
        sa.UniqueConstraint("building_id", "number"),
        sa.CheckConstraint("status IN ('available', 'occupied', 'repair')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(sa.ForeignKey("housing_building.id"), index=True)
    number: Mapped[str] = mapped_column(sa.String(20))
    floor: Mapped[int | None] = mapped_column()
    safety_bars: Mapped[bool] = mapped_column(default=False)
    no_thresholds: Mapped[bool] = mapped_column(default=False)
    emergency_call: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(sa.String(16), default="available")
    note: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[dt.datetime] = mapped_column(_TS, default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(_TS, default=_now, onupdate=_now)
    updated_by: Mapped[int | None] = mapped_column()
    lock_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": lock_version}  # noqa: RUF012

    def features(self) -> list[str]:
        return [str(label) for key, label in FEATURES.items() if getattr(self, key)]


class QueueEntry(Base):
    """입주 대기: one person waiting for a flat, with the facts the priority score read and the
    score as it was decided (breakdown, rule set and version), so the explanation stays."""

    __tablename__ = "housing_queue_entry"
    __table_args__ = (
        sa.CheckConstraint("status IN ('waiting', 'housed', 'withdrawn')", name="status"),
        # One waiting entry per person: a second would jump the queue twice.
        sa.Index(
            "uq_housing_queue_entry_waiting_person",
            "person_id",
            unique=True,
            postgresql_where=sa.text("status = 'waiting'"),
        ),
        sa.Index("ix_housing_queue_entry_status_score", "status", "score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(index=True)
    case_id: Mapped[int] = mapped_column(index=True)
    dong_code: Mapped[str | None] = mapped_column(sa.String(32))  # the case's, for scope
    applied_on: Mapped[dt.date] = mapped_column(sa.Date)
    discharge_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    hospital: Mapped[str | None] = mapped_column(sa.String(100))
    lives_alone: Mapped[bool | None] = mapped_column()
    ltc_grade: Mapped[str | None] = mapped_column(sa.String(16))
    income_band: Mapped[str | None] = mapped_column(sa.String(16))
    unsafe_housing: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(sa.String(500))
    status: Mapped[str] = mapped_column(sa.String(16), default="waiting")
    # The score as decided: None when the tenant has no priority rule set (date order).
    score: Mapped[int | None] = mapped_column()
    breakdown: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    rule_set: Mapped[str | None] = mapped_column(sa.String(50))
    rule_version: Mapped[int | None] = mapped_column()
    scored_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    # Set when the case was closed while the person still waited: the queue asks for a look.
    case_closed_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    closed_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    close_reason: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[dt.datetime] = mapped_column(_TS, default=_now)
    created_by: Mapped[int | None] = mapped_column()
    updated_at: Mapped[dt.datetime] = mapped_column(_TS, default=_now, onupdate=_now)
    updated_by: Mapped[int | None] = mapped_column()
    lock_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": lock_version}  # noqa: RUF012


class Tenancy(Base):
    """입주: a person living in a flat, from move-in to move-out."""

    __tablename__ = "housing_tenancy"
    __table_args__ = (
        # A flat holds at most one current tenancy, a person lives in at most one flat.
        sa.Index(
            "uq_housing_tenancy_current_flat",
            "flat_id",
            unique=True,
            postgresql_where=sa.text("moved_out_on IS NULL"),
        ),
        sa.Index(
            "uq_housing_tenancy_current_person",
            "person_id",
            unique=True,
            postgresql_where=sa.text("moved_out_on IS NULL"),
        ),
        sa.CheckConstraint("moved_out_on IS NULL OR moved_out_on >= moved_in_on", name="dates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    flat_id: Mapped[int] = mapped_column(sa.ForeignKey("housing_flat.id"), index=True)
    person_id: Mapped[int] = mapped_column(index=True)
    case_id: Mapped[int] = mapped_column(index=True)
    entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("housing_queue_entry.id"))
    dong_code: Mapped[str | None] = mapped_column(sa.String(32))  # the case's, for scope
    moved_in_on: Mapped[dt.date] = mapped_column(sa.Date)
    moved_out_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    move_out_reason: Mapped[str | None] = mapped_column(sa.String(16))
    move_out_note: Mapped[str | None] = mapped_column(sa.String(300))
    # "퇴거 확인 필요": the case was closed while the person still lives here.
    check_flagged_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    check_note: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[dt.datetime] = mapped_column(_TS, default=_now)
    created_by: Mapped[int | None] = mapped_column()
    ended_by: Mapped[int | None] = mapped_column()
    lock_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": lock_version}  # noqa: RUF012
