"""Contact records (상담·방문 기록) and monitoring checks scheduled after services start.

Revision ID: t0008
Revises: t0007
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "t0008"
down_revision: str | Sequence[str] | None = "t0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("content", sa.String(length=2000), nullable=False),
        sa.Column("next_action", sa.String(length=500), nullable=True),
        sa.Column("by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case.id"], name=op.f("fk_case_contact_case_id_case")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_contact")),
    )
    op.create_index(op.f("ix_case_contact_case_id"), "case_contact", ["case_id"], unique=False)
    op.create_table(
        "monitoring_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("condition", sa.String(length=1000), nullable=True),
        sa.Column("service_use", sa.String(length=1000), nullable=True),
        sa.Column("plan_change", sa.Boolean(), nullable=True),
        sa.Column("by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case.id"], name=op.f("fk_monitoring_check_case_id_case")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_check")),
        sa.UniqueConstraint("case_id", "months", name=op.f("uq_monitoring_check_case_id_months")),
    )
    op.create_index(
        op.f("ix_monitoring_check_case_id"), "monitoring_check", ["case_id"], unique=False
    )
    op.create_index(
        op.f("ix_monitoring_check_due_on"), "monitoring_check", ["due_on"], unique=False
    )


def downgrade() -> None:
    op.drop_table("monitoring_check")
    op.drop_table("case_contact")
