"""Engine creation, SQLite durability settings, and read / write session scopes."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import Engine, event, text
from sqlmodel import Session, create_engine

_WRITE = "cowork_write"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _configure_sqlite(engine)
        return engine
    # Per process: several workers share PostgreSQL's max_connections (100 by default).
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        # Let SQLAlchemy's "begin" hook below issue BEGIN itself (pysqlite's own would be deferred).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        # Freed space is overwritten with zeros: an erased card's words do not linger in free pages.
        cur.execute("PRAGMA secure_delete=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        # Writers take the lock up front, so two writers never deadlock upgrading a read lock.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """One write transaction: committed when the block ends, rolled back on any error."""
    with (
        Session(engine.execution_options(**{_WRITE: True}), expire_on_commit=False) as session,
        session.begin(),
    ):
        yield session


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


def wipe_files(engine: Engine, *, vacuum: Sequence[str] = ()) -> None:
    """After an erase or a purge has committed: let the old words leave the database's files.

    SQLite: the WAL still holds the pages as they were; a TRUNCATE checkpoint writes the newest pages into
    the database file (where secure_delete zeroed the freed space) and empties the WAL.
    PostgreSQL: the old row versions stay in the table files as dead rows until VACUUM; the tables named
    are vacuumed now (VACUUM runs outside a transaction).
    """
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()  # outside any transaction: a checkpoint waits for none of its own
        try:
            raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        finally:
            raw.close()
        return
    if vacuum:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            quote = engine.dialect.identifier_preparer.quote
            conn.execute(text("VACUUM " + ", ".join(quote(name) for name in vacuum)))
