"""Plenary presentations: the tables present one after the other, each with its board and its own timer
(seed 000: "present your project in 5 minutes"; seed 004: plenary presentations of the working groups)."""

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, delete, select

from cowork.domain.actors import Actor
from cowork.domain.errors import Closed, Invalid, NotFound
from cowork.domain.models import Stage, Workshop, utcnow
from cowork.domain.program import agenda
from cowork.domain.program.models import BreakoutTable, PresentationSlot
from cowork.domain.program.table_boards import table_cards
from cowork.domain.program.tables import active_tables, members_by_table
from cowork.domain.record import Tx
from cowork.domain.workshops import get_workshop

DEFAULT_MINUTES = 5


def minutes_per_presentation(stage: Stage) -> int:
    value = (stage.config or {}).get("minutes_per_presentation")
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else DEFAULT_MINUTES


def _presentations_stage(session: Session, stage_id: int) -> tuple[Stage, Workshop]:
    stage = session.get(Stage, stage_id)
    if stage is None:
        raise NotFound("There is no such stage.")
    if stage.kind != "presentations":
        raise Invalid("This stage has no presentations.")
    return stage, get_workshop(session, workshop_id=stage.workshop_id)


def _slots(session: Session, stage_id: int) -> list[PresentationSlot]:
    return list(
        session.exec(
            select(PresentationSlot)
            .where(PresentationSlot.stage_id == stage_id)
            .order_by(col(PresentationSlot.position))
        )
    )


def _queue(tx: Tx, stage: Stage, workshop: Workshop) -> list[PresentationSlot]:
    """The stage's queue; made from the active tables in their order the first time, or after a new split."""
    session = tx.session
    tables = active_tables(session, workshop_id=workshop.id)  # type: ignore[arg-type]
    if not tables:
        raise Closed("There are no tables to present yet; please split the participants into tables first.")
    slots = _slots(session, stage.id)  # type: ignore[arg-type]
    if {s.table_id for s in slots} == {t.id for t in tables}:
        return slots
    slots = queue_tables(session, stage, [t.id for t in tables])  # type: ignore[misc]
    tx.record(
        workshop.id,  # type: ignore[arg-type]
        "presentations.queued",
        {"stage_id": stage.id, "table_ids": [s.table_id for s in slots]},
    )
    return slots


def queue_tables(session: Session, stage: Stage, table_ids: list[int]) -> list[PresentationSlot]:
    """The stage's queue anew: the tables in this order, none presented yet."""
    session.execute(delete(PresentationSlot).where(col(PresentationSlot.stage_id) == stage.id))
    slots = [
        PresentationSlot(workshop_id=stage.workshop_id, stage_id=stage.id, table_id=table_id, position=i)  # type: ignore[arg-type]
        for i, table_id in enumerate(table_ids)
    ]
    session.add_all(slots)
    session.flush()
    return slots


def next_presentation(tx: Tx, *, actor: Actor, stage_id: int, clock: agenda.Clock = utcnow) -> dict[str, Any]:
    """Finish the table that presents (if any) and start the next one in the queue, with its timer."""
    session = tx.session
    stage, workshop = _presentations_stage(session, stage_id)
    actor.check_facilitator(workshop)
    now = clock()
    slots = _queue(tx, stage, workshop)
    current = next((s for s in slots if s.status == "presenting"), None)
    following = next((s for s in slots if s.status == "waiting"), None)
    if current is None and following is None:
        raise Closed("Every table has presented.")
    numbers, topics = _numbers(session, slots)
    if current is not None:
        _finish(
            tx, stage, workshop, current, number=numbers[current.table_id], last=following is None, now=now
        )
    if following is None:
        agenda.stop_timer(tx, workshop=workshop, now=now)
    else:
        table = following.table_id
        _start(
            tx, stage, workshop, following, number=numbers[table], topic=topics[table], of=len(slots), now=now
        )
    session.flush()
    return describe_presentations(session, stage=stage, include_hidden=True)


def _finish(
    tx: Tx,
    stage: Stage,
    workshop: Workshop,
    slot: PresentationSlot,
    *,
    number: int,
    last: bool,
    now: datetime,
) -> None:
    """The presenting table is done."""
    slot.status, slot.finished_at = "done", now
    tx.session.add(slot)
    tx.record(
        workshop.id,  # type: ignore[arg-type]
        "presentation.finished",
        {"stage_id": stage.id, "table_id": slot.table_id, "number": number, "last": last},
    )


def _start(
    tx: Tx,
    stage: Stage,
    workshop: Workshop,
    slot: PresentationSlot,
    *,
    number: int,
    topic: Any,
    of: int,
    now: datetime,
) -> None:
    """The next table presents, with the stage's minutes on the shared timer if the stage is on."""
    slot.status, slot.started_at = "presenting", now
    tx.session.add(slot)
    seconds = minutes_per_presentation(stage) * 60
    tx.record(
        workshop.id,  # type: ignore[arg-type]
        "presentation.started",
        {
            "stage_id": stage.id,
            "table_id": slot.table_id,
            "number": number,
            "topic": topic,
            "position": slot.position + 1,
            "of": of,
            "seconds": seconds,
        },
    )
    if workshop.current_stage_id == stage.id:
        agenda.start_timer(
            tx,
            workshop=workshop,
            seconds=seconds,
            now=now,
            subject={"table_id": slot.table_id, "table_number": number},
        )


def _numbers(session: Session, slots: list[PresentationSlot]) -> tuple[dict[int, int], dict[int, Any]]:
    """Each queued table's number and topic."""
    ids = [s.table_id for s in slots]
    tables = list(session.exec(select(BreakoutTable).where(col(BreakoutTable.id).in_(ids)))) if ids else []
    return {t.id: t.number for t in tables}, {t.id: t.topic for t in tables}  # type: ignore[misc]


def describe_presentations(session: Session, *, stage: Stage, include_hidden: bool) -> dict[str, Any]:
    """The queue with each table's state, and the presenting table with its members and board."""
    assert stage.id is not None
    slots = _slots(session, stage.id)
    tables = {t.id: t for t in active_tables(session, workshop_id=stage.workshop_id)}
    if not slots or {s.table_id for s in slots} != set(tables):
        # Not started yet (or split anew since): the queue as it will be made.
        slots = [
            PresentationSlot(workshop_id=stage.workshop_id, stage_id=stage.id, table_id=tid, position=i)  # type: ignore[arg-type]
            for i, tid in enumerate(tables)
        ]
    members = members_by_table(session, list(tables))
    queue = []
    for slot in slots:
        table = tables[slot.table_id]
        queue.append(
            {
                "table_id": table.id,
                "number": table.number,
                "topic": table.topic,
                "position": slot.position + 1,
                "status": slot.status,
                "presenter": next((m for m in members[slot.table_id] if m["role"] == "presenter"), None),
            }
        )
    current = next((q for q in queue if q["status"] == "presenting"), None)
    if current is not None:
        group_stage = (
            session.get(Stage, tables[current["table_id"]].stage_id)
            if tables[current["table_id"]].stage_id
            else None
        )
        current = {
            **current,
            "members": members[current["table_id"]],
            "cards": table_cards(session, table_id=current["table_id"], include_hidden=include_hidden),
            # The columns of the group-work stage the table wrote on.
            "categories": (group_stage.config or {}).get("categories", []) if group_stage else [],
        }
    return {
        "stage_id": stage.id,
        "minutes_per_presentation": minutes_per_presentation(stage),
        "queue": queue,
        "current": current,
        "next": next((q for q in queue if q["status"] == "waiting"), None),
        "finished": bool(queue) and all(q["status"] == "done" for q in queue),
    }


def read_presentations(session: Session, *, actor: Actor, stage_id: int) -> dict[str, Any]:
    stage, workshop = _presentations_stage(session, stage_id)
    actor.check_member(workshop)
    return describe_presentations(session, stage=stage, include_hidden=not actor.is_participant)
