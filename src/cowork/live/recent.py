"""The pushes this worker sent lately, per room: catch-up on connect without a query or a render per phone.

A phone's socket connects with the seq its page showed (`since`). When a room scans the QR code at once,
each of those catch-ups used to read the record and render the same few events again, once per phone. The
bodies were already rendered for the room's live push: kept here, one copy per room, they serve every phone
that connects right after its page. Whatever the memory cannot vouch for (a hole, a seq it never saw, an
event before the last restart) goes to the record, one read per room at a time (live/catchup.py), and what
that read brings back fills the memory (`fill`): the phones after it are served from here, after a restart
or with pages older than anything this worker pushed. Every `sync` (a screen that saw a gap) reads the record.

The record can change after the fact: erasing a card takes its words out of earlier events. An event that
does so (domain/redaction.py's `disk_wipe`) makes the worker forget the workshop's bodies, and bodies older
than MAX_AGE are never served (a retention purge runs outside the live path, days later). A read that was
under way when words were erased brings back the words as they were when it began: it fills nothing.
"""

import time
from typing import Any

Body = dict[str, Any]
KEEP = 500  # bodies per room: as many as one catch-up sends (hub.CATCH_UP_LIMIT); further behind, the record
MAX_AGE = 300.0  # seconds since the workshop's last push (or read) after which its bodies are not served


class Recent:
    def __init__(self, keep: int = KEEP, max_age: float = MAX_AGE) -> None:
        self.keep, self.max_age = keep, max_age
        self._rooms: dict[int, dict[str, dict[int, Body]]] = {}  # workshop → room → seq → body, oldest first
        self._last: dict[int, tuple[int, float]] = {}  # workshop → (the highest seq published here, when)
        # Counts every `forget` in any workshop, and never goes back (a per-workshop count would go when
        # the workshop leaves memory): a read began before an erase when the count moved while it ran.
        self.erasures = 0

    def published(self, workshop_id: int, seq: int) -> None:
        now = time.monotonic()
        last = self._last.get(workshop_id, (0, 0.0))[0]
        self._last[workshop_id] = (max(seq, last), now)
        self._let_go(now)

    def _let_go(self, now: float) -> None:
        """Workshops quiet for longer than MAX_AGE are never served again: their bodies leave memory, so a
        server that runs for months holds only the workshops that are live."""
        for workshop_id in [w for w, (_, at) in self._last.items() if now - at > self.max_age]:
            del self._last[workshop_id]
            self._rooms.pop(workshop_id, None)

    def __len__(self) -> int:
        """How many workshops' bodies are held."""
        return len(self._rooms)

    def pushed(self, workshop_id: int, room: str, body: Body) -> None:
        bodies = self._rooms.setdefault(workshop_id, {}).setdefault(room, {})
        bodies[body["seq"]] = body
        if len(bodies) > self.keep:
            del bodies[next(iter(bodies))]

    def forget(self, workshop_id: int) -> None:
        """The record changed after the fact (words erased): what was pushed before is not served again."""
        self._rooms.pop(workshop_id, None)
        self.erasures += 1

    def fill(self, workshop_id: int, room: str, bodies: list[Body], last: int, erasures: int) -> bool:
        """Keep what a read of the record brought back: every body after some seq up to `last`, the record's
        last seq when it was read. Not when words were erased since the read began (`erasures` then)."""
        if erasures != self.erasures:
            return False
        now = time.monotonic()
        published = self._last.get(workshop_id, (0, 0.0))[0]
        self._last[workshop_id] = (max(published, last), now)
        kept = self._rooms.setdefault(workshop_id, {}).setdefault(room, {})
        merged = sorted({**{body["seq"]: body for body in bodies}, **kept}.items())
        self._rooms[workshop_id][room] = dict(merged[-self.keep :])
        self._let_go(now)
        return True

    def since(self, workshop_id: int, room: str, since: int) -> list[Body] | None:
        """The room's bodies after `since` up to the last published seq, or None when any is not here.

        An event committed but not yet published reaches the socket as a live push: it is in the room."""
        last, at = self._last.get(workshop_id, (None, 0.0))
        if last is None or last - since > self.keep or time.monotonic() - at > self.max_age:
            return None
        bodies = self._rooms.get(workshop_id, {}).get(room, {})
        found = [bodies.get(seq) for seq in range(since + 1, last + 1)]
        return None if None in found else found  # type: ignore[return-value]
