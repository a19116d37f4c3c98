"""복지기동대: volunteers, work orders, assignments, completion photos.

Revision ID: sq0001
Revises:
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "sq0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "squad_volunteer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("dong_code", sa.String(32), nullable=False),
        sa.Column("skills", postgresql.ARRAY(sa.String(16)), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("joined_on", sa.Date(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_squad_volunteer"),
    )
    op.create_index("ix_squad_volunteer_dong_active", "squad_volunteer", ["dong_code", "active"])
    op.create_table(
        "squad_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("dong_code", sa.String(32), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("address", sa.String(200), nullable=True),
        sa.Column("description", sa.String(2000), nullable=False),
        sa.Column("urgency", sa.String(8), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("assigned_on", sa.Date(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("completion_notes", sa.String(2000), nullable=True),
        sa.Column("checklist", postgresql.JSONB(), nullable=True),
        sa.Column("cancelled_on", sa.Date(), nullable=True),
        sa.Column("cancel_reason", sa.String(500), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "case_id IS NOT NULL OR address IS NOT NULL", name="ck_squad_order_case_or_address"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_squad_order"),
    )
    op.create_index("ix_squad_order_dong_status", "squad_order", ["dong_code", "status"])
    op.create_index("ix_squad_order_requested_on", "squad_order", ["requested_on"])
    op.create_index("ix_squad_order_completed_on", "squad_order", ["completed_on"])
    op.create_index("ix_squad_order_case_id", "squad_order", ["case_id"])
    op.create_table(
        "squad_assignment",
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), nullable=False),
        sa.Column("assigned_by", sa.Integer(), nullable=False),
        sa.Column("assigned_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["squad_order.id"],
            name="fk_squad_assignment_order_id_squad_order",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["squad_volunteer.id"],
            name="fk_squad_assignment_volunteer_id_squad_volunteer",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("order_id", "volunteer_id", name="pk_squad_assignment"),
    )
    op.create_index("ix_squad_assignment_volunteer_id", "squad_assignment", ["volunteer_id"])
    op.create_table(
        "squad_photo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(16), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["squad_order.id"],
            name="fk_squad_photo_order_id_squad_order",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_squad_photo"),
    )
    op.create_index("ix_squad_photo_order_id", "squad_photo", ["order_id"])


def downgrade() -> None:
    op.drop_table("squad_photo")
    op.drop_table("squad_assignment")
    op.drop_table("squad_order")
    op.drop_table("squad_volunteer")
