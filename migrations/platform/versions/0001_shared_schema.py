"""Shared schema: tenants, users, memberships, plugin switches, migration status, jobs, audit.

Revision ID: p0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "p0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "dolbom"


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "tenant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(32), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("region", sa.String(50), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_tenant"),
        sa.UniqueConstraint("slug", name="uq_tenant_slug"),
        schema=S,
    )
    op.create_table(
        "tenant_plugin",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("plugin", sa.String(64), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        _ts("changed_at"),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            [f"{S}.tenant.id"],
            name="fk_tenant_plugin_tenant_id_tenant",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "plugin", name="pk_tenant_plugin"),
        schema=S,
    )
    op.create_table(
        "tenant_migration",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("stream", sa.String(64), nullable=False),
        sa.Column("revision", sa.String(64), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        _ts("updated_at"),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            [f"{S}.tenant.id"],
            name="fk_tenant_migration_tenant_id_tenant",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "stream", name="pk_tenant_migration"),
        schema=S,
    )
    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=True),
        sa.Column("platform_role", sa.String(32), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("locale", sa.String(8), nullable=True),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_user_account"),
        sa.UniqueConstraint("email", name="uq_user_account_email"),
        schema=S,
    )
    op.create_table(
        "membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("dong_codes", postgresql.ARRAY(sa.String(32)), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        _ts("created_at"),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            [f"{S}.tenant.id"],
            name="fk_membership_tenant_id_tenant",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            [f"{S}.user_account.id"],
            name="fk_membership_user_id_user_account",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_membership"),
        sa.UniqueConstraint("user_id", "tenant_id", name="uq_membership_user_id_tenant_id"),
        schema=S,
    )
    op.create_table(
        "job_record",
        sa.Column("id", sa.String(200), nullable=False),
        sa.Column("tenant_slug", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("message", sa.String(300), nullable=True),
        sa.Column("result_file", sa.String(300), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        _ts("created_at"),
        _ts("finished_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_job_record"),
        schema=S,
    )
    op.create_index("ix_job_record_tenant_slug", "job_record", ["tenant_slug"], schema=S)
    op.create_table(
        "platform_event",
        sa.Column("id", sa.Integer(), nullable=False),
        _ts("at"),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("ip", sa.String(45), nullable=True),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("tenant_slug", sa.String(32), nullable=True),
        sa.Column("detail", postgresql.JSONB(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_platform_event"),
        schema=S,
    )
    op.create_index("ix_platform_event_at", "platform_event", ["at"], schema=S)


def downgrade() -> None:
    for table in (
        "platform_event",
        "job_record",
        "membership",
        "user_account",
        "tenant_migration",
        "tenant_plugin",
        "tenant",
    ):
        op.drop_table(table, schema=S)
