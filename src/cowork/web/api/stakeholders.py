"""Stakeholder mapping over the JSON API: the map, ratings, pins, merges, the matrix, the interface document.

Thin, like every transport: parse, then one command or query; the rules live in `domain/stakeholders/`.
The pages are `web/pages/stakeholders.py` and `web/pages/matrix.py`.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response

from cowork import i18n
from cowork.domain.stakeholders import activity_areas, interface_document, matrix
from cowork.domain.stakeholders import merges as stakeholder_merges
from cowork.domain.stakeholders import ratings as stakeholder_ratings
from cowork.domain.stakeholders import registry as domain
from cowork.domain.stakeholders.families import (
    ACTIVITY_AREAS,
    FAMILIES,
    LEVELS,
    MARK_SYMBOLS,
    MARKS,
    ROLES,
    TARGET_GROUPS,
    label,
)
from cowork.web.api.stakeholder_schemas import (
    ActivityIn,
    ActivityOut,
    CellIn,
    Choice,
    ContactIn,
    FamiliesOut,
    MatrixOut,
    MergeIn,
    PinIn,
    RatingIn,
    RatingOut,
    StakeholderIn,
    StakeholderList,
    StakeholderOut,
    StakeholderPatch,
)
from cowork.web.deps import ApiActor, ApiFacilitator, RuntimeDep

router = APIRouter()
API = "/api/v1"


def _choices(table: dict[str, dict[str, str]], lang: str) -> list[Choice]:
    return [Choice(key=key, label=label(table, key, lang)) for key in table]


@router.get(f"{API}/stakeholder-families", response_model=FamiliesOut, tags=["stakeholders"])
async def stakeholder_families(lang: str | None = Query(default=None, pattern="^(en|de|es)$")) -> FamiliesOut:
    """The TALENTS families, levels and roles, the matrix marks and the default rows and target groups."""
    lang = lang or i18n.current_language()
    return FamiliesOut(
        language=lang,
        families=_choices(FAMILIES, lang),
        levels=_choices(LEVELS, lang),
        roles=_choices(ROLES, lang),
        marks=[Choice(key=k, label=label(MARKS, k, lang), symbol=MARK_SYMBOLS[k]) for k in MARKS],
        target_groups=_choices(TARGET_GROUPS, lang),
        activity_areas=_choices(ACTIVITY_AREAS, lang),
    )


def _contact(body: ContactIn | None) -> dict[str, Any] | None:
    return body.model_dump() if body is not None else None


@router.post(
    f"{API}/stages/{{stage_id}}/stakeholders",
    status_code=201,
    response_model=StakeholderOut,
    responses={200: {"description": "The name was already on the map: that stakeholder"}},
    tags=["stakeholders"],
)
async def propose(
    stage_id: int, body: StakeholderIn, actor: ApiActor, runtime: RuntimeDep, response: Response
) -> StakeholderOut:
    stakeholder, duplicate = await runtime.commands.run(
        domain.propose_stakeholder,
        actor=actor,
        stage_id=stage_id,
        name=body.name,
        family=body.family,
        level=body.level,
        role=body.role,
        tasks=body.tasks,
        contact=_contact(body.contact),
        consent=body.consent,
        client_id=body.client_id,
    )
    data = await runtime.commands.query(
        domain.describe_stakeholder, actor=actor, stakeholder_id=stakeholder.id
    )
    if duplicate:
        response.status_code = 200
    return StakeholderOut(**data, duplicate_of=stakeholder.id if duplicate else None)


@router.get(
    f"{API}/stages/{{stage_id}}/stakeholders",
    response_model=StakeholderList,
    tags=["stakeholders"],
)
async def list_stakeholders(stage_id: int, actor: ApiActor, runtime: RuntimeDep) -> StakeholderList:
    items = await runtime.commands.query(domain.stakeholders_of_stage, actor=actor, stage_id=stage_id)
    return StakeholderList(items=[StakeholderOut(**item) for item in items])


@router.get(
    f"{API}/stakeholders/{{stakeholder_id}}",
    response_model=StakeholderOut,
    tags=["stakeholders"],
)
async def read_stakeholder(stakeholder_id: int, actor: ApiActor, runtime: RuntimeDep) -> StakeholderOut:
    data = await runtime.commands.query(
        domain.describe_stakeholder, actor=actor, stakeholder_id=stakeholder_id
    )
    return StakeholderOut(**data)


@router.patch(
    f"{API}/stakeholders/{{stakeholder_id}}",
    response_model=StakeholderOut,
    tags=["stakeholders"],
)
async def correct_stakeholder(
    stakeholder_id: int, body: StakeholderPatch, actor: ApiFacilitator, runtime: RuntimeDep
) -> StakeholderOut:
    changes = body.model_dump(exclude_unset=True)
    stakeholder = await runtime.commands.run(
        domain.update_stakeholder, actor=actor, stakeholder_id=stakeholder_id, **changes
    )
    data = await runtime.commands.query(
        domain.describe_stakeholder, actor=actor, stakeholder_id=stakeholder.id
    )
    return StakeholderOut(**data)


@router.post(
    f"{API}/stakeholders/{{stakeholder_id}}/ratings",
    status_code=201,
    response_model=RatingOut,
    responses={200: {"description": "It replaced this participant's earlier rating"}},
    tags=["stakeholders"],
)
async def rate(
    stakeholder_id: int, body: RatingIn, actor: ApiActor, runtime: RuntimeDep, response: Response
) -> RatingOut:
    rating, replaced = await runtime.commands.run(
        stakeholder_ratings.rate_stakeholder,
        actor=actor,
        stakeholder_id=stakeholder_id,
        influence=body.influence,
        interest=body.interest,
    )
    data = await runtime.commands.query(
        domain.describe_stakeholder, actor=actor, stakeholder_id=rating.stakeholder_id
    )
    if replaced:
        response.status_code = 200
    return RatingOut(
        stakeholder_id=rating.stakeholder_id,
        influence=rating.influence,
        interest=rating.interest,
        replaced=replaced,
        stakeholder=StakeholderOut(**data),
    )


@router.post(
    f"{API}/stakeholders/{{stakeholder_id}}/pin",
    response_model=StakeholderOut,
    tags=["stakeholders"],
)
async def pin(
    stakeholder_id: int,
    actor: ApiFacilitator,
    runtime: RuntimeDep,
    body: Annotated[PinIn | None, Body()] = None,
) -> StakeholderOut:
    """Pin where the stakeholder stands; `null` (or both values null) unpins it."""
    stakeholder = await runtime.commands.run(
        stakeholder_ratings.pin_stakeholder,
        actor=actor,
        stakeholder_id=stakeholder_id,
        influence=body.influence if body else None,
        interest=body.interest if body else None,
    )
    data = await runtime.commands.query(
        domain.describe_stakeholder, actor=actor, stakeholder_id=stakeholder.id
    )
    return StakeholderOut(**data)


@router.post(
    f"{API}/stakeholders/{{stakeholder_id}}/merge",
    response_model=StakeholderOut,
    tags=["stakeholders"],
)
async def merge(
    stakeholder_id: int, body: MergeIn, actor: ApiFacilitator, runtime: RuntimeDep
) -> StakeholderOut:
    """Merge this stakeholder into `into`: the answer is the one kept."""
    kept = await runtime.commands.run(
        stakeholder_merges.merge_stakeholders, actor=actor, stakeholder_id=stakeholder_id, into_id=body.into
    )
    data = await runtime.commands.query(domain.describe_stakeholder, actor=actor, stakeholder_id=kept.id)
    return StakeholderOut(**data)


@router.get(
    f"{API}/workshops/{{workshop_id}}/responsibilities",
    response_model=MatrixOut,
    tags=["stakeholders"],
)
async def read_matrix(workshop_id: int, actor: ApiActor, runtime: RuntimeDep) -> MatrixOut:
    return MatrixOut(
        **await runtime.commands.query(matrix.responsibilities, actor=actor, workshop_id=workshop_id)
    )


@router.put(
    f"{API}/workshops/{{workshop_id}}/responsibilities/cells",
    response_model=MatrixOut,
    tags=["stakeholders"],
)
async def set_cell(workshop_id: int, body: CellIn, actor: ApiFacilitator, runtime: RuntimeDep) -> MatrixOut:
    """Set one cell (mark null empties it); the answer is the whole matrix with its gaps."""
    await runtime.commands.run(
        matrix.set_cell,
        actor=actor,
        workshop_id=workshop_id,
        activity_id=body.activity_id,
        stakeholder_id=body.stakeholder_id,
        mark=body.mark,
        target_groups=body.target_groups,
    )
    return MatrixOut(
        **await runtime.commands.query(matrix.responsibilities, actor=actor, workshop_id=workshop_id)
    )


@router.post(
    f"{API}/workshops/{{workshop_id}}/activities",
    status_code=201,
    response_model=ActivityOut,
    tags=["stakeholders"],
)
async def add_activity(
    workshop_id: int, body: ActivityIn, actor: ApiFacilitator, runtime: RuntimeDep
) -> ActivityOut:
    row = await runtime.commands.run(
        activity_areas.add_activity, actor=actor, workshop_id=workshop_id, label=body.label
    )
    return ActivityOut(**row)


@router.patch(
    f"{API}/workshops/{{workshop_id}}/activities/{{activity_id}}",
    response_model=ActivityOut,
    tags=["stakeholders"],
)
async def rename_activity(
    workshop_id: int, activity_id: str, body: ActivityIn, actor: ApiFacilitator, runtime: RuntimeDep
) -> ActivityOut:
    row = await runtime.commands.run(
        activity_areas.rename_activity,
        actor=actor,
        workshop_id=workshop_id,
        activity_id=activity_id,
        label=body.label,
    )
    return ActivityOut(**row)


@router.delete(
    f"{API}/workshops/{{workshop_id}}/activities/{{activity_id}}",
    status_code=204,
    tags=["stakeholders"],
)
async def remove_activity(
    workshop_id: int, activity_id: str, actor: ApiFacilitator, runtime: RuntimeDep
) -> Response:
    await runtime.commands.run(
        activity_areas.remove_activity, actor=actor, workshop_id=workshop_id, activity_id=activity_id
    )
    return Response(status_code=204)


@router.get(f"{API}/workshops/{{workshop_id}}/interface-document", tags=["stakeholders"])
async def read_interface_document(
    workshop_id: int, actor: ApiFacilitator, runtime: RuntimeDep
) -> dict[str, Any]:
    """Responsibilities, contact persons (given with consent) and who does what for which target group."""
    return await runtime.commands.query(
        interface_document.interface_document, workshop_id=workshop_id, actor=actor
    )
