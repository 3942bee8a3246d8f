"""The programme over HTTP: agenda and timer, breakout tables, presentations and the evaluation questionnaire.

The JSON API lives here; the pages are in pages/program.py and pages/tables.py, with what each
stage page shows (the loaders).
"""

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from cowork.domain.board import view as board_view
from cowork.domain.program import agenda, evaluation, presentations, table_boards
from cowork.domain.program import seats as table_seats
from cowork.domain.program import stages as agenda_design
from cowork.domain.program import tables as breakout
from cowork.domain.workshops import get_stage
from cowork.i18n import current_language
from cowork.web.api.schemas import StageDesignOut, StageIn
from cowork.web.deps import ApiActor, ApiFacilitator, RuntimeDep

router = APIRouter(prefix="/api/v1", tags=["programme"])


# --- shapes -------------------------------------------------------------------------------------------


class TimerIn(BaseModel):
    action: str = Field(examples=["start", "pause", "resume", "add", "reset"])
    seconds: int | None = Field(
        default=None, description="start: the length (default: the stage's minutes); add: how much (60)"
    )


class TablesIn(BaseModel):
    count: int = Field(examples=[3])
    method: str = Field(default="random", examples=["random", "balanced", "self"])
    topics: list[str] | None = Field(default=None, max_length=50, description="One per table, in order")
    stage_id: int | None = Field(default=None, description="The group-work stage they are for")
    roles: str = Field(
        default="choose", description="choose: the tables pick; auto: the first two seated get them"
    )


class JoinTableIn(BaseModel):
    participant_id: int | None = Field(default=None, description="Facilitators: who moves to this table")


class RoleIn(BaseModel):
    role: str = Field(examples=["note_taker", "presenter", "member"])
    participant_id: int | None = Field(default=None, description="Facilitators: who gets the role")


class TableCardIn(BaseModel):
    text: str = Field(examples=["Interview ten employers in the care sector"])
    category: str | None = None
    language: str | None = None
    client_id: str | None = Field(default=None, max_length=64)
    stage_id: int | None = Field(default=None, description="Default: the current stage")


class ResponsesIn(BaseModel):
    answers: dict[str, Any] = Field(examples=[{"organisation": 4, "positive": "Meeting the job centre"}])
    client_id: str | None = Field(default=None, max_length=64)


# --- agenda and timer ---------------------------------------------------------------------------------


@router.get("/workshops/{workshop_id}/agenda")
async def read_agenda(workshop_id: int, actor: ApiActor, runtime: RuntimeDep) -> dict[str, Any]:
    """The stages, which one is on, since when, and whether it is over its planned time."""
    return await runtime.commands.query(agenda.read_agenda, actor=actor, workshop_id=workshop_id)


@router.get("/workshops/{workshop_id}/timer")
async def read_timer(workshop_id: int, actor: ApiActor, runtime: RuntimeDep) -> dict[str, Any]:
    return await runtime.commands.query(agenda.read_timer, actor=actor, workshop_id=workshop_id)


@router.post("/workshops/{workshop_id}/timer")
async def control_timer(
    workshop_id: int, body: TimerIn, actor: ApiFacilitator, runtime: RuntimeDep
) -> dict[str, Any]:
    """Start, pause, resume, add to or reset the shared timer; pushes a timer.* event with ends_at."""
    data = await runtime.commands.run(
        agenda.control_timer, actor=actor, workshop_id=workshop_id, action=body.action, seconds=body.seconds
    )
    return {**data, "server_now": agenda.iso(agenda.utcnow())}


# --- the agenda's design -----------------------------------------------------------------------------


@router.post("/workshops/{workshop_id}/stages", status_code=201, response_model=StageDesignOut)
async def add_stage(
    workshop_id: int, body: StageIn, actor: ApiFacilitator, runtime: RuntimeDep
) -> StageDesignOut:
    """Add a stage at `position` (default: the end); live, position = current + 1 puts it next."""
    stage = await runtime.commands.run(
        agenda_design.add_stage,
        actor=actor,
        workshop_id=workshop_id,
        kind=body.kind,
        title=body.title,
        minutes=body.minutes,
        position=body.position,
        settings=body.settings,
    )
    return StageDesignOut(**agenda_design.describe_stage(stage))


@router.delete("/stages/{stage_id}", status_code=204)
async def remove_stage(stage_id: int, actor: ApiFacilitator, runtime: RuntimeDep) -> None:
    """Remove a stage that holds nothing; one with cards, votes, ratings or answers → 409 (archive it)."""
    await runtime.commands.run(agenda_design.remove_stage, actor=actor, stage_id=stage_id)


@router.post("/stages/{stage_id}/archive", response_model=StageDesignOut)
async def archive_stage(stage_id: int, actor: ApiFacilitator, runtime: RuntimeDep) -> StageDesignOut:
    """Take a stage off the agenda; it stays, with what it holds, in the record and the exports."""
    await runtime.commands.run(agenda_design.archive_stage, actor=actor, stage_id=stage_id)
    stage = await runtime.commands.query(get_stage, stage_id=stage_id)
    return StageDesignOut(**agenda_design.describe_stage(stage))


# --- breakout tables ----------------------------------------------------------------------------------


@router.post("/workshops/{workshop_id}/tables", status_code=201)
async def split_into_tables(
    workshop_id: int, body: TablesIn, actor: ApiFacilitator, runtime: RuntimeDep
) -> dict[str, Any]:
    """Split the participants into tables (a new split replaces the earlier one)."""
    tables = await runtime.commands.run(
        breakout.split_into_tables,
        actor=actor,
        workshop_id=workshop_id,
        count=body.count,
        method=body.method,
        topics=body.topics,
        stage_id=body.stage_id,
        roles=body.roles,
    )
    return {"workshop_id": workshop_id, "method": body.method, "tables": tables}


@router.get("/workshops/{workshop_id}/tables")
async def list_tables(workshop_id: int, actor: ApiActor, runtime: RuntimeDep) -> dict[str, Any]:
    tables = await runtime.commands.query(breakout.read_tables, actor=actor, workshop_id=workshop_id)
    return {"workshop_id": workshop_id, "tables": tables}


@router.post("/workshops/{workshop_id}/tables/rotate-roles")
async def rotate_roles(workshop_id: int, actor: ApiFacilitator, runtime: RuntimeDep) -> dict[str, Any]:
    tables = await runtime.commands.run(table_seats.rotate_roles, actor=actor, workshop_id=workshop_id)
    return {"workshop_id": workshop_id, "tables": tables}


@router.post("/tables/{table_id}/join")
async def join_table(
    table_id: int, actor: ApiActor, runtime: RuntimeDep, body: JoinTableIn | None = None
) -> dict[str, Any]:
    """A participant sits down at this table; a facilitator moves `participant_id` here."""
    return await runtime.commands.run(
        table_seats.join_table,
        actor=actor,
        table_id=table_id,
        participant_id=body.participant_id if body else None,
    )


@router.post("/tables/{table_id}/roles")
async def set_role(table_id: int, body: RoleIn, actor: ApiActor, runtime: RuntimeDep) -> dict[str, Any]:
    """A member takes a free role (or gives theirs up with "member"); a facilitator gives one to a member."""
    return await runtime.commands.run(
        table_seats.set_role,
        actor=actor,
        table_id=table_id,
        role=body.role,
        participant_id=body.participant_id,
    )


@router.post("/tables/{table_id}/cards", status_code=201)
async def add_table_card(
    table_id: int, body: TableCardIn, actor: ApiActor, runtime: RuntimeDep
) -> dict[str, Any]:
    card = await runtime.commands.run(
        table_boards.add_table_card,
        actor=actor,
        table_id=table_id,
        text=body.text,
        category=body.category,
        language=body.language or current_language(),
        client_id=body.client_id,
        stage_id=body.stage_id,
    )
    return await runtime.commands.query(board_view.describe_card, card_id=card.id)


@router.get("/tables/{table_id}/cards")
async def list_table_cards(table_id: int, actor: ApiActor, runtime: RuntimeDep) -> dict[str, Any]:
    items = await runtime.commands.query(table_boards.read_table_cards, actor=actor, table_id=table_id)
    return {"table_id": table_id, "items": items}


# --- presentations ------------------------------------------------------------------------------------


@router.get("/stages/{stage_id}/presentations")
async def read_presentations(stage_id: int, actor: ApiActor, runtime: RuntimeDep) -> dict[str, Any]:
    return await runtime.commands.query(presentations.read_presentations, actor=actor, stage_id=stage_id)


@router.post("/stages/{stage_id}/presentations/next")
async def next_presentation(stage_id: int, actor: ApiFacilitator, runtime: RuntimeDep) -> dict[str, Any]:
    """Finish the presenting table and start the next one with its own timer."""
    return await runtime.commands.run(presentations.next_presentation, actor=actor, stage_id=stage_id)


# --- evaluation ---------------------------------------------------------------------------------------


@router.get("/stages/{stage_id}/questionnaire")
async def read_questionnaire(
    stage_id: int,
    actor: ApiActor,
    runtime: RuntimeDep,
    lang: str | None = Query(
        default=None, pattern="^(en|de|es)$", description="Default: the caller's language"
    ),
) -> dict[str, Any]:
    language = lang or (None if actor.is_participant else current_language())
    return await runtime.commands.query(
        evaluation.read_questionnaire, actor=actor, stage_id=stage_id, lang=language
    )


@router.post("/stages/{stage_id}/responses", status_code=201)
async def answer_questionnaire(
    stage_id: int, body: ResponsesIn, actor: ApiActor, runtime: RuntimeDep
) -> dict[str, Any]:
    """A participant's answers; sending again replaces the earlier answers."""
    response = await runtime.commands.run(
        evaluation.answer, actor=actor, stage_id=stage_id, answers=body.answers, client_id=body.client_id
    )
    return {
        "id": response.id,
        "stage_id": response.stage_id,
        "participant_id": response.participant_id,
        "answers": response.answers,
    }


@router.get("/stages/{stage_id}/evaluation")
async def read_evaluation(stage_id: int, actor: ApiFacilitator, runtime: RuntimeDep) -> dict[str, Any]:
    """Per item: count, mean and the distribution over 1..5; the open questions' answers."""
    return await runtime.commands.query(evaluation.read_results, actor=actor, stage_id=stage_id)
