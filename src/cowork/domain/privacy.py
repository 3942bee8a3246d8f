"""A participant's own contributions: listed on their phone, and erased for good from there.

Erasing removes the text and the author link from the card and from every copy a feature made of them (the
places are registered in `domain/redaction.py`): vote options, frozen results with their by-group and
divergence rows, and every event of the record that carried them (the record keeps that a card existed and
was erased, and the votes keep their counts); it takes the card off every screen.
"""

from typing import Any

from sqlmodel import Session, col, select

from cowork.domain import redaction
from cowork.domain.actions import proposals as _proposals  # noqa: F401
from cowork.domain.actors import Actor
from cowork.domain.board import cards as _cards  # noqa: F401  (the features that register their copies)
from cowork.domain.board import moderation as _moderation  # noqa: F401
from cowork.domain.errors import NotAllowed, NotFound
from cowork.domain.models import Contribution, Event, utcnow
from cowork.domain.record import Tx, aware
from cowork.domain.votes import closing as _closing  # noqa: F401
from cowork.domain.votes import setup as _setup  # noqa: F401


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
    """Take the text and the author off the card and off every copy the features registered
    (`domain/redaction.py`): the record's events stay (a card existed and was erased), their words go."""
    card.text, card.hidden, card.participant_id, card.updated_at = "", True, None, utcnow()
    session.add(card)
    redaction.redact_stored(session, card)
    for event in session.exec(select(Event).where(Event.workshop_id == card.workshop_id)):
        redacted = redaction.redact_event(event.type, event.data, card.id)  # type: ignore[arg-type]
        if redacted != event.data:
            event.data = redacted
            session.add(event)


# On disk too: SQLite checkpoints its WAL into the (secure_delete) database after an erase.
redaction.wipes_disk("card.erased")
