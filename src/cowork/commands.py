"""The one road for a change: run a domain function in one write transaction, then publish its events."""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any, Protocol, TypeVar

import anyio.to_thread
from sqlalchemy import Engine
from sqlmodel import Session

from cowork.db import group_commit, health_of, read_session, store_fault, wipe_files
from cowork.domain import redaction
from cowork.domain.access import actor_of, token_holder
from cowork.domain.models import Event
from cowork.domain.record import Tx
from cowork.domain.text import check_arguments

T = TypeVar("T")
U = TypeVar("U")


class Publisher(Protocol):
    def __call__(self, events: Sequence[Event]) -> Awaitable[None]: ...


def run_command(engine: Engine, fn: Callable[..., T], /, **kwargs: Any) -> tuple[T, list[Event]]:
    """Check and change in one transaction; return the result and the committed events (see `_run`)."""
    return _run(engine, fn, None, kwargs)


def _run(
    engine: Engine,
    fn: Callable[..., T],
    committed: Callable[[list[Event]], None] | None,
    kwargs: dict[str, Any],
) -> tuple[T, list[Event]]:
    """Check and change in one transaction; return the result and the committed events.

    The transaction may be shared with the commands that arrived meanwhile (`db.GroupCommit`: one fsync
    for all of them), each in a savepoint of its own: the result, the error and the events are this
    command's own either way. Text that neither database can keep alike (a lone surrogate, a control
    character) is refused before anything runs, whatever field or transport it came by (`domain/text.py`).
    `committed` gets the events as soon as their transaction committed, in commit order (on the thread that
    committed the batch), before an erase's files are wiped.
    """
    check_arguments(kwargs)
    tx: Tx | None = None

    def change(session: Session) -> T:
        nonlocal tx
        tx = Tx(session)  # a fresh one per attempt: a retried command keeps only its last run's events
        return fn(tx, **kwargs)

    def wipe(_result: T) -> None:
        assert tx is not None
        if committed is not None and tx.events:
            committed(tx.events)
        vacuum = redaction.disk_wipe([(e.type, e.data) for e in tx.events])
        if vacuum is not None:  # an erase or purge: its words leave the files as well
            wipe_files(engine, vacuum=vacuum)

    result = group_commit(engine).run(change, after=wipe)
    assert tx is not None
    return result, tx.events


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
        self._last: dict[int, asyncio.Future[None]] = {}  # each workshop's latest commit's publication
        self._publishing: set[asyncio.Task[None]] = set()

    async def run(self, fn: Callable[..., T], /, **kwargs: Any) -> T:
        return (await self._run(fn, None, kwargs))[0]

    async def run_then_read(
        self, fn: Callable[..., T], read: Callable[[Session, T], U], /, **kwargs: Any
    ) -> tuple[T, U]:
        """run(), then `read(session, result)` in a read transaction after the commit, on the same worker
        thread: a change answered with a page (the join's) reads it without a second thread hop."""
        return await self._run(fn, read, kwargs)  # type: ignore[return-value]

    async def _run(
        self, fn: Callable[..., T], read: Callable[[Session, T], Any] | None, kwargs: dict[str, Any]
    ) -> tuple[T, Any]:
        loop = asyncio.get_running_loop()
        published: asyncio.Future[None] = loop.create_future()
        published.add_done_callback(lambda f: f.cancelled() or f.exception())  # read, even if nobody waits

        def committed(events: list[Event]) -> None:
            loop.call_soon_threadsafe(self._publish_in_turn, events, published)

        def work() -> tuple[T, list[Event], Any]:
            result, events = _run(self.engine, fn, committed, kwargs)
            if read is None:
                return result, events, None
            with read_session(self.engine) as session:
                return result, events, read(session, result)

        try:
            result, events, loaded = await anyio.to_thread.run_sync(work)
        except Exception as exc:
            fault = store_fault(exc)
            if fault:
                self.health.failed(fault, exc)  # the transport answers 503; the log says it once
            raise
        self.health.succeeded()
        if events:
            await asyncio.shield(published)
        return result, loaded

    def _publish_in_turn(self, events: list[Event], published: asyncio.Future[None]) -> None:
        """Publish after the workshop's commits before this one were published: in commit order, whichever
        caller's thread comes back to the event loop first (a batch of group commit wakes all of them at
        once), and even when the caller has gone (a phone that closed its request)."""
        workshop_id = events[0].workshop_id
        before, self._last[workshop_id] = self._last.get(workshop_id), published
        task = asyncio.get_running_loop().create_task(self._publish_after(before, events, published))
        self._publishing.add(task)
        task.add_done_callback(self._publishing.discard)

    async def _publish_after(
        self, before: asyncio.Future[None] | None, events: list[Event], published: asyncio.Future[None]
    ) -> None:
        if before is not None and before.get_loop() is asyncio.get_running_loop():
            await asyncio.wait([before])
        try:
            await self.publish(events)
        except Exception as exc:
            published.set_exception(exc)
        else:
            published.set_result(None)

    async def run_as(self, token: str, fn: Callable[..., T], /, **kwargs: Any) -> T | None:
        """run() as a token's holder (None if the token opens nothing): a hot write like a card post then
        takes one thread hop and one transaction, not one more of each to resolve the token first."""
        return await self.run(as_token_holder, token=token, fn=fn, **kwargs)

    async def query(self, fn: Callable[..., T], /, **kwargs: Any) -> T:
        return await query_in_thread(self.engine, fn, **kwargs)
