"""The service catalogue (fields, programmes, providers and what each offers) and closed-loop
referrals with their service records.

Revision ID: t0012
Revises: t0011
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import String
from sqlalchemy.dialects import postgresql

revision: str = "t0012"
down_revision: str | Sequence[str] | None = "t0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "programme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("field", sa.String(length=50), nullable=False),
        sa.Column("funding", sa.String(length=20), nullable=False),
        sa.Column("budget", sa.BigInteger(), nullable=True),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column("unit_cost", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("rule_set_key", sa.String(length=50), nullable=True),
        sa.Column("rule_programme", sa.String(length=50), nullable=True),
        sa.Column("rule_entitlement", sa.String(length=50), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme")),
        sa.UniqueConstraint("key", name=op.f("uq_programme_key")),
        sa.UniqueConstraint("name", name=op.f("uq_programme_name")),
    )
    op.create_table(
        "provider",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=30), nullable=False),
        sa.Column("all_dongs", sa.Boolean(), nullable=False),
        sa.Column("dong_codes", postgresql.ARRAY(String(length=32)), nullable=False),
        sa.Column("phone", sa.String(length=30), nullable=True),
        sa.Column("contact", sa.String(length=100), nullable=True),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider")),
        sa.UniqueConstraint("key", name=op.f("uq_provider_key")),
        sa.UniqueConstraint("name", name=op.f("uq_provider_name")),
    )
    op.create_table(
        "service_field",
        sa.Column("key", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_service_field")),
        sa.UniqueConstraint("name", name=op.f("uq_service_field_name")),
    )
    op.create_table(
        "provider_service",
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programme.id"],
            name=op.f("fk_provider_service_programme_id_programme"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["provider.id"], name=op.f("fk_provider_service_provider_id_provider")
        ),
        sa.PrimaryKeyConstraint("provider_id", "programme_id", name=op.f("pk_provider_service")),
    )
    op.create_table(
        "referral",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("frequency", sa.String(length=100), nullable=True),
        sa.Column("needs", sa.String(length=1000), nullable=True),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_until", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("responded_by", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_referral_case_id_case")),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_referral_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["programme.id"], name=op.f("fk_referral_programme_id_programme")
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["provider.id"], name=op.f("fk_referral_provider_id_provider")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral")),
    )
    op.create_index(op.f("ix_referral_case_id"), "referral", ["case_id"], unique=False)
    op.create_index(op.f("ix_referral_person_id"), "referral", ["person_id"], unique=False)
    op.create_index(
        "ix_referral_provider_status",
        "referral",
        ["provider_id", "programme_id", "status"],
        unique=False,
    )
    op.create_table(
        "service_record",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("served_on", sa.Date(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=7, scale=2), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("over_cap_reason", sa.String(length=300), nullable=True),
        sa.Column("over_cap_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referral.id"], name=op.f("fk_service_record_referral_id_referral")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_record")),
    )
    op.create_index(
        "ix_service_record_referral_day",
        "service_record",
        ["referral_id", "served_on"],
        unique=False,
    )
    op.create_index(
        op.f("ix_service_record_served_on"), "service_record", ["served_on"], unique=False
    )


def downgrade() -> None:
    for table in ("service_record", "referral", "provider_service", "service_field", "provider",
                  "programme"):  # fmt: skip
        op.drop_table(table)
