"""The case as a state machine: each transition recorded as an event (who, when, why, from and
to which stage); the judgement's level, the closure's reason and follow-up date, and when
services started.

Revision ID: t0007
Revises: t0006
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import Text

revision: str = "t0007"
down_revision: str | Sequence[str] | None = "t0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_event",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_stage", sa.String(length=16), nullable=True),
        sa.Column("to_stage", sa.String(length=16), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("data", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_case_event_case_id_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_event")),
    )
    op.create_index(op.f("ix_case_event_case_id"), "case_event", ["case_id"], unique=False)
    op.add_column("case", sa.Column("judgement_level", sa.String(length=16), nullable=True))
    op.add_column("case", sa.Column("closure_reason", sa.String(length=20), nullable=True))
    op.add_column("case", sa.Column("follow_up_on", sa.Date(), nullable=True))
    op.add_column("case", sa.Column("services_started_on", sa.Date(), nullable=True))


def downgrade() -> None:
    for column in ("services_started_on", "follow_up_on", "closure_reason", "judgement_level"):
        op.drop_column("case", column)
    op.drop_table("case_event")
