"""Merging two stakeholders that are one: ratings, matrix cells and the contact move to the one kept; the
other stays as a pointer, so old links and the record still resolve."""

from sqlmodel import Session, select

from cowork.domain.actors import Actor
from cowork.domain.errors import Invalid
from cowork.domain.models import utcnow
from cowork.domain.record import Tx, aware
from cowork.domain.stakeholders.contacts import contact_of, set_contact
from cowork.domain.stakeholders.map import event_stakeholder, pinned_of
from cowork.domain.stakeholders.models import MAX_TASKS, Rating, ResponsibilityCell, Stakeholder
from cowork.domain.stakeholders.registry import get_stakeholder

# Strongest first: when two merged stakeholders both have a cell in a row, the stronger mark stays.
MARK_ORDER = ("responsible", "contributes", "informed")


def merge_stakeholders(tx: Tx, *, actor: Actor, stakeholder_id: int, into_id: int) -> Stakeholder:
    """Two entries for one actor become one: ratings, cells, contact and pin move to the one kept."""
    drop, workshop = get_stakeholder(tx.session, actor=actor, stakeholder_id=stakeholder_id)
    actor.check_facilitator(workshop)
    keep, other_workshop = get_stakeholder(tx.session, actor=actor, stakeholder_id=into_id)
    if other_workshop.id != workshop.id:
        raise Invalid("Only stakeholders of the same workshop can be merged.")
    if keep.id == drop.id:
        raise Invalid("These are already one stakeholder.")
    merge_into(tx.session, drop, keep)
    tx.record(
        workshop.id,
        "stakeholder.merged",
        {
            "dropped": {"id": drop.id, "name": drop.name},
            "kept": event_stakeholder(tx.session, keep),
            "workshop_code": workshop.code,
        },
    )
    return keep


def merge_into(session: Session, drop: Stakeholder, keep: Stakeholder) -> None:
    """Ratings, cells, contact and pin move from `drop` to `keep`; `drop` points at `keep` from now on."""
    _move_ratings(session, drop, keep)
    _move_cells(session, drop, keep)
    if contact_of(keep) is None and contact_of(drop) is not None:
        keep.contact_person, keep.contact_email, keep.contact_phone = (
            drop.contact_person,
            drop.contact_email,
            drop.contact_phone,
        )
        keep.contact_consent_at = drop.contact_consent_at
    keep.level, keep.role = keep.level or drop.level, keep.role or drop.role
    if drop.tasks and drop.tasks != keep.tasks:
        keep.tasks = f"{keep.tasks}; {drop.tasks}"[:MAX_TASKS] if keep.tasks else drop.tasks
    if pinned_of(keep) is None:
        keep.pinned_influence, keep.pinned_interest = drop.pinned_influence, drop.pinned_interest
    set_contact(drop, None)  # personal data is kept once, on the stakeholder that stays
    drop.pinned_influence = drop.pinned_interest = None
    drop.merged_into_id = keep.id
    session.add_all([keep, drop])
    session.flush()


def _move_ratings(session: Session, drop: Stakeholder, keep: Stakeholder) -> None:
    """A participant who rated both keeps their newer rating."""
    kept = {r.participant_id: r for r in session.exec(select(Rating).where(Rating.stakeholder_id == keep.id))}
    moving = list(session.exec(select(Rating).where(Rating.stakeholder_id == drop.id)))
    for rating in moving:
        twin = kept.get(rating.participant_id)
        if twin is None:
            continue
        if aware(rating.updated_at) > aware(twin.updated_at):
            twin.influence, twin.interest, twin.updated_at = (
                rating.influence,
                rating.interest,
                rating.updated_at,
            )
            session.add(twin)
        session.delete(rating)
    session.flush()
    for rating in moving:
        if rating.participant_id not in kept:
            rating.stakeholder_id = keep.id  # type: ignore[assignment]
            session.add(rating)


def _move_cells(session: Session, drop: Stakeholder, keep: Stakeholder) -> None:
    """Both in one row: the stronger mark stays, for the target groups of both."""
    kept = {
        c.activity_key: c
        for c in session.exec(select(ResponsibilityCell).where(ResponsibilityCell.stakeholder_id == keep.id))
    }
    moving = list(
        session.exec(select(ResponsibilityCell).where(ResponsibilityCell.stakeholder_id == drop.id))
    )
    for cell in moving:
        twin = kept.get(cell.activity_key)
        if twin is None:
            continue
        twin.mark = min(twin.mark, cell.mark, key=MARK_ORDER.index)
        # No target groups listed means all of them.
        both = (
            []
            if not twin.target_groups or not cell.target_groups
            else [*twin.target_groups, *cell.target_groups]
        )
        twin.target_groups = list(dict.fromkeys(both))
        twin.updated_at = utcnow()
        session.add(twin)
        session.delete(cell)
    session.flush()
    for cell in moving:
        if cell.activity_key not in kept:
            cell.stakeholder_id = keep.id  # type: ignore[assignment]
            session.add(cell)
