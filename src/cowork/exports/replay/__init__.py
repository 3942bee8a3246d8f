"""Import: recreate a workshop from its JSON session record by replaying every event.

Each event type has a replay function that rebuilds the rows the event stands for, through the same domain
functions that built them first, and returns the event's data with the new ids; the event is then recorded
again with its original seq, type and time. A record with an event type no replay function knows is refused
whole (422 naming the types), as is one that is not a record, has an unknown schema_version or a gap in seq,
or an event whose data the domain refuses (naming the event's seq): the import is one transaction, so
nothing half-imported is ever left behind.

What stays the same: the sequence of events (seq and type), every text, the time of each event, and what the
report shows. What changes: the ids of every row, the join code and the projector key, and the owner
(whoever imports it). Participants' phone tokens do not travel: they must join again.

The replay functions live by feature: `workshop` (the workshop, participants, stages, privacy), `board`
(cards and their moderation), `votes` (polls, ballots, proposals, commitments), `stakeholders` (the map and
the responsibility matrix), `program` (timer, tables, presentations, evaluation) and `agenda` (the agenda's
design: stages added, edited, moved, removed, archived).
"""

from cowork.exports.replay import agenda, board, program, stakeholders, votes, workshop  # noqa: F401  (each registers its event types)
from cowork.exports.replay.replayer import REPLAYERS, check_record, import_record

__all__ = ["REPLAYERS", "check_record", "import_record"]
