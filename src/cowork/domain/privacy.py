"""A participant's own contributions: listed on their phone, and erased for good from there.

Erasing removes the text and the author link from the card and from every event of the record that carried
them (the record keeps that a card existed and was erased), and takes the card off every screen.
"""

from typing import Any

from sqlmodel import Session, col, select

from .actors import Actor
from .errors import NotAllowed, NotFound
from .models import Contribution, Event, utcnow
from .record import Tx, aware

CARD_EVENTS = ("card.added", "card.updated", "card.approved")


def my_cards(session: Session, *, actor: Actor) -> list[dict[str, Any]]:
    """The cards this participant wrote and has not erased, newest first."""
    if not actor.is_participant:
        raise NotAllowed("Only participants have cards of their own here.")
    cards = session.exec(
        select(Contribution)
        .where(Contribution.participant_id == actor.participant_id, Contribution.kind == "card")
        .order_by(col(Contribution.id).desc())
    )
    return [
        {
            "id": c.id,
            "stage_id": c.stage_id,
            "text": c.text,
            "hidden": c.hidden,
            "created_at": aware(c.created_at),
        }
        for c in cards
    ]


def erase_my_card(tx: Tx, *, actor: Actor, card_id: int) -> Contribution:
    card = tx.session.get(Contribution, card_id)
    if card is None or not actor.is_participant or card.participant_id != actor.participant_id:
        raise NotFound("You have no such card.")
    erase_card(tx.session, card)
    tx.record(card.workshop_id, "card.erased", {"id": card.id, "stage_id": card.stage_id, "hidden": True})
    return card


def erase_card(session: Session, card: Contribution) -> None:
    """Take the text and the author off the card and off every event of the record that carried them."""
    card.text, card.hidden, card.participant_id, card.updated_at = "", True, None, utcnow()
    session.add(card)
    for event in session.exec(
        select(Event).where(Event.workshop_id == card.workshop_id, col(Event.type).in_(CARD_EVENTS))
    ):
        if event.data.get("id") == card.id:
            redacted = {k: v for k, v in event.data.items() if k != "before"}
            event.data = {**redacted, "text": "", "author": None, "participant_id": None, "erased": True}
            session.add(event)
