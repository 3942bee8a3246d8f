"""Engine creation, SQLite durability settings, read / write session scopes, and group commit."""

import contextvars
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar, cast
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, event, inspect, text
from sqlalchemy.exc import (
    DBAPIError,
    IntegrityError,
    InterfaceError,
    InternalError,
    InvalidRequestError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session, create_engine

_WRITE = "cowork_write"
log = logging.getLogger("cowork.store")


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


# --- faults of the store: which errors mean "cannot read or write now" rather than a bug or bad input ---

FULL, READ_ONLY, UNREACHABLE = "full", "read-only", "unreachable"
_FULL_WORDS = ("database or disk is full", "no space left", "disk full", "could not extend file")
_READ_ONLY_WORDS = ("readonly database", "read-only transaction", "read-only file system")
# PostgreSQL SQLSTATEs: 53xxx insufficient resources (53100 disk full), 25006 read-only transaction, 57P0x
# the server shutting down, 08xxx connection problems.
_READ_ONLY_CODES = ("25006",)


def store_fault(exc: BaseException) -> str | None:
    """FULL, READ_ONLY or UNREACHABLE when exc says the database cannot do its work now; None otherwise."""
    if isinstance(exc, PoolTimeout):
        return UNREACHABLE
    if not isinstance(exc, DBAPIError):
        return None
    code = str(getattr(exc.orig, "sqlstate", "") or getattr(exc.orig, "pgcode", "") or "")
    # Only the server's own complaints are read for words: a constraint's message may quote the input.
    server_side = isinstance(exc, OperationalError | InternalError | InterfaceError)
    text = str(exc.orig or exc).lower() if server_side else ""
    if code.startswith("53") or any(word in text for word in _FULL_WORDS):
        return FULL
    if code in _READ_ONLY_CODES or any(word in text for word in _READ_ONLY_WORDS):
        return READ_ONLY
    if isinstance(exc, OperationalError | InterfaceError) or exc.connection_invalidated:
        return UNREACHABLE
    if code.startswith(("08", "57P")):
        return UNREACHABLE
    return None


class StoreHealth:
    """What the last writes said: a fault episode starts at the first failure and ends at the next success.

    One log line when an episode starts and one when it ends, however many requests fail in between.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.fault: str | None = None
        self.detail = ""
        self.since = 0.0
        self.last_failure = 0.0
        self.failures = 0

    def failed(self, fault: str, exc: BaseException) -> None:
        with self._lock:
            self.failures += 1
            starts = self.fault is None
            self.fault, self.detail = fault, str(getattr(exc, "orig", None) or exc).splitlines()[0][:200]
            self.last_failure = time.monotonic()
            if starts:
                self.since = self.last_failure
        if starts:
            log.warning("store fault: %s", fault, extra={"fields": {"fault": fault, "error": self.detail}})

    def current(self, window: float) -> str | None:
        """The fault of an episode whose last failure is at most `window` seconds old, else None."""
        with self._lock:
            recent = self.fault is not None and time.monotonic() - self.last_failure <= window
            return f"{self.fault}: {self.detail}" if recent else None

    def succeeded(self) -> None:
        if self.fault is None:
            return
        with self._lock:
            fault, failures, lasted = self.fault, self.failures, time.monotonic() - self.since
            self.fault, self.detail, self.failures = None, "", 0
        log.warning(
            "store recovered: %s",
            fault,
            extra={"fields": {"fault": fault, "failed_requests": failures, "seconds": round(lasted, 1)}},
        )


_HEALTH: WeakKeyDictionary[Engine, StoreHealth] = WeakKeyDictionary()
_HEALTH_GUARD = threading.Lock()


def health_of(engine: Engine) -> StoreHealth:
    with _HEALTH_GUARD:
        return _HEALTH.setdefault(engine, StoreHealth())


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


# --- group commit: the writes that arrive while one commits share the next transaction and its fsync ---

T = TypeVar("T")


class _Write:
    """One caller's share of a batch: its work, its context (language) and what became of it."""

    __slots__ = ("after", "context", "done", "error", "result", "work")

    def __init__(self, work: Callable[[Session], Any], after: Callable[[Any], None] | None) -> None:
        self.work, self.after, self.context = work, after, contextvars.copy_context()
        self.done, self.result, self.error = False, None, cast(BaseException | None, None)

    def outcome(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.result


class GroupCommit:
    """An engine's writers, committed in batches: one transaction (one fsync) for whatever queued meanwhile.

    The first writer to find no batch running leads: it takes every write queued so far (its own among
    them) and runs each in a SAVEPOINT of one write transaction, then commits once. A write that fails
    with its own error (a refused command, a bug, a constraint) rolls back to its savepoint and that error
    goes to its caller alone; a store fault (`store_fault`: disk full, database gone) or a failing commit
    fails the whole batch, and every caller gets that error: nothing of the batch is stored. Writes that
    arrive while a batch runs wait for it and form the next one, so none waits for more than one commit
    ahead of its own. Each write's `after` runs once the batch committed, before the next batch begins.
    The leader runs the others' work in their own contextvars (a request's language). A write that finds
    nobody else queued (a card every 200 ms) is a batch of one: its own transaction, without a savepoint.

    SQLite only: it takes one writer at a time anyway, so a batch loses nothing. PostgreSQL runs concurrent
    transactions side by side (each thread's round trips overlap the others'); one thread running them
    all in turn made a burst of 300 cards slower there (benchmarks/README.md), so on PostgreSQL each write
    is a batch of its own, run at once on its caller's thread.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._alone = engine.dialect.name != "sqlite"
        self._changed = threading.Condition()
        self._queue: list[_Write] = []
        self._busy = False

    def run(self, work: Callable[[Session], T], after: Callable[[T], None] | None = None) -> T:
        write = _Write(work, after)
        if self._alone:
            return _by_itself(self.engine, work, after)
        with self._changed:
            self._queue.append(write)
            while self._busy and not write.done:
                self._changed.wait()
            lead = not write.done
            if lead:
                self._busy, batch, self._queue = True, self._queue, []
        if lead:
            try:
                self._commit(batch)
            except BaseException as exc:  # a bug here must still answer every caller of the batch
                for other in batch:
                    if not other.done:
                        other.result, other.error, other.done = None, exc, True
                raise
            finally:
                with self._changed:
                    self._busy = False
                    self._changed.notify_all()
        return write.outcome()

    def queued(self) -> int:
        """How many writes wait for the next batch."""
        with self._changed:
            return len(self._queue) if self._busy else 0

    def _commit(self, batch: list[_Write]) -> None:
        if len(batch) == 1:
            # Alone (its leader is its caller): no savepoint to keep it apart from others, two statements and
            # SQLAlchemy's nested transaction fewer; a failure rolls the whole transaction back instead.
            write = batch[0]
            try:
                write.result = _by_itself(self.engine, write.work, write.after)
            except BaseException as exc:
                write.result, write.error = None, exc
            write.done = True
            return
        try:
            with write_session(self.engine) as session:
                failed = [w for w in batch if not w.context.run(_attempt, session, w)]
                if failed:
                    _reload_expired(session)  # a savepoint's rollback expired what it had touched
        except BaseException as exc:  # the batch is lost: every caller learns why
            for w in batch:
                w.result, w.error, w.done = None, exc, True
            return
        for w in batch:
            if w.after is not None and w.error is None:
                try:
                    w.context.run(w.after, w.result)
                except Exception as exc:
                    w.error = exc
            w.done = True


def _by_itself(engine: Engine, work: Callable[[Session], T], after: Callable[[T], None] | None) -> T:
    """One write in a transaction of its own (PostgreSQL; SQLite's batch of one). A unique-constraint race
    (two members taking one role, two retries of one client command) is run again in a new transaction,
    whose snapshot holds the other's commit: the retry is refused as a conflict or finds the first one's
    receipt."""
    for attempt in (1, 2):
        try:
            with write_session(engine) as session:
                result = work(session)
                session.flush()
            break
        except IntegrityError:
            if attempt == 2:
                raise
    if after is not None:
        after(result)
    return result


def _attempt(session: Session, write: _Write) -> bool:
    """Run one write in a savepoint; False when it failed alone (its error kept for its caller).

    A unique-constraint race (two retries of one client command from two workers) is run once more: the
    second run finds the first one's receipt. A store fault is raised, to fail the batch.
    """
    for attempt in (1, 2):
        savepoint = session.begin_nested()
        try:
            write.result = write.work(session)
            session.flush()
        except Exception as exc:
            fault = _first_fault(exc)
            if fault is not None:
                raise fault from None
            savepoint.rollback()
            if isinstance(exc, IntegrityError) and attempt == 1:
                continue
            write.result, write.error = None, exc
            return False
        savepoint.commit()
        return True
    raise AssertionError("unreachable")


def _first_fault(exc: BaseException) -> BaseException | None:
    """The earliest store fault behind exc: SQLite ends the whole transaction when the disk is full, so
    rolling back to the savepoint then fails with "no such savepoint", which is not what went wrong."""
    found, link = None, cast(BaseException | None, exc)
    while link is not None:
        if store_fault(link):
            found = link
        link = link.__cause__ or link.__context__
    return found


def _reload_expired(session: Session) -> None:
    """Load again what a rolled-back savepoint expired: the results reach their callers detached."""
    for obj in list(session.identity_map.values()):
        if inspect(obj).expired_attributes:
            try:
                session.refresh(obj)
            except InvalidRequestError:  # its row is gone (a bulk delete of an earlier write)
                session.expunge(obj)


_GROUPS: WeakKeyDictionary[Engine, GroupCommit] = WeakKeyDictionary()
_GROUPS_GUARD = threading.Lock()


def group_commit(engine: Engine) -> GroupCommit:
    with _GROUPS_GUARD:
        found = _GROUPS.get(engine)
        if found is None:
            found = _GROUPS[engine] = GroupCommit(engine)
        return found
