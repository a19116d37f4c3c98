"""Integrated support meetings: the meeting with its attendees and minutes, and its agenda of
cases with a decision each.

Revision ID: t0010
Revises: t0009
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import Text

revision: str = "t0010"
down_revision: str | Sequence[str] | None = "t0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("attendees", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("minutes", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting")),
    )
    op.create_index(op.f("ix_meeting_held_on"), "meeting", ["held_on"], unique=False)
    op.create_table(
        "meeting_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=True),
        sa.Column("remarks", sa.String(length=1000), nullable=True),
        sa.Column("added_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case.id"], name=op.f("fk_meeting_item_case_id_case")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_meeting_item_meeting_id_meeting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_item")),
        sa.UniqueConstraint(
            "meeting_id", "case_id", name=op.f("uq_meeting_item_meeting_id_case_id")
        ),
    )
    op.create_index(op.f("ix_meeting_item_case_id"), "meeting_item", ["case_id"], unique=False)
    op.create_index(
        op.f("ix_meeting_item_meeting_id"), "meeting_item", ["meeting_id"], unique=False
    )


def downgrade() -> None:
    op.drop_table("meeting_item")
    op.drop_table("meeting")
