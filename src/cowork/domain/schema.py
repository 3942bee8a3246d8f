"""Every module that defines tables, imported once so SQLModel's metadata (and Alembic) sees them all."""

from . import models  # noqa: F401
