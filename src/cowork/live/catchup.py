"""Catch-up of public screens on connect: one record read and one render per room at a time, shared.

A phone whose page is older than what this worker pushed lately (an old page asks `since: 0`), and every
phone after a restart (the memory is empty), used to read the record and render each event for itself: a
room of 300 phones read and rendered the same few hundred events 300 times. Now the first such phone of a
room starts a read; the phones that connect while it runs wait for the next one, which starts when it ends
(single flight). Each read fills the worker's memory of pushed bodies (live/recent.py), so the phones that
wait for the next read are usually served from memory without it, and so are the phones after them. The
bodies go to all the sockets that need the same ones in one frame, encoded once.

Why this loses no event: a socket joins its room before it asks, and a read serves only the sockets that
asked before it began. An event committed before the read began is in it; one committed after reaches the
socket as a live push. The client drops what it already has (by seq), so an event that comes both ways is
applied once. Bodies read before an erase are sent to the sockets that asked for them (as a live push was)
but never kept (`Recent.fill`). With Redis (several workers) there is no memory, only the shared read.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from cowork.db import store_fault
from cowork.live.recent import Recent

log = logging.getLogger("cowork.live")
Body = dict[str, Any]
Waiter = tuple[str, int]  # a socket and the seq its page shows


@dataclass(frozen=True)
class Room:
    """A public room: the workshop, the room's name and the language its pushes are rendered in."""

    workshop_id: int
    name: str
    language: str


@dataclass(frozen=True)
class Read:
    """What one read of the record brought back for a room: the bodies after `since`, rendered; `last`, the
    highest seq it vouches for; `whole` when nothing was cut off by the catch-up limit."""

    bodies: list[Body]
    last: int
    whole: bool


class CatchUp:
    def __init__(
        self,
        read: Callable[[Room, int], Awaitable[Read]],
        send: Callable[[list[str], list[Body]], Awaitable[None]],
        resync: Callable[[list[str]], Awaitable[None]],
        recent: Recent | None,
    ) -> None:
        self.read, self.send, self.resync, self.recent = read, send, resync, recent
        self._waiting: dict[Room, list[Waiter]] = {}  # the sockets that wait for a room's next read
        self._flights: dict[Room, asyncio.Task[None]] = {}

    async def ask(self, room: Room, sid: str, since: int) -> None:
        """Send this socket, which is in the room already, the room's bodies after `since`."""
        if not await self._from_memory(room, [(sid, since)]):
            return
        self._waiting.setdefault(room, []).append((sid, since))
        if room not in self._flights:
            self._flights[room] = asyncio.create_task(self._fly(room))

    async def _fly(self, room: Room) -> None:
        """Reads one after another while sockets wait; each serves the sockets that asked before it began."""
        try:
            while waiters := self._waiting.pop(room, None):
                try:
                    await self._serve(room, waiters)
                except Exception:  # the next waiters still get their read; these ask again (`sync`)
                    log.exception("catch-up failed")
                    await self.resync([sid for sid, _ in waiters])
        finally:
            del self._flights[room]

    async def _serve(self, room: Room, waiters: list[Waiter]) -> None:
        left = await self._from_memory(room, waiters)  # what the last read kept may cover them
        if not left:
            return
        since = min(seq for _, seq in left)
        erasures = self.recent.erasures if self.recent is not None else 0
        try:
            read = await self.read(room, since)
        except Exception as exc:
            if store_fault(exc) is None:
                raise
            # No later push need show these screens a gap: tell them to ask (`sync` asks until answered).
            await self.resync([sid for sid, _ in left])
            return
        if self.recent is not None and read.whole:
            self.recent.fill(room.workshop_id, room.name, read.bodies, read.last, erasures)
        for seq, sids in _by_since(left).items():
            await self.send(sids, [body for body in read.bodies if body["seq"] > seq])

    async def _from_memory(self, room: Room, waiters: list[Waiter]) -> list[Waiter]:
        """Serve the waiters the memory covers (those with the same seq in one frame); the others."""
        if self.recent is None:
            return waiters
        left: list[Waiter] = []
        for seq, sids in _by_since(waiters).items():
            bodies = self.recent.since(room.workshop_id, room.name, seq)
            if bodies is None:
                left += [(sid, seq) for sid in sids]
            else:
                await self.send(sids, bodies)
        return left


def _by_since(waiters: list[Waiter]) -> dict[int, list[str]]:
    grouped: dict[int, list[str]] = {}
    for sid, since in waiters:
        grouped.setdefault(since, []).append(sid)
    return grouped
