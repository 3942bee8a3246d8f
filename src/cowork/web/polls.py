"""Votes, proposals and commitments over HTTP: the JSON API here, the pages in poll_pages.py.

Thin like every transport: shapes are checked here, rules in domain/polls.py and domain/proposals.py.
"""

from datetime import date, datetime
from typing import Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from ..domain import ballots, card_ranking, commitments, poll_results, poll_setup, polls, proposals
from .deps import ApiActor, ApiFacilitator, RuntimeDep

router = APIRouter()
api = APIRouter(prefix="/api/v1", tags=["votes"])


# --- shapes ---------------------------------------------------------------------------------------------


class OptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str | None = Field(default=None, max_length=200, examples=["Shared intake form"])
    contribution_id: int | None = None
    proposal_id: int | None = None


class PollIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    method: str = Field(examples=["dots", "approval", "yes_no_abstain", "ranking", "scale"])
    options: list[OptionIn] = Field(max_length=poll_setup.MAX_OPTIONS)
    title: str | None = Field(default=None, max_length=200)
    budget: int | None = Field(default=None, description="Dots each voter has (dots only)")
    max_per_option: int | None = Field(default=None, description="Most dots on one option (dots only)")
    quorum: float | None = Field(default=None, description="Share of eligible participants who must vote")
    threshold: str | float | None = Field(
        default=None, description='yes_no_abstain: "simple", "two_thirds" or a share such as 0.6'
    )
    anonymous: bool = False
    hide_results: bool = False


class OptionOut(BaseModel):
    id: int
    position: int
    label: str
    contribution_id: int | None = None
    proposal_id: int | None = None


class PollOut(BaseModel):
    id: int
    workshop_id: int
    stage_id: int
    title: str | None
    method: str
    status: str
    budget: int | None
    max_per_option: int | None
    quorum: float | None
    threshold: str | None
    anonymous: bool
    hide_results: bool
    options: list[OptionOut]


class PollList(BaseModel):
    items: list[PollOut]


class BallotIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    choices: dict[str, Any] = Field(
        examples=[{"12": 2, "13": 1}],
        description="option id -> dots, true/false, yes/no/abstain, rank or 1-5",
    )
    client_id: str | None = Field(default=None, max_length=64, description="Retries with it count once")


class PaperBallotIn(BallotIn):
    group: str | None = Field(default=None, examples=["beneficiary"])


class BallotOut(BaseModel):
    id: int
    poll_id: int
    paper: bool
    group: str | None
    revision: int
    choices: dict[str, Any]
    updated_at: datetime


class ResultsOut(BaseModel):
    """The result; rows carry the method's numbers (dots, approvals, yes/no/abstain, points, mean)."""

    model_config = ConfigDict(extra="allow")
    poll_id: int
    method: str
    closed: bool
    hidden: bool
    ballots: int
    eligible: int
    quorum_met: bool
    results: list[dict[str, Any]]
    by_group: dict[str, list[dict[str, Any]]]
    divergence: list[dict[str, Any]]


class RankingOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    items: list[dict[str, Any]]
    by_group: dict[str, list[dict[str, Any]]]
    divergence: list[dict[str, Any]]
    hidden: bool


class Milestone(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(max_length=200)
    due: date | None = None


class Indicators(BaseModel):
    model_config = ConfigDict(extra="forbid")
    success: list[str] = Field(default=[], max_length=proposals.MAX_INDICATORS)
    failure: list[str] = Field(default=[], max_length=proposals.MAX_INDICATORS)


class ProposalFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: str | None = None
    owner: str | None = Field(default=None, description="Free text; or owner_stakeholder_id")
    owner_stakeholder_id: int | None = Field(default=None, description="A stakeholder of the map")
    contact: str | None = None
    due: date | None = None
    milestones: list[Milestone] | None = Field(default=None, max_length=proposals.MAX_MILESTONES)
    resources: str | None = None
    impact: str | None = Field(default=None, description="The impact it aims at")
    rationale: str | None = Field(
        default=None, description="Means-end reasoning: why this leads to the impact"
    )
    indicators: Indicators | None = None
    needs: list[int] | None = Field(default=None, description="Ids of the cards (needs) it answers")


class ProposalIn(ProposalFields):
    title: str = Field(examples=["One shared intake form for job centre and NGOs"])
    client_id: str | None = Field(default=None, max_length=64)


class ProposalPatch(ProposalFields):
    title: str | None = None
    selected: bool | None = Field(default=None, description="Put it to the vote (or take it back)")


class ProposalOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: int
    stage_id: int
    title: str
    selected: bool
    decision: str | None


class ProposalList(BaseModel):
    items: list[ProposalOut]


class CommitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    owner: str | None = None
    contact: str | None = None
    due: date | None = None


class CommitPollIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    option_ids: list[int] | None = Field(
        default=None, description="Which options become commitments; yes_no_abstain: its adopted ones"
    )


class CommitmentPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["open", "in_progress", "done"] | None = None
    owner: str | None = None
    contact: str | None = None
    due: date | None = None
    note: str | None = None


class CommitmentOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: int
    workshop_id: int
    title: str
    owner: str | None
    owner_name: str | None
    contact: str | None
    due: date | None
    status: str
    imported_from: dict[str, Any] | None


class CommitmentList(BaseModel):
    items: list[CommitmentOut]
    by_owner: dict[str, list[CommitmentOut]] = {}


class ImportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    from_workshop_id: int


# --- polls ----------------------------------------------------------------------------------------------


async def _poll_out(runtime: Any, actor: Any, poll_id: int) -> PollOut:
    return PollOut(**await runtime.commands.query(polls.describe_poll, actor=actor, poll_id=poll_id))


async def _results(runtime: Any, actor: Any, poll_id: int) -> ResultsOut:
    data = await runtime.commands.query(poll_results.poll_results, actor=actor, poll_id=poll_id)
    return ResultsOut(**data)


@api.post("/stages/{stage_id}/polls", status_code=201, response_model=PollOut)
async def create_poll(stage_id: int, body: PollIn, actor: ApiFacilitator, runtime: RuntimeDep) -> PollOut:
    poll = await runtime.commands.run(
        poll_setup.create_poll,
        actor=actor,
        stage_id=stage_id,
        method=body.method,
        options=[o.model_dump() for o in body.options],
        title=body.title,
        budget=body.budget,
        max_per_option=body.max_per_option,
        quorum=body.quorum,
        threshold=body.threshold,
        anonymous=body.anonymous,
        hide_results=body.hide_results,
    )
    return await _poll_out(runtime, actor, poll.id)


@api.get("/stages/{stage_id}/polls", response_model=PollList)
async def list_polls(stage_id: int, actor: ApiActor, runtime: RuntimeDep) -> PollList:
    items = await runtime.commands.query(polls.list_polls, actor=actor, stage_id=stage_id)
    return PollList(items=[PollOut(**item) for item in items])


@api.get("/polls/{poll_id}", response_model=PollOut)
async def read_poll(poll_id: int, actor: ApiActor, runtime: RuntimeDep) -> PollOut:
    return await _poll_out(runtime, actor, poll_id)


@api.post("/polls/{poll_id}/open", response_model=ResultsOut)
async def open_poll(poll_id: int, actor: ApiFacilitator, runtime: RuntimeDep) -> ResultsOut:
    await runtime.commands.run(polls.open_poll, actor=actor, poll_id=poll_id)
    return await _results(runtime, actor, poll_id)


@api.post("/polls/{poll_id}/close", response_model=ResultsOut)
async def close_poll(poll_id: int, actor: ApiFacilitator, runtime: RuntimeDep) -> ResultsOut:
    await runtime.commands.run(polls.close_poll, actor=actor, poll_id=poll_id)
    return await _results(runtime, actor, poll_id)


@api.post("/polls/{poll_id}/ballots", status_code=201, response_model=BallotOut)
async def cast_ballot(
    poll_id: int, body: BallotIn, actor: ApiActor, runtime: RuntimeDep, response: Response
) -> BallotOut:
    """A participant's ballot: 201 when it is their first, 200 when it replaces or repeats one."""
    ballot, created = await runtime.commands.run(
        ballots.cast_ballot, actor=actor, poll_id=poll_id, choices=body.choices, client_id=body.client_id
    )
    response.status_code = 201 if created else 200
    return BallotOut(**await runtime.commands.query(_ballot, ballot_id=ballot.id))


@api.get("/polls/{poll_id}/ballots/mine", response_model=BallotOut | None)
async def my_ballot(poll_id: int, actor: ApiActor, runtime: RuntimeDep) -> BallotOut | None:
    found = await runtime.commands.query(ballots.my_ballot, actor=actor, poll_id=poll_id)
    return BallotOut(**found) if found else None


@api.post("/polls/{poll_id}/paper-ballots", status_code=201, response_model=BallotOut)
async def cast_paper_ballot(
    poll_id: int, body: PaperBallotIn, actor: ApiFacilitator, runtime: RuntimeDep
) -> BallotOut:
    """The facilitator enters the vote of someone without a phone."""
    ballot = await runtime.commands.run(
        ballots.cast_paper_ballot,
        actor=actor,
        poll_id=poll_id,
        choices=body.choices,
        group=body.group,
        client_id=body.client_id,
    )
    return BallotOut(**await runtime.commands.query(_ballot, ballot_id=ballot.id))


def _ballot(session: Any, *, ballot_id: int) -> dict[str, Any]:
    ballot = session.get(polls.Ballot, ballot_id)
    return ballots.ballot_data(session, polls.get_poll(session, poll_id=ballot.poll_id), ballot)


@api.get("/polls/{poll_id}/results", response_model=ResultsOut)
async def read_results(
    poll_id: int,
    actor: ApiActor,
    runtime: RuntimeDep,
    by: Literal["group"] | None = Query(
        default=None, description="Results by stakeholder group are included"
    ),
) -> ResultsOut:
    return await _results(runtime, actor, poll_id)


@api.get("/stages/{stage_id}/ranking", response_model=RankingOut)
async def read_ranking(stage_id: int, actor: ApiActor, runtime: RuntimeDep) -> RankingOut:
    """The needs board's ranking: dots on cards and clusters, best first, overall and by group."""
    return RankingOut(
        **await runtime.commands.query(card_ranking.ranking_of_stage, actor=actor, stage_id=stage_id)
    )


# --- proposals ------------------------------------------------------------------------------------------


def _fields(body: BaseModel) -> dict[str, Any]:
    return body.model_dump(exclude_unset=True, exclude={"client_id"})


@api.post("/stages/{stage_id}/proposals", status_code=201, response_model=ProposalOut)
async def draft_proposal(
    stage_id: int, body: ProposalIn, actor: ApiActor, runtime: RuntimeDep
) -> ProposalOut:
    proposal = await runtime.commands.run(
        proposals.draft_proposal, actor=actor, stage_id=stage_id, client_id=body.client_id, **_fields(body)
    )
    return ProposalOut(
        **await runtime.commands.query(proposals.describe_proposal, actor=actor, proposal_id=proposal.id)
    )


@api.get("/stages/{stage_id}/proposals", response_model=ProposalList)
async def list_proposals(stage_id: int, actor: ApiActor, runtime: RuntimeDep) -> ProposalList:
    items = await runtime.commands.query(proposals.proposals_of_stage, actor=actor, stage_id=stage_id)
    return ProposalList(items=[ProposalOut(**item) for item in items])


@api.get("/proposals/{proposal_id}", response_model=ProposalOut)
async def read_proposal(proposal_id: int, actor: ApiActor, runtime: RuntimeDep) -> ProposalOut:
    return ProposalOut(
        **await runtime.commands.query(proposals.describe_proposal, actor=actor, proposal_id=proposal_id)
    )


@api.patch("/proposals/{proposal_id}", response_model=ProposalOut)
async def update_proposal(
    proposal_id: int, body: ProposalPatch, actor: ApiFacilitator, runtime: RuntimeDep
) -> ProposalOut:
    await runtime.commands.run(
        proposals.update_proposal, actor=actor, proposal_id=proposal_id, **_fields(body)
    )
    return ProposalOut(
        **await runtime.commands.query(proposals.describe_proposal, actor=actor, proposal_id=proposal_id)
    )


# --- commitments ----------------------------------------------------------------------------------------


async def _commitments(runtime: Any, ids: list[int]) -> list[CommitmentOut]:
    def load(session: Any) -> list[dict[str, Any]]:
        return [commitments.commitment_data(session, session.get(proposals.Commitment, i)) for i in ids]

    return [CommitmentOut(**item) for item in await runtime.commands.query(load)]


@api.post("/proposals/{proposal_id}/commitment", status_code=201, response_model=CommitmentOut)
async def commit_proposal(
    proposal_id: int, body: CommitIn, actor: ApiFacilitator, runtime: RuntimeDep
) -> CommitmentOut:
    """A proposal a vote has decided becomes a commitment (owner, contact and due date may be set now)."""
    commitment = await runtime.commands.run(
        commitments.commit_proposal,
        actor=actor,
        proposal_id=proposal_id,
        **body.model_dump(exclude_unset=True),
    )
    return (await _commitments(runtime, [commitment.id]))[0]


@api.post("/polls/{poll_id}/commitments", status_code=201, response_model=CommitmentList)
async def commit_poll(
    poll_id: int, body: CommitPollIn, actor: ApiFacilitator, runtime: RuntimeDep
) -> CommitmentList:
    made = await runtime.commands.run(
        commitments.commit_poll, actor=actor, poll_id=poll_id, option_ids=body.option_ids
    )
    return CommitmentList(items=await _commitments(runtime, [c.id for c in made]))


@api.get("/workshops/{workshop_id}/commitments", response_model=CommitmentList)
async def list_commitments(workshop_id: int, actor: ApiFacilitator, runtime: RuntimeDep) -> CommitmentList:
    """The follow-up view: every commitment, and the same grouped by owner."""
    data = await runtime.commands.query(
        commitments.commitments_of_workshop, actor=actor, workshop_id=workshop_id
    )
    return CommitmentList(**data)


@api.patch("/commitments/{commitment_id}", response_model=CommitmentOut)
async def update_commitment(
    commitment_id: int, body: CommitmentPatch, actor: ApiFacilitator, runtime: RuntimeDep
) -> CommitmentOut:
    await runtime.commands.run(
        commitments.update_commitment,
        actor=actor,
        commitment_id=commitment_id,
        **body.model_dump(exclude_unset=True),
    )
    return (await _commitments(runtime, [commitment_id]))[0]


@api.post("/workshops/{workshop_id}/commitments/import", response_model=CommitmentList)
async def import_commitments(
    workshop_id: int, body: ImportIn, actor: ApiFacilitator, runtime: RuntimeDep
) -> CommitmentList:
    """Carry the open commitments of an earlier workshop into this one, to review them."""
    made = await runtime.commands.run(
        commitments.import_commitments,
        actor=actor,
        workshop_id=workshop_id,
        from_workshop_id=body.from_workshop_id,
    )
    return CommitmentList(items=await _commitments(runtime, [c.id for c in made]))


def _include_routers() -> None:
    from . import poll_pages

    router.include_router(api)
    router.include_router(poll_pages.router)


_include_routers()
