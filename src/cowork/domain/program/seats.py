"""Seats at breakout tables: sitting down or being moved there, and the roles note-taker and presenter."""

from typing import Any

from sqlmodel import Session, col, select

from cowork.domain.actors import Actor
from cowork.domain.errors import Closed, Conflict, Invalid, NotAllowed, NotFound
from cowork.domain.models import Participant
from cowork.domain.program.models import BreakoutTable, TableSeat
from cowork.domain.program.tables import (
    ROLES,
    active_tables,
    describe_tables,
    get_table,
    member_data,
    members_by_table,
    seat_of,
    table_data,
)
from cowork.domain.record import Tx
from cowork.domain.workshops import get_workshop

ROLE_CHOICES = (*ROLES, "member")


def join_table(tx: Tx, *, actor: Actor, table_id: int, participant_id: int | None = None) -> dict[str, Any]:
    """A participant sits down at a table (self-chosen tables), or a facilitator moves somebody there."""
    session = tx.session
    table, workshop = get_table(session, table_id)
    actor.check_member(workshop)
    if actor.is_participant:
        participant_id = actor.participant_id
    elif participant_id is None:
        raise Invalid("Say who sits down: participant_id is missing.")
    participant = session.get(Participant, participant_id)
    if participant is None or participant.workshop_id != workshop.id:
        raise NotFound("There is no such participant in this workshop.")
    seat = seat_of(session, workshop_id=workshop.id, participant_id=participant.id)  # type: ignore[arg-type]
    if seat is not None and seat.table_id == table.id:
        return _one_table(session, table)
    if actor.is_participant and seat is not None and table.method != "self":
        raise NotAllowed("The facilitator has given you a table; please ask them if you want to move.")
    from_table = seat.table_id if seat else None
    seat = sit_down(session, table, participant, seat)
    tx.record(
        workshop.id,  # type: ignore[arg-type]
        "table.joined",
        {"table_id": table.id, "from_table_id": from_table, "member": member_data(seat, participant)},
    )
    return _one_table(session, table)


def sit_down(
    session: Session, table: BreakoutTable, participant: Participant, seat: TableSeat | None
) -> TableSeat:
    """The participant's new seat at the table, in place of their seat elsewhere (if any)."""
    if seat is not None:
        session.delete(seat)
        session.flush()
    seat = TableSeat(workshop_id=table.workshop_id, table_id=table.id, participant_id=participant.id)  # type: ignore[arg-type]
    session.add(seat)
    session.flush()
    return seat


def _one_table(session: Session, table: BreakoutTable) -> dict[str, Any]:
    assert table.id is not None
    return table_data(table, members_by_table(session, [table.id])[table.id])


def set_role(
    tx: Tx, *, actor: Actor, table_id: int, role: str, participant_id: int | None = None
) -> dict[str, Any]:
    """Take a free role at one's table (participant), or give a role to a member (facilitator).

    One person holds one role; a facilitator's choice takes the role from whoever had it.
    """
    session = tx.session
    table, workshop = get_table(session, table_id)
    actor.check_member(workshop)
    if role not in ROLE_CHOICES:
        raise Invalid("Unknown role {role}; use note_taker, presenter or member.", role=role)
    if actor.is_participant:
        participant_id = actor.participant_id
    elif participant_id is None:
        raise Invalid("Say who gets the role: participant_id is missing.")
    seats = seats_at(session, table.id)  # type: ignore[arg-type]
    mine = next((s for s in seats if s.participant_id == participant_id), None)
    if mine is None:
        raise NotAllowed("Only members of this table can have a role at it.")
    wanted = None if role == "member" else role
    holder = next((s for s in seats if wanted and s.role == wanted and s is not mine), None)
    if holder is not None and actor.is_participant:
        if wanted == "note_taker":
            raise Conflict("This table already has a note-taker.")
        raise Conflict("This table already has a presenter.")
    new_roles = {mine.participant_id: wanted}
    if holder is not None:
        new_roles[holder.participant_id] = None
    changes = assign_roles(session, seats, new_roles)
    if changes:
        tx.record(workshop.id, "table.role_changed", {"table_id": table.id, "changes": changes})  # type: ignore[arg-type]
    return _one_table(session, table)


def seats_at(session: Session, table_id: int) -> list[TableSeat]:
    return list(
        session.exec(select(TableSeat).where(TableSeat.table_id == table_id).order_by(col(TableSeat.id)))
    )


def assign_roles(
    session: Session, seats: list[TableSeat], new_roles: dict[int, str | None]
) -> list[dict[str, Any]]:
    """Apply role changes in two steps, so the one-holder-per-role constraint holds after each flush."""
    changed = [s for s in seats if s.participant_id in new_roles and s.role != new_roles[s.participant_id]]
    for seat in changed:
        seat.role = None
        session.add(seat)
    session.flush()
    for seat in changed:
        seat.role = new_roles[seat.participant_id]
        session.add(seat)
    session.flush()
    return [
        {"table_id": s.table_id, "participant_id": s.participant_id, "role": s.role or "member"}
        for s in changed
    ]


def _next_holder(count: int, current: int | None, taken: set[int]) -> int | None:
    start = 0 if current is None else (current + 1) % count
    return next(((start + k) % count for k in range(count) if (start + k) % count not in taken), None)


def rotate_roles(tx: Tx, *, actor: Actor, workshop_id: int) -> list[dict[str, Any]]:
    """Pass each table's roles on to the next members (the first two get them if nobody has one yet)."""
    session = tx.session
    workshop = get_workshop(session, workshop_id=workshop_id)
    actor.check_facilitator(workshop)
    tables = active_tables(session, workshop_id=workshop_id)
    if not tables:
        raise Closed("There are no tables yet.")
    changes: list[dict[str, Any]] = []
    for table in tables:
        seats = seats_at(session, table.id)  # type: ignore[arg-type]
        if not seats:
            continue
        index = {role: next((i for i, s in enumerate(seats) if s.role == role), None) for role in ROLES}
        presenter = _next_holder(len(seats), index["presenter"], set())
        taken = {presenter} if presenter is not None else set()
        note_taker = _next_holder(len(seats), index["note_taker"], taken)
        wanted: dict[int, str | None] = {s.participant_id: None for s in seats}
        if presenter is not None:
            wanted[seats[presenter].participant_id] = "presenter"
        if note_taker is not None:
            wanted[seats[note_taker].participant_id] = "note_taker"
        changes.extend(assign_roles(session, seats, wanted))
    tx.record(workshop_id, "tables.roles_rotated", {"changes": changes})
    return describe_tables(session, workshop_id=workshop_id)
