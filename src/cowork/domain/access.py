"""Who a presented secret belongs to: a participant token, an API token, or a projector key."""

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from cowork.domain.accounts import user_for_token
from cowork.domain.actors import Actor
from cowork.domain.models import Participant, User, Workshop
from cowork.domain.participants import participant_for_token, phone_for_token


def token_holder(session: Session, *, token: str) -> Participant | User | None:
    """The participant or facilitator a token belongs to."""
    if not token:
        return None
    return participant_for_token(session, token) or user_for_token(session, token)


def actor_of(holder: Participant | User) -> Actor:
    return Actor.of_participant(holder) if isinstance(holder, Participant) else Actor.of_user(holder)


def actor_for_token(session: Session, *, token: str) -> Actor | None:
    holder = token_holder(session, token=token)
    return None if holder is None else actor_of(holder)


def actor_for_user(session: Session, *, user_id: int) -> Actor | None:
    user = session.get(User, user_id)
    return Actor.of_user(user) if user else None


@dataclass(frozen=True)
class Viewer:
    """A live screen: which workshop it follows and whether it sees what only staff see."""

    workshop_id: int
    staff: bool
    language: str
    participant_id: int | None = None


def phone_viewer(participant: Any) -> Viewer:
    """A participant's phone (a Participant, or a row of its id, workshop_id and language): it sees what
    every participant sees, in its own language."""
    return Viewer(participant.workshop_id, False, participant.language, participant.id)


def viewer_for(
    session: Session, *, workshop_id: int, token: str | None = None, user_id: int | None = None
) -> Viewer | None:
    """A live screen's access to one workshop, or None when the secret does not open it."""
    if not (token or user_id):
        return None
    if not user_id:
        # A phone's token, the usual case: its row is all it takes (its workshop exists: a foreign key).
        participant = phone_for_token(session, token or "")
        if participant is not None:
            return phone_viewer(participant) if participant.workshop_id == workshop_id else None
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        return None
    if user_id:
        actor = actor_for_user(session, user_id=user_id)
    else:
        user = user_for_token(session, token or "")
        actor = Actor.of_user(user) if user else None
    if actor is None:
        # A projector presents its screen key: it sees what participants see.
        screen = session.exec(select(Workshop.id).where(Workshop.projector_key == token)).first()
        return Viewer(workshop_id, False, workshop.language) if screen == workshop_id else None
    return Viewer(workshop_id, True, workshop.language) if actor.may_facilitate(workshop) else None
