"""Assessment forms: forms, versions, responses and their revisions; the access log.

Revision ID: t0003
Revises: t0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import Text

revision: str = "t0003"
down_revision: str | Sequence[str] | None = "t0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "access_log",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.Column("subject_type", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log")),
    )
    op.create_index(op.f("ix_access_log_at"), "access_log", ["at"], unique=False)
    op.create_index(
        "ix_access_log_subject", "access_log", ["subject_type", "subject_id"], unique=False
    )
    op.create_table(
        "form",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=50), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("current_number", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form")),
        sa.UniqueConstraint("key", name=op.f("uq_form_key")),
    )
    op.create_table(
        "form_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("definition", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
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
            ["form_id"], ["form.id"], name=op.f("fk_form_version_form_id_form")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_version")),
        sa.UniqueConstraint("form_id", "number", name=op.f("uq_form_version_form_id_number")),
    )
    op.create_index(op.f("ix_form_version_form_id"), "form_version", ["form_id"], unique=False)
    op.create_index(
        "uq_form_version_draft",
        "form_version",
        ["form_id"],
        unique=True,
        postgresql_where=sa.text("number IS NULL"),
    )
    op.create_table(
        "form_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("answers", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("pending", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("scores", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("dong_code", sa.String(length=32), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_by", sa.Integer(), nullable=True),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["form_id"], ["form.id"], name=op.f("fk_form_response_form_id_form")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["form_version.id"],
            name=op.f("fk_form_response_version_id_form_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_response")),
    )
    op.create_index(op.f("ix_form_response_case_id"), "form_response", ["case_id"], unique=False)
    op.create_index(
        op.f("ix_form_response_created_by"), "form_response", ["created_by"], unique=False
    )
    op.create_index(
        op.f("ix_form_response_dong_code"), "form_response", ["dong_code"], unique=False
    )
    op.create_index(op.f("ix_form_response_form_id"), "form_response", ["form_id"], unique=False)
    op.create_index(op.f("ix_form_response_status"), "form_response", ["status"], unique=False)
    op.create_index(
        op.f("ix_form_response_version_id"), "form_response", ["version_id"], unique=False
    )
    op.create_table(
        "form_response_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("answers", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("scores", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("changed", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["form_response.id"],
            name=op.f("fk_form_response_revision_response_id_form_response"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_response_revision")),
    )
    op.create_index(
        op.f("ix_form_response_revision_response_id"),
        "form_response_revision",
        ["response_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("form_response_revision")
    op.drop_table("form_response")
    op.drop_table("form_version")
    op.drop_table("form")
    op.drop_table("access_log")
