"""The one road for a change: run a domain function in one write transaction, then publish its events."""

import threading
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from functools import partial
from typing import Any, Protocol, TypeVar
from weakref import WeakKeyDictionary

import anyio.to_thread
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from cowork.db import health_of, read_session, store_fault, wipe_files, write_session
from cowork.domain import redaction
from cowork.domain.access import actor_of, token_holder
from cowork.domain.models import Event
from cowork.domain.record import Tx
from cowork.domain.text import check_arguments

T = TypeVar("T")


class Publisher(Protocol):
    def __call__(self, events: Sequence[Event]) -> Awaitable[None]: ...


_SQLITE_WRITERS: WeakKeyDictionary[Engine, threading.Lock] = WeakKeyDictionary()
_GUARD = threading.Lock()


def _writer_lock(engine: Engine) -> AbstractContextManager[Any]:
    """SQLite takes one writer at a time: queue this process's writers on a lock instead of letting
    them sleep in SQLite's busy timeout (which wakes late and stretches the tail of every write)."""
    if engine.dialect.name != "sqlite":
        return nullcontext()
    with _GUARD:
        return _SQLITE_WRITERS.setdefault(engine, threading.Lock())


def run_command(engine: Engine, fn: Callable[..., T], /, **kwargs: Any) -> tuple[T, list[Event]]:
    """Check and change in one transaction; return the result and the committed events.

    A unique-constraint race (two retries of one client command at once) is run again once:
    the second run finds the first one's receipt and changes nothing. Text that neither database can
    keep alike (a lone surrogate, a control character) is refused before anything runs, whatever field
    or transport it came by (`domain/text.py`).
    """
    check_arguments(kwargs)
    for attempt in (1, 2):
        try:
            with _writer_lock(engine):
                with write_session(engine) as session:
                    tx = Tx(session)
                    result = fn(tx, **kwargs)
                    session.flush()
                vacuum = redaction.disk_wipe([(e.type, e.data) for e in tx.events])
                if vacuum is not None:  # an erase or purge: its words leave the files as well
                    wipe_files(engine, vacuum=vacuum)
            return result, tx.events
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def as_token_holder(tx: Tx, /, *, token: str, fn: Callable[..., T], **kwargs: Any) -> T | None:
    """Run fn as the holder of a participant or API token, found in fn's own transaction; None if unknown."""
    holder = token_holder(tx.session, token=token)
    # `holder` stays referenced while fn runs: the session keeps loaded rows only while something holds
    # them, so fn's own read of the author (a card's) hits the session instead of the database.
    return None if holder is None else fn(tx, actor=actor_of(holder), **kwargs)


def run_query(engine: Engine, fn: Callable[..., T], /, **kwargs: Any) -> T:
    check_arguments(kwargs)
    with read_session(engine) as session:
        return fn(session, **kwargs)


async def query_in_thread(engine: Engine, fn: Callable[..., T], /, **kwargs: Any) -> T:
    """Run a read-only domain query on a worker thread, so the event loop keeps serving sockets."""
    return await anyio.to_thread.run_sync(partial(run_query, engine, fn, **kwargs))


class Commands:
    """Async face of the runner for transports: blocking DB work goes to a thread, never the event loop."""

    def __init__(self, engine: Engine, publish: Publisher) -> None:
        self.engine = engine
        self.publish = publish
        self.health = health_of(engine)

    async def run(self, fn: Callable[..., T], /, **kwargs: Any) -> T:
        try:
            result, events = await anyio.to_thread.run_sync(partial(run_command, self.engine, fn, **kwargs))
        except Exception as exc:
            fault = store_fault(exc)
            if fault:
                self.health.failed(fault, exc)  # the transport answers 503; the log says it once
            raise
        self.health.succeeded()
        if events:
            await self.publish(events)
        return result

    async def run_as(self, token: str, fn: Callable[..., T], /, **kwargs: Any) -> T | None:
        """run() as a token's holder (None if the token opens nothing): a hot write like a card post then
        takes one thread hop and one transaction, not one more of each to resolve the token first."""
        return await self.run(as_token_holder, token=token, fn=fn, **kwargs)

    async def query(self, fn: Callable[..., T], /, **kwargs: Any) -> T:
        return await query_in_thread(self.engine, fn, **kwargs)
