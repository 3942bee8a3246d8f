"""A workshop's pushes coalesced: each room gets at most one frame per `interval`.

Sending a frame costs about the same whatever it carries (a task wake-up and a system call per phone), so
at 20 cards a second to 500 phones, two cards in one frame halve the work of the fan-out. An event
after a quiet spell (nothing sent to the workshop for `interval`) goes out at once; the ones that follow
within `interval` wait for the next frame. A frame carries its events in `seq` order, which also repairs
two commands that committed in one order and came back to the event loop in the other.

Some events only move a count on the screens (someone joined). When a room scans the QR code at once, one
such event every few milliseconds would send every phone a frame per `interval` for nothing but the count:
a *quiet* event waits up to `quiet_interval` for its frame instead, unless another event takes it along
sooner. The frames still carry every seq in order; only the count lags by up to a second.

The window adapts to the pace of a workshop's events: while they come faster than the window (20 cards a
second against 50 ms), it widens by half at each such event, up to `BUSY_FACTOR` times `interval`, so that a
frame carries several cards (one encoding and one send per phone for all of them); an event that comes
after a gap as long as the window narrows it by half again, and one after a quiet spell still goes out at
once. A frame takes along whatever arrived while the one before it was still going out to the phones.
"""

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger("cowork.live")

Body = dict[str, Any]
Send = Callable[[str, list[Body]], Awaitable[None]]
QUIET_INTERVAL = 1.0  # seconds a quiet event (a count on screens) may wait to share a frame
# How wide the window may grow while events come faster than it: 150 ms at the default 50 ms, which keeps
# a card's wait plus a fan-out to 1,000 phones under the 300 ms a phone should take to show it.
BUSY_FACTOR = 3.0


class Outbox:
    def __init__(
        self,
        send: Send,
        interval: float,
        quiet_interval: float = QUIET_INTERVAL,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._send = send  # (room, bodies in seq order)
        self.interval = interval
        self.busy_interval = interval * BUSY_FACTOR
        self.quiet_interval = max(interval, quiet_interval) if interval > 0 else 0.0
        self._clock = clock  # the event loop's, unless a test gives its own
        self._waiting: dict[int, list[tuple[str, Body]]] = {}
        self._last_sent: dict[int, float] = {}
        self._last_put: dict[int, float] = {}  # when the workshop's latest (not quiet) event came
        self._window: dict[int, float] = {}  # each workshop's current window, interval..busy_interval
        self._due: dict[int, tuple[float, asyncio.Task[None]]] = {}  # the planned frame: when, its task
        # A fan-out yields to the loop between slices of phones: frames go out one at a time, so a
        # room's later frame never overtakes an earlier one on some of its phones.
        self._sending = asyncio.Lock()

    async def put(self, workshop_id: int, bodies: list[tuple[str, Body]], *, quiet: bool = False) -> None:
        """Queue one command's (room, body) pairs; send them now if the workshop's rooms are quiet."""
        self._waiting.setdefault(workshop_id, []).extend(bodies)
        interval = self.quiet_interval if quiet else self._widen(workshop_id)
        due = self._last_sent.get(workshop_id, -math.inf) + interval
        planned = self._due.get(workshop_id)
        if planned is not None:
            if planned[0] <= due:
                return  # they go with the frame already planned
            planned[1].cancel()  # a quiet frame planned later: this event takes it along sooner
            del self._due[workshop_id]
        if self._now() >= due:
            await self._flush(workshop_id)
        else:
            task = asyncio.get_running_loop().create_task(self._flush_at(workshop_id, due))
            self._due[workshop_id] = (due, task)

    def window(self, workshop_id: int) -> float:
        """How long after a frame the workshop's next one may go out (its events' pace widens it)."""
        return self._window.get(workshop_id, self.interval)

    def _widen(self, workshop_id: int) -> float:
        """Widen the window by half when this event came within it after the one before, else narrow it."""
        now, window = self._now(), self.window(workshop_id)
        gap = now - self._last_put.get(workshop_id, -math.inf)
        self._last_put[workshop_id] = now
        busy = gap < window
        window = min(self.busy_interval, window * 1.5) if busy else max(self.interval, window / 2)
        self._window[workshop_id] = window
        return window

    def _now(self) -> float:
        return self._clock() if self._clock else asyncio.get_running_loop().time()

    async def _flush_at(self, workshop_id: int, due: float) -> None:
        # Cancelled only while sleeping, by put(), which then plans the frame anew.
        await asyncio.sleep(due - self._now())
        del self._due[workshop_id]
        try:
            await self._flush(workshop_id)
        except Exception:  # nobody awaits this task: say so, screens catch up from the record
            log.exception("live: sending a coalesced frame failed")

    async def _flush(self, workshop_id: int) -> None:
        async with self._sending:
            # Taken only now: what came while the frame before was going out to the phones rides along.
            self._last_sent[workshop_id] = self._now()
            frames: dict[str, list[Body]] = {}
            for room, body in self._waiting.pop(workshop_id, []):
                frames.setdefault(room, []).append(body)
            for room, frame in frames.items():
                frame.sort(key=lambda body: body["seq"])
                await self._send(room, frame)
