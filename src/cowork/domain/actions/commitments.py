"""Commitments: what adopted proposals become. An owner, a deadline, indicators and a status that later
workshops follow up; a later workshop imports the open ones of an earlier one."""

from typing import Any

from sqlmodel import Session, SQLModel, col, select

from cowork.domain.actions.proposals import (
    MAX_TEXT,
    STATUSES,
    UNSET,
    Commitment,
    Proposal,
    check_text,
    clean_fields,
)
from cowork.domain.actors import Actor
from cowork.domain.errors import Closed, Invalid, NotAllowed, NotFound
from cowork.domain.models import Workshop, utcnow
from cowork.domain.record import Tx
from cowork.domain.votes.polls import Poll, PollOption, get_poll, options_of
from cowork.domain.workshops import get_workshop


def _commit(tx: Tx, proposal: Proposal, poll_id: int | None, **overrides: Any) -> Commitment:
    existing = tx.session.exec(
        select(Commitment).where(
            Commitment.workshop_id == proposal.workshop_id, Commitment.proposal_id == proposal.id
        )
    ).first()
    if existing is not None:
        return existing
    commitment = new_commitment(tx.session, proposal, poll_id, **overrides)
    tx.record(proposal.workshop_id, "commitment.made", commitment_data(tx.session, commitment))
    return commitment


def new_commitment(session: Session, proposal: Proposal, poll_id: int | None, **overrides: Any) -> Commitment:
    """The proposal becomes a commitment (owner, contact and due date may differ from the proposal's)."""
    workshop = get_workshop(session, workshop_id=proposal.workshop_id)
    values = clean_fields(
        session, workshop, {k: v for k, v in overrides.items() if k in ("owner", "contact", "due")}
    )
    commitment = Commitment(
        workshop_id=proposal.workshop_id,
        proposal_id=proposal.id,
        poll_id=poll_id,
        title=proposal.title,
        owner=values.get("owner") or proposal.owner,
        owner_stakeholder_id=proposal.owner_stakeholder_id,
        contact=values.get("contact") or proposal.contact,
        due=values.get("due") or proposal.due,
    )
    session.add(commitment)
    if proposal.decision != "adopted":
        proposal.decision = "adopted"
        session.add(proposal)
    session.flush()
    return commitment


def commit_poll(
    tx: Tx, *, actor: Actor, poll_id: int, option_ids: list[int] | None = None
) -> list[Commitment]:
    """Adopted proposals of a closed vote become commitments.

    A yes / no / abstain vote names its adopted proposals itself (and refuses the others); after any
    other method the facilitator chooses, from the result, which options become commitments.
    """

    poll = get_poll(tx.session, poll_id=poll_id, lock=True)
    workshop = get_workshop(tx.session, workshop_id=poll.workshop_id)
    actor.check_facilitator(workshop)
    if poll.status != "closed":
        raise Closed("Commitments come from a closed vote; please close it first.")
    options = {o.id: o for o in options_of(tx.session, poll_id=poll.id)}  # type: ignore[arg-type]
    adopted = set((poll.result or {}).get("adopted", []))
    if option_ids is None:
        if poll.method != "yes_no_abstain":
            raise Invalid("Please choose which options become commitments.")
        option_ids = [o for o in options if o in adopted]
    made = []
    for option_id in option_ids:
        option = options.get(option_id)
        if option is None:
            raise Invalid("Unknown option {option}: it is not part of this vote.", option=option_id)
        if option.proposal_id is None:
            raise Invalid("Only proposals become commitments; {label} is not one.", label=option.label)
        if poll.method == "yes_no_abstain" and option_id not in adopted:
            raise Invalid("{label} was not adopted by the vote.", label=option.label)
        proposal = tx.session.get(Proposal, option.proposal_id)
        assert proposal is not None
        made.append(_commit(tx, proposal, poll.id))
    return made


def commit_proposal(tx: Tx, *, actor: Actor, proposal_id: int, **overrides: Any) -> Commitment:
    """The facilitator turns one voted proposal into a commitment (not one the vote refused)."""

    proposal = tx.session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound("There is no such proposal.")
    workshop = get_workshop(tx.session, workshop_id=proposal.workshop_id)
    actor.check_facilitator(workshop)
    if proposal.decision == "rejected":
        raise Invalid("This proposal was not adopted by the vote.")
    voted = tx.session.exec(
        select(Poll.id)
        .join(PollOption, col(PollOption.poll_id) == col(Poll.id))
        .where(PollOption.proposal_id == proposal.id, Poll.status == "closed")
        .order_by(col(Poll.id).desc())
    ).first()
    if voted is None:
        raise Invalid("A proposal becomes a commitment after a vote on it has closed.")
    return _commit(tx, proposal, voted, **overrides)


def update_commitment(
    tx: Tx,
    *,
    actor: Actor,
    commitment_id: int,
    status: str | None = None,
    owner: Any = UNSET,
    contact: Any = UNSET,
    due: Any = UNSET,
    note: Any = UNSET,
) -> Commitment:
    """Follow-up: the facilitator records progress (open, in progress, done) or changes owner and date."""
    commitment = tx.session.get(Commitment, commitment_id)
    if commitment is None:
        raise NotFound("There is no such commitment.")
    workshop = get_workshop(tx.session, workshop_id=commitment.workshop_id)
    actor.check_facilitator(workshop)
    given = {
        k: v
        for k, v in {"status": status, "owner": owner, "contact": contact, "due": due, "note": note}.items()
        if v is not UNSET
    }
    changes = change_commitment(tx.session, workshop, commitment, given)
    if changes:
        tx.record(
            commitment.workshop_id,
            "commitment.updated",
            {**commitment_data(tx.session, commitment), "changes": changes},
        )
    return commitment


def change_commitment(
    session: Session, workshop: Workshop, commitment: Commitment, fields: dict[str, Any]
) -> list[str]:
    """Follow-up of the given fields (status, owner, contact, due, note); returns those that changed."""
    changes: list[str] = []
    status = fields.get("status")
    if status is not None:
        if status not in STATUSES:
            raise Invalid(
                "The status is one of {known}, not {status}.", known=", ".join(STATUSES), status=status
            )
        if status != commitment.status:
            commitment.status, changes = status, [*changes, "status"]
    given = {k: v for k, v in fields.items() if k in ("owner", "contact", "due")}
    for name, value in clean_fields(session, workshop, given).items():
        if getattr(commitment, name) != value:
            setattr(commitment, name, value)
            changes.append(name)
    if "note" in fields:
        text = check_text(fields["note"], "note", MAX_TEXT)
        if text != commitment.note:
            commitment.note, changes = text, [*changes, "note"]
    if changes:
        commitment.updated_at = utcnow()
        session.add(commitment)
    return changes


def import_commitments(tx: Tx, *, actor: Actor, workshop_id: int, from_workshop_id: int) -> list[Commitment]:
    """A later workshop takes over the open commitments of an earlier one, to review them."""
    workshop, earlier = _both_workshops(tx.session, actor, workshop_id, from_workshop_id)
    made = []
    for source in _still_to_carry_over(tx.session, workshop, earlier):
        copy = Commitment(
            workshop_id=workshop.id,  # type: ignore[arg-type]
            source_id=source.id,
            title=source.title,
            owner=source.owner,
            owner_stakeholder_id=source.owner_stakeholder_id,
            contact=source.contact,
            due=source.due,
            status=source.status,
            note=source.note,
        )
        tx.session.add(copy)
        made.append(copy)
    tx.session.flush()
    if made:
        tx.record(
            workshop.id,  # type: ignore[arg-type]
            "commitment.imported",
            {
                "from_workshop_id": earlier.id,
                "from_title": earlier.title,
                "commitments": [commitment_data(tx.session, c) for c in made],
            },
        )
    return made


def _both_workshops(
    session: Session, actor: Actor, workshop_id: int, from_workshop_id: int
) -> tuple[Workshop, Workshop]:
    """The later and the earlier workshop, if the actor facilitates both and they are two."""
    workshop = session.get(Workshop, workshop_id)
    earlier = session.get(Workshop, from_workshop_id)
    if workshop is None or earlier is None:
        raise NotFound("There is no such workshop.")
    actor.check_facilitator(workshop)
    if not actor.may_facilitate(earlier):
        raise NotAllowed("Only the facilitators of both workshops may carry commitments over.")
    if earlier.id == workshop.id:
        raise Invalid("A workshop cannot import its own commitments.")
    if earlier.is_sample and not workshop.is_sample:  # a sample never counts in anything else
        raise Invalid("A sample's commitments are made up: they are not carried into a real workshop.")
    return workshop, earlier


def _still_to_carry_over(session: Session, workshop: Workshop, earlier: Workshop) -> list[Commitment]:
    """The earlier workshop's open commitments not taken over yet: importing twice adds nothing."""
    already = set(
        session.exec(
            select(Commitment.source_id).where(
                Commitment.workshop_id == workshop.id, col(Commitment.source_id).is_not(None)
            )
        )
    )
    sources = session.exec(
        select(Commitment)
        .where(Commitment.workshop_id == earlier.id, col(Commitment.status).in_(("open", "in_progress")))
        .order_by(col(Commitment.id))
    )
    return [source for source in sources if source.id not in already]


def commitment_data(session: Session, commitment: Commitment) -> dict[str, Any]:
    source = session.get(Commitment, commitment.source_id) if commitment.source_id else None
    origin = session.get(Workshop, source.workshop_id) if source else None
    return {
        "id": commitment.id,
        "workshop_id": commitment.workshop_id,
        "proposal_id": commitment.proposal_id,
        "poll_id": commitment.poll_id,
        "title": commitment.title,
        "owner": commitment.owner,
        "owner_stakeholder_id": commitment.owner_stakeholder_id,
        "owner_name": owner_name(session, commitment),
        "contact": commitment.contact,
        "due": commitment.due.isoformat() if commitment.due else None,
        "status": commitment.status,
        "note": commitment.note,
        "source_id": commitment.source_id,
        "imported_from": None if origin is None else {"workshop_id": origin.id, "title": origin.title},
    }


def owner_name(session: Session, item: Commitment | Proposal) -> str | None:
    """The owner as people read it: the free text, else the stakeholder's name on the map (if it exists)."""
    if item.owner:
        return item.owner
    if item.owner_stakeholder_id is None:
        return None
    table = SQLModel.metadata.tables.get("stakeholder")  # built by the stakeholders feature, if present
    if table is not None and "name" in table.c:
        name = session.execute(
            select(table.c.name).where(table.c.id == item.owner_stakeholder_id)  # type: ignore[call-overload]
        ).scalar()
        if name:
            return str(name)
    return None


def list_commitments(session: Session, *, workshop_id: int) -> list[dict[str, Any]]:
    commitments = session.exec(
        select(Commitment).where(Commitment.workshop_id == workshop_id).order_by(col(Commitment.id))
    )
    return [commitment_data(session, c) for c in commitments]


def commitments_by_owner(items: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The follow-up view: each owner's commitments, owners in alphabetical order, unassigned last."""
    owners: dict[str, list[dict[str, Any]]] = {}
    for item in sorted(items, key=lambda c: ((c["owner_name"] or "\uffff").casefold(), c["due"] or "9999")):
        owners.setdefault(item["owner_name"] or "", []).append(item)
    return owners


def commitments_of_workshop(session: Session, *, actor: Actor, workshop_id: int) -> dict[str, Any]:
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise NotFound("There is no such workshop.")
    actor.check_member(workshop)
    items = list_commitments(session, workshop_id=workshop_id)
    return {"items": items, "by_owner": commitments_by_owner(items)}
