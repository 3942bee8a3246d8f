"""Backups of the embedded SQLite database (PostgreSQL: use pg_dump, see the README)."""

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(Exception):
    pass


def sqlite_path(url: str) -> Path:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        raise BackupError(
            "cowork backup copies the embedded SQLite database; for PostgreSQL use "
            "`pg_dump --format=custom` (and `pg_restore` to restore), see the README."
        )
    return Path(parsed.database)


def backup(url: str, target: Path) -> None:
    """A consistent copy while cowork keeps serving: SQLite's online backup API."""
    source = sqlite_path(url)
    if not source.exists():
        raise BackupError(f"There is no database at {source} to back up.")
    if target.exists():
        raise BackupError(f"{target} exists already; choose a new file name.")
    with sqlite3.connect(source) as live, sqlite3.connect(target) as copy:
        live.backup(copy)
    _check(target)


def restore(url: str, source: Path, *, force: bool = False) -> None:
    """Put a backup in place of the database. Stop cowork first: a running server keeps the old file open."""
    target = sqlite_path(url)
    _check(source)
    if target.exists() and not force:
        raise BackupError(f"{target} exists; pass --force to replace it (stop cowork first).")
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in (target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")):
        stale.unlink(missing_ok=True)
    with sqlite3.connect(source) as backup_db, sqlite3.connect(target) as live:
        backup_db.backup(live)


def _check(path: Path) -> None:
    with sqlite3.connect(path) as db:
        result = db.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise BackupError(f"{path} is damaged: {result}")
