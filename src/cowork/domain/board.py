"""Cards on a board: written from phones, moderated by facilitators."""

from typing import Any

from sqlmodel import Session, col, select

from ..formats import CARD_KINDS
from ..settings import LANGUAGES
from .actors import Actor
from .errors import Closed, Invalid, NotAllowed, NotFound
from .models import Contribution, Participant, Stage, Workshop, utcnow
from .record import Tx

MAX_TEXT = 2000


def _clean_text(text: str | None) -> str:
    text = (text or "").strip()
    if not text:
        raise Invalid("Please write something on the card first.")
    if len(text) > MAX_TEXT:
        raise Invalid(
            "The card is too long: {count} characters, at most {limit}.", count=len(text), limit=MAX_TEXT
        )
    return text


def _check_category(stage: Stage, category: str | None) -> str | None:
    category = (category or "").strip() or None
    keys = [c["key"] for c in stage.config.get("categories", [])]
    if category is not None and category not in keys:
        if not keys:
            raise Invalid("This board has no categories.")
        raise Invalid(
            "Unknown category {category}; this board has: {keys}.", category=category, keys=", ".join(keys)
        )
    return category


def _open_stage_for(tx: Tx, actor: Actor, stage_id: int) -> tuple[Workshop, Stage]:
    stage = tx.session.get(Stage, stage_id)
    if stage is None:
        raise NotFound("There is no such stage.")
    workshop = tx.session.get(Workshop, stage.workshop_id)
    assert workshop is not None
    actor.check_member(workshop)
    if stage.kind not in CARD_KINDS:
        raise Invalid("This stage does not take cards.")
    if actor.is_participant and (workshop.status != "open" or workshop.current_stage_id != stage.id):
        raise Closed("This stage is not open for cards right now.")
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
) -> Contribution:
    """Add a card; a repeated client_id returns the first card and stores nothing."""
    if client_id is not None and not 1 <= len(client_id) <= 64:
        raise Invalid("client_id must have 1 to 64 characters.")
    if (earlier := tx.receipt(actor.key, client_id)) is not None:
        card = tx.session.get(Contribution, earlier)
        assert card is not None
        return card
    workshop, stage = _open_stage_for(tx, actor, stage_id)
    if language is not None and language not in LANGUAGES:
        raise Invalid("Unknown language {language}.", language=language)
    card = Contribution(
        workshop_id=workshop.id,
        stage_id=stage.id,
        participant_id=actor.participant_id,
        author_user_id=None if actor.is_participant else actor.user_id,
        text=_clean_text(text),
        category=_check_category(stage, category),
        language=language,
    )
    tx.session.add(card)
    tx.session.flush()
    assert workshop.id is not None and card.id is not None
    tx.remember(workshop.id, actor.key, client_id, card.id)
    event = tx.record(workshop.id, "card.added", {})
    card.seq = event.seq  # the card carries the seq of the event that added it
    event.data = card_data(card, _author(tx.session, card))
    return card


_UNSET: Any = object()


def update_card(
    tx: Tx,
    *,
    actor: Actor,
    card_id: int,
    text: str | None = None,
    category: str | None = _UNSET,
    hidden: bool | None = None,
) -> Contribution:
    """Facilitator moderation: edit the text or category, hide or show the card."""
    card = tx.session.get(Contribution, card_id)
    if card is None:
        raise NotFound("There is no such card.")
    workshop = tx.session.get(Workshop, card.workshop_id)
    assert workshop is not None
    if not actor.may_facilitate(workshop):
        raise NotAllowed("Only the workshop's facilitators may change cards.")
    stage = tx.session.get(Stage, card.stage_id)
    assert stage is not None
    changes: list[str] = []
    if text is not None and (new_text := _clean_text(text)) != card.text:
        card.text, changes = new_text, [*changes, "text"]
    if category is not _UNSET and (new_cat := _check_category(stage, category)) != card.category:
        card.category, changes = new_cat, [*changes, "category"]
    if hidden is not None and hidden != card.hidden:
        card.hidden, changes = hidden, [*changes, "hidden"]
    if changes:
        card.updated_at = utcnow()
        tx.session.add(card)
        tx.record(
            workshop.id, "card.updated", {**card_data(card, _author(tx.session, card)), "changes": changes}
        )
    return card


def _author(session: Session, card: Contribution) -> Participant | None:
    return session.get(Participant, card.participant_id) if card.participant_id else None


def card_data(card: Contribution, author: Participant | None) -> dict[str, Any]:
    return {
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
    }


def cards_of_stage(session: Session, *, actor: Actor, stage_id: int) -> list[dict[str, Any]]:
    """The stage's cards, oldest first; participants do not see hidden ones."""
    stage = session.get(Stage, stage_id)
    if stage is None:
        raise NotFound("There is no such stage.")
    workshop = session.get(Workshop, stage.workshop_id)
    assert workshop is not None
    actor.check_member(workshop)
    return list_cards(session, stage_id=stage_id, include_hidden=not actor.is_participant)


def list_cards(session: Session, *, stage_id: int, include_hidden: bool) -> list[dict[str, Any]]:
    query = (
        select(Contribution, Participant)
        .join(Participant, isouter=True)
        .where(Contribution.stage_id == stage_id)
        .order_by(col(Contribution.id))
    )
    if not include_hidden:
        query = query.where(col(Contribution.hidden).is_(False))
    return [card_data(card, author) for card, author in session.exec(query)]


def describe_card(session: Session, *, card_id: int) -> dict[str, Any]:
    card = session.get(Contribution, card_id)
    if card is None:
        raise NotFound("There is no such card.")
    return card_data(card, _author(session, card))
