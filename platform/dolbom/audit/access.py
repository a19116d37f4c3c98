"""The personal-data access log: who saw or changed which record, when, from where.

One row per handling (view, create, edit, print, download) in the tenant's own schema, kept at
least two years. Rows are only ever added; nothing in the application updates or deletes them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from dolbom.db import TenantBase, utcnow

ACTIONS = frozenset({"view", "create", "edit", "print", "download", "delete"})

# The database itself refuses to change or remove a row, whatever the application does. Run in
# the tenant schema (search_path) by the migration and by fast provisioning (`table.info`).
APPEND_ONLY_DDL = (
    "CREATE FUNCTION access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION 'access_log is append-only'; END $$",
    "CREATE TRIGGER access_log_no_change BEFORE UPDATE OR DELETE ON access_log "
    "FOR EACH ROW EXECUTE FUNCTION access_log_append_only()",
    "CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only()",
)


class AccessLog(TenantBase):
    __tablename__ = "access_log"
    __table_args__ = (
        sa.Index("ix_access_log_subject", "subject_type", "subject_id"),
        {"info": {"after_create": APPEND_ONLY_DDL}},
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int] = mapped_column()
    ip: Mapped[str | None] = mapped_column(sa.String(45))
    subject_type: Mapped[str] = mapped_column(sa.String(32))
    subject_id: Mapped[int] = mapped_column(sa.BigInteger)
    action: Mapped[str] = mapped_column(sa.String(16))
    detail: Mapped[str | None] = mapped_column(sa.String(200))  # e.g. a correction's field count


def log_access(
    session: Session,
    *,
    user_id: int,
    ip: str | None,
    subject_type: str,
    subject_id: int,
    action: str,
    detail: str | None = None,
) -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown access action: {action}")
    session.add(
        AccessLog(
            user_id=user_id,
            ip=ip,
            subject_type=subject_type,
            subject_id=subject_id,
            action=action,
            detail=detail,
        )
    )
