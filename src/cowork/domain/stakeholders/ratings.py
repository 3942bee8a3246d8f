"""Where each participant places a stakeholder (influence and interest, 1 to 5; a new rating replaces their
earlier one), and where the facilitator pins it on the grid instead of the group's means."""

from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from cowork.domain.actors import Actor
from cowork.domain.errors import Closed, Invalid, NotAllowed
from cowork.domain.models import utcnow
from cowork.domain.record import Tx
from cowork.domain.stakeholders.map import (
    EMPTY_STATS,
    event_stakeholder,
    numbers_of,
    pinned_of,
    stakeholder_data,
    stakeholder_stats,
)
from cowork.domain.stakeholders.models import Rating, Stakeholder
from cowork.domain.stakeholders.registry import get_stakeholder, stakeholder_stage_is_on

LOW, HIGH = 1, 5  # the rating scale of influence and interest


def _score(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not LOW <= value <= HIGH:
        if what == "influence":
            raise Invalid("Influence is a whole number from 1 to 5.")
        raise Invalid("Interest is a whole number from 1 to 5.")
    return value


def _position(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not LOW <= value <= HIGH:
        raise Invalid("A pinned position needs influence and interest from 1 to 5.")
    return round(float(value), 1)


def rate_stakeholder(
    tx: Tx, *, actor: Actor, stakeholder_id: int, influence: Any, interest: Any
) -> tuple[Rating, bool]:
    """A participant places a stakeholder from 1 to 5; a new rating replaces their earlier one."""
    if not actor.is_participant:
        raise NotAllowed("Participants rate stakeholders; facilitators pin a position instead.")
    stakeholder, workshop = get_stakeholder(tx.session, actor=actor, stakeholder_id=stakeholder_id)
    influence, interest = _score(influence, "influence"), _score(interest, "interest")
    if workshop.status != "open" or not stakeholder_stage_is_on(tx.session, workshop):
        raise Closed("Ratings are taken while a stakeholder stage is on.")
    assert actor.participant_id is not None and stakeholder.id is not None
    rating = rating_of(tx.session, stakeholder_id=stakeholder.id, participant_id=actor.participant_id)
    replaced = rating is not None
    if rating is not None and (rating.influence, rating.interest) == (influence, interest):
        return rating, True  # the same rating again changes nothing
    rating = put_rating(
        tx.session,
        rating,
        stakeholder=stakeholder,
        participant_id=actor.participant_id,
        influence=influence,
        interest=interest,
        now=utcnow(),
    )
    tx.record(
        workshop.id,
        "stakeholder.rating_set",
        {
            "rating": {
                "stakeholder_id": stakeholder.id,
                "participant_id": actor.participant_id,
                "influence": influence,
                "interest": interest,
                "replaced": replaced,
            },
            "stakeholder": numbers_of(
                stakeholder_data(
                    stakeholder,
                    stakeholder_stats(tx.session, workshop_id=workshop.id, stakeholder_id=stakeholder.id).get(
                        stakeholder.id, EMPTY_STATS
                    ),
                    include_contact=False,
                )
            ),
        },
    )
    return rating, replaced


def rating_of(session: Session, *, stakeholder_id: int, participant_id: int) -> Rating | None:
    return session.exec(
        select(Rating).where(Rating.stakeholder_id == stakeholder_id, Rating.participant_id == participant_id)
    ).first()


def ratings_of(session: Session, *, participant_id: int) -> dict[int, dict[str, int]]:
    """A participant's own ratings, to show their choice again on the phone."""
    return {
        r.stakeholder_id: {"influence": r.influence, "interest": r.interest}
        for r in session.exec(select(Rating).where(Rating.participant_id == participant_id))
    }


def put_rating(
    session: Session,
    rating: Rating | None,
    *,
    stakeholder: Stakeholder,
    participant_id: int,
    influence: Any,
    interest: Any,
    now: datetime,
) -> Rating:
    """A participant's placement of a stakeholder, new or replacing their earlier one (`rating`)."""
    influence, interest = _score(influence, "influence"), _score(interest, "interest")
    if rating is None:
        rating = Rating(
            workshop_id=stakeholder.workshop_id,
            stakeholder_id=stakeholder.id,  # type: ignore[arg-type]
            participant_id=participant_id,
            influence=0,
            interest=0,
        )
    rating.influence, rating.interest, rating.updated_at = influence, interest, now
    session.add(rating)
    session.flush()
    return rating


def pin_stakeholder(
    tx: Tx, *, actor: Actor, stakeholder_id: int, influence: Any = None, interest: Any = None
) -> Stakeholder:
    """A facilitator fixes where a stakeholder stands on the grid (both None: back to the group's mean)."""
    stakeholder, workshop = get_stakeholder(tx.session, actor=actor, stakeholder_id=stakeholder_id)
    actor.check_facilitator(workshop)
    pinned = pin_position(influence, interest)
    if pinned != pinned_of(stakeholder):
        stakeholder.pinned_influence, stakeholder.pinned_interest = pinned or (None, None)
        tx.session.add(stakeholder)
        tx.session.flush()
        tx.record(
            workshop.id, "stakeholder.pinned", {"stakeholder": event_stakeholder(tx.session, stakeholder)}
        )
    return stakeholder


def pin_position(influence: Any, interest: Any) -> tuple[float, float] | None:
    """Where a facilitator pins a stakeholder (both None: not pinned, back to the group's mean)."""
    if influence is None and interest is None:
        return None
    if influence is None or interest is None:
        raise Invalid("A pinned position needs influence and interest from 1 to 5.")
    return (_position(influence), _position(interest))
