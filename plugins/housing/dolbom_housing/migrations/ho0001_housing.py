"""Care-safe housing: buildings, flats, the admission queue, tenancies.

Revision ID: ho0001
Revises:
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "ho0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "housing_building",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("address", sa.String(200), nullable=True),
        sa.Column("dong_code", sa.String(32), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("planned_flats", sa.Integer(), nullable=True),
        sa.Column("services", JSONB(), nullable=False),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_housing_building"),
        sa.UniqueConstraint("name", name="uq_housing_building_name"),
        sa.CheckConstraint("kind IN ('remodel', 'dedicated')", name="ck_housing_building_kind"),
        sa.CheckConstraint("status IN ('open', 'planned')", name="ck_housing_building_status"),
        sa.CheckConstraint(
            "planned_flats IS NULL OR planned_flats >= 0",
            name="ck_housing_building_planned_flats",
        ),
    )
    op.create_table(
        "housing_flat",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("building_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(20), nullable=False),
        sa.Column("floor", sa.Integer(), nullable=True),
        sa.Column("safety_bars", sa.Boolean(), nullable=False),
        sa.Column("no_thresholds", sa.Boolean(), nullable=False),
        sa.Column("emergency_call", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.String(300), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_housing_flat"),
        sa.ForeignKeyConstraint(
            ["building_id"],
            ["housing_building.id"],
            name="fk_housing_flat_building_id_housing_building",
        ),
        sa.UniqueConstraint("building_id", "number", name="uq_housing_flat_building_id_number"),
        sa.CheckConstraint(
            "status IN ('available', 'occupied', 'repair')", name="ck_housing_flat_status"
        ),
    )
    op.create_index("ix_housing_flat_building_id", "housing_flat", ["building_id"])
    op.create_table(
        "housing_queue_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("dong_code", sa.String(32), nullable=True),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("discharge_on", sa.Date(), nullable=True),
        sa.Column("hospital", sa.String(100), nullable=True),
        sa.Column("lives_alone", sa.Boolean(), nullable=True),
        sa.Column("ltc_grade", sa.String(16), nullable=True),
        sa.Column("income_band", sa.String(16), nullable=True),
        sa.Column("unsafe_housing", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("breakdown", JSONB(), nullable=False),
        sa.Column("rule_set", sa.String(50), nullable=True),
        sa.Column("rule_version", sa.Integer(), nullable=True),
        sa.Column("scored_on", sa.Date(), nullable=True),
        sa.Column("case_closed_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("close_reason", sa.String(200), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_housing_queue_entry"),
        sa.CheckConstraint(
            "status IN ('waiting', 'housed', 'withdrawn')", name="ck_housing_queue_entry_status"
        ),
    )
    op.create_index("ix_housing_queue_entry_person_id", "housing_queue_entry", ["person_id"])
    op.create_index("ix_housing_queue_entry_case_id", "housing_queue_entry", ["case_id"])
    op.create_index(
        "ix_housing_queue_entry_status_score", "housing_queue_entry", ["status", "score"]
    )
    op.create_index(
        "uq_housing_queue_entry_waiting_person",
        "housing_queue_entry",
        ["person_id"],
        unique=True,
        postgresql_where=sa.text("status = 'waiting'"),
    )
    op.create_table(
        "housing_tenancy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("flat_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("dong_code", sa.String(32), nullable=True),
        sa.Column("moved_in_on", sa.Date(), nullable=False),
        sa.Column("moved_out_on", sa.Date(), nullable=True),
        sa.Column("move_out_reason", sa.String(16), nullable=True),
        sa.Column("move_out_note", sa.String(300), nullable=True),
        sa.Column("check_flagged_on", sa.Date(), nullable=True),
        sa.Column("check_note", sa.String(200), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("ended_by", sa.Integer(), nullable=True),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_housing_tenancy"),
        sa.ForeignKeyConstraint(
            ["flat_id"], ["housing_flat.id"], name="fk_housing_tenancy_flat_id_housing_flat"
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["housing_queue_entry.id"],
            name="fk_housing_tenancy_entry_id_housing_queue_entry",
        ),
        sa.CheckConstraint(
            "moved_out_on IS NULL OR moved_out_on >= moved_in_on", name="ck_housing_tenancy_dates"
        ),
    )
    op.create_index("ix_housing_tenancy_flat_id", "housing_tenancy", ["flat_id"])
    op.create_index("ix_housing_tenancy_person_id", "housing_tenancy", ["person_id"])
    op.create_index("ix_housing_tenancy_case_id", "housing_tenancy", ["case_id"])
    op.create_index(
        "uq_housing_tenancy_current_flat",
        "housing_tenancy",
        ["flat_id"],
        unique=True,
        postgresql_where=sa.text("moved_out_on IS NULL"),
    )
    op.create_index(
        "uq_housing_tenancy_current_person",
        "housing_tenancy",
        ["person_id"],
        unique=True,
        postgresql_where=sa.text("moved_out_on IS NULL"),
    )


def downgrade() -> None:
    op.drop_table("housing_tenancy")
    op.drop_table("housing_queue_entry")
    op.drop_table("housing_flat")
    op.drop_table("housing_building")
