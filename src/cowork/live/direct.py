"""A broadcast frame written straight to each phone's websocket, past Engine.IO's queue and writer task.

Engine.IO puts every packet on the socket's queue, and the socket's writer task takes it off and writes it:
one task wake-up per phone per frame (on Python 3.11 each through `asyncio.wait_for`, itself a new task and
a timer). Profiled at 1,000 phones, that bookkeeping was about half of the fan-out's CPU, the write itself
a quarter. When a phone has nothing queued or in its writer's hands and its connection takes data at once,
writing the frame in place sends the same bytes in the same order; otherwise the frame takes the queue.

A server's websocket frames are not masked, so without compression a frame is the same bytes for every
phone: the fan-out frames a broadcast once (`frame`) and hands those bytes to each phone's transport (the
DirectWebSocket's `transport`), instead of uvicorn and websockets framing it again per phone. A connection
that negotiated permessage-deflate (browsers ask for it; cowork accepts it only with
COWORK_WEBSOCKET_COMPRESSION, `uvicorn_options`) compresses with its own context, so it takes uvicorn's
`send` (`write`).

Internals used, so the versions are pinned in pyproject.toml (python-engineio, uvicorn, websockets):
- engineio: `AsyncServer._async["websocket"]`, the ASGI driver's WebSocket class, built by the Engine.IO
  socket with its bound `_websocket_handler` (so `handler.__self__` is the socket); the socket's `queue`
  (an asyncio.Queue whose `_unfinished_tasks` counts packets put and not yet taken by the writer),
  `upgraded`, `upgrading`, `closing`, `closed`.
- uvicorn's websockets-sansio protocol (cowork serves with it): the ASGI `send` is its bound method, and
  its `writable` event is set unless the transport asked to pause (a slow phone); then `send` returns
  without suspending. Its `transport` (the connection's asyncio transport), `disconnected`, and `conn`:
  websockets' sans-I/O `ServerProtocol`, whose `extensions` (empty unless compression was negotiated),
  `state` (OPEN until either side starts closing) and `writes` (bytes framed but not yet handed to the
  transport: uvicorn hands them over at once, so empty between its callbacks) say whether bytes written
  to the transport past it arrive as a whole frame of an open connection. Writing past it changes none
  of its state: sending a complete text frame only appends to `writes`.
- websockets: `frames.Frame(...).serialize(mask=False)`, the same framing its protocol does per phone.
"""

from collections.abc import Awaitable
from typing import Any

from engineio.async_drivers.asgi import WebSocket
from websockets.frames import Frame, Opcode
from websockets.protocol import State

from cowork.settings import Settings


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """How uvicorn serves the sockets this module writes to: its websockets-sansio protocol (the internals
    named above), with permessage-deflate only when COWORK_WEBSOCKET_COMPRESSION allows it (a browser that
    asks for it without then gets plain frames, the ones framed once for all).

    Without uvicorn's own keepalive ping: Engine.IO pings every phone already (`live/hub.py`: every 20 s,
    closing a phone that does not answer within 20 s), and uvicorn's ping on the same connection was a
    second timer and a second frame each way per phone, which also closed a phone on slow Wi-Fi after its
    own 20 s without a pong."""
    return {
        "ws": "websockets-sansio",
        "ws_per_message_deflate": settings.websocket_compression,
        "ws_ping_interval": None,
        "ws_ping_timeout": None,
        "server_header": False,  # "server: uvicorn" on each answer tells a phone nothing (15 of a first load)
    }


class DirectWebSocket(WebSocket):
    """The driver's websocket, remembered on its Engine.IO socket, counting the writer's sends in flight."""

    def __init__(self, handler: Any, server: Any) -> None:
        super().__init__(handler, server)
        self.in_flight = 0  # writer sends waiting for a paused transport
        self.protocol: Any = None  # uvicorn's websocket protocol, once the connection is served
        # Where frames from `frame` may go as they are: the transport, unless the connection compresses.
        # Known once the socket is upgraded (the handshake negotiated the extensions before).
        self.transport: Any = None
        self.negotiated = False
        socket = getattr(handler, "__self__", None)
        if socket is not None:
            socket.direct_ws = self

    async def __call__(self, environ: dict[str, Any]) -> Any:
        # The ASGI send is a bound method of uvicorn's protocol (unless something wrapped it: then None).
        self.protocol = getattr(environ.get("asgi.send"), "__self__", None)
        return await super().__call__(environ)

    async def send(self, message: Any) -> None:
        self.in_flight += 1
        try:
            await super().send(message)
        finally:
            self.in_flight -= 1


def install(eio: Any) -> None:
    """Have the Engine.IO server build DirectWebSockets (for its websocket transport over ASGI)."""
    if eio._async.get("websocket") is WebSocket:
        eio._async = {**eio._async, "websocket": DirectWebSocket}


def writable(socket: Any) -> DirectWebSocket | None:
    """The socket's websocket if a frame written now goes out whole, in order and at once, else None.
    Its `transport` takes frames from `frame` as they are; if None (compression), `write` the text.

    Called for every phone of every broadcast: the cheap checks first, no more of them than needed."""
    ws: DirectWebSocket | None = getattr(socket, "direct_ws", None)
    if ws is None or ws.in_flight:
        return None
    protocol = ws.protocol
    ready = getattr(protocol, "writable", None)
    if ready is None or not ready.is_set() or protocol.disconnected:
        return None
    if not socket.upgraded or socket.upgrading or socket.closing or socket.closed:
        return None
    conn = getattr(protocol, "conn", None)  # websockets' protocol (another of uvicorn's would not match)
    if conn is None or socket.queue._unfinished_tasks or conn.state is not State.OPEN or conn.writes:
        return None
    if not ws.negotiated:
        ws.negotiated = True
        ws.transport = None if conn.extensions else protocol.transport
    return ws


def frame(text: str) -> bytes:
    """An encoded Engine.IO packet as the websocket text frame a server sends (unmasked, uncompressed)."""
    return Frame(Opcode.TEXT, text.encode()).serialize(mask=False)


def write(ws: DirectWebSocket, text: str) -> Awaitable[None]:
    """Write an encoded Engine.IO packet: uvicorn frames it and writes it to the transport at once (awaited
    by the caller, without a coroutine of its own in between)."""
    return ws.protocol.send({"type": "websocket.send", "text": text})
