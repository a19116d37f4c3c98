from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from dolbom.db import SharedBase, utcnow


class JobRecord(SharedBase):
    """What a person started and can come back to: the RQ job id, its tenant and its outcome.

    RQ keeps results only for a while; this keeps the history and what the user may download."""

    __tablename__ = "job_record"

    id: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    tenant_slug: Mapped[str] = mapped_column(sa.String(32), index=True)
    kind: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[str] = mapped_column(sa.String(16), default="queued")
    progress: Mapped[int] = mapped_column(default=0)
    message: Mapped[str | None] = mapped_column(sa.String(300))
    result_file: Mapped[str | None] = mapped_column(sa.String(300))
    created_by: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
