"""The individual support plan: goals, services with frequency and provider, period.

Revision ID: t0009
Revises: t0008
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import Text

revision: str = "t0009"
down_revision: str | Sequence[str] | None = "t0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "support_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("goals", sa.String(length=2000), nullable=False),
        sa.Column("services", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=True),
        sa.Column("period_until", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=False),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case.id"], name=op.f("fk_support_plan_case_id_case")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_plan")),
        sa.UniqueConstraint("case_id", name=op.f("uq_support_plan_case_id")),
    )


def downgrade() -> None:
    op.drop_table("support_plan")
