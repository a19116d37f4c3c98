"""Indexes on blind-spot tasks: the registry person (the case panel) and the coordinators'
worklist order.

Revision ID: bs0002
Revises: bs0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "bs0002"
down_revision: str | Sequence[str] | None = "bs0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_blindspots_task_person_id", "blindspots_task", ["person_id"])
    op.create_index(
        "ix_blindspots_task_queue",
        "blindspots_task",
        ["status", sa.text("score DESC"), sa.text("batch_id DESC"), "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_blindspots_task_queue", table_name="blindspots_task")
    op.drop_index("ix_blindspots_task_person_id", table_name="blindspots_task")
