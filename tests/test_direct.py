"""Broadcasts written in place to each phone's websocket: only when nothing of that phone's is still queued,
in the writer's hands or held back by a slow connection; else they take Engine.IO's queue, in order. A frame
framed once for all goes as it is to each connection that does not compress; one that does takes uvicorn's
framing."""

import asyncio
import socket
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Any

import pytest
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.protocol import State
from websockets.uri import parse_uri

from cowork.live import direct
from cowork.settings import Settings
from tests.conftest import ThreadServer, World
from tests.test_live import Screen, _post, screen


class Protocol:
    """uvicorn's websocket protocol as the fan-out sees it: `writable` unless paused, `disconnected`, its
    transport, and websockets' protocol state (`conn`)."""

    def __init__(self, extensions: list[Any] | None = None) -> None:
        self.writable, self.disconnected = asyncio.Event(), False
        self.writable.set()
        self.transport = object()
        self.conn = SimpleNamespace(state=State.OPEN, writes=[], extensions=extensions or [])

    async def send(self, message: dict[str, Any]) -> None: ...


def _phone(extensions: list[Any] | None = None, **socket: Any) -> tuple[SimpleNamespace, Protocol]:
    protocol = Protocol(extensions)
    ws = SimpleNamespace(in_flight=0, protocol=protocol, transport=None, negotiated=False)
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
    protocol.conn.writes.append(b"framed by uvicorn, not yet handed over")
    assert direct.writable(socket) is None
    protocol.conn.writes.clear()
    protocol.conn.state = State.CLOSING  # either side began to close
    assert direct.writable(socket) is None
    protocol.conn.state = State.OPEN
    protocol.disconnected = True
    assert direct.writable(socket) is None

    for state in ({"upgraded": False}, {"upgrading": True}, {"closing": True}, {"closed": True}):
        assert direct.writable(_phone(**state)[0]) is None
    assert direct.writable(None) is None  # gone, or long-polling


async def test_frames_framed_once_go_as_they_are_only_to_connections_that_do_not_compress() -> None:
    plain, protocol = _phone()
    assert direct.writable(plain).transport is protocol.transport
    compressing, _ = _phone(extensions=["permessage-deflate"])
    assert direct.writable(compressing).transport is None  # the text goes through uvicorn's send

    # The frame websockets would make for this connection: FIN, text, no mask, the length, the payload.
    text = '42["events",[{"text":"Grüße"}]]'
    payload = text.encode()
    assert direct.frame(text) == bytes([0x81, len(payload)]) + payload
    long = "4" + "x" * 300
    assert direct.frame(long) == bytes([0x81, 126]) + (301).to_bytes(2, "big") + long.encode()


class Spy:
    """Which way the fan-out wrote each phone's frames: framed once for all (the bytes each transport got,
    by Engine.IO sid), or the text through uvicorn's send; and each phone's uvicorn protocol."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.framed: dict[str, list[bytes]] = {}
        self.texts: Counter[str] = Counter()
        self.queued: Counter[str] = Counter()  # sent by the socket's writer task, from its queue
        self.protocols: dict[str, Any] = {}
        writable, write = direct.writable, direct.write

        def spy_writable(socket: Any) -> Any:
            if getattr(socket, "direct_ws", None) is not None:
                self.protocols[socket.sid] = socket.direct_ws.protocol
            ws = writable(socket)
            if ws is not None and ws.transport is not None and not isinstance(ws.transport, Recorder):
                ws.transport = Recorder(ws.transport, self.framed.setdefault(socket.sid, []))
            return ws

        def spy_write(ws: Any, text: str) -> Any:
            self.texts[ws.handler.__self__.sid] += 1
            return write(ws, text)

        async def spy_send(ws: Any, message: Any) -> None:
            self.queued[ws.handler.__self__.sid] += 1
            await send(ws, message)

        send = direct.DirectWebSocket.send
        monkeypatch.setattr(direct.DirectWebSocket, "send", spy_send)
        monkeypatch.setattr(direct, "writable", spy_writable)
        monkeypatch.setattr(direct, "write", spy_write)

    async def on_server(self, sid: str, call: str) -> None:
        """Call a method of a phone's uvicorn protocol on the server's event loop, and wait for it."""
        protocol = self.protocols[sid]

        async def _call() -> None:
            getattr(protocol, call)()

        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(_call(), protocol.loop))


class Recorder:
    """A transport that keeps what is written to it."""

    def __init__(self, transport: Any, written: list[bytes]) -> None:
        self.transport, self.written = transport, written

    def write(self, data: bytes) -> None:
        self.written.append(data)
        self.transport.write(data)


def _whole_and_in_order(seqs: list[int], posted: list[int]) -> None:
    assert seqs == sorted(set(seqs))  # once each, in seq order
    assert set(posted) <= set(seqs)


@asynccontextmanager
async def _watched(
    server: ThreadServer, world: World, monkeypatch: pytest.MonkeyPatch, client: dict[str, Any] | None = None
) -> AsyncIterator[tuple[Spy, str, Screen, Screen]]:
    """A participant's phone (`client`: its socket.io client's options) and the facilitator's console, both
    in the workshop's rooms, the fan-out watched; with the participant's token for posting cards."""
    spy = Spy(monkeypatch)
    _, ana = world.join()
    wid = world.workshop.id
    async with (
        screen(server, {"token": ana, "workshop_id": wid}, client=client) as phone,
        screen(server, {"token": world.api_token, "workshop_id": wid}) as console,
    ):
        yield spy, ana, phone, console


async def test_cards_are_framed_once_and_arrive_whole_once_and_in_order_on_real_screens(
    server: ThreadServer, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with _watched(server, world, monkeypatch) as (spy, ana, phone, console):
        cards = await asyncio.gather(*(_post(server, ana, world.stage_id, f"card {i}") for i in range(6)))
        posted = sorted(card["seq"] for card in cards)
        for s in (phone, console):
            await s.wait_for(lambda e, last=posted[-1]: e["seq"] == last)
            _whole_and_in_order([seq for seq in s.seqs() if seq >= posted[0]], posted)
            written = spy.framed.get(s.sio.eio.sid)
            assert written  # the path under test was taken: frames framed once, as they are
            assert spy.texts[s.sio.eio.sid] == 0
            # Each write is one whole websocket text frame (FIN, text opcode, unmasked, 16-bit length).
            for data in written:
                assert data[0] == 0x81 and data[1] == 126
                assert int.from_bytes(data[2:4], "big") == len(data) - 4


# The client asks for permessage-deflate, as browsers do.
DEFLATE = {"websocket_extra_options": {"compress": 15}}


@pytest.fixture
def compressing(live_settings: Settings) -> Iterator[ThreadServer]:
    """A server with COWORK_WEBSOCKET_COMPRESSION on."""
    with ThreadServer(live_settings.model_copy(update={"websocket_compression": True})) as running:
        yield running


@pytest.mark.parametrize("allowed", [False, True])
async def test_a_browser_asking_for_compression_gets_it_only_when_the_setting_allows_and_cards_either_way(
    live_settings: Settings, world: World, allowed: bool
) -> None:
    _, ana = world.join()
    with ThreadServer(live_settings.model_copy(update={"websocket_compression": allowed})) as server:
        auth = {"token": ana, "workshop_id": world.workshop.id}
        async with screen(server, auth, client=DEFLATE) as browser:
            card = await _post(server, ana, world.stage_id, "Shade on the playground")
            event = await browser.wait_for(lambda e: e["seq"] == card["seq"])
            assert event["type"] == "card.added"
            # What the server's handshake answered (Sec-WebSocket-Extensions): its window bits, or 0.
            assert bool(browser.sio.eio.ws.compress) is allowed


async def test_a_screen_that_negotiated_compression_gets_the_frames_through_uvicorn(
    compressing: ThreadServer, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = compressing
    async with _watched(server, world, monkeypatch, client=DEFLATE) as (spy, ana, browser, plain):
        cards = [await _post(server, ana, world.stage_id, f"card {i}") for i in range(3)]
        posted = [card["seq"] for card in cards]
        for s in (browser, plain):
            await s.wait_for(lambda e, last=posted[-1]: e["seq"] == last)
            _whole_and_in_order([seq for seq in s.seqs() if seq >= posted[0]], posted)
        assert spy.protocols[browser.sio.eio.sid].conn.extensions  # compression was negotiated
        assert spy.texts[browser.sio.eio.sid] > 0 and browser.sio.eio.sid not in spy.framed
        assert spy.framed.get(plain.sio.eio.sid) and spy.texts[plain.sio.eio.sid] == 0


async def test_a_slow_phone_gets_the_frames_held_for_it_before_the_ones_written_in_place(
    server: ThreadServer, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with _watched(server, world, monkeypatch) as (spy, ana, slow, witness):
        first = await _post(server, ana, world.stage_id, "before")
        await slow.wait_for(lambda e: e["seq"] == first["seq"])
        sid = slow.sio.eio.sid
        assert spy.framed.get(sid)  # written in place while the phone kept up

        # The phone's connection stops taking data (its transport asks to pause, as when its buffer is
        # full): the next cards wait in its Engine.IO queue, its writer holding the first of them.
        await spy.on_server(sid, "pause_writing")
        held = [await _post(server, ana, world.stage_id, f"held {i}") for i in range(3)]
        await witness.wait_for(lambda e: e["seq"] == held[-1]["seq"])
        assert max(slow.seqs()) == first["seq"]  # nothing written past the queue
        queued = spy.queued[sid]

        await spy.on_server(sid, "resume_writing")
        after = [await _post(server, ana, world.stage_id, f"after {i}") for i in range(3)]
        await slow.wait_for(lambda e: e["seq"] == after[-1]["seq"])
        posted = [card["seq"] for card in [first, *held, *after]]
        _whole_and_in_order([seq for seq in slow.seqs() if seq >= first["seq"]], posted)
        assert spy.queued[sid] > queued  # the held frames went out through the writer, once it could


def test_the_phones_websocket_is_kept_alive_by_engine_io_alone(server: ThreadServer) -> None:
    """Engine.IO pings each phone every 20 s; uvicorn pinging the same connection was a second timer and
    frame per phone (and its own 20 s timeout on slow Wi-Fi). Over 23 s a connection sees Engine.IO's ping
    and no websocket-level ping."""
    host, port = server.url.removeprefix("http://").split(":")
    client = ClientProtocol(parse_uri(f"ws://{host}:{port}/socket.io/?EIO=4&transport=websocket"))
    seen: list[Frame] = []
    with socket.create_connection((host, int(port)), timeout=1) as sock:
        client.send_request(client.connect())
        deadline = time.monotonic() + 23
        while time.monotonic() < deadline:
            sock.sendall(b"".join(client.data_to_send()))
            try:
                data = sock.recv(65536)
            except TimeoutError:
                continue
            client.receive_data(data)
            for event in client.events_received():
                if isinstance(event, Frame):
                    seen.append(event)
                    if event.opcode is Opcode.TEXT and event.data == b"2":
                        client.send_text(b"3")  # Engine.IO's pong
    assert client.state is State.OPEN
    assert any(f.opcode is Opcode.TEXT and f.data == b"2" for f in seen), "Engine.IO's ping never came"
    assert [f for f in seen if f.opcode is Opcode.PING] == []
