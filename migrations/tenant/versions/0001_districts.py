"""Districts: gu and dated dongs.

Revision ID: t0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "t0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "gu",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("population_65", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_gu"),
        sa.UniqueConstraint("code", name="uq_gu_code"),
    )
    op.create_table(
        "dong",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("gu_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("successor_code", sa.String(32), nullable=True),
        # The metadata's naming convention makes this ck_dong_valid_period.
        sa.CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="valid_period"),
        sa.ForeignKeyConstraint(["gu_id"], ["gu.id"], name="fk_dong_gu_id_gu"),
        sa.PrimaryKeyConstraint("id", name="pk_dong"),
        sa.UniqueConstraint("code", name="uq_dong_code"),
    )
    op.create_index("ix_dong_gu_id", "dong", ["gu_id"])


def downgrade() -> None:
    op.drop_table("dong")
    op.drop_table("gu")
