"""Group commit: the commands that arrive while one commits share the next transaction, each on its own."""

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from cowork.commands import Commands, run_command
from cowork.db import FULL, group_commit, read_session, store_fault
from cowork.domain import privacy
from cowork.domain.board import cards as board
from cowork.domain.errors import Invalid
from cowork.domain.models import Contribution, Event
from cowork.domain.record import events_since
from tests.conftest import World


@pytest.fixture
def batched(world: World) -> World:
    """Group commit is SQLite's (`db.GroupCommit`): on PostgreSQL each command has its own transaction."""
    if world.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL commits each command on its own, side by side: there is no batch to test")
    return world


def _record(world: World) -> list[Event]:
    with read_session(world.engine) as session:
        return events_since(session, workshop_id=world.workshop.id)


def _cards(world: World) -> list[str]:
    with read_session(world.engine) as session:
        return sorted(c.text for c in session.exec(select(Contribution)))


@contextmanager
def _commits(engine: Engine) -> Iterator[list[int]]:
    """Counts the transactions committed while the block runs."""
    counted: list[int] = []

    def count(_conn: Any) -> None:
        counted.append(1)

    event.listen(engine, "commit", count)
    try:
        yield counted
    finally:
        event.remove(engine, "commit", count)


@contextmanager
def _a_write_in_progress(engine: Engine) -> Iterator[None]:
    """A command that holds its batch open until the block ends (writing nothing, so committing nothing):
    what is sent meanwhile queues behind it."""
    started, release = threading.Event(), threading.Event()

    def hold(_tx: Any) -> None:
        started.set()
        release.wait()

    with ThreadPoolExecutor(max_workers=1) as pool:
        held = pool.submit(run_command, engine, hold)
        started.wait()
        try:
            yield
        finally:
            release.set()
            held.result()


def _send(engine: Engine, command: dict[str, Any]) -> Any:
    fn, kwargs = command["fn"], {k: v for k, v in command.items() if k != "fn"}
    return run_command(engine, fn, **kwargs)


def _queue(engine: Engine, pool: ThreadPoolExecutor, sends: list[dict[str, Any]]) -> list[Future[Any]]:
    """Send each command from its own thread, in this order, each once the one before it has queued."""
    futures: list[Future[Any]] = []
    for i, kwargs in enumerate(sends):
        futures.append(pool.submit(_send, engine, kwargs))
        while group_commit(engine).queued() < i + 1 and not futures[-1].done():
            threading.Event().wait(0.005)  # waiting for the thread to queue, nothing is timed
    return futures


def _add(world: World, participant: Any, text: str, **more: Any) -> dict[str, Any]:
    actor = world.participant_actor(participant)
    return {"fn": board.add_card, "actor": actor, "stage_id": world.stage_id, "text": text, **more}


def test_cards_sent_during_a_commit_share_the_next_transaction_each_caller_gets_its_own_card(
    batched: World,
) -> None:
    world = batched
    people = [world.join(name=f"P{i}")[0] for i in range(5)]
    before = len(_record(world))
    with ThreadPoolExecutor(max_workers=5) as pool, _commits(world.engine) as commits:
        with _a_write_in_progress(world.engine):
            futures = _queue(world.engine, pool, [_add(world, p, f"card {i}") for i, p in enumerate(people)])
        results = [f.result() for f in futures]
    assert len(commits) == 1  # all five cards together (the write in progress wrote nothing)
    record = _record(world)
    assert [e.seq for e in record] == list(range(1, len(record) + 1))  # gapless, in order
    added = record[before:]
    assert [e.type for e in added] == ["card.added"] * 5
    for i, (card, events) in enumerate(results):
        assert card.text == f"card {i}"
        assert [(e.type, e.seq, e.data["id"]) for e in events] == [("card.added", card.seq, card.id)]
    # Queued in order, numbered in order: each card's seq follows the one sent before it.
    assert [card.seq for card, _ in results] == [e.seq for e in added]


def test_an_invalid_command_in_a_batch_fails_alone_and_the_others_are_stored(batched: World) -> None:
    world = batched
    people = [world.join(name=f"P{i}")[0] for i in range(4)]
    sends = [_add(world, p, f"card {i}") for i, p in enumerate(people)]
    sends[1]["category"] = "no-such-category"
    with ThreadPoolExecutor(max_workers=4) as pool, _commits(world.engine) as commits:
        with _a_write_in_progress(world.engine):
            futures = _queue(world.engine, pool, sends)
        with pytest.raises(Invalid):
            futures[1].result()
        stored = [futures[i].result()[0] for i in (0, 2, 3)]
    assert len(commits) == 1
    assert _cards(world) == ["card 0", "card 2", "card 3"]
    record = _record(world)
    assert [e.seq for e in record] == list(range(1, len(record) + 1))  # no gap where the refused one was
    assert [e.seq for e in record if e.type == "card.added"] == [card.seq for card in stored]


def test_a_fault_at_the_shared_commit_fails_every_command_of_the_batch_and_stores_none(
    batched: World,
) -> None:
    world = batched
    people = [world.join(name=f"P{i}")[0] for i in range(3)]
    before = _record(world)
    failing = True

    def disk_full(_conn: Any) -> None:
        if failing:
            raise OperationalError("COMMIT", None, Exception("database or disk is full"))

    with ThreadPoolExecutor(max_workers=3) as pool:
        with _a_write_in_progress(world.engine):
            futures = _queue(world.engine, pool, [_add(world, p, f"card {i}") for i, p in enumerate(people)])
            event.listen(world.engine, "commit", disk_full)
        errors = [f.exception() for f in futures]
        event.remove(world.engine, "commit", disk_full)
    assert [store_fault(e) if e else None for e in errors] == [FULL] * 3  # each caller: 503, "full"
    assert _cards(world) == []
    assert _record(world) == before
    failing = False
    _send(world.engine, _add(world, people[0], "after the fault"))  # the next batch starts clean
    assert _cards(world) == ["after the fault"]


def test_a_card_erased_in_a_batch_stays_erased_in_the_record_and_on_disk(world: World) -> None:
    ana, ben = world.join(name="Ana")[0], world.join(name="Ben")[0]
    secret = "Zanzibarquartz"
    card, _ = _send(world.engine, _add(world, ana, f"{secret} is my password"))
    erase = {"fn": privacy.erase_my_card, "actor": world.participant_actor(ana), "card_id": card.id}
    with ThreadPoolExecutor(max_workers=3) as pool:
        with _a_write_in_progress(world.engine):
            futures = _queue(
                world.engine, pool, [_add(world, ben, "before"), erase, _add(world, ben, "after")]
            )
        for future in futures:
            future.result()
    assert _cards(world) == ["", "after", "before"]
    assert not [e for e in _record(world) if secret in str(e.data)]
    url = world.engine.url
    if url.get_backend_name() == "sqlite":  # the erase's checkpoint ran after the batch it shared
        files = [Path(str(url.database)), Path(f"{url.database}-wal")]
        assert not [f for f in files if f.exists() and secret.encode() in f.read_bytes()]


async def test_a_batch_is_published_in_commit_order_even_when_an_earlier_push_is_slow(batched: World) -> None:
    """The batch wakes all its callers at once, in any order; the screens still get the events in seq order
    (a phone that sees seq 6 before 5 takes 5 for a gap and asks the server to catch it up)."""
    world = batched
    people = [world.join(name=f"P{i}")[0] for i in range(5)]
    pushed: list[int] = []

    async def publish(events: Any) -> None:
        if not pushed:
            await asyncio.sleep(0.05)  # the first push waits on something (a broker's round trip)
        pushed.extend(e.seq for e in events)

    commands = Commands(world.engine, publish)
    with _a_write_in_progress(world.engine):
        runs = [
            asyncio.create_task(
                commands.run(
                    board.add_card,
                    actor=world.participant_actor(p),
                    stage_id=world.stage_id,
                    text=f"card {i}",
                )
            )
            for i, p in enumerate(people)
        ]
        while group_commit(world.engine).queued() < len(runs):  # noqa: ASYNC110 (another thread's queue)
            await asyncio.sleep(0.005)  # waiting for every command to queue behind the one in progress
    cards = await asyncio.gather(*runs)
    assert pushed == sorted(c.seq for c in cards)
