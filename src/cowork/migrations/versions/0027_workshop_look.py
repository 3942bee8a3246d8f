"""The workshop's own look on the projector: its logo (bytes, type, digest) and accent colour.

Revision ID: 0027_workshop_look
Revises: 0026_organisation_formats
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0027_workshop_look"
down_revision: str | None = "0026_organisation_formats"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workshoplook",
        sa.Column("workshop_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("accent", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=True),
        sa.Column("logo", sa.LargeBinary(), nullable=True),
        sa.Column("logo_type", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("logo_digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshop.id"]),
        sa.PrimaryKeyConstraint("workshop_id"),
    )


def downgrade() -> None:
    op.drop_table("workshoplook")
