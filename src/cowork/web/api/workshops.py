"""The JSON API under /api/v1, described by /openapi.json."""

from typing import Any

from fastapi import APIRouter, Query

from cowork import i18n
from cowork.domain import participants, workshops
from cowork.domain.program.sample import create_sample_workshop
from cowork.domain.workshops import describe_workshop, read_record
from cowork.web.api.schemas import (
    CurrentStage,
    EventList,
    JoinIn,
    JoinOut,
    StageOut,
    WorkshopCopy,
    WorkshopCreate,
    WorkshopDetails,
    WorkshopOut,
)
from cowork.web.deps import ApiFacilitator, KnownWorkshop, RuntimeDep
from cowork.web.urls import join_url, projector_url

router = APIRouter(prefix="/api/v1")


def _workshop_out(runtime: Any, data: dict[str, Any]) -> WorkshopOut:
    settings = runtime.settings
    return WorkshopOut(
        **data,
        join_url=join_url(settings, data["code"]),
        projector_url=projector_url(settings, data["projector_key"]),
    )


@router.post("/workshops", status_code=201, response_model=WorkshopOut)
async def create_workshop(body: WorkshopCreate, actor: ApiFacilitator, runtime: RuntimeDep) -> WorkshopOut:
    """A workshop from a format; `"sample": true` makes a filled-in sample in the caller's language."""
    language = body.language or i18n.current_language()
    if body.sample:
        workshop = await runtime.commands.run(create_sample_workshop, actor=actor, language=language)
    else:
        workshop = await runtime.commands.run(
            workshops.create_workshop, actor=actor, title=body.title, format_id=body.format, language=language
        )
    data = await runtime.commands.query(describe_workshop, actor=actor, workshop_id=workshop.id)
    return _workshop_out(runtime, data)


@router.post("/workshops/{workshop_id}/copy", status_code=201, response_model=WorkshopOut)
async def copy_workshop(
    workshop_id: int, body: WorkshopCopy, actor: ApiFacilitator, runtime: RuntimeDep
) -> WorkshopOut:
    """A new workshop like this one: its agenda with every stage's settings; no people, no contributions."""
    workshop = await runtime.commands.run(
        workshops.copy_workshop, actor=actor, workshop_id=workshop_id, title=body.title
    )
    data = await runtime.commands.query(describe_workshop, actor=actor, workshop_id=workshop.id)
    return _workshop_out(runtime, data)


@router.get("/workshops/{workshop_id}", response_model=WorkshopOut)
async def read_workshop(workshop_id: int, actor: ApiFacilitator, runtime: RuntimeDep) -> WorkshopOut:
    data = await runtime.commands.query(describe_workshop, actor=actor, workshop_id=workshop_id)
    return _workshop_out(runtime, data)


@router.patch("/workshops/{workshop_id}", response_model=WorkshopOut)
async def change_workshop(
    workshop_id: int, body: WorkshopDetails, actor: ApiFacilitator, runtime: RuntimeDep
) -> WorkshopOut:
    """The workshop's place and follow-up date (the report's first page tells both)."""
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    await runtime.commands.run(
        workshops.set_workshop_details, actor=actor, workshop_id=workshop_id, **changes
    )
    data = await runtime.commands.query(describe_workshop, actor=actor, workshop_id=workshop_id)
    return _workshop_out(runtime, data)


@router.post("/workshops/{workshop_id}/current-stage", response_model=StageOut)
async def set_current_stage(
    workshop_id: int, body: CurrentStage, actor: ApiFacilitator, runtime: RuntimeDep
) -> StageOut:
    stage = await runtime.commands.run(
        workshops.set_current_stage, actor=actor, workshop_id=workshop_id, stage_id=body.stage_id
    )
    return StageOut(**workshops.stage_data(stage))


@router.post("/join/{code}", status_code=201, response_model=JoinOut)
async def join(code: str, body: JoinIn, workshop: KnownWorkshop, runtime: RuntimeDep) -> JoinOut:
    await runtime.throttle.before_join(workshop.code)
    participant, token = await runtime.commands.run(
        participants.join_workshop,
        code=workshop.code,
        name=body.name,
        organisation=body.organisation,
        group=body.group,
        language=body.language,
    )
    return JoinOut(participant_id=participant.id, token=token, workshop_id=participant.workshop_id)


@router.get("/workshops/{workshop_id}/events", response_model=EventList)
async def session_record(
    workshop_id: int,
    actor: ApiFacilitator,
    runtime: RuntimeDep,
    since: int = Query(default=0, ge=0, description="Return the events after this seq"),
    limit: int = Query(default=1000, ge=1, le=5000),
) -> EventList:
    events, last_seq = await runtime.commands.query(
        read_record, actor=actor, workshop_id=workshop_id, since=since, limit=limit
    )
    return EventList(events=[e.public() for e in events], last_seq=last_seq)
