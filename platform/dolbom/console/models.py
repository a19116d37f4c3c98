from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from dolbom.db import TenantBase, utcnow


class ConfigChange(TenantBase):
    """One change to the tenant's configuration: who, when, what, before → after.

    Written in the same transaction as the change itself, so a refused or failed change leaves
    no entry and a committed one always has one. Never holds a resident's personal data: the
    configuration is districts, staff accounts, programmes, providers, forms, rules, settings."""

    __tablename__ = "config_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column()
    # profile · settings · district · staff · programme · provider · form · rule · plugin · pack
    area: Mapped[str] = mapped_column(sa.String(20), index=True)
    # What changed within the area: a dong code, a staff e-mail, a programme key, a setting key.
    subject: Mapped[str] = mapped_column(sa.String(200))
    action: Mapped[str] = mapped_column(sa.String(20))  # create · update · delete · merge · …
    before: Mapped[dict | None] = mapped_column(JSONB)
    after: Mapped[dict | None] = mapped_column(JSONB)
    # A change made by applying a pack carries the pack's name, so it can be told apart.
    source: Mapped[str | None] = mapped_column(sa.String(100))
