"""Closing a vote: the result counted once and frozen, an anonymous poll's voters forgotten, and the proposals
a yes/no/abstain vote decided marked adopted or rejected."""

from datetime import datetime
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from cowork.domain.actions.proposals import Proposal
from cowork.domain.actors import Actor
from cowork.domain.errors import Closed
from cowork.domain.models import Contribution, Receipt, utcnow
from cowork.domain.record import Tx
from cowork.domain.redaction import copies_card_text, result_copies, stores_card_text
from cowork.domain.votes.polls import Ballot, Poll, PollOption, get_poll
from cowork.domain.votes.results import compute_results
from cowork.domain.workshops import get_workshop


def close_poll(tx: Tx, *, actor: Actor, poll_id: int) -> Poll:
    """Freeze the result: tally, ballots, eligible; an anonymous poll forgets who cast which ballot."""
    poll = get_poll(tx.session, poll_id=poll_id, lock=True)
    workshop = get_workshop(tx.session, workshop_id=poll.workshop_id)
    actor.check_facilitator(workshop)
    if poll.status == "closed":
        return poll
    if poll.status != "open":
        raise Closed("This vote is not open yet.")
    result = freeze_result(tx.session, poll, utcnow())
    tx.record(workshop.id, "poll.closed", {"id": poll.id, "stage_id": poll.stage_id, **result})  # type: ignore[arg-type]
    return poll


def freeze_result(session: Session, poll: Poll, now: datetime) -> dict[str, Any]:
    """Close an open vote: its result is counted once and kept; adopted proposals are decided."""
    poll.status, poll.closed_at = "closed", now
    result = compute_results(session, poll)
    poll.result, poll.ballot_count, poll.eligible = result, result["ballots"], result["eligible"]
    session.add(poll)
    if poll.anonymous:
        _forget_voters(session, poll)
    if poll.method == "yes_no_abstain":
        _decide_proposals(session, poll, result)
    return result


def _forget_voters(session: Session, poll: Poll) -> None:
    session.flush()
    session.execute(update(Ballot).where(col(Ballot.poll_id) == poll.id).values(participant_id=None))
    session.execute(
        delete(Receipt).where(
            col(Receipt.workshop_id) == poll.workshop_id, col(Receipt.actor).like(f"%@poll:{poll.id}")
        )
    )


def _decide_proposals(session: Session, poll: Poll, result: dict[str, Any]) -> None:
    for row in result["results"]:
        if row.get("proposal_id"):
            proposal = session.get(Proposal, row["proposal_id"])
            if proposal is not None:
                proposal.decision = "adopted" if row["adopted"] else "rejected"
                session.add(proposal)


def _erase_from_results(session: Session, card: Contribution) -> None:
    """The frozen results of the votes the card was an option of: counts stay, its words go."""
    polls = session.exec(
        select(Poll)
        .join(PollOption, col(PollOption.poll_id) == col(Poll.id))
        .where(PollOption.contribution_id == card.id)
    )
    for poll in {poll.id: poll for poll in polls if poll.result}.values():
        poll.result = result_copies(poll.result, card.id)  # type: ignore[arg-type]
        session.add(poll)


# The frozen result, in the record and on the poll: by group and divergence rows too.
copies_card_text("poll.closed", redact=result_copies)
stores_card_text("poll", redact=_erase_from_results)
