"""A document's record; the file itself lives outside the web root (documents/storage.py)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from dolbom.db import TenantBase, utcnow

DOCUMENT_KINDS = {"consent": "동의서", "photo": "사진", "other": "기타 문서"}


class Document(TenantBase):
    __tablename__ = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    # The name as uploaded, for display only; the stored file is named by `storage_key`.
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(40))  # from the content, not the name
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(sa.String(64))
    storage_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    note: Mapped[str | None] = mapped_column(sa.String(200))
    uploaded_by: Mapped[int] = mapped_column()
    uploaded_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
