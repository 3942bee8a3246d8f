"""Breakout tables: split the participants into tables, seat them there, and read who sits where.

Sitting down later and the roles note-taker and presenter are in `seats.py` (seed 000: "each table
should select one note-taker and one presenter"); each table's own board is in `table_boards.py`.
"""

import random
from collections import defaultdict
from typing import Any

from sqlmodel import Session, col, delete, select

from cowork.domain.actors import Actor
from cowork.domain.errors import Closed, Invalid, NotFound
from cowork.domain.models import Participant, Stage, Workshop
from cowork.domain.program.models import BreakoutTable, PresentationSlot, TableSeat
from cowork.domain.record import Tx
from cowork.domain.text import N_, one_line
from cowork.domain.workshops import get_workshop, stages_of
from cowork.settings import LANGUAGES

METHODS = ("random", "balanced", "self")
ROLES = ("note_taker", "presenter")
ROLE_MODES = ("choose", "auto")
MAX_TABLES = 50
MAX_TOPIC = 200
TOPIC_TOO_LONG = N_("A topic is too long (at most {limit} characters).")
# Each new table's topic (or None) and its members as (participant id, role or None).
Layout = list[tuple[dict[str, str] | None, list[tuple[int, str | None]]]]


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


def get_table(session: Session, table_id: int) -> tuple[BreakoutTable, Workshop]:
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
        cleaned = [
            one_line(t, field="topics", limit=MAX_TOPIC, too_long=TOPIC_TOO_LONG)
            for t in topics
            if isinstance(t, str)
        ]
        if len(cleaned) != len(topics) or not all(cleaned):
            raise Invalid("Each topic needs a text.")
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
    _check_split(count=count, method=method, roles=roles)
    people = _people_to_seat(session, workshop, count)
    stage = _group_stage(session, workshop, stage_id)
    topic_list = _topics(stage, topics)
    dealt = _deal(people, count, method, rng or random.Random())
    seat_tables(
        session,
        workshop_id=workshop.id,  # type: ignore[arg-type]
        stage_id=stage.id if stage else None,
        method=method,
        layout=_layout(dealt, topic_list, roles),
    )
    described = describe_tables(session, workshop_id=workshop.id)  # type: ignore[arg-type]
    tx.record(
        workshop.id,  # type: ignore[arg-type]
        "tables.created",
        {
            "stage_id": stage.id if stage else None,
            "method": method,
            "roles": roles,
            "tables": _seating_record(described),
        },
    )
    return described


def _check_split(*, count: Any, method: str, roles: str) -> None:
    """The facilitator's choices for a split, checked before anybody is dealt to a table."""
    if method not in METHODS:
        raise Invalid(
            "Unknown method {method}; use one of: {known}.", method=method, known=", ".join(METHODS)
        )
    if roles not in ROLE_MODES:
        raise Invalid("Unknown way to give out roles {roles}; use choose or auto.", roles=roles)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_TABLES:
        raise Invalid("The number of tables must be between 1 and {limit}.", limit=MAX_TABLES)


def _people_to_seat(session: Session, workshop: Workshop, count: int) -> list[Participant]:
    """The workshop's participants in the order they joined; every one of `count` tables needs somebody."""
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
    return people


def _layout(dealt: list[list[int]], topics: list[dict[str, str]], roles: str) -> Layout:
    """Each table's topic (the topics in turn) and members; roles "auto" gives the first seated the roles."""
    return [
        (
            topics[n % len(topics)] if topics else None,
            [(pid, ROLES[i] if roles == "auto" and i < len(ROLES) else None) for i, pid in enumerate(ids)],
        )
        for n, ids in enumerate(dealt)
    ]


def _seating_record(described: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the record keeps of new tables: id, number, topic, and who sits there in which role."""
    return [
        {
            "id": t["id"],
            "number": t["number"],
            "topic": t["topic"],
            "members": [{"participant_id": m["participant_id"], "role": m["role"]} for m in t["members"]],
        }
        for t in described
    ]


def seat_tables(
    session: Session,
    *,
    workshop_id: int,
    stage_id: int | None,
    method: str,
    layout: Layout,
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
