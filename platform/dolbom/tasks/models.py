"""A task (할 일) for one worker, perhaps about one case."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from dolbom.db import TenantBase, utcnow

TASK_SOURCES = {"manual": "직접 입력", "deadline": "기한 알림"}


class Task(TenantBase):
    __tablename__ = "task"
    # A deadline reminder is made once per case, deadline and due date, however often the job
    # runs; hand-made tasks have no key (NULLs never collide).
    __table_args__ = (sa.UniqueConstraint("case_id", "deadline_key", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignee_id: Mapped[int] = mapped_column(index=True)  # shared-schema user id
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    due_on: Mapped[date | None] = mapped_column(sa.Date)
    source: Mapped[str] = mapped_column(sa.String(12), default="manual")
    deadline_key: Mapped[str | None] = mapped_column(sa.String(32))
    done_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    done_by: Mapped[int | None] = mapped_column()
    created_by: Mapped[int | None] = mapped_column()  # None: made by the deadline job
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
