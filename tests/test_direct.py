"""Broadcasts written in place to each phone's websocket: only when nothing of that phone's is still queued,
in the writer's hands or held back by a slow connection; else they take Engine.IO's queue, in order."""

import asyncio
from collections.abc import Awaitable
from types import SimpleNamespace
from typing import Any

import pytest

from cowork.live import direct
from tests.conftest import ThreadServer, World
from tests.test_live import _post, screen


class Protocol:
    """uvicorn's websocket protocol as the fan-out sees it: `writable` unless paused, `disconnected`."""

    def __init__(self) -> None:
        self.writable, self.disconnected = asyncio.Event(), False
        self.writable.set()

    async def send(self, message: dict[str, Any]) -> None: ...


def _phone(**socket: Any) -> tuple[SimpleNamespace, Protocol]:
    protocol = Protocol()
    ws = SimpleNamespace(in_flight=0, protocol=protocol)
    queue: asyncio.Queue[Any] = asyncio.Queue()
    fields = {"upgraded": True, "upgrading": False, "closing": False, "closed": False, "queue": queue}
    return SimpleNamespace(direct_ws=ws, **{**fields, **socket}), protocol


async def test_a_frame_is_written_in_place_only_when_nothing_of_the_phone_waits_before_it() -> None:
    socket, protocol = _phone()
    assert direct.writable(socket) is socket.direct_ws

    socket.queue.put_nowait("a ping")  # queued: the frame goes behind it
    assert direct.writable(socket) is None
    await socket.queue.get()  # taken by the writer, not yet written (task_done comes with the write)
    assert direct.writable(socket) is None
    socket.queue.task_done()
    assert direct.writable(socket) is socket.direct_ws

    socket.direct_ws.in_flight = 1  # the writer waits for a paused connection
    assert direct.writable(socket) is None
    socket.direct_ws.in_flight = 0
    protocol.writable.clear()  # a slow phone: the transport asked to pause
    assert direct.writable(socket) is None
    protocol.writable.set()
    protocol.disconnected = True
    assert direct.writable(socket) is None

    for state in ({"upgraded": False}, {"upgrading": True}, {"closing": True}, {"closed": True}):
        assert direct.writable(_phone(**state)[0]) is None
    assert direct.writable(None) is None  # gone, or long-polling


async def test_cards_are_written_in_place_to_real_screens_once_and_in_order(
    server: ThreadServer, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[str] = []
    write = direct.write

    def counted(ws: Any, text: str) -> Awaitable[None]:
        written.append(text)
        return write(ws, text)

    monkeypatch.setattr(direct, "write", counted)
    _, ana = world.join()
    wid = world.workshop.id
    async with (
        screen(server, {"token": ana, "workshop_id": wid}) as phone,
        screen(server, {"token": world.api_token, "workshop_id": wid}) as console,
    ):
        cards = await asyncio.gather(*(_post(server, ana, world.stage_id, f"card {i}") for i in range(6)))
        last = max(card["seq"] for card in cards)
        for s in (phone, console):
            await s.wait_for(lambda e, last=last: e["seq"] == last)
            seqs = [seq for seq in s.seqs() if seq >= min(card["seq"] for card in cards)]
            assert seqs == sorted(card["seq"] for card in cards)
    assert written  # the path under test was taken
