"""A breakout table's own board: its cards, written by the table's members on a group-work stage."""

from typing import Any

from sqlmodel import Session, col, select

from cowork.domain.actors import Actor
from cowork.domain.board import cards as board
from cowork.domain.board.view import card_data
from cowork.domain.errors import Invalid, NotAllowed, NotFound
from cowork.domain.models import Contribution, Participant, Stage
from cowork.domain.program.models import BreakoutTable
from cowork.domain.program.tables import get_table, seat_of
from cowork.domain.record import Tx
from cowork.domain.workshops import get_workshop


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
    table, workshop = get_table(tx.session, table_id)
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
