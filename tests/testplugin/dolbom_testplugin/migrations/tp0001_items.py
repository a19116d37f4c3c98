"""Test plugin items.

Revision ID: tp0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "tp0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "testplugin_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(50), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_testplugin_item"),
    )


def downgrade() -> None:
    op.drop_table("testplugin_item")
