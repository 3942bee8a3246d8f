"""Breakout tables: split the participants, seat them, give out the roles note-taker and presenter, and let
each table write on its own board (seed 000: "each table should select one note-taker and one presenter").
"""

import random
from collections import defaultdict
from typing import Any

from sqlmodel import Session, col, delete, select

from ..settings import LANGUAGES
from . import board
from .actors import Actor
from .board_view import card_data
from .errors import Closed, Conflict, Invalid, NotAllowed, NotFound
from .models import Contribution, Participant, Stage, Workshop
from .program_models import BreakoutTable, PresentationSlot, TableSeat
from .record import Tx
from .workshops import get_workshop, stages_of

METHODS = ("random", "balanced", "self")
ROLES = ("note_taker", "presenter")
ROLE_CHOICES = (*ROLES, "member")
ROLE_MODES = ("choose", "auto")
MAX_TABLES = 50
MAX_TOPIC = 200


# --- reading ----------------------------------------------------------------------------------------------


def active_tables(session: Session, *, workshop_id: int) -> list[BreakoutTable]:
    return list(
        session.exec(
            select(BreakoutTable)
            .where(BreakoutTable.workshop_id == workshop_id, col(BreakoutTable.active).is_(True))
            .order_by(col(BreakoutTable.number))
        )
    )


def member_data(seat: TableSeat, participant: Participant) -> dict[str, Any]:
    return {
        "participant_id": participant.id,
        "name": participant.name,
        "group": participant.group,
        "role": seat.role or "member",
    }


def members_by_table(session: Session, table_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each table's members in the order they sat down."""
    found: dict[int, list[dict[str, Any]]] = {tid: [] for tid in table_ids}
    if not table_ids:
        return found
    rows = session.exec(
        select(TableSeat, Participant)
        .join(Participant, col(Participant.id) == TableSeat.participant_id)
        .where(col(TableSeat.table_id).in_(table_ids))
        .order_by(col(TableSeat.id))
    )
    for seat, participant in rows:
        found[seat.table_id].append(member_data(seat, participant))
    return found


def table_data(table: BreakoutTable, members: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": table.id,
        "number": table.number,
        "topic": table.topic,
        "stage_id": table.stage_id,
        "method": table.method,
        "members": members,
    }


def describe_tables(session: Session, *, workshop_id: int) -> list[dict[str, Any]]:
    tables = active_tables(session, workshop_id=workshop_id)
    members = members_by_table(session, [t.id for t in tables if t.id is not None])
    return [table_data(t, members[t.id]) for t in tables if t.id is not None]


def read_tables(session: Session, *, actor: Actor, workshop_id: int) -> list[dict[str, Any]]:
    workshop = get_workshop(session, workshop_id=workshop_id)
    actor.check_member(workshop)
    return describe_tables(session, workshop_id=workshop_id)


def seat_of(session: Session, *, workshop_id: int, participant_id: int) -> TableSeat | None:
    return session.exec(
        select(TableSeat).where(
            TableSeat.workshop_id == workshop_id, TableSeat.participant_id == participant_id
        )
    ).first()


def table_cards(session: Session, *, table_id: int, include_hidden: bool) -> list[dict[str, Any]]:
    """A table's own board: its cards on every stage, oldest first."""
    return cards_by_table(session, table_ids=[table_id], include_hidden=include_hidden)[table_id]


def cards_by_table(
    session: Session, *, table_ids: list[int], include_hidden: bool, stage_id: int | None = None
) -> dict[int, list[dict[str, Any]]]:
    """The cards of each table's board (of one stage, or of all), oldest first."""
    found: dict[int, list[dict[str, Any]]] = {tid: [] for tid in table_ids}
    if not table_ids:
        return found
    query = (
        select(Contribution, Participant)
        .join(Participant, isouter=True)
        .where(col(Contribution.table_id).in_(table_ids), Contribution.kind == "card")
        .order_by(col(Contribution.id))
    )
    if stage_id is not None:
        query = query.where(Contribution.stage_id == stage_id)
    if not include_hidden:
        query = query.where(col(Contribution.hidden).is_(False), col(Contribution.approved).is_(True))
    for card, author in session.exec(query):
        found[card.table_id].append(card_data(card, author))  # type: ignore[index]
    return found


def loose_cards(session: Session, *, stage_id: int, include_hidden: bool) -> list[dict[str, Any]]:
    """The cards of a group-work stage that belong to no table (written before the split)."""
    query = (
        select(Contribution, Participant)
        .join(Participant, isouter=True)
        .where(
            Contribution.stage_id == stage_id,
            col(Contribution.table_id).is_(None),
            Contribution.kind == "card",
        )
        .order_by(col(Contribution.id))
    )
    if not include_hidden:
        query = query.where(col(Contribution.hidden).is_(False), col(Contribution.approved).is_(True))
    return [card_data(card, author) for card, author in session.exec(query)]


def _get_table(session: Session, table_id: int) -> tuple[BreakoutTable, Workshop]:
    table = session.get(BreakoutTable, table_id)
    if table is None:
        raise NotFound("There is no such table.")
    if not table.active:
        raise Closed("This table was replaced by a new split into tables.")
    return table, get_workshop(session, workshop_id=table.workshop_id)


# --- splitting into tables --------------------------------------------------------------------------------


def _group_stage(session: Session, workshop: Workshop, stage_id: int | None) -> Stage | None:
    """The stage the tables are for: the one given, the current group-work stage, or the next one."""
    if stage_id is not None:
        stage = session.get(Stage, stage_id)
        if stage is None or stage.workshop_id != workshop.id:
            raise Invalid("This stage is not part of the workshop.")
        return stage
    stages = stages_of(session, workshop_id=workshop.id)  # type: ignore[arg-type]
    current = next((s for s in stages if s.id == workshop.current_stage_id), None)
    start = current.position if current else 0
    return next((s for s in stages if s.kind == "group_work" and s.position >= start), None)


def _topics(stage: Stage | None, topics: list[str] | None) -> list[dict[str, str]]:
    """The tables' topics: the facilitator's own, else the stage's topics, else its categories."""
    if topics:
        if len(topics) > MAX_TABLES:
            raise Invalid("At most {limit} topics, please.", limit=MAX_TABLES)
        cleaned = [t.strip() for t in topics if isinstance(t, str)]
        if len(cleaned) != len(topics) or not all(cleaned):
            raise Invalid("Each topic needs a text.")
        if any(len(t) > MAX_TOPIC for t in cleaned):
            raise Invalid("A topic is too long (at most {limit} characters).", limit=MAX_TOPIC)
        return [dict.fromkeys(LANGUAGES, t) for t in cleaned]
    if stage is None:
        return []
    config = stage.config or {}
    entries = config.get("topics") or (
        config.get("categories") if config.get("one_table_per_category") else []
    )
    return [dict(entry["label"]) for entry in entries or [] if isinstance(entry, dict) and "label" in entry]


def _deal(participants: list[Participant], count: int, method: str, rng: random.Random) -> list[list[int]]:
    """Participant ids per table. Balanced deals each stakeholder group round the tables in turn."""
    seats: list[list[int]] = [[] for _ in range(count)]
    if method == "self":
        return seats
    if method == "random":
        order = [p.id for p in participants]
        rng.shuffle(order)
    else:
        groups: dict[str, list[int]] = defaultdict(list)
        for p in participants:
            groups[p.group or ""].append(p.id)  # type: ignore[arg-type]
        for ids in groups.values():
            rng.shuffle(ids)
        # Largest groups first; dealing on where the last group stopped keeps the table sizes even too.
        order = [pid for _, ids in sorted(groups.items(), key=lambda g: (-len(g[1]), g[0])) for pid in ids]
    for i, pid in enumerate(order):
        seats[i % count].append(pid)  # type: ignore[arg-type]
    return seats


def split_into_tables(
    tx: Tx,
    *,
    actor: Actor,
    workshop_id: int,
    count: Any,
    method: str,
    topics: list[str] | None = None,
    stage_id: int | None = None,
    roles: str = "choose",
    rng: random.Random | None = None,
) -> list[dict[str, Any]]:
    """Split the participants into `count` tables (replacing any earlier split); return the new tables."""
    session = tx.session
    workshop = get_workshop(session, workshop_id=workshop_id)
    actor.check_facilitator(workshop)
    if method not in METHODS:
        raise Invalid(
            "Unknown method {method}; use one of: {known}.", method=method, known=", ".join(METHODS)
        )
    if roles not in ROLE_MODES:
        raise Invalid("Unknown way to give out roles {roles}; use choose or auto.", roles=roles)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_TABLES:
        raise Invalid("The number of tables must be between 1 and {limit}.", limit=MAX_TABLES)
    people = list(
        session.exec(
            select(Participant).where(Participant.workshop_id == workshop.id).order_by(col(Participant.id))
        )
    )
    if count > len(people):
        raise Invalid(
            "There are {count} tables but only {participants} participants: every table needs somebody. "
            "Choose at most {participants} tables.",
            count=count,
            participants=len(people),
        )
    stage = _group_stage(session, workshop, stage_id)
    topic_list = _topics(stage, topics)
    dealt = _deal(people, count, method, rng or random.Random())
    layout = [
        (
            topic_list[n % len(topic_list)] if topic_list else None,
            [(pid, ROLES[i] if roles == "auto" and i < len(ROLES) else None) for i, pid in enumerate(ids)],
        )
        for n, ids in enumerate(dealt)
    ]
    seat_tables(
        session,
        workshop_id=workshop.id,  # type: ignore[arg-type]
        stage_id=stage.id if stage else None,
        method=method,
        layout=layout,
    )
    described = describe_tables(session, workshop_id=workshop.id)  # type: ignore[arg-type]
    tx.record(
        workshop.id,  # type: ignore[arg-type]
        "tables.created",
        {
            "stage_id": stage.id if stage else None,
            "method": method,
            "roles": roles,
            "tables": [
                {
                    "id": t["id"],
                    "number": t["number"],
                    "topic": t["topic"],
                    "members": [
                        {"participant_id": m["participant_id"], "role": m["role"]} for m in t["members"]
                    ],
                }
                for t in described
            ],
        },
    )
    return described


def seat_tables(
    session: Session,
    *,
    workshop_id: int,
    stage_id: int | None,
    method: str,
    layout: list[tuple[dict[str, str] | None, list[tuple[int, str | None]]]],
) -> list[BreakoutTable]:
    """New tables, numbered from 1, in place of the earlier ones; `layout` gives each table's topic and its
    members as (participant id, role or None)."""
    retire_tables(session, workshop_id)
    tables = [
        BreakoutTable(workshop_id=workshop_id, stage_id=stage_id, number=n + 1, topic=topic, method=method)
        for n, (topic, _members) in enumerate(layout)
    ]
    session.add_all(tables)
    session.flush()
    for table, (_topic, seats) in zip(tables, layout, strict=True):
        for pid, role in seats:
            session.add(TableSeat(workshop_id=workshop_id, table_id=table.id, participant_id=pid, role=role))  # type: ignore[arg-type]
    session.flush()
    return tables


def retire_tables(session: Session, workshop_id: int) -> None:
    """Earlier tables stay for the cards that point to them, without members or a place in a queue
    (the session record keeps who sat where and who presented)."""
    for table in active_tables(session, workshop_id=workshop_id):
        table.active = False
        session.add(table)
    session.execute(delete(TableSeat).where(col(TableSeat.workshop_id) == workshop_id))
    session.execute(delete(PresentationSlot).where(col(PresentationSlot.workshop_id) == workshop_id))
    session.flush()


# --- sitting down and roles -------------------------------------------------------------------------------


def join_table(tx: Tx, *, actor: Actor, table_id: int, participant_id: int | None = None) -> dict[str, Any]:
    """A participant sits down at a table (self-chosen tables), or a facilitator moves somebody there."""
    session = tx.session
    table, workshop = _get_table(session, table_id)
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
    table, workshop = _get_table(session, table_id)
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


# --- a table's own board ----------------------------------------------------------------------------------


def add_table_card(
    tx: Tx,
    *,
    actor: Actor,
    table_id: int,
    text: str | None,
    category: str | None = None,
    language: str | None = None,
    client_id: str | None = None,
    stage_id: int | None = None,
) -> Contribution:
    """A card on a table's board: a card of the group-work stage that carries its table."""
    if (earlier := tx.receipt(actor.key, client_id)) is not None:
        card = tx.session.get(Contribution, earlier)
        assert card is not None
        return card
    table, workshop = _get_table(tx.session, table_id)
    actor.check_member(workshop)
    if actor.is_participant:
        seat = seat_of(tx.session, workshop_id=workshop.id, participant_id=actor.participant_id)  # type: ignore[arg-type]
        if seat is None or seat.table_id != table.id:
            raise NotAllowed("You can write only on the board of your own table.")
    stage_id = stage_id if stage_id is not None else workshop.current_stage_id
    stage = tx.session.get(Stage, stage_id) if stage_id is not None else None
    if stage is None or stage.workshop_id != workshop.id or stage.kind != "group_work":
        raise Invalid("Table boards take cards on a group-work stage.")
    card = board.add_card(
        tx,
        actor=actor,
        stage_id=stage.id,  # type: ignore[arg-type]
        text=text,
        category=category,
        language=language,
        client_id=client_id,
    )
    card.table_id = table.id
    tx.session.add(card)
    event = tx.events[-1]
    event.data = {**event.data, "table_id": table.id}  # the record says on which table's board it went
    return card


def read_table_cards(session: Session, *, actor: Actor, table_id: int) -> list[dict[str, Any]]:
    table = session.get(BreakoutTable, table_id)
    if table is None:
        raise NotFound("There is no such table.")
    workshop = get_workshop(session, workshop_id=table.workshop_id)
    actor.check_member(workshop)
    return table_cards(session, table_id=table_id, include_hidden=not actor.is_participant)
