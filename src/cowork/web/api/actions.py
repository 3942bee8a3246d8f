"""Proposals and the commitments adopted ones become, over the JSON API; the pages are in pages/actions.py.

Thin like every transport: shapes are checked here, rules in domain/actions/.
"""

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from cowork.domain.actions import commitments, proposals
from cowork.web.deps import ApiActor, ApiFacilitator, RuntimeDep

router = APIRouter(prefix="/api/v1", tags=["votes"])


# --- shapes ---------------------------------------------------------------------------------------------


class Milestone(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
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


# --- proposals ------------------------------------------------------------------------------------------


def _fields(body: BaseModel) -> dict[str, Any]:
    return body.model_dump(exclude_unset=True, exclude={"client_id"})


@router.post("/stages/{stage_id}/proposals", status_code=201, response_model=ProposalOut)
async def draft_proposal(
    stage_id: int, body: ProposalIn, actor: ApiActor, runtime: RuntimeDep
) -> ProposalOut:
    proposal = await runtime.commands.run(
        proposals.draft_proposal, actor=actor, stage_id=stage_id, client_id=body.client_id, **_fields(body)
    )
    return ProposalOut(
        **await runtime.commands.query(proposals.describe_proposal, actor=actor, proposal_id=proposal.id)
    )


@router.get("/stages/{stage_id}/proposals", response_model=ProposalList)
async def list_proposals(stage_id: int, actor: ApiActor, runtime: RuntimeDep) -> ProposalList:
    items = await runtime.commands.query(proposals.proposals_of_stage, actor=actor, stage_id=stage_id)
    return ProposalList(items=[ProposalOut(**item) for item in items])


@router.get("/proposals/{proposal_id}", response_model=ProposalOut)
async def read_proposal(proposal_id: int, actor: ApiActor, runtime: RuntimeDep) -> ProposalOut:
    return ProposalOut(
        **await runtime.commands.query(proposals.describe_proposal, actor=actor, proposal_id=proposal_id)
    )


@router.patch("/proposals/{proposal_id}", response_model=ProposalOut)
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


@router.post("/proposals/{proposal_id}/commitment", status_code=201, response_model=CommitmentOut)
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


@router.post("/polls/{poll_id}/commitments", status_code=201, response_model=CommitmentList)
async def commit_poll(
    poll_id: int, body: CommitPollIn, actor: ApiFacilitator, runtime: RuntimeDep
) -> CommitmentList:
    made = await runtime.commands.run(
        commitments.commit_poll, actor=actor, poll_id=poll_id, option_ids=body.option_ids
    )
    return CommitmentList(items=await _commitments(runtime, [c.id for c in made]))


@router.get("/workshops/{workshop_id}/commitments", response_model=CommitmentList)
async def list_commitments(workshop_id: int, actor: ApiFacilitator, runtime: RuntimeDep) -> CommitmentList:
    """The follow-up view: every commitment, and the same grouped by owner."""
    data = await runtime.commands.query(
        commitments.commitments_of_workshop, actor=actor, workshop_id=workshop_id
    )
    return CommitmentList(**data)


@router.patch("/commitments/{commitment_id}", response_model=CommitmentOut)
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


@router.post("/workshops/{workshop_id}/commitments/import", response_model=CommitmentList)
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
