"""Join the agenda designer's branch (0009, archived stages) and the first run's (0024, sample workshops).

Revision ID: 0025
Revises: 0009, 0024
"""

from collections.abc import Sequence

revision: str = "0025"
down_revision: tuple[str, ...] = ("0009", "0024")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
