"""The access log is append-only in the database: updates, deletes and truncation are refused.

Revision ID: t0004
Revises: t0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

from dolbom.audit.access import APPEND_ONLY_DDL

revision: str = "t0004"
down_revision: str | Sequence[str] | None = "t0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for statement in APPEND_ONLY_DDL:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TRIGGER access_log_no_truncate ON access_log")
    op.execute("DROP TRIGGER access_log_no_change ON access_log")
    op.execute("DROP FUNCTION access_log_append_only()")
