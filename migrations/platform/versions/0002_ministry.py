"""Ministry rollups: per-tenant monthly aggregates, rollup status, published (suppressed) figures.

Revision ID: p0002
Revises: p0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "p0002"
down_revision: str | Sequence[str] | None = "p0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "dolbom"


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"], [f"{S}.tenant.id"], name=f"fk_{table}_tenant_id_tenant", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "ministry_figure",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("metric", sa.String(64), nullable=False),
        sa.Column("value", sa.Double(), nullable=True),
        sa.Column("n", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "month", "metric", name="pk_ministry_figure"),
        _tenant_fk("ministry_figure"),
        schema=S,
    )
    op.create_table(
        "ministry_rollup",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("succeeded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(200), nullable=True),
        sa.Column("first_month", sa.Date(), nullable=True),
        sa.Column("last_month", sa.Date(), nullable=True),
        sa.Column("pilot_field", sa.String(16), nullable=True),
        sa.Column("population_65", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", name="pk_ministry_rollup"),
        _tenant_fk("ministry_rollup"),
        schema=S,
    )
    op.create_table(
        "ministry_published",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("scope", sa.String(8), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("metric", sa.String(64), nullable=False),
        sa.Column("shown", sa.Double(), nullable=True),
        sa.Column("mark", sa.String(8), nullable=True),
        sa.PrimaryKeyConstraint("month", "scope", "key", "metric", name="pk_ministry_published"),
        schema=S,
    )


def downgrade() -> None:
    for table in ("ministry_published", "ministry_rollup", "ministry_figure"):
        op.drop_table(table, schema=S)
