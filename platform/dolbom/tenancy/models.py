from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dolbom.db import SharedBase, schema_for, utcnow


class Tenant(SharedBase):
    """A municipality (시군구). Its people and cases live in its own schema `t_<slug>`."""

    __tablename__ = "tenant"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    region: Mapped[str | None] = mapped_column(sa.String(50))
    # provisioning → ready; failed when provisioning stopped half-way (a rerun resumes).
    status: Mapped[str] = mapped_column(sa.String(16), default="provisioning")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    plugins: Mapped[list[TenantPlugin]] = relationship(
        back_populates="tenant", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def schema(self) -> str:
        return schema_for(self.slug)

    def enabled_plugins(self) -> frozenset[str]:
        return frozenset(p.plugin for p in self.plugins if p.enabled)


class TenantPlugin(SharedBase):
    """Per-tenant plugin switch. All installed plugins load; this decides where they act."""

    __tablename__ = "tenant_plugin"

    tenant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tenant.id", ondelete="CASCADE"), primary_key=True
    )
    plugin: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    changed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    tenant: Mapped[Tenant] = relationship(back_populates="plugins")


class TenantMigration(SharedBase):
    """Outcome of the last migration run per tenant and stream (core or a plugin's branch)."""

    __tablename__ = "tenant_migration"

    tenant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tenant.id", ondelete="CASCADE"), primary_key=True
    )
    stream: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    revision: Mapped[str | None] = mapped_column(sa.String(64))
    status: Mapped[str] = mapped_column(sa.String(16))
    error: Mapped[str | None] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
