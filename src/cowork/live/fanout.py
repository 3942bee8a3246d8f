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

from cowork.live import direct

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
        # Encoded once for every phone written to in place (direct.py); the rest take Engine.IO's queue.
        texts = [frame.encode() for frame in frames]
        in_place = all(isinstance(text, str) for text in texts)
        # Framed once too, for every such phone whose connection does not compress (one write each).
        wire = b"".join(direct.frame(text) for text in texts) if in_place else b""
        sockets = self.server.eio.sockets
        skip = skip_sid if isinstance(skip_sid, list) else [skip_sid]
        for count, (sid, eio_sid) in enumerate(self.get_participants(namespace, to or room), 1):
            if count % YIELD_EVERY == 0:
                await asyncio.sleep(0)
            if sid in skip:
                continue
            ws = direct.writable(sockets.get(eio_sid)) if in_place else None
            if ws is not None:
                transport = ws.transport
                try:
                    if transport is not None:
                        transport.write(wire)
                    else:
                        for text in texts:
                            await direct.write(ws, text)
                except Exception:  # the phone just left: its disconnect is on its way
                    log.debug("not written to %s: the connection is closing", sid)
                continue
            for frame in frames:
                try:
                    await self.server.eio.send_packet(eio_sid, frame)
                except EngineIOError:  # closing: its disconnect is on its way
                    log.debug("not sent to %s: the socket is closing", sid)
                    break


def _as_list(encoded: Any) -> list[Any]:
    return encoded if isinstance(encoded, list) else [encoded]


# While Redis is away the listener tries again after 0.5, 1, 2, 2, … s (the library doubles up to 60 s),
# so a worker hears of its return within about two seconds.
RETRY_FIRST, RETRY_MOST = 0.5, 2.0
RESYNC = "resync"  # tells screens: ask for what you missed since your last seq (`sync`)


class OnePassRedisManager(socketio.AsyncRedisManager, OnePassManager):
    """Through Redis to every worker; each worker's local delivery (the library's `super().emit` in
    `_handle_emit`) resolves to OnePassManager.emit, which sits between the pub/sub and base managers.

    A lost Redis loses the broadcasts of its outage: the other workers' screens never get them, and
    nothing later need show them a gap. So when Redis is back, each worker tells its own screens to catch
    up from the record (its listener reconnected), and a worker whose publishes failed tells every screen.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.publish_failed = False

    async def _publish(self, data: Any) -> Any:
        sent = await super()._publish(data)  # the library logs and drops a publish Redis did not take
        if sent is None:
            if not self.publish_failed:
                log.warning("redis lost: broadcasts to other workers fail; screens catch up when it is back")
            self.publish_failed = True
        elif self.publish_failed:
            self.publish_failed = False
            log.warning("redis back: every screen is asked to catch up")
            await self.emit(RESYNC, {}, namespace="/")  # to every worker's screens, through Redis
        return sent

    async def resync_here(self) -> None:
        """Ask this worker's own screens to catch up (they may have missed other workers' broadcasts)."""
        await OnePassManager.emit(self, RESYNC, {}, "/")

    async def _redis_listen_with_retries(self) -> Any:
        retry, subscribed, lost = RETRY_FIRST, False, False
        while True:
            try:
                if not subscribed:
                    self._redis_connect()
                    await self.pubsub.subscribe(self.channel)
                    subscribed, retry = True, RETRY_FIRST
                    if lost:
                        lost = False
                        log.warning("redis back: this worker's screens are asked to catch up")
                        await self.resync_here()
                async for message in self.pubsub.listen():
                    yield message
                subscribed = False  # the subscription ended without an error: subscribe again
            except Exception as exc:  # whatever the client raises while Redis is away
                if not lost:
                    log.warning(
                        "redis lost: listening again every %s s",
                        RETRY_MOST,
                        extra={"fields": {"error": str(exc)}},
                    )
                lost, subscribed = True, False
                await asyncio.sleep(retry)
                retry = min(retry * 2, RETRY_MOST)
