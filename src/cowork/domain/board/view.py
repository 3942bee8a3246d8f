"""What screens, the API and the record see of a board: a card, a cluster with its cards, a stage's list."""

from collections.abc import Iterable
from typing import Any

from sqlmodel import Session, col, select

from cowork.domain.actors import Actor
from cowork.domain.board.opening import window_of
from cowork.domain.errors import NotFound
from cowork.domain.models import Contribution, Participant, Stage
from cowork.domain.workshops import stage_for


def author_of(session: Session, card: Contribution) -> Participant | None:
    return session.get(Participant, card.participant_id) if card.participant_id else None


def _label(options: list[dict[str, Any]] | None, key: str | None) -> dict[str, str] | None:
    return next((o["label"] for o in options or [] if o["key"] == key), None) if key else None


def card_data(card: Contribution, author: Participant | None, stage: Stage | None = None) -> dict[str, Any]:
    """A card as the record, the API and templates see it (with its stage: its kind and phase labels)."""
    config = stage.config if stage is not None else {}
    return {
        "table_id": card.table_id,
        "id": card.id,
        "seq": card.seq,
        "stage_id": card.stage_id,
        "text": card.text,
        "category": card.category,
        "language": card.language,
        "hidden": card.hidden,
        "participant_id": card.participant_id,
        "author": None if author is None else {"name": author.name, "group": author.group},
        "by_facilitator": card.author_user_id is not None,
        "kind": card.kind,
        "cluster_id": card.cluster_id,
        "card_kind": card.card_kind,
        "card_kind_label": _label(config.get("card_kinds"), card.card_kind),
        "phase": card.phase,
        "phase_label": _label(config.get("phases"), card.phase),
        "approved": card.approved,
    }


def cluster_members(session: Session, cluster_id: int) -> list[Contribution]:
    return list(
        session.exec(
            select(Contribution).where(Contribution.cluster_id == cluster_id).order_by(col(Contribution.id))
        )
    )


def item_data(session: Session, item: Contribution, stage: Stage) -> dict[str, Any]:
    """A card, or a cluster with its cards (`cards`, `card_ids`): enough to draw it on any screen."""
    data = card_data(item, author_of(session, item), stage)
    if item.kind == "cluster":
        members = [card_data(m, author_of(session, m), stage) for m in cluster_members(session, item.id)]  # type: ignore[arg-type]
        data["cards"] = members
        data["card_ids"] = [m["id"] for m in members]
    return data


def placement(
    session: Session, stage: Stage, ids: Iterable[int], removed: Iterable[int] = ()
) -> dict[str, Any]:
    """Where changed things now sit: screens remove `remove`, then append `items` (clusters with cards)."""
    session.flush()
    remove: list[int] = list(dict.fromkeys([*ids, *removed]))
    items: list[dict[str, Any]] = []
    placed: set[int] = set()
    for item_id in list(remove):
        item = session.get(Contribution, item_id)
        if item is None:
            continue
        top = session.get(Contribution, item.cluster_id) if item.cluster_id else item
        assert top is not None and top.id is not None
        if top.id in placed:
            continue
        placed.add(top.id)
        if top.id not in remove:
            remove.append(top.id)
        items.append(item_data(session, top, stage))
    return {"remove": remove, "items": items}


def cards_of_stage(session: Session, *, actor: Actor, stage_id: int) -> list[dict[str, Any]]:
    """The stage's cards and clusters, oldest first.

    Participants see neither hidden nor waiting cards, except their own waiting ones (approved False); of a
    board open before the day, until it is on, only their own.
    """
    workshop, stage = stage_for(session, actor=actor, stage_id=stage_id)  # 404 / 403 before listing
    cards = list_cards(
        session,
        stage_id=stage_id,
        include_hidden=not actor.is_participant,
        participant_id=actor.participant_id,
    )
    if actor.is_participant and workshop.current_stage_id != stage_id and window_of(stage) is not None:
        return [card for card in cards if card["participant_id"] == actor.participant_id]
    return cards


def list_cards(
    session: Session, *, stage_id: int, include_hidden: bool, participant_id: int | None = None
) -> list[dict[str, Any]]:
    """A stage's cards and clusters; without include_hidden what all may see (and one's own waiting cards)."""
    stage = session.get(Stage, stage_id)
    query = (
        select(Contribution, Participant)
        .join(Participant, isouter=True)
        .where(Contribution.stage_id == stage_id)
        .order_by(col(Contribution.id))
    )
    items: dict[int, dict[str, Any]] = {}
    for card, author in session.exec(query):
        if card.erased:
            continue  # its author erased it: nothing left to show or moderate (privacy.erase_card)
        if not include_hidden and (
            card.hidden
            or (not card.approved and (participant_id is None or card.participant_id != participant_id))
        ):
            continue
        data = card_data(card, author, stage)
        if card.kind == "cluster":
            data["card_ids"] = []
        items[card.id] = data  # type: ignore[index]
    shown = []
    for data in items.values():
        if data["cluster_id"] is not None:
            cluster = items.get(data["cluster_id"])
            if cluster is None:
                continue  # its cluster is hidden
            cluster["card_ids"].append(data["id"])
        shown.append(data)
    return shown


def describe_card(session: Session, *, card_id: int) -> dict[str, Any]:
    card = session.get(Contribution, card_id)
    if card is None:
        raise NotFound("There is no such card.")
    stage = session.get(Stage, card.stage_id)
    assert stage is not None
    return item_data(session, card, stage)
