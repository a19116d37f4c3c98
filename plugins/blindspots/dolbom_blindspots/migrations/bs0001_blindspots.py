"""Blind-spot lists: batches, their uploads, problem reports and outreach tasks.

Revision ID: bs0001
Revises:
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "bs0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "blindspots_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("file_name", sa.String(200), nullable=False),
        sa.Column("file_kind", sa.String(8), nullable=False),
        sa.Column("encoding", sa.String(16), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("message", sa.String(300), nullable=True),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("imported_count", sa.Integer(), nullable=False),
        sa.Column("bad_count", sa.Integer(), nullable=False),
        sa.Column("matched_count", sa.Integer(), nullable=False),
        sa.Column("scoring", postgresql.JSONB(), nullable=True),
        sa.Column("uploaded_by", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", _TS, nullable=False),
        sa.Column("started_at", _TS, nullable=True),
        sa.Column("finished_at", _TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_blindspots_batch"),
    )
    op.create_table(
        "blindspots_upload",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["blindspots_batch.id"],
            ondelete="CASCADE",
            name="fk_blindspots_upload_batch_id_blindspots_batch",
        ),
        sa.PrimaryKeyConstraint("batch_id", name="pk_blindspots_upload"),
    )
    op.create_table(
        "blindspots_problem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("column", sa.String(40), nullable=True),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["blindspots_batch.id"],
            ondelete="CASCADE",
            name="fk_blindspots_problem_batch_id_blindspots_batch",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_blindspots_problem"),
    )
    op.create_index("ix_blindspots_problem_batch_id", "blindspots_problem", ["batch_id"])
    op.create_table(
        "blindspots_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("national_key", sa.String(40), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("rrn_index", sa.String(64), nullable=False),
        sa.Column("rrn_masked", sa.String(14), nullable=False),
        sa.Column("rrn_cipher", sa.LargeBinary(), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(1), nullable=False),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("phone", sa.String(20), nullable=True),
        sa.Column("dong_code", sa.String(32), nullable=False),
        sa.Column("indicators", postgresql.JSONB(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("risk", sa.String(8), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("visited_on", sa.Date(), nullable=True),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("done_by", sa.Integer(), nullable=True),
        sa.Column("done_at", _TS, nullable=True),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["blindspots_batch.id"],
            ondelete="CASCADE",
            name="fk_blindspots_task_batch_id_blindspots_batch",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_blindspots_task"),
    )
    op.create_index("ix_blindspots_task_batch_id", "blindspots_task", ["batch_id"])
    op.create_index("ix_blindspots_task_rrn_index", "blindspots_task", ["rrn_index"])
    op.create_index(
        "ix_blindspots_task_worklist", "blindspots_task", ["dong_code", "status", "score"]
    )
    op.create_index("ix_blindspots_task_case_id", "blindspots_task", ["case_id"])


def downgrade() -> None:
    op.drop_table("blindspots_task")
    op.drop_table("blindspots_problem")
    op.drop_table("blindspots_upload")
    op.drop_table("blindspots_batch")
