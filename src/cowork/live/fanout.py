"""Room broadcasts written to each member's queue in one pass, without an asyncio task per member.

python-socketio's manager encodes a broadcast once, but then starts one task per member of the room and
waits for all of them: with 500 phones and 20 cards a second that is 10,000 tasks a second on the event
loop, which also serves the HTTP requests that post the cards. Handing a packet to an Engine.IO socket only
puts it on the socket's unbounded queue (its writer task sends it), so a plain loop does the same work.
Emits with a callback, and everything else, keep the library's path.
"""

import asyncio
import logging
from typing import Any

import socketio
from engineio import packet as eio_packet
from engineio.exceptions import EngineIOError
from socketio import packet

log = logging.getLogger("cowork.live")
# Each queued frame wakes that phone's writer task. Waking them all at once would put every other request
# (a card post's HTTP steps, its return from the database thread) behind 500 or 1,000 sends; after each
# such slice the loop serves whatever else is waiting.
YIELD_EVERY = 64


class OnePassManager(socketio.AsyncManager):
    async def emit(
        self,
        event: str,
        data: Any,
        namespace: str,
        room: Any = None,
        skip_sid: Any = None,
        callback: Any = None,
        to: Any = None,
        **kwargs: Any,
    ) -> None:
        if callback is not None:
            await super().emit(event, data, namespace, room, skip_sid, callback, to, **kwargs)
            return
        if namespace not in self.rooms:
            return
        args = list(data) if isinstance(data, tuple) else [] if data is None else [data]
        encoded = self.server.packet_class(packet.EVENT, namespace=namespace, data=[event, *args]).encode()
        frames = [eio_packet.Packet(eio_packet.MESSAGE, p) for p in _as_list(encoded)]
        skip = skip_sid if isinstance(skip_sid, list) else [skip_sid]
        for count, (sid, eio_sid) in enumerate(self.get_participants(namespace, to or room), 1):
            if count % YIELD_EVERY == 0:
                await asyncio.sleep(0)
            if sid in skip:
                continue
            for frame in frames:
                try:
                    await self.server.eio.send_packet(eio_sid, frame)
                except EngineIOError:  # closing: its disconnect is on its way
                    log.debug("not sent to %s: the socket is closing", sid)
                    break


def _as_list(encoded: Any) -> list[Any]:
    return encoded if isinstance(encoded, list) else [encoded]


class OnePassRedisManager(socketio.AsyncRedisManager, OnePassManager):
    """Through Redis to every worker; each worker's local delivery (the library's `super().emit` in
    `_handle_emit`) resolves to OnePassManager.emit, which sits between the pub/sub and base managers."""
