"""Replaying votes and the action plan: polls with their options, ballots, results, proposals and the
commitments adopted proposals become."""

from typing import Any

from sqlmodel import select

from cowork.domain.actions import commitments, proposals
from cowork.domain.actions.proposals import Commitment, Proposal
from cowork.domain.errors import Invalid
from cowork.domain.models import Participant
from cowork.domain.stakeholders.families import FAMILIES
from cowork.domain.votes import ballots, closing, polls
from cowork.domain.votes import setup as poll_setup
from cowork.domain.votes.polls import Ballot, Poll
from cowork.exports.replay.replayer import Replay, flag, replays, text

# --- polls ------------------------------------------------------------------------------------------------


@replays("poll.created")
def poll_created(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    """A draft vote built by poll_setup.build_poll, with the same settings and options as in the record."""
    stage = replay.stage(data.get("stage_id"))
    options = data["options"]
    specs = [_option_spec(replay, option) for option in options]
    assert replay.workshop is not None
    poll, made = poll_setup.build_poll(
        replay.tx,
        replay.workshop,
        stage,
        method=data.get("method"),  # type: ignore[arg-type]
        options=specs,
        title=data.get("title"),
        budget=data.get("budget"),
        max_per_option=data.get("max_per_option"),
        quorum=data.get("quorum"),
        threshold=data.get("threshold"),
        anonymous=flag(data.get("anonymous")),
        hide_results=flag(data.get("hide_results")),
    )
    replay.made("poll", data.get("id"), poll.id)
    for option, row in zip(options, made, strict=True):
        replay.made("option", option.get("id"), row.id)
    return replay.remap(data, "poll")


def _option_spec(replay: Replay, option: dict[str, Any]) -> dict[str, Any]:
    """What an option was made of: a card, a proposal, or its own label."""
    if option.get("contribution_id") is not None:
        return {"contribution_id": replay.new_id("card", option["contribution_id"])}
    if option.get("proposal_id") is not None:
        return {"proposal_id": replay.new_id("proposal", option["proposal_id"])}
    return {"label": option.get("label")}


@replays("poll.opened")
def poll_opened(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    poll = replay.get(Poll, "poll", data.get("id"))
    polls.begin_voting(poll, replay.now)
    replay.session.add(poll)
    return replay.remap(data, "poll")


@replays("poll.closed")
def poll_closed(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    """The vote closed and counted anew from the replayed ballots; the record's result must be that count."""
    poll = replay.get(Poll, "poll", data.get("id"))
    polls.check_open(poll)
    counted = closing.freeze_result(replay.session, poll, replay.now)
    recorded = replay.remap(data, "poll")
    if _outcome(counted) != _outcome(recorded):
        raise Invalid(
            "Event {seq} gives a result that the ballots of the record do not give.", seq=replay.seq
        )
    return recorded


def _outcome(result: dict[str, Any]) -> Any:
    """The numbers a result decides by: ballots, who could vote, and each option's score and adoption."""
    rows = sorted((row["option_id"], row["score"], row.get("adopted")) for row in result["results"])
    return result["ballots"], result["eligible"], rows


@replays("ballot.cast")
def ballot_cast(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    """A ballot, new or replacing the same voter's earlier one, checked against its vote's rules."""
    session = replay.session
    poll = replay.get(Poll, "poll", data.get("poll_id"))
    polls.check_open(poll)
    choices = replay.remapped("choices", data["choices"])
    marks = ballots.normalize_choices(poll, polls.options_of(session, poll_id=poll.id), choices)  # type: ignore[arg-type]
    voter = text(data.get("voter"), "voter", 32, required=True)
    participant = (
        replay.get(Participant, "participant", data["participant_id"]) if data.get("participant_id") else None
    )
    ballot = session.exec(select(Ballot).where(Ballot.poll_id == poll.id, Ballot.voter == voter)).first()
    if ballot is None:
        group = participant.group if participant else data.get("group")
        if group is not None and group not in FAMILIES:
            raise Invalid("Unknown stakeholder group {group}.", group=group)
        paper = flag(data.get("paper"))
        ballot = ballots.new_ballot(
            session,
            poll,
            participant_id=participant.id if participant else None,
            group=group,
            paper=paper,
            entered_by=replay.actor.user_id if paper else None,
            voter=voter,
        )
        replay.made("ballot", data.get("ballot_id"), ballot.id)
        ballots.put_marks(session, poll, ballot, marks)
    elif ballots.replace_marks(session, ballot, marks, participant=participant):
        ballots.put_marks(session, poll, ballot, marks)
    return replay.remap(data)


# --- proposals and commitments ----------------------------------------------------------------------------


def _proposal_fields(replay: Replay, data: dict[str, Any], names: Any) -> dict[str, Any]:
    """The proposal's fields of the record, the cards and stakeholder they name being the new ones."""
    return {name: replay.remapped(name, data.get(name)) for name in names}


@replays("proposal.drafted")
def proposal_drafted(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    stage = replay.stage(data.get("stage_id"), "action_plan")
    assert replay.workshop is not None
    proposal = proposals.new_proposal(
        replay.session,
        replay.workshop,
        stage,
        fields=_proposal_fields(replay, data, proposals.FIELDS),
        participant_id=replay.new_id("participant", data.get("participant_id")),
        author_user_id=replay.actor.user_id if flag(data.get("by_facilitator")) else None,
    )
    proposal.selected = flag(data.get("selected"))
    replay.keep(proposal, "proposal", data.get("id"))
    return replay.remap(data, "proposal")


@replays("proposal.updated")
def proposal_updated(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    proposal = replay.get(Proposal, "proposal", data.get("id"))
    assert replay.workshop is not None
    fields = _proposal_fields(replay, data, data["changes"])
    proposals.change_proposal(replay.session, replay.workshop, proposal, fields)
    return replay.remap(data, "proposal")


@replays("commitment.made")
def commitment_made(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    proposal = replay.get(Proposal, "proposal", data.get("proposal_id"))
    commitment = commitments.new_commitment(
        replay.session,
        proposal,
        replay.new_id("poll", data.get("poll_id")),
        owner=data.get("owner"),
        contact=data.get("contact"),
        due=data.get("due"),
    )
    replay.made("commitment", data.get("id"), commitment.id)
    return replay.remap(data, "commitment")


@replays("commitment.updated")
def commitment_updated(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    commitment = replay.get(Commitment, "commitment", data.get("id"))
    assert replay.workshop is not None
    fields = {name: data.get(name) for name in data["changes"]}
    commitments.change_commitment(replay.session, replay.workshop, commitment, fields)
    return replay.remap(data, "commitment")


@replays("commitment.imported")
def commitments_imported(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    """Commitments carried over from another workshop. That workshop does not travel with the record, so
    they keep no link to it, and an owner that was a stakeholder of its map is kept by name."""
    assert replay.workshop is not None
    made = []
    for item in data["commitments"]:
        commitment = Commitment(
            workshop_id=replay.workshop_id,
            title=text(item.get("title"), "commitment title", proposals.MAX_TITLE, required=True),  # type: ignore[arg-type]
        )
        fields = {
            "status": item.get("status"),
            "owner": item.get("owner") or item.get("owner_name"),
            "contact": item.get("contact"),
            "due": item.get("due"),
            "note": item.get("note"),
        }
        commitments.change_commitment(replay.session, replay.workshop, commitment, fields)
        replay.keep(commitment, "commitment", item.get("id"))
        made.append({**item, "id": commitment.id, "workshop_id": replay.workshop_id})
    return {**data, "commitments": made}
