"""Case work: the carer, household members and consents of a person; the responsible worker,
risk level and stage deadline of a case; tasks, documents and complaints.

Revision ID: t0011
Revises: t0010
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import Text

revision: str = "t0011"
down_revision: str | Sequence[str] | None = "t0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("all_providers", sa.Boolean(), nullable=False),
        sa.Column("providers", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("given_by", sa.String(length=50), nullable=False),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.Column("withdrawal_note", sa.String(length=200), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_consent_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent")),
    )
    op.create_index(op.f("ix_consent_person_id"), "consent", ["person_id"], unique=False)
    op.create_table(
        "household_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("relation", sa.String(length=20), nullable=False),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("lives_together", sa.Boolean(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_household_member_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_member")),
    )
    op.create_index(
        op.f("ix_household_member_person_id"), "household_member", ["person_id"], unique=False
    )
    op.create_table(
        "complaint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("complainant", sa.String(length=50), nullable=True),
        sa.Column("contact", sa.String(length=50), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("content", sa.String(length=2000), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("handling", sa.String(length=2000), nullable=True),
        sa.Column("handled_on", sa.Date(), nullable=True),
        sa.Column("handled_by", sa.Integer(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_complaint_case_id_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint")),
    )
    op.create_index(op.f("ix_complaint_case_id"), "complaint", ["case_id"], unique=False)
    op.create_index(op.f("ix_complaint_status"), "complaint", ["status"], unique=False)
    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=64), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("uploaded_by", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_document_case_id_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_document_storage_key")),
    )
    op.create_index(op.f("ix_document_case_id"), "document", ["case_id"], unique=False)
    op.create_table(
        "task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("deadline_key", sa.String(length=32), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_task_case_id_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task")),
        sa.UniqueConstraint(
            "case_id", "deadline_key", "due_on", name=op.f("uq_task_case_id_deadline_key_due_on")
        ),
    )
    op.create_index(op.f("ix_task_assignee_id"), "task", ["assignee_id"], unique=False)
    op.create_index(op.f("ix_task_case_id"), "task", ["case_id"], unique=False)
    op.add_column("case", sa.Column("worker_id", sa.Integer(), nullable=True))
    op.add_column("case", sa.Column("risk_level", sa.String(length=8), nullable=True))
    op.add_column("case", sa.Column("stage_since", sa.Date(), nullable=True))
    op.add_column("case", sa.Column("due_on", sa.Date(), nullable=True))
    op.create_index(op.f("ix_case_due_on"), "case", ["due_on"], unique=False)
    op.create_index(op.f("ix_case_risk_level"), "case", ["risk_level"], unique=False)
    op.create_index(op.f("ix_case_worker_id"), "case", ["worker_id"], unique=False)
    op.add_column("person", sa.Column("carer_name", sa.String(length=50), nullable=True))
    op.add_column("person", sa.Column("carer_relation", sa.String(length=20), nullable=True))
    op.add_column("person", sa.Column("carer_phone", sa.String(length=20), nullable=True))
    op.add_column("person", sa.Column("updated_by", sa.Integer(), nullable=True))

    # Cases opened before: their stage began no later than the day they were opened.
    op.execute('UPDATE "case" SET stage_since = opened_on')


def downgrade() -> None:
    op.drop_column("person", "updated_by")
    op.drop_column("person", "carer_phone")
    op.drop_column("person", "carer_relation")
    op.drop_column("person", "carer_name")
    op.drop_index("ix_case_worker_id", table_name="case")
    op.drop_index("ix_case_risk_level", table_name="case")
    op.drop_index("ix_case_due_on", table_name="case")
    op.drop_column("case", "due_on")
    op.drop_column("case", "stage_since")
    op.drop_column("case", "risk_level")
    op.drop_column("case", "worker_id")
    op.drop_table("task")
    op.drop_table("document")
    op.drop_table("complaint")
    op.drop_table("household_member")
    op.drop_table("consent")
