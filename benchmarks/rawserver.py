"""The wire's own cost: a plain websocket server writing one frame to every client in a loop.

Run by `fanout.py --raw`.

No Socket.IO server, no rooms, no queues, no task per socket: aiohttp's websocket handler speaks just enough
Engine.IO v4 and Socket.IO for fanout.py's clients (the open packet `0{…}`, the connect `40{…}`; the clients'
pongs are read and dropped), and `POST /broadcast` builds a frame as long as cowork's `card.added` frame once
and writes it to each client in turn. What cowork spends per card per phone above this is what its layers
(Socket.IO, Engine.IO's queues, uvicorn's websocket protocol, cowork's own fan-out) cost over the wire.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

CARD_TEXT = "bench-{n}: an idea from the fanout benchmark, about as long as a typical card on the wall."


def frame_of(n: int, size: int) -> str:
    """A Socket.IO event frame carrying a card.added-shaped body, `size` characters long."""
    body: dict[str, Any] = {"seq": n, "type": "card.added", "at": "2026-01-01T00:00:00.000000Z"}
    body["data"] = {"id": n, "text": CARD_TEXT.format(n=n)}
    frame = '42["event",' + json.dumps(body, separators=(",", ":")) + "]"
    body["data"]["text"] += "x" * max(0, size - len(frame))
    return '42["event",' + json.dumps(body, separators=(",", ":")) + "]"


def serve_raw(host: str, port: int) -> None:
    import asyncio
    import contextlib

    from aiohttp import WSMsgType, web

    with contextlib.suppress(ImportError):  # the same event loop as uvicorn picks for cowork
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())

    clients: set[web.WebSocketResponse] = set()

    async def socket(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(compress=False, max_msg_size=16_384)
        await ws.prepare(request)
        sid = secrets.token_urlsafe(12)
        await ws.send_str(
            "0" + json.dumps({"sid": sid, "upgrades": [], "pingInterval": 20000, "pingTimeout": 20000})
        )
        async for msg in ws:
            if msg.type is not WSMsgType.TEXT:
                break
            if msg.data.startswith("40"):
                await ws.send_str("40" + json.dumps({"sid": sid}))
                clients.add(ws)
        clients.discard(ws)
        return ws

    async def broadcast(request: web.Request) -> web.Response:
        asked = await request.json()
        frame = frame_of(int(asked["n"]), int(asked["size"]))
        for ws in list(clients):
            if not ws.closed:
                await ws.send_str(frame)
        return web.json_response({"status": "ok"}, status=201)

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_get("/socket.io/", socket)
    app.router.add_post("/broadcast", broadcast)
    app.router.add_get("/healthz", healthz)
    web.run_app(app, host=host, port=port, print=None, access_log=None)
