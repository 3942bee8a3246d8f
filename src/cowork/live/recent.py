"""The pushes this worker sent lately, per room: catch-up on connect without a query or a render per phone.

A phone's socket connects with the seq its page showed (`since`). When a room scans the QR code at once,
each of those catch-ups used to read the record and render the same few events again, once per phone. The
bodies were already rendered for the room's live push: kept here, one copy per room, they serve every phone
that connects right after its page. Whatever the memory cannot vouch for (a hole, a seq it never saw, an
event before the last restart) goes to the record as before; so does every `sync` (a screen that saw a gap).
"""

from typing import Any

Body = dict[str, Any]
KEEP = 256  # bodies per room; a phone further behind than this reads the record


class Recent:
    def __init__(self, keep: int = KEEP) -> None:
        self.keep = keep
        self._rooms: dict[str, dict[int, Body]] = {}  # seq → body, oldest first
        self._last: dict[int, int] = {}  # workshop → the highest seq this worker published

    def published(self, workshop_id: int, seq: int) -> None:
        self._last[workshop_id] = max(seq, self._last.get(workshop_id, 0))

    def pushed(self, room: str, body: Body) -> None:
        bodies = self._rooms.setdefault(room, {})
        bodies[body["seq"]] = body
        if len(bodies) > self.keep:
            del bodies[next(iter(bodies))]

    def since(self, workshop_id: int, room: str, since: int) -> list[Body] | None:
        """The room's bodies after `since` up to the last published seq, or None when any is not here.

        An event committed but not yet published reaches the socket as a live push: it is in the room."""
        last = self._last.get(workshop_id)
        if last is None or last - since > self.keep:
            return None
        bodies = self._rooms.get(room, {})
        found = [bodies.get(seq) for seq in range(since + 1, last + 1)]
        return None if None in found else found  # type: ignore[return-value]
