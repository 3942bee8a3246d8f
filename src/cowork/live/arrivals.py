"""Phones whose stage page was just served: their socket, which connects right after, needs no read.

A phone loads its stage page, then opens its socket with the same participant cookie. The page's read has
just found the participant for the token (web/deps.py), so the socket's own look-up of the token
(`viewer_for`, a read on a worker thread) would find the same row again, for every phone of a room that
scans the code at once. The page leaves what the socket needs here, keyed by the token's digest, and the
connect takes it (once) instead of reading, within MAX_AGE seconds.

Never longer than the participant's token opens the workshop: "erase means erased" (docs/privacy.md).
A purge gives every participant of the workshop a new token hash, and its `workshop.purged` event passes
this worker's Hub.publish, which forgets the workshop's arrivals (as it does on any erase); deleting a
workshop forgets them too (the deleting route says so). A scheduled purge (`cowork purge --due`, another
process) only takes workshops without activity for a day or more, and a served page is activity. With
Redis (several workers) other workers' commits do not pass this one, so it is not used (`Hub`).
"""

import time
from collections.abc import Callable

from cowork.domain.access import Viewer
from cowork.domain.accounts import digest

MAX_AGE = 5.0  # seconds from a page to its socket: the page's scripts load first, on venue Wi-Fi
MAX_KEPT = 10_000  # arrivals kept at once; the oldest go first when more arrive


class Arrivals:
    """Used on the event loop only (the page's route, the socket's connect, Hub.publish): no lock."""

    def __init__(self, max_age: float = MAX_AGE, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_age, self.clock = max_age, clock
        self._expected: dict[str, tuple[float, Viewer]] = {}  # insertion order is arrival order

    def expect(self, token: str, viewer: Viewer) -> None:
        """A page was just served to the holder of `token`, who is `viewer`."""
        now = self.clock()
        if len(self._expected) >= MAX_KEPT:
            self._drop_old(now)
        self._expected[digest(token)] = (now, viewer)

    def take(self, token: str, workshop_id: int) -> Viewer | None:
        """The viewer a page left for this token and workshop (once), or None: read it then."""
        if not token.isascii():  # no token cowork makes; the read refuses it with a reason
            return None
        found = self._expected.pop(digest(token), None)
        if found is None or self.clock() - found[0] > self.max_age or found[1].workshop_id != workshop_id:
            return None
        return found[1]

    def forget(self, workshop_id: int) -> None:
        """The workshop's tokens may no longer open it (a purge, an erase, a deletion)."""
        self._expected = {
            key: kept for key, kept in self._expected.items() if kept[1].workshop_id != workshop_id
        }

    def _drop_old(self, now: float) -> None:
        self._expected = {key: kept for key, kept in self._expected.items() if now - kept[0] <= self.max_age}
        while len(self._expected) >= MAX_KEPT:
            del self._expected[next(iter(self._expected))]
