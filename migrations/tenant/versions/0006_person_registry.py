"""People registry: the resident registration number encrypted with its blind index and masked
form, address and phone; a name + birth date index for duplicate checks; why a case was opened
on an official's initiative.

Revision ID: t0006
Revises: t0005
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "t0006"
down_revision: str | Sequence[str] | None = "t0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("person", sa.Column("rrn_cipher", sa.LargeBinary(), nullable=True))
    op.add_column("person", sa.Column("rrn_index", sa.String(length=64), nullable=True))
    op.add_column("person", sa.Column("rrn_masked", sa.String(length=14), nullable=True))
    op.add_column("person", sa.Column("address", sa.String(length=200), nullable=True))
    op.add_column("person", sa.Column("phone", sa.String(length=20), nullable=True))
    op.add_column("person", sa.Column("created_by", sa.Integer(), nullable=True))
    op.create_index("ix_person_name_birth", "person", ["name", "birth_date"], unique=False)
    op.create_index(op.f("ix_person_rrn_index"), "person", ["rrn_index"], unique=False)
    op.add_column("case", sa.Column("source_note", sa.String(length=500), nullable=True))


def downgrade() -> None:
    op.drop_column("case", "source_note")
    op.drop_index(op.f("ix_person_rrn_index"), table_name="person")
    op.drop_index("ix_person_name_birth", table_name="person")
    for column in ("created_by", "phone", "address", "rrn_masked", "rrn_index", "rrn_cipher"):
        op.drop_column("person", column)
