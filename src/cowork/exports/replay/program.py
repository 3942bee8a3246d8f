"""Replaying the programme: the shared timer, breakout tables with their seats and roles, the plenary
presentations, and the evaluation questionnaire's answers."""

from collections import defaultdict
from typing import Any

from sqlmodel import select

from cowork.domain.errors import Closed, Invalid, NotAllowed
from cowork.domain.models import Participant
from cowork.domain.program import agenda, evaluation, presentations
from cowork.domain.program import seats as table_seats
from cowork.domain.program import tables as breakout
from cowork.domain.program.models import BreakoutTable, PresentationSlot, Timer
from cowork.exports.replay.replayer import Replay, moment, replays

TIMER_STATES = ("idle", "running", "paused")


@replays(*agenda.EVENT_OF.values())
def timer_changed(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    """The timer as the event describes it (agenda.describe_timer's data, read back)."""
    state, duration, remaining = data.get("state"), data.get("duration"), data.get("remaining")
    if (
        state not in TIMER_STATES
        or isinstance(duration, bool)
        or not isinstance(duration, int)
        or duration < 1
    ):
        raise Invalid("Event {seq} has a timer without a state or a duration.", seq=replay.seq)
    timer = agenda.timer_of(replay.session, replay.workshop_id) or Timer(
        workshop_id=replay.workshop_id, duration=duration
    )
    timer.stage_id = replay.new_id("stage", data.get("stage_id"))
    timer.state, timer.duration = state, duration
    timer.ends_at = moment(data.get("ends_at"), replay.seq)
    timer.remaining = None if remaining is None else float(remaining)
    timer.subject = replay.remap(data.get("subject") or {})
    timer.updated_at = replay.now
    replay.session.add(timer)
    return replay.remap(data)


# --- breakout tables --------------------------------------------------------------------------------------


@replays("tables.created")
def tables_created(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    """A split into tables, seated as the record says (the dealing was random; its outcome is recorded)."""
    stage_id = replay.stage(data["stage_id"]).id if data.get("stage_id") is not None else None
    method = data.get("method")
    if method not in breakout.METHODS:
        raise Invalid(
            "Unknown method {method}; use one of: {known}.", method=method, known=", ".join(breakout.METHODS)
        )
    tables = data["tables"]
    if not 1 <= len(tables) <= breakout.MAX_TABLES:
        raise Invalid("The number of tables must be between 1 and {limit}.", limit=breakout.MAX_TABLES)
    layout = [
        (
            table.get("topic"),
            [(_participant(replay, m["participant_id"]), _role(m["role"])) for m in table["members"]],
        )
        for table in tables
    ]
    made = breakout.seat_tables(
        replay.session, workshop_id=replay.workshop_id, stage_id=stage_id, method=method, layout=layout
    )
    for table, row in zip(tables, made, strict=True):
        replay.made("table", table.get("id"), row.id)
    return replay.remap(data)


def _participant(replay: Replay, old: Any) -> int:
    participant = replay.get(Participant, "participant", old)
    assert participant.id is not None
    return participant.id


def _role(role: Any) -> str | None:
    """A seat's role (None for a plain member)."""
    if role not in table_seats.ROLE_CHOICES:
        raise Invalid("Unknown role {role}; use note_taker, presenter or member.", role=role)
    return None if role == "member" else role


def _active_table(replay: Replay, old: Any) -> BreakoutTable:
    table = replay.get(BreakoutTable, "table", old)
    if not table.active:
        raise Closed("This table was replaced by a new split into tables.")
    return table


@replays("table.joined")
def table_joined(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    table = _active_table(replay, data.get("table_id"))
    participant = replay.get(Participant, "participant", data["member"]["participant_id"])
    seat = breakout.seat_of(replay.session, workshop_id=replay.workshop_id, participant_id=participant.id)  # type: ignore[arg-type]
    table_seats.sit_down(replay.session, table, participant, seat)
    return replay.remap(data)


@replays("table.role_changed", "tables.roles_rotated")
def roles_changed(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    """New roles at tables, given out the way table_seats.assign_roles gives them."""
    wanted: dict[int, dict[int, str | None]] = defaultdict(dict)
    for change in data["changes"]:
        table = _active_table(replay, change.get("table_id"))
        wanted[table.id][_participant(replay, change.get("participant_id"))] = _role(change.get("role"))  # type: ignore[index]
    for table_id, roles in wanted.items():
        seats = table_seats.seats_at(replay.session, table_id)
        if set(roles) - {seat.participant_id for seat in seats}:
            raise NotAllowed("Only members of this table can have a role at it.")
        table_seats.assign_roles(replay.session, seats, roles)
    return replay.remap(data)


# --- presentations ----------------------------------------------------------------------------------------


@replays("presentations.queued")
def presentations_queued(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    stage = replay.stage(data.get("stage_id"), "presentations")
    table_ids = [_active_table(replay, old).id for old in data["table_ids"]]
    presentations.queue_tables(replay.session, stage, table_ids)  # type: ignore[arg-type]
    return replay.remap(data)


@replays("presentation.started", "presentation.finished")
def presentation_moved_on(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    """A table's turn in the queue: a waiting table starts presenting, the presenting one is done."""
    stage = replay.stage(data.get("stage_id"), "presentations")
    table = replay.get(BreakoutTable, "table", data.get("table_id"))
    slot = replay.session.exec(
        select(PresentationSlot).where(
            PresentationSlot.stage_id == stage.id, PresentationSlot.table_id == table.id
        )
    ).first()
    started = replay.event_type == "presentation.started"
    if slot is None or slot.status != ("waiting" if started else "presenting"):
        raise Invalid("Event {seq} does not fit the presentation queue of its stage.", seq=replay.seq)
    if started:
        slot.status, slot.started_at = "presenting", replay.now
    else:
        slot.status, slot.finished_at = "done", replay.now
    replay.session.add(slot)
    return replay.remap(data)


# --- evaluation -------------------------------------------------------------------------------------------


@replays("evaluation.answered")
def evaluation_answered(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    stage = replay.stage(data.get("stage_id"), "evaluation")
    participant_id = _participant(replay, data.get("participant_id"))
    evaluation.put_response(replay.session, stage, participant_id=participant_id, answers=data.get("answers"))
    return replay.remap(data)
