"""Cards on a board: written from phones, approved, edited, hidden and moved by facilitators.

A board's columns are its stage's categories; a card may also carry one of the stage's card kinds
("how it works now" / "what is missing") and pathway phases (all checked in `config.py`). Clusters
are contributions of kind "cluster" whose cards point at them (`cluster_id`); merging and undo live in
`moderation.py`; what screens see of a board, in `view.py`.
"""

from typing import Any

from sqlmodel import Session, select

from cowork.domain.actors import Actor
from cowork.domain.board.config import (
    approval_on,
    check_card_kind,
    check_categories,
    check_category,
    check_phase,
)
from cowork.domain.board.opening import check_takes_cards
from cowork.domain.board.view import author_of, card_data, cluster_members, describe_card, item_data
from cowork.domain.errors import Conflict, Invalid, NotAllowed, NotFound
from cowork.domain.models import Contribution, Stage, Workshop, utcnow
from cowork.domain.record import Tx
from cowork.domain.redaction import card_copies, copies_card_text
from cowork.domain.text import N_
from cowork.domain.text import clean_text as clean
from cowork.domain.workshops import stage_for
from cowork.formats import CARD_KINDS
from cowork.settings import LANGUAGES

MAX_TEXT = 2000
CARD_TOO_LONG = N_("The card is too long: {count} characters, at most {limit}.")
# The card as written (card.added, also a table board's), as edited with its earlier text, as approved.
copies_card_text("card.added", "card.updated", "card.approved", redact=card_copies)


def clean_text(text: str | None) -> str:
    """A card's text as it is kept (the rules of `domain/text.py`), or why not."""
    text = clean(text, field="text", limit=MAX_TEXT, too_long=CARD_TOO_LONG)
    if not text:
        raise Invalid("Please write something on the card first.")
    return text


def _open_stage_for(tx: Tx, actor: Actor, stage_id: int) -> tuple[Workshop, Stage, bool]:
    """The stage a card goes to, and whether it comes in early (before the day, `opening.py`)."""
    workshop, stage = stage_for(tx.session, actor=actor, stage_id=stage_id)
    if stage.kind not in CARD_KINDS:
        raise Invalid("This stage does not take cards.")
    early = check_takes_cards(workshop, stage, actor)
    return workshop, stage, early


def moderated_stage(tx: Tx, actor: Actor, stage_id: int) -> tuple[Workshop, Stage]:
    """A card stage its facilitator is about to change; the workshop row is locked for the change."""
    stage = tx.session.get(Stage, stage_id)
    if stage is None:
        raise NotFound("There is no such stage.")
    workshop = tx.session.exec(
        select(Workshop).where(Workshop.id == stage.workshop_id).with_for_update()
    ).one()
    if not actor.may_facilitate(workshop):
        raise NotAllowed("Only the workshop's facilitators may change cards.")
    if stage.kind not in CARD_KINDS:
        raise Invalid("This stage does not take cards.")
    return workshop, stage


def add_card(
    tx: Tx,
    *,
    actor: Actor,
    stage_id: int,
    text: str | None,
    category: str | None = None,
    language: str | None = None,
    client_id: str | None = None,
    card_kind: str | None = None,
    phase: str | None = None,
) -> Contribution:
    """Add a card; a repeated client_id returns the first card and stores nothing.

    On a stage in approval mode a participant's card waits (approved False) for a facilitator.
    """
    if client_id is not None and not 1 <= len(client_id) <= 64:
        raise Invalid("client_id must have 1 to 64 characters.")
    if (earlier := tx.receipt(actor.key, client_id)) is not None:
        card = tx.session.get(Contribution, earlier)
        assert card is not None
        return card
    workshop, stage, early = _open_stage_for(tx, actor, stage_id)
    card = new_card(
        stage,
        text=clean_text(text),
        category=category,
        language=language,
        card_kind=card_kind,
        phase=phase,
        participant_id=actor.participant_id,
        author_user_id=None if actor.is_participant else actor.user_id,
        approved=not (actor.is_participant and approval_on(stage)),
    )
    assert workshop.id is not None
    card.seq = tx.next_seq(workshop.id)  # the card carries the seq of the event that adds it
    tx.session.add(card)
    tx.session.flush()
    assert card.id is not None
    tx.remember(workshop.id, actor.key, client_id, card.id)
    data = card_data(card, author_of(tx.session, card), stage)
    if early:
        data["early"] = True  # public screens keep it to its author until the stage is on
    tx.record(workshop.id, "card.added", data, seq=card.seq)
    return card


def new_card(
    stage: Stage,
    *,
    text: str,
    category: str | None,
    language: str | None,
    card_kind: str | None,
    phase: str | None,
    participant_id: int | None,
    author_user_id: int | None,
    approved: bool,
) -> Contribution:
    """A card on the stage's board, its category, kind and phase checked against the stage."""
    if language is not None and language not in LANGUAGES:
        raise Invalid("Unknown language {language}.", language=language)
    return Contribution(
        workshop_id=stage.workshop_id,
        stage_id=stage.id,  # type: ignore[arg-type]
        participant_id=participant_id,
        author_user_id=author_user_id,
        text=text,
        category=check_category(stage, category),
        language=language,
        card_kind=check_card_kind(stage, card_kind),
        phase=check_phase(stage, phase),
        approved=approved,
    )


_UNSET: Any = object()


def moderated_card(tx: Tx, actor: Actor, card_id: int) -> tuple[Contribution, Workshop, Stage]:
    card = tx.session.get(Contribution, card_id)
    if card is None:
        raise NotFound("There is no such card.")
    workshop, stage = moderated_stage(tx, actor, card.stage_id)
    if card.erased:
        raise Conflict("Its author erased this card; it cannot be edited, shown or moved any more.")
    return card, workshop, stage


def update_card(
    tx: Tx,
    *,
    actor: Actor,
    card_id: int,
    text: str | None = None,
    category: str | None = _UNSET,
    hidden: bool | None = None,
) -> Contribution:
    """Facilitator moderation of a card or cluster: edit the text, move it to a category, hide or show it.

    A category puts a card in that column outside any cluster; a cluster moves with its cards.
    The event keeps the values before the change, so the step can be undone.
    """
    card, workshop, stage = moderated_card(tx, actor, card_id)
    changes: list[str] = []
    before: list[dict[str, Any]] = []
    old: dict[str, Any] = {"id": card.id}
    if text is not None and (new_text := clean_text(text)) != card.text:
        old["text"], card.text, changes = card.text, new_text, [*changes, "text"]
    if category is not _UNSET:
        moved = move_item(tx.session, card, check_category(stage, category))
        if moved:
            old.update(moved[0])
            before.extend(moved[1:])
            changes.append("category")
    if hidden is not None and hidden != card.hidden:
        old["hidden"], card.hidden, changes = card.hidden, hidden, [*changes, "hidden"]
    if changes:
        card.updated_at = utcnow()
        tx.session.add(card)
        data = item_data(tx.session, card, stage)
        tx.record(workshop.id, "card.updated", {**data, "changes": changes, "before": [old, *before]})
    return card


def move_item(session: Session, item: Contribution, category: str | None) -> list[dict[str, Any]]:
    """Put a card (out of its cluster) or a cluster (with its cards) in a column; returns the old values."""
    if item.kind == "cluster":
        if item.category == category:
            return []
        before = [{"id": item.id, "category": item.category}]
        for member in cluster_members(session, item.id):  # type: ignore[arg-type]
            before.append({"id": member.id, "category": member.category})
            member.category = category
            session.add(member)
        item.category = category
        return before
    if item.category == category and item.cluster_id is None:
        return []
    before = [{"id": item.id, "category": item.category, "cluster_id": item.cluster_id}]
    item.category, item.cluster_id = category, None
    session.add(item)
    return before


def approve_card(tx: Tx, *, actor: Actor, card_id: int) -> Contribution:
    """Let a waiting card through to the projector and the phones."""
    card, workshop, stage = moderated_card(tx, actor, card_id)
    if not card.approved:
        card.approved = True
        card.updated_at = utcnow()
        tx.session.add(card)
        tx.record(workshop.id, "card.approved", card_data(card, author_of(tx.session, card), stage))
    return card


def set_approval(tx: Tx, *, actor: Actor, stage_id: int, approval: bool) -> Stage:
    """Approval mode: new cards from participants wait for a facilitator before anyone else sees them.

    Switching it off lets new cards straight through; cards already waiting still wait for approval.
    """
    workshop, stage = moderated_stage(tx, actor, stage_id)
    if approval_on(stage) != approval:
        stage.config = {**stage.config, "approval": approval}
        tx.session.add(stage)
        tx.record(workshop.id, "stage.settings_changed", {"stage_id": stage.id, "approval": approval})
    return stage


def set_categories(tx: Tx, *, actor: Actor, stage_id: int, categories: list[dict[str, Any]]) -> Stage:
    """Add, rename or remove the board's columns; a column that still holds cards stays."""
    workshop, stage = moderated_stage(tx, actor, stage_id)
    old = stage.config.get("categories", [])
    cleaned = check_categories(tx.session, stage, categories)
    if cleaned != old:
        stage.config = {**stage.config, "categories": cleaned}
        tx.session.add(stage)
        tx.record(
            workshop.id,
            "stage.categories_changed",
            {"stage_id": stage.id, "categories": cleaned, "before": old},
        )
    return stage


def add_described_card(tx: Tx, **kwargs: Any) -> dict[str, Any]:
    """add_card (same arguments), answered with the card as describe_card shows it, from the same
    transaction: a new card's `card.added` event already holds that description (no second read)."""
    card = add_card(tx, **kwargs)
    assert card.id is not None
    added = next((e.data for e in tx.events if e.type == "card.added" and e.data["id"] == card.id), None)
    return added if added is not None else describe_card(tx.session, card_id=card.id)  # a retry
