"""Catch-up shared by the phones of a room: an old page or a restart costs one read, and loses no event."""

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from cowork.live.catchup import Read, Room
from cowork.settings import Settings
from tests.conftest import PATIENCE, REDIS_URL, ThreadServer, World, patient
from tests.test_live import Screen, _applied, _post, screen
from tests.test_workers import redis_url  # noqa: F401 (a fixture)


def _hub(server: ThreadServer) -> Any:
    return server.server.config.app.other_asgi_app.state.runtime.hub


@contextmanager
def record_reads(server: ThreadServer) -> Iterator[list[str]]:
    """The reads of the record's events the server makes (SELECTs from the event table)."""
    engine = server.server.config.app.other_asgi_app.state.runtime.engine
    reads: list[str] = []

    def _seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM event " in statement:
            reads.append(statement)

    event.listen(engine, "before_cursor_execute", _seen)
    try:
        yield reads
    finally:
        event.remove(engine, "before_cursor_execute", _seen)


@contextmanager
def held_reads(server: ThreadServer) -> Iterator[tuple[threading.Event, threading.Event]]:
    """Catch-up reads of public rooms that read the record, then wait for `release` before they answer
    (`began` is set once the first has read)."""
    catch_up = _hub(server).catch_up
    real = catch_up.read
    began, release = threading.Event(), threading.Event()

    async def held(room: Room, since: int) -> Read:
        read = await real(room, since)
        began.set()
        await asyncio.to_thread(release.wait, 10)
        return read

    catch_up.read = held
    try:
        yield began, release
    finally:
        release.set()
        catch_up.read = real


def _asked(server: ThreadServer, n: int) -> bool:
    """Whether n sockets came to wait for the next read (each has asked) within PATIENCE."""
    deadline = time.monotonic() + PATIENCE
    while sum(len(w) for w in list(_hub(server).catch_up._waiting.values())) < n:  # a copy: another thread's
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


async def _screens(stack: AsyncExitStack, server: ThreadServer, auths: list[dict[str, Any]]) -> list[Screen]:
    async def one(auth: dict[str, Any]) -> Screen:
        return await stack.enter_async_context(screen(server, auth))

    return list(await asyncio.gather(*(one(auth) for auth in auths)))


async def test_phones_after_a_restart_get_every_event_once_in_order_without_a_read_each(
    live_settings: Settings, world: World
) -> None:
    _, ana = world.join()
    wid = world.workshop.id
    with ThreadServer(live_settings) as before:
        cards = [await _post(before, ana, world.stage_id, f"before the restart {i}") for i in range(3)]
    last_seen = cards[-1]["seq"]
    with ThreadServer(live_settings) as server:  # the same port and database; nothing in memory
        old_pages = [{"token": ana, "workshop_id": wid, "since": 0} for _ in range(12)]
        behind = [{"token": ana, "workshop_id": wid, "since": cards[0]["seq"]} for _ in range(4)]
        with record_reads(server) as reads:
            async with AsyncExitStack() as stack:
                phones = await _screens(stack, server, old_pages + behind)
                for phone in phones:  # caught up before the next card, which a live push brings
                    await phone.wait_for(lambda e: e["seq"] == last_seen)
                after = await _post(server, ana, world.stage_id, "right after the restart")
                for phone, auth in zip(phones, old_pages + behind, strict=True):
                    await phone.wait_for(lambda e: e["seq"] == after["seq"])
                    since = auth["since"]
                    assert _applied(phone.seqs(), since) == list(range(since + 1, after["seq"] + 1))
                    assert phone.seqs() == list(range(since + 1, after["seq"] + 1))  # each once
        # One read for all of them at most per seq they asked from (each fills the memory the rest use).
        assert 1 <= len(reads) <= 2


async def _many_connect_while_a_read_runs(server: ThreadServer, world: World) -> int:
    """One phone's read is held while 20 more connect (each waits); how often the record was read."""
    _, ana = world.join()
    wid = world.workshop.id
    card = await _post(server, ana, world.stage_id, "on the wall")
    auth = {"token": ana, "workshop_id": wid, "since": 0}
    with record_reads(server) as reads, held_reads(server) as (began, release):
        async with AsyncExitStack() as stack:
            first = (await _screens(stack, server, [auth]))[0]
            assert await asyncio.to_thread(began.wait, 10)
            others = await _screens(stack, server, [auth] * 20)
            assert await asyncio.to_thread(_asked, server, 20)
            release.set()
            for phone in [first, *others]:
                await phone.wait_for(lambda e: e["seq"] == card["seq"])
                assert phone.seqs() == list(range(1, card["seq"] + 1))
    return len(reads)


async def test_phones_that_connect_while_a_read_runs_are_served_from_what_it_fills(
    server: ThreadServer, world: World
) -> None:
    assert await _many_connect_while_a_read_runs(server, world) == 1  # one read for 21 phones


@pytest.mark.usefixtures("redis_url")  # skipped when the test Redis cannot be reached
# The Redis manager's listener still holds its connections when the in-process server's loop stops.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
async def test_with_redis_phones_that_connect_while_a_read_runs_share_the_next_read(
    live_settings: Settings, world: World
) -> None:
    """Several workers keep no memory of pushes (another worker's are not seen): the read is still shared."""
    channel = f"cowork-test-{uuid.uuid4().hex}"
    with ThreadServer(
        live_settings.model_copy(update={"redis_url": REDIS_URL, "redis_channel": channel})
    ) as server:
        assert await _many_connect_while_a_read_runs(server, world) == 2  # the first, then one for 20


async def test_an_erase_while_a_shared_read_runs_keeps_the_read_words_out_of_memory(
    server: ThreadServer, world: World
) -> None:
    """The read began before the erase and brings back the words: they go to the phone that asked (the
    erase follows it live), but no later phone gets them from memory."""
    _, ana = world.join()
    wid, code = world.workshop.id, world.workshop.code
    await _post(server, ana, world.stage_id, "a harmless first card")
    card = await _post(server, ana, world.stage_id, "words to take back")
    auth = {"token": ana, "workshop_id": wid, "since": 0}

    def erase() -> int:
        with patient.Client(base_url=server.url, cookies={f"cowork_p_{wid}": ana}) as phone:
            path = f"/j/{code}/cards/{card['id']}/erase"
            return phone.post(path, headers={"Origin": server.url}).status_code

    async with AsyncExitStack() as stack:
        with held_reads(server) as (began, release):
            early = (await _screens(stack, server, [auth]))[0]
            assert await asyncio.to_thread(began.wait, 10)
            assert await asyncio.to_thread(erase) == 303
            erased = await early.wait_for(lambda e: e["type"] == "card.erased")  # published: forgotten
            release.set()
            await early.wait_for(lambda e: e["seq"] == card["seq"])
        late = (await _screens(stack, server, [auth]))[0]
        await late.wait_for(lambda e: e["seq"] == erased["seq"])
        assert "words to take back" not in json.dumps(late.events)
        assert _applied(late.seqs(), 0) == list(range(1, erased["seq"] + 1))
