"""Alembic, driven from code so `cowork serve`, the CLI and the tests share one way to migrate."""

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    # "heads": a feature may branch its migration off the last merge; a merge revision joins them later.
    command.upgrade(alembic_config(url), "heads")
