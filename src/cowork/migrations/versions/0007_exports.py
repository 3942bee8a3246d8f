"""Exports and retention: per-workshop export settings (named mode, retention days, last purge).

Revision ID: 0007
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exportsettings",
        sa.Column("workshop_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("named", sa.Boolean(), nullable=False),
        sa.Column("retention_days", sa.Integer(), nullable=True),
        sa.Column("purged_seq", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshop.id"]),
        sa.PrimaryKeyConstraint("workshop_id"),
    )


def downgrade() -> None:
    op.drop_table("exportsettings")
