from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from dolbom.db import TenantBase, utcnow


class TenantSetting(TenantBase):
    """A tenant's own configuration value (profile, deadlines, plugin settings), by key."""

    __tablename__ = "tenant_setting"

    key: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    value: Mapped[object] = mapped_column(JSONB, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
