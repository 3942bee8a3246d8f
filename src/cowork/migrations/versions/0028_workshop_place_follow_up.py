"""A workshop's place and the date of its follow-up meeting, told on the report's first page.

Revision ID: 0028_workshop_place_follow_up
Revises: 0027_workshop_look
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0028_workshop_place_follow_up"
down_revision: str | None = "0027_workshop_look"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workshop") as batch:
        batch.add_column(sa.Column("place", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
        batch.add_column(sa.Column("follow_up_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workshop") as batch:
        batch.drop_column("follow_up_on")
        batch.drop_column("place")
