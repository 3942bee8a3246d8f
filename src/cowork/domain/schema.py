"""Every module that defines tables, imported once so SQLModel's metadata (and Alembic) sees them all."""

from . import (  # noqa: F401
    models,
    polls,
    program_models,
    proposals,
    retention,
    stakeholder_models,
)
