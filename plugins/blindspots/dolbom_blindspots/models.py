"""The 복지사각지대 발굴 plugin's tables (in the tenant's schema, created by its own migrations).

- `blindspots_batch`: one uploaded list, its processing state and totals.
- `blindspots_upload`: the file's bytes, sealed (AES-GCM, bound to the tenant and the batch),
  until the import has run or the batch is discarded (then deleted): the rows carry resident
  numbers, so they live here and nowhere else until sealed one by one.
- `blindspots_problem`: the report of rows that were not imported (line, column, reason).
- `blindspots_task`: one imported person = one outreach task in the dong's worklist, with the
  registry match, the risk score and the visit outcome."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from dolbom.plugins.api import NAMING

_TS = sa.DateTime(timezone=True)

BATCH_STATUSES = {
    "queued": _l("대기"),
    "running": _l("처리 중"),
    "imported": _l("완료"),
    "failed": _l("실패"),
    "discarded": _l("폐기"),
}
RISKS = {"high": _l("높음"), "medium": _l("보통"), "low": _l("낮음")}
OUTCOMES = {"no_need": _l("불필요"), "linked": _l("서비스 연계"), "application": _l("신규 신청")}
TASK_STATUSES = {"open": _l("방문 전"), "done": _l("방문 완료")}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)


class Batch(Base):
    __tablename__ = "blindspots_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(sa.String(100))  # e.g. "2026년 5~6월 발굴 명단"
    file_name: Mapped[str] = mapped_column(sa.String(200))
    file_kind: Mapped[str] = mapped_column(sa.String(8))  # csv / xlsx
    encoding: Mapped[str | None] = mapped_column(sa.String(16))  # utf-8, utf-8-sig, cp949
    size_bytes: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[str] = mapped_column(sa.String(16), default="queued")
    message: Mapped[str | None] = mapped_column(sa.String(300))
    row_count: Mapped[int] = mapped_column(default=0)
    imported_count: Mapped[int] = mapped_column(default=0)
    bad_count: Mapped[int] = mapped_column(default=0)
    matched_count: Mapped[int] = mapped_column(default=0)
    # The rule parameters the scores were computed with, with their citations.
    scoring: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    uploaded_by: Mapped[int] = mapped_column()
    uploaded_at: Mapped[datetime] = mapped_column(_TS)
    started_at: Mapped[datetime | None] = mapped_column(_TS)
    finished_at: Mapped[datetime | None] = mapped_column(_TS)


class Upload(Base):
    __tablename__ = "blindspots_upload"

    batch_id: Mapped[int] = mapped_column(
        sa.ForeignKey("blindspots_batch.id", ondelete="CASCADE"), primary_key=True
    )
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)  # sealed: operations.seal_upload


class Problem(Base):
    __tablename__ = "blindspots_problem"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        sa.ForeignKey("blindspots_batch.id", ondelete="CASCADE"), index=True
    )
    line: Mapped[int] = mapped_column()  # the file's line (CSV) or row (XLSX), header = 1
    column: Mapped[str | None] = mapped_column(sa.String(40))
    reason: Mapped[str] = mapped_column(sa.String(200))  # never the resident number itself


class Task(Base):
    __tablename__ = "blindspots_task"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        sa.ForeignKey("blindspots_batch.id", ondelete="CASCADE"), index=True
    )
    line: Mapped[int] = mapped_column()
    national_key: Mapped[str] = mapped_column(sa.String(40))
    name: Mapped[str] = mapped_column(sa.String(50))
    rrn_index: Mapped[str] = mapped_column(sa.String(64), index=True)
    rrn_masked: Mapped[str] = mapped_column(sa.String(14))
    rrn_cipher: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    birth_date: Mapped[date] = mapped_column(sa.Date)
    sex: Mapped[str] = mapped_column(sa.String(1))
    address: Mapped[str] = mapped_column(sa.String(200))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    dong_code: Mapped[str] = mapped_column(sa.String(32))
    indicators: Mapped[list[str]] = mapped_column(JSONB)  # indicator keys (columns.py)
    score: Mapped[int] = mapped_column()
    risk: Mapped[str] = mapped_column(sa.String(8))  # RISKS
    person_id: Mapped[int | None] = mapped_column()  # the registry match, if any
    status: Mapped[str] = mapped_column(sa.String(8), default="open")
    outcome: Mapped[str | None] = mapped_column(sa.String(16))  # OUTCOMES
    visited_on: Mapped[date | None] = mapped_column(sa.Date)
    note: Mapped[str | None] = mapped_column(sa.String(500))  # 연계 내용
    case_id: Mapped[int | None] = mapped_column()  # the case linked or opened
    done_by: Mapped[int | None] = mapped_column()
    done_at: Mapped[datetime | None] = mapped_column(_TS)
    lock_version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (
        sa.Index("ix_blindspots_task_worklist", "dong_code", "status", "score"),
        sa.Index("ix_blindspots_task_case_id", "case_id"),
        sa.Index("ix_blindspots_task_person_id", "person_id"),  # the case panel's look-up
    )
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": lock_version}


# The coordinators' worklist (every dong): open tasks, highest score first (queries.worklist).
sa.Index("ix_blindspots_task_queue", Task.status, Task.score.desc(), Task.batch_id.desc(), Task.id)
