"""The city administrator console: its audit trail of configuration changes; programmes and
providers get a version for optimistic locking, and a programme may name its assessment form.

Revision ID: t0013
Revises: t0012
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "t0013"
down_revision: str | Sequence[str] | None = "t0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "config_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("area", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("source", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_config_change")),
    )
    op.create_index(op.f("ix_config_change_area"), "config_change", ["area"], unique=False)
    op.create_index(op.f("ix_config_change_at"), "config_change", ["at"], unique=False)
    op.add_column("programme", sa.Column("form_key", sa.String(length=50), nullable=True))
    op.add_column(
        "programme", sa.Column("version", sa.Integer(), server_default="1", nullable=False)
    )
    op.add_column(
        "provider", sa.Column("version", sa.Integer(), server_default="1", nullable=False)
    )


def downgrade() -> None:
    op.drop_column("provider", "version")
    op.drop_column("programme", "version")
    op.drop_column("programme", "form_key")
    op.drop_index(op.f("ix_config_change_at"), table_name="config_change")
    op.drop_index(op.f("ix_config_change_area"), table_name="config_change")
    op.drop_table("config_change")
