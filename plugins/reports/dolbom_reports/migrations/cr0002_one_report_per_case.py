"""One report carries a case: the database holds it when two staff link at once.

Revision ID: cr0002
Revises: cr0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "cr0002"
down_revision: str | Sequence[str] | None = "cr0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "uq_reports_report_case_active",
        "reports_report",
        ["case_id"],
        unique=True,
        postgresql_where=sa.text("status IN ('linked', 'application')"),
    )


def downgrade() -> None:
    op.drop_index("uq_reports_report_case_active", table_name="reports_report")
