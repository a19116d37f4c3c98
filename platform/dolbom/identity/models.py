from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dolbom.db import SharedBase, utcnow


class Role(enum.StrEnum):
    PLATFORM_OPERATOR = "platform_operator"
    MINISTRY_ANALYST = "ministry_analyst"
    CITY_ADMIN = "city_admin"
    COORDINATOR = "coordinator"
    FRONTLINE_WORKER = "frontline_worker"
    PROVIDER_STAFF = "provider_staff"


PLATFORM_ROLES = frozenset({Role.PLATFORM_OPERATOR, Role.MINISTRY_ANALYST})
TENANT_ROLES = frozenset(set(Role) - PLATFORM_ROLES)


class User(SharedBase):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    password_hash: Mapped[str | None] = mapped_column(sa.String(200))
    # Operators and ministry analysts work across tenants and hold no membership.
    platform_role: Mapped[str | None] = mapped_column(sa.String(32))
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )


class Membership(SharedBase):
    """A user's role in one tenant, optionally narrowed to dongs or to one provider.

    Dongs and providers live in the tenant schema; they are referenced by code/id without a
    foreign key, because shared tables never point into tenant schemas (Citus-ready)."""

    __tablename__ = "membership"
    __table_args__ = (sa.UniqueConstraint("user_id", "tenant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    tenant_id: Mapped[int] = mapped_column(sa.ForeignKey("tenant.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(sa.String(32))
    dong_codes: Mapped[list[str]] = mapped_column(ARRAY(sa.String(32)), default=list)
    provider_id: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
