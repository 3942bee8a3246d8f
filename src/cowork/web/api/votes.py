"""Votes over HTTP: the JSON API here, the pages in pages/votes.py.

Thin like every transport: shapes are checked here, rules in domain/votes/ (setup.py,
polls.py, ballots.py, closing.py). Proposals and commitments have their own module (api/actions.py).
"""

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from cowork.domain.board import ranking as card_ranking
from cowork.domain.votes import ballots, closing, polls
from cowork.domain.votes import results as poll_results
from cowork.domain.votes import setup as poll_setup
from cowork.web.deps import ApiActor, ApiFacilitator, RuntimeDep

router = APIRouter(prefix="/api/v1", tags=["votes"])


# --- shapes ---------------------------------------------------------------------------------------------


class OptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str | None = Field(default=None, examples=["Shared intake form"])
    contribution_id: int | None = None
    proposal_id: int | None = None


class PollIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    method: str = Field(examples=["dots", "approval", "yes_no_abstain", "ranking", "scale"])
    options: list[OptionIn] = Field(max_length=poll_setup.MAX_OPTIONS)
    title: str | None = None
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


# --- polls ----------------------------------------------------------------------------------------------


async def _poll_out(runtime: Any, actor: Any, poll_id: int) -> PollOut:
    return PollOut(**await runtime.commands.query(polls.describe_poll, actor=actor, poll_id=poll_id))


async def _results(runtime: Any, actor: Any, poll_id: int) -> ResultsOut:
    data = await runtime.commands.query(poll_results.poll_results, actor=actor, poll_id=poll_id)
    return ResultsOut(**data)


@router.post("/stages/{stage_id}/polls", status_code=201, response_model=PollOut)
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


@router.get("/stages/{stage_id}/polls", response_model=PollList)
async def list_polls(stage_id: int, actor: ApiActor, runtime: RuntimeDep) -> PollList:
    items = await runtime.commands.query(polls.list_polls, actor=actor, stage_id=stage_id)
    return PollList(items=[PollOut(**item) for item in items])


@router.get("/polls/{poll_id}", response_model=PollOut)
async def read_poll(poll_id: int, actor: ApiActor, runtime: RuntimeDep) -> PollOut:
    return await _poll_out(runtime, actor, poll_id)


@router.post("/polls/{poll_id}/open", response_model=ResultsOut)
async def open_poll(poll_id: int, actor: ApiFacilitator, runtime: RuntimeDep) -> ResultsOut:
    await runtime.commands.run(polls.open_poll, actor=actor, poll_id=poll_id)
    return await _results(runtime, actor, poll_id)


@router.post("/polls/{poll_id}/close", response_model=ResultsOut)
async def close_poll(poll_id: int, actor: ApiFacilitator, runtime: RuntimeDep) -> ResultsOut:
    await runtime.commands.run(closing.close_poll, actor=actor, poll_id=poll_id)
    return await _results(runtime, actor, poll_id)


@router.post("/polls/{poll_id}/ballots", status_code=201, response_model=BallotOut)
async def cast_ballot(
    poll_id: int, body: BallotIn, actor: ApiActor, runtime: RuntimeDep, response: Response
) -> BallotOut:
    """A participant's ballot: 201 when it is their first, 200 when it replaces or repeats one."""
    ballot, created = await runtime.commands.run(
        ballots.cast_ballot, actor=actor, poll_id=poll_id, choices=body.choices, client_id=body.client_id
    )
    response.status_code = 201 if created else 200
    return BallotOut(**await runtime.commands.query(_ballot, ballot_id=ballot.id))


@router.get("/polls/{poll_id}/ballots/mine", response_model=BallotOut | None)
async def my_ballot(poll_id: int, actor: ApiActor, runtime: RuntimeDep) -> BallotOut | None:
    found = await runtime.commands.query(ballots.my_ballot, actor=actor, poll_id=poll_id)
    return BallotOut(**found) if found else None


@router.post("/polls/{poll_id}/paper-ballots", status_code=201, response_model=BallotOut)
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


@router.get("/polls/{poll_id}/results", response_model=ResultsOut)
async def read_results(poll_id: int, actor: ApiActor, runtime: RuntimeDep) -> ResultsOut:
    """The results, overall and by stakeholder group, with the options the groups disagree on."""
    return await _results(runtime, actor, poll_id)


@router.get("/stages/{stage_id}/ranking", response_model=RankingOut)
async def read_ranking(stage_id: int, actor: ApiActor, runtime: RuntimeDep) -> RankingOut:
    """The needs board's ranking: dots on cards and clusters, best first, overall and by group."""
    return RankingOut(
        **await runtime.commands.query(card_ranking.ranking_of_stage, actor=actor, stage_id=stage_id)
    )
