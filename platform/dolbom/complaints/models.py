"""A complaint (민원) as the situation room keeps it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from dolbom.db import TenantBase, utcnow

COMPLAINT_STATUSES = {"received": "접수", "handled": "처리", "closed": "종결"}
COMPLAINT_CHANNELS = {"phone": "전화", "visit": "방문", "online": "온라인", "document": "문서"}


class Complaint(TenantBase):
    __tablename__ = "complaint"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case.id"), index=True)
    received_on: Mapped[date] = mapped_column(sa.Date)
    channel: Mapped[str] = mapped_column(sa.String(16))
    complainant: Mapped[str | None] = mapped_column(sa.String(50))
    contact: Mapped[str | None] = mapped_column(sa.String(50))
    subject: Mapped[str] = mapped_column(sa.String(200))
    content: Mapped[str] = mapped_column(sa.String(2000))
    status: Mapped[str] = mapped_column(sa.String(12), default="received", index=True)
    handling: Mapped[str | None] = mapped_column(sa.String(2000))
    handled_on: Mapped[date | None] = mapped_column(sa.Date)
    handled_by: Mapped[int | None] = mapped_column()
    closed_on: Mapped[date | None] = mapped_column(sa.Date)
    created_by: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    lock_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": lock_version}
