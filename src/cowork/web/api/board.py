"""Boards over the JSON API: cards from phones and clients; moderation, categories and approval mode.

The pages (phones, the console and the projector) are in `web/pages/board.py`.
"""

from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from cowork.domain.board import cards as board
from cowork.domain.board import config as board_config
from cowork.domain.board import moderation, suggestions
from cowork.domain.board import view as board_view
from cowork.domain.program import stages as agenda_design
from cowork.domain.workshops import get_stage, get_workshop
from cowork.i18n import current_language
from cowork.web.api.schemas import StageDesignOut
from cowork.web.deps import UNKNOWN_TOKEN, ApiActor, ApiFacilitator, ApiToken, NotSignedIn, RuntimeDep

router = APIRouter()
# A phone's card post alone, matched right after the phone's pages (`web/routers`): FastAPI tries the routers
# in turn, and at this module's place that took about 0.3 ms of matching per card. No other route takes its
# path, so the order changes nothing else.
cards_router = APIRouter()


# --- shapes -------------------------------------------------------------------------------------------


class CardIn(BaseModel):
    text: str = Field(examples=["Childcare during language courses"])
    category: str | None = Field(default=None, examples=["family_support"])
    language: str | None = None
    card_kind: str | None = Field(
        default=None, examples=["missing"], description="One of the stage's card_kinds"
    )
    phase: str | None = Field(default=None, examples=["p1"], description="One of the stage's phases")
    client_id: str | None = Field(
        default=None, max_length=64, description="Retries with it store nothing new"
    )


class CardPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str | None = None
    category: str | None = Field(
        default=None, description="Puts the card in this column, outside any cluster"
    )
    hidden: bool | None = None


class Author(BaseModel):
    name: str | None
    group: str | None


class CardOut(BaseModel):
    id: int
    seq: int
    stage_id: int
    text: str | None = None
    category: str | None = None
    language: str | None = None
    hidden: bool
    participant_id: int | None = None
    author: Author | None = None
    by_facilitator: bool = False
    kind: str = Field(default="card", description='"card", or "cluster" (a titled group of cards)')
    cluster_id: int | None = Field(default=None, description="The cluster this card was merged into")
    card_ids: list[int] | None = Field(default=None, description="A cluster's cards")
    card_kind: str | None = None
    phase: str | None = None
    approved: bool = Field(default=True, description="False while the card waits for approval")


class CardList(BaseModel):
    items: list[CardOut]


class ClusterIn(BaseModel):
    title: str | None = Field(default=None, examples=["Childcare"])
    card_ids: list[int] = Field(examples=[[12, 15]])


class MoveIn(BaseModel):
    card_ids: list[int]
    category: str | None = None


class CategoryIn(BaseModel):
    key: str = Field(examples=["housing"])
    label: dict[str, str] = Field(examples=[{"en": "Housing", "de": "Wohnen"}])
    description: dict[str, str] | None = Field(
        default=None,
        examples=[{"en": "Social counselling; hotel, apartment", "de": "Sozialberatung; Hotel, Wohnung"}],
        description="What belongs there, per language (at most 300 characters); phones show it under the "
        "category, and suggestions use it",
    )


class CategoriesIn(BaseModel):
    categories: list[CategoryIn]


class StageSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    approval: bool | None = Field(default=None, description="New cards from participants wait for approval")
    title: dict[str, str] | str | None = Field(
        default=None, description="Per language; a language given empty drops its text"
    )
    minutes: int | None = Field(default=None, description="1 to 480; null: no planned time")
    position: int | None = Field(default=None, description="Move to this place on the agenda (0: first)")
    settings: dict[str, Any] | None = Field(
        default=None,
        description="description (all kinds); categories, approval, card_kinds, phases (boards); opens_at, "
        "closes_at (a board or needs board open before the day: ISO 8601 with its UTC offset, both or null); "
        "questions (evaluation); families (stakeholders: keys of GET /stakeholder-families, in order); "
        "required (action_plan: proposal fields to fill in)",
    )


class BoardStageOut(StageDesignOut):
    approval: bool
    card_kinds: list[dict[str, Any]]
    phases: list[dict[str, Any]]


class CategorySuggestion(BaseModel):
    card_id: int
    category: str
    confidence: float = Field(ge=0, le=1)


class GroupSuggestion(BaseModel):
    card_ids: list[int] = Field(description="A placed card first: merged, the cluster lands in its column")
    title: str = Field(description="Proposed cluster title, in the cards' own words")
    category: str | None
    confidence: float = Field(ge=0, le=1, description="The cards' mean similarity")


class TranslationSuggestion(BaseModel):
    card_ids: list[int]
    languages: list[str] = Field(examples=[["de", "en", "es"]])
    title: str
    confidence: float = Field(ge=0, le=1)


class Question(BaseModel):
    card_id: int
    categories: list[str] = Field(
        description="The card's likeliest categories (up to three), likeliest first",
        examples=[["housing", "legal"]],
    )
    confidence: float = Field(
        ge=0, le=1, description="How sure the likeliest one is (these cards are unsure)"
    )


class SuggestionsOut(BaseModel):
    categories: list[CategorySuggestion]
    groups: list[GroupSuggestion]
    translations: list[TranslationSuggestion]
    ask: list[Question] = Field(
        description="The few unsure cards (up to one per category) whose placement would teach the rest "
        "most: one per cluster of unsure cards, the most telling first. Place them through /moves"
    )


class DismissalIn(BaseModel):
    card_ids: list[int] = Field(examples=[[12, 15]])
    kind: str | None = Field(
        default=None,
        examples=["group"],
        description='"category": the category suggestion of each card; "group": the group (or translation) '
        "of exactly these cards. Without it: one card means its category, several their group",
    )


class DismissalOut(BaseModel):
    card_ids: list[int]
    kind: str


class UndoOut(BaseModel):
    seq: int
    undone: dict[str, Any]


# --- JSON API -------------------------------------------------------------------------------------------


def _board_stage(session: Session, *, stage_id: int) -> dict[str, Any]:
    stage = get_stage(session, stage_id=stage_id)
    return {**agenda_design.describe_stage(stage), **board_config.board_settings(stage)}


@cards_router.post("/api/v1/stages/{stage_id}/contributions", status_code=201, response_model=CardOut)
async def add_contribution(stage_id: int, body: CardIn, token: ApiToken, runtime: RuntimeDep) -> CardOut:
    # The hot path of a live workshop: the token is resolved and the card described in its transaction.
    card = await runtime.commands.run_as(
        token,
        board.add_described_card,
        stage_id=stage_id,
        text=body.text,
        category=body.category,
        language=body.language or current_language(),
        client_id=body.client_id,
        card_kind=body.card_kind,
        phase=body.phase,
    )
    if card is None:
        raise NotSignedIn(UNKNOWN_TOKEN)
    return CardOut(**card)


@router.get("/api/v1/stages/{stage_id}/contributions", response_model=CardList)
async def list_contributions(stage_id: int, actor: ApiActor, runtime: RuntimeDep) -> CardList:
    items = await runtime.commands.query(board_view.cards_of_stage, actor=actor, stage_id=stage_id)
    return CardList(items=[CardOut(**item) for item in items])


@router.patch("/api/v1/contributions/{card_id}", response_model=CardOut)
async def moderate_contribution(
    card_id: int, body: CardPatch, actor: ApiFacilitator, runtime: RuntimeDep
) -> CardOut:
    changes = body.model_dump(exclude_unset=True)
    card = await runtime.commands.run(board.update_card, actor=actor, card_id=card_id, **changes)
    return CardOut(**await runtime.commands.query(board_view.describe_card, card_id=card.id))


@router.post("/api/v1/contributions/{card_id}/approve", response_model=CardOut)
async def approve_contribution(card_id: int, actor: ApiFacilitator, runtime: RuntimeDep) -> CardOut:
    card = await runtime.commands.run(board.approve_card, actor=actor, card_id=card_id)
    return CardOut(**await runtime.commands.query(board_view.describe_card, card_id=card.id))


@router.post("/api/v1/stages/{stage_id}/clusters", status_code=201, response_model=CardOut)
async def merge_into_cluster(
    stage_id: int, body: ClusterIn, actor: ApiFacilitator, runtime: RuntimeDep, response: Response
) -> CardOut:
    """Merge cards into a new cluster (201), or into the one cluster among card_ids (200)."""
    cluster, created = await runtime.commands.run(
        moderation.merge_cards, actor=actor, stage_id=stage_id, card_ids=body.card_ids, title=body.title
    )
    response.status_code = 201 if created else 200
    return CardOut(**await runtime.commands.query(board_view.describe_card, card_id=cluster.id))


@router.post("/api/v1/stages/{stage_id}/moves", response_model=CardList)
async def move_contributions(
    stage_id: int, body: MoveIn, actor: ApiFacilitator, runtime: RuntimeDep
) -> CardList:
    """Move cards and clusters to one category (null: no category) as one moderation step."""
    items = await runtime.commands.run(
        moderation.move_cards, actor=actor, stage_id=stage_id, card_ids=body.card_ids, category=body.category
    )
    described = [await runtime.commands.query(board_view.describe_card, card_id=i.id) for i in items]
    return CardList(items=[CardOut(**d) for d in described])


@router.post("/api/v1/stages/{stage_id}/undo", response_model=UndoOut)
async def undo(stage_id: int, actor: ApiFacilitator, runtime: RuntimeDep) -> UndoOut:
    """Revert the stage's last moderation step (edit, hide, move or merge); 409 when there is none."""
    event = await runtime.commands.run(moderation.undo_last_step, actor=actor, stage_id=stage_id)
    return UndoOut(seq=event.seq, undone=event.data["undone"])


@router.put("/api/v1/stages/{stage_id}/categories", response_model=BoardStageOut)
async def set_categories(
    stage_id: int, body: CategoriesIn, actor: ApiFacilitator, runtime: RuntimeDep
) -> BoardStageOut:
    await runtime.commands.run(
        board.set_categories,
        actor=actor,
        stage_id=stage_id,
        categories=[c.model_dump() for c in body.categories],
    )
    return BoardStageOut(**await runtime.commands.query(_board_stage, stage_id=stage_id))


def _designed_stage(session: Session, *, actor: Any, stage_id: int) -> dict[str, Any]:
    stage = get_stage(session, stage_id=stage_id)
    actor.check_facilitator(get_workshop(session, workshop_id=stage.workshop_id))
    return _board_stage(session, stage_id=stage_id)


@router.get("/api/v1/stages/{stage_id}", response_model=BoardStageOut)
async def get_stage_settings(stage_id: int, actor: ApiFacilitator, runtime: RuntimeDep) -> BoardStageOut:
    """A stage as the agenda designer edits it, with its settings (the workshop's facilitators)."""
    return BoardStageOut(**await runtime.commands.query(_designed_stage, actor=actor, stage_id=stage_id))


@router.patch("/api/v1/stages/{stage_id}", response_model=BoardStageOut)
async def change_stage_settings(
    stage_id: int, body: StageSettings, actor: ApiFacilitator, runtime: RuntimeDep
) -> BoardStageOut:
    """Rename, re-time, move or change the settings of a stage (agenda designer), or a board's approval."""
    design = {
        k: getattr(body, k)
        for k in ("title", "minutes", "position", "settings")
        if k in body.model_fields_set
    }
    await runtime.commands.run(
        agenda_design.change_stage, actor=actor, stage_id=stage_id, approval=body.approval, **design
    )
    return BoardStageOut(**await runtime.commands.query(_board_stage, stage_id=stage_id))


@router.get("/api/v1/stages/{stage_id}/suggestions", response_model=SuggestionsOut)
async def get_suggestions(stage_id: int, actor: ApiActor, runtime: RuntimeDep) -> SuggestionsOut:
    """Suggested categories, groups and translations for the board's visible cards (facilitators only).

    Computed on this server (no text leaves it); the first ask loads the model and encodes the cards, later
    asks reuse their vectors. Nothing moves: accept through `/moves` and `/clusters`, or dismiss."""
    found = await runtime.commands.query(
        suggestions.suggest, actor=actor, stage_id=stage_id, language=current_language()
    )
    return SuggestionsOut(**found)


@router.post("/api/v1/stages/{stage_id}/suggestions/dismissals", status_code=201, response_model=DismissalOut)
async def dismiss_suggestions(
    stage_id: int, body: DismissalIn, actor: ApiActor, runtime: RuntimeDep
) -> DismissalOut:
    """Dismiss suggestions for good: they do not come back for the same cards (recorded in the record)."""
    ids = await runtime.commands.run(
        suggestions.dismiss_suggestions,
        actor=actor,
        stage_id=stage_id,
        card_ids=body.card_ids,
        kind=body.kind,
    )
    kind = body.kind or ("category" if len(ids) == 1 else "group")
    return DismissalOut(card_ids=ids, kind=kind)
