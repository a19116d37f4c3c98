from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from dolbom.db import SharedBase, utcnow


class PlatformEvent(SharedBase):
    """Append-only record of platform-level actions: tenants created, dropped, exported,
    dumps downloaded, plugins switched. Never holds personal data."""

    __tablename__ = "platform_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column()
    ip: Mapped[str | None] = mapped_column(sa.String(45))
    action: Mapped[str] = mapped_column(sa.String(64))
    tenant_slug: Mapped[str | None] = mapped_column(sa.String(32))
    detail: Mapped[dict] = mapped_column(JSONB, default=dict)
