"""Crisis-household reports, rewards due and reward payments.

Revision ID: cr0001
Revises:
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "cr0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "reports_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("receipt_no", sa.String(20), nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("dong_code", sa.String(32), nullable=False),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("kinds", sa.JSON(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("subject_name", sa.String(50), nullable=True),
        sa.Column("reporter_name", sa.String(50), nullable=False),
        sa.Column("reporter_phone", sa.String(20), nullable=False),
        sa.Column("reporter_relation", sa.String(20), nullable=False),
        sa.Column("reporter_key", sa.String(64), nullable=False),
        sa.Column("consent_text", sa.String(20), nullable=False),
        sa.Column("consented_at", TS, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("duplicate_of", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("close_reason", sa.String(500), nullable=True),
        sa.Column("handled_by", sa.Integer(), nullable=True),
        sa.Column("handled_at", TS, nullable=True),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["duplicate_of"],
            ["reports_report.id"],
            name="fk_reports_report_duplicate_of_reports_report",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_reports_report"),
        sa.UniqueConstraint("receipt_no", name="uq_reports_report_receipt_no"),
    )
    op.create_index(
        "ix_reports_report_dong_received", "reports_report", ["dong_code", "received_at"]
    )
    op.create_index("ix_reports_report_reporter_key", "reports_report", ["reporter_key"])
    op.create_index("ix_reports_report_status", "reports_report", ["status"])
    op.create_index("ix_reports_report_case_id", "reports_report", ["case_id"])

    op.create_table(
        "reports_reward_due",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("note", sa.String(300), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("checked_at", TS, nullable=True),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports_report.id"],
            name="fk_reports_reward_due_report_id_reports_report",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_reports_reward_due"),
        sa.UniqueConstraint("report_id", name="uq_reports_reward_due_report_id"),
    )

    op.create_table(
        "reports_payment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("reporter_key", sa.String(64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(300), nullable=True),
        sa.Column("citation", sa.String(500), nullable=False),
        sa.Column("rule_set", sa.String(100), nullable=False),
        sa.Column("rule_version", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("paid_by", sa.Integer(), nullable=True),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports_report.id"], name="fk_reports_payment_report_id_reports_report"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_reports_payment"),
        sa.UniqueConstraint("report_id", name="uq_reports_payment_report_id"),
    )
    op.create_index("ix_reports_payment_year_status", "reports_payment", ["year", "status"])
    op.create_index("ix_reports_payment_reporter_key", "reports_payment", ["reporter_key"])


def downgrade() -> None:
    op.drop_table("reports_payment")
    op.drop_table("reports_reward_due")
    op.drop_table("reports_report")
