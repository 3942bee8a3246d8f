"""A participant's own contributions: listed on their phone, and erased for good from there.

Erasing removes the text and the author link from the card, from the vote options made of it and from every
event of the record that carried them (the record keeps that a card existed and was erased), and takes the
card off every screen.
"""

from typing import Any

from sqlmodel import Session, col, select

from cowork.domain.actors import Actor
from cowork.domain.errors import NotAllowed, NotFound
from cowork.domain.models import Contribution, Event, utcnow
from cowork.domain.record import Tx, aware
from cowork.domain.votes.polls import PollOption


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
    """Take the text and the author off the card, off the vote options made of it, and off every event of
    the record that carried them: the card's own events, and the clusters, moves, undo steps and votes that
    copied it."""
    card.text, card.hidden, card.participant_id, card.updated_at = "", True, None, utcnow()
    session.add(card)
    for option in session.exec(select(PollOption).where(PollOption.contribution_id == card.id)):
        option.label = ""
        session.add(option)
    for event in session.exec(select(Event).where(Event.workshop_id == card.workshop_id)):
        redacted = _redact(event.data, card.id)  # type: ignore[arg-type]
        if redacted != event.data:
            event.data = redacted
            session.add(event)


def _redact(value: Any, card_id: int) -> Any:
    """value with the card's text and author taken out wherever the record copied them."""
    if isinstance(value, list):
        return [_redact(item, card_id) for item in value]
    if not isinstance(value, dict):
        return value
    out = {key: _redact(item, card_id) for key, item in value.items()}
    if out.get("id") == card_id and "text" in out and "category" in out:  # the card (board_view.card_data)
        out = {key: item for key, item in out.items() if key != "before"}  # its earlier texts
        out.update(text="", author=None, participant_id=None, erased=True)
    elif out.get("contribution_id") == card_id:  # something made of the card: a vote option, a linked need
        out.update({key: "" for key in ("label", "text") if key in out})
    return out
