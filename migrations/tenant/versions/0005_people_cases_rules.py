"""People, cases (the minimum the rules read; issue 5 grows them), rule sets, their versions
and the append-only rule decisions.

Revision ID: t0005
Revises: t0004
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import Text

from dolbom.rules.models import DECISION_APPEND_ONLY_DDL

revision: str = "t0005"
down_revision: str | Sequence[str] | None = "t0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(length=1), nullable=True),
        sa.Column("dong_code", sa.String(length=32), nullable=True),
        sa.Column("household_size", sa.Integer(), nullable=True),
        sa.Column("lives_alone", sa.Boolean(), nullable=True),
        sa.Column("ltc_grade", sa.String(length=16), nullable=True),
        sa.Column("disability", sa.String(length=8), nullable=True),
        sa.Column("income_band", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
    )
    op.create_index(op.f("ix_person_dong_code"), "person", ["dong_code"], unique=False)
    op.create_table(
        "rule_set",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=50), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("current_number", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rule_set")),
        sa.UniqueConstraint("key", name=op.f("uq_rule_set_key")),
    )
    op.create_table(
        "case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("dong_code", sa.String(length=32), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=True),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_case_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case")),
    )
    op.create_index(op.f("ix_case_dong_code"), "case", ["dong_code"], unique=False)
    op.create_index(op.f("ix_case_person_id"), "case", ["person_id"], unique=False)
    op.create_index(op.f("ix_case_stage"), "case", ["stage"], unique=False)
    op.create_table(
        "rule_set_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_set_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by", sa.Integer(), nullable=True),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["rule_set_id"], ["rule_set.id"], name=op.f("fk_rule_set_version_rule_set_id_rule_set")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rule_set_version")),
        sa.UniqueConstraint(
            "rule_set_id", "number", name=op.f("uq_rule_set_version_rule_set_id_number")
        ),
    )
    op.create_index(
        op.f("ix_rule_set_version_rule_set_id"), "rule_set_version", ["rule_set_id"], unique=False
    )
    op.create_index(
        "uq_rule_set_version_draft",
        "rule_set_version",
        ["rule_set_id"],
        unique=True,
        postgresql_where=sa.text("number IS NULL"),
    )
    op.create_table(
        "rule_decision",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("rule_set_key", sa.String(length=50), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("inputs", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("results", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case.id"], name=op.f("fk_rule_decision_case_id_case")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["rule_set_version.id"],
            name=op.f("fk_rule_decision_version_id_rule_set_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rule_decision")),
    )
    op.create_index(op.f("ix_rule_decision_case_id"), "rule_decision", ["case_id"], unique=False)

    for statement in DECISION_APPEND_ONLY_DDL:
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("rule_decision")
    op.execute("DROP FUNCTION rule_decision_append_only()")
    op.drop_table("rule_set_version")
    op.drop_table("case")
    op.drop_table("rule_set")
    op.drop_table("person")
