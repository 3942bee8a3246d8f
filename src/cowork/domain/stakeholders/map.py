"""The stakeholder map as screens, events and the API read it: each stakeholder with its ratings summed up."""

import statistics
from typing import Any

from sqlmodel import Session, col, select

from cowork.domain.stakeholders.contacts import contact_of
from cowork.domain.stakeholders.models import Rating, Stakeholder
from cowork.domain.stakeholders.names import alike

EMPTY_STATS: dict[str, Any] = {"ratings": 0, "influence": None, "interest": None, "spread": None}


def _summary(values: list[int]) -> dict[str, float]:
    return {"sd": round(statistics.pstdev(values), 2), "min": min(values), "max": max(values)}


def stakeholder_stats(
    session: Session, *, workshop_id: int, stakeholder_id: int | None = None
) -> dict[int, dict[str, Any]]:
    """Per stakeholder (or for one): how many rated it, the mean influence and interest, and their spread."""
    ratings: dict[int, list[Rating]] = {}
    query = select(Rating).where(Rating.workshop_id == workshop_id)
    if stakeholder_id is not None:
        query = query.where(Rating.stakeholder_id == stakeholder_id)
    for rating in session.exec(query):
        ratings.setdefault(rating.stakeholder_id, []).append(rating)
    stats = {}
    for stakeholder_id, given in ratings.items():
        influence, interest = [r.influence for r in given], [r.interest for r in given]
        stats[stakeholder_id] = {
            "ratings": len(given),
            "influence": round(statistics.fmean(influence), 2),
            "interest": round(statistics.fmean(interest), 2),
            "spread": {"influence": _summary(influence), "interest": _summary(interest)},
        }
    return stats


# What a marker, a table row and a list item draw: all a rating event and a public screen need.
NUMBERS = (
    "id",
    "workshop_id",
    "name",
    "family",
    "ratings",
    "influence",
    "interest",
    "spread",
    "pinned",
    "position",
)
MAX_SIMILAR = 3


def numbers_of(data: dict[str, Any]) -> dict[str, Any]:
    return {key: data[key] for key in NUMBERS}


def event_stakeholder(session: Session, stakeholder: Stakeholder) -> dict[str, Any]:
    """A stakeholder as events carry it: everything facilitators see, with the names it may duplicate.

    Public screens get it without contact and hints (see live/views/stakeholders.py).
    """
    assert stakeholder.id is not None
    stats = stakeholder_stats(session, workshop_id=stakeholder.workshop_id, stakeholder_id=stakeholder.id)
    similar = [
        {"id": other.id, "name": other.name}
        for other in live_stakeholders(session, workshop_id=stakeholder.workshop_id)
        if other.id != stakeholder.id and alike(stakeholder.name_key, other.name_key)
    ][:MAX_SIMILAR]
    return {
        **stakeholder_data(stakeholder, stats.get(stakeholder.id, EMPTY_STATS), include_contact=True),
        "similar": similar,
    }


def pinned_of(stakeholder: Stakeholder) -> tuple[float, float] | None:
    if stakeholder.pinned_influence is None or stakeholder.pinned_interest is None:
        return None
    return (stakeholder.pinned_influence, stakeholder.pinned_interest)


def stakeholder_data(
    stakeholder: Stakeholder, stats: dict[str, Any], *, include_contact: bool
) -> dict[str, Any]:
    """A stakeholder with its ratings summed up; contact details only for facilitators."""
    pinned = pinned_of(stakeholder)
    pin = {"influence": pinned[0], "interest": pinned[1]} if pinned else None
    mean = {"influence": stats["influence"], "interest": stats["interest"]} if stats["ratings"] else None
    data = {
        "id": stakeholder.id,
        "workshop_id": stakeholder.workshop_id,
        "seq": stakeholder.seq,
        "stage_id": stakeholder.stage_id,
        "name": stakeholder.name,
        "family": stakeholder.family,
        "level": stakeholder.level,
        "role": stakeholder.role,
        "tasks": stakeholder.tasks,
        **stats,
        "pinned": pin,
        # Where it is drawn: the facilitator's pin, else the mean of the ratings (None: not placed yet).
        "position": pin or mean,
        "has_contact": contact_of(stakeholder) is not None,
        "by_facilitator": stakeholder.author_user_id is not None,
    }
    if include_contact:
        data["contact"] = contact_of(stakeholder)
    return data


def live_stakeholders(session: Session, *, workshop_id: int) -> list[Stakeholder]:
    """The workshop's stakeholders in the order they were proposed, without the merged ones."""
    return list(
        session.exec(
            select(Stakeholder)
            .where(Stakeholder.workshop_id == workshop_id, col(Stakeholder.merged_into_id).is_(None))
            .order_by(col(Stakeholder.id))
        )
    )


def list_stakeholders(session: Session, *, workshop_id: int, include_contact: bool) -> list[dict[str, Any]]:
    stats = stakeholder_stats(session, workshop_id=workshop_id)
    return [
        stakeholder_data(s, stats.get(s.id, EMPTY_STATS), include_contact=include_contact)  # type: ignore[arg-type]
        for s in live_stakeholders(session, workshop_id=workshop_id)
    ]
