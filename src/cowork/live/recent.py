"""The pushes this worker sent lately, per room: catch-up on connect without a query or a render per phone.

A phone's socket connects with the seq its page showed (`since`). When a room scans the QR code at once,
each of those catch-ups used to read the record and render the same few events again, once per phone. The
bodies were already rendered for the room's live push: kept here, one copy per room, they serve every phone
that connects right after its page. Whatever the memory cannot vouch for (a hole, a seq it never saw, an
event before the last restart) goes to the record as before; so does every `sync` (a screen that saw a gap).

The record can change after the fact: erasing a card takes its words out of earlier events. An event that
does so (domain/redaction.py's `disk_wipe`) makes the worker forget the workshop's bodies, and bodies older
than MAX_AGE are never served (a retention purge runs outside the live path, days later).
"""

import time
from typing import Any

Body = dict[str, Any]
KEEP = 256  # bodies per room; a phone further behind than this reads the record
MAX_AGE = 300.0  # seconds since the workshop's last push after which its bodies are not served


class Recent:
    def __init__(self, keep: int = KEEP, max_age: float = MAX_AGE) -> None:
        self.keep, self.max_age = keep, max_age
        self._rooms: dict[int, dict[str, dict[int, Body]]] = {}  # workshop → room → seq → body, oldest first
        self._last: dict[int, tuple[int, float]] = {}  # workshop → (the highest seq published here, when)

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

    def since(self, workshop_id: int, room: str, since: int) -> list[Body] | None:
        """The room's bodies after `since` up to the last published seq, or None when any is not here.

        An event committed but not yet published reaches the socket as a live push: it is in the room."""
        last, at = self._last.get(workshop_id, (None, 0.0))
        if last is None or last - since > self.keep or time.monotonic() - at > self.max_age:
            return None
        bodies = self._rooms.get(workshop_id, {}).get(room, {})
        found = [bodies.get(seq) for seq in range(since + 1, last + 1)]
        return None if None in found else found  # type: ignore[return-value]
