"""Boards over HTTP: cards from phones and the API; moderation in the console and on the projector.

Every facilitator form is a plain post answered with a redirect back (or a page with the reason); with
htmx it gets the re-rendered piece instead. Screens follow the changes through the pushed events.
"""

from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from .. import i18n
from ..domain import board, board_config, board_view, moderation
from ..domain.errors import DomainError, Invalid
from ..domain.models import Stage
from ..domain.workshops import get_stage, stage_data
from ..i18n import current_language
from .deps import (
    UNKNOWN_TOKEN,
    ApiActor,
    ApiFacilitator,
    ApiToken,
    JoinedPhone,
    NotSignedIn,
    PageUser,
    RuntimeDep,
    is_fetch,
)
from .errors import status_of
from .pages import phone_context, render
from .schemas import StageOut
from .stages import StageRequest, register

router = APIRouter()
NO_CATEGORY = "~none"  # the "Other" column in a form's select


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
    title: str | None = Field(default=None, max_length=200, examples=["Childcare"])
    card_ids: list[int] = Field(examples=[[12, 15]])


class MoveIn(BaseModel):
    card_ids: list[int]
    category: str | None = None


class CategoryIn(BaseModel):
    key: str = Field(examples=["housing"])
    label: dict[str, str] = Field(examples=[{"en": "Housing", "de": "Wohnen"}])


class CategoriesIn(BaseModel):
    categories: list[CategoryIn]


class StageSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    approval: bool | None = Field(default=None, description="New cards from participants wait for approval")


class BoardStageOut(StageOut):
    approval: bool
    card_kinds: list[dict[str, Any]]
    phases: list[dict[str, Any]]


class UndoOut(BaseModel):
    seq: int
    undone: dict[str, Any]


# --- JSON API -------------------------------------------------------------------------------------------


def _board_stage(session: Session, *, stage_id: int) -> dict[str, Any]:
    stage = get_stage(session, stage_id=stage_id)
    return {**stage_data(stage), **board_config.board_settings(stage)}


@router.post("/api/v1/stages/{stage_id}/contributions", status_code=201, response_model=CardOut)
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


@router.patch("/api/v1/stages/{stage_id}", response_model=BoardStageOut)
async def change_stage_settings(
    stage_id: int, body: StageSettings, actor: ApiFacilitator, runtime: RuntimeDep
) -> BoardStageOut:
    if body.approval is not None:
        await runtime.commands.run(board.set_approval, actor=actor, stage_id=stage_id, approval=body.approval)
    return BoardStageOut(**await runtime.commands.query(_board_stage, stage_id=stage_id))


# --- phones ---------------------------------------------------------------------------------------------


@router.post("/j/{code}/cards", include_in_schema=False)
async def participant_add_card(
    request: Request,
    phone: JoinedPhone,
    runtime: RuntimeDep,
    stage_id: Annotated[int, Form()],
    text: Annotated[str, Form()] = "",
    category: Annotated[str, Form()] = "",
    card_kind: Annotated[str, Form()] = "",
    phase: Annotated[str, Form()] = "",
    client_id: Annotated[str, Form()] = "",
) -> Response:
    participant = phone.participant
    assert participant is not None
    try:
        card = await runtime.commands.run(
            board.add_card,
            actor=phone.actor,
            stage_id=stage_id,
            text=text,
            category=category or None,
            language=participant.language,
            client_id=client_id or None,
            card_kind=card_kind or None,
            phase=phase or None,
        )
    except DomainError as exc:
        if is_fetch(request):
            raise
        context = await phone_context(runtime, phone)
        return render(
            request,
            "participant/stage.html",
            status_of(exc),
            **context,
            message=i18n.error_text(exc),
            draft={"text": text, "category": category, "card_kind": card_kind, "phase": phase},
        )
    if is_fetch(request):
        return Response(
            status_code=201,
            content=f'{{"id": {card.id}, "seq": {card.seq}, "approved": {str(card.approved).lower()}}}',
            media_type="application/json",
        )
    return RedirectResponse(f"/j/{phone.workshop.code}/stage#card-{card.id}", status_code=303)


# --- facilitators: console and projector -----------------------------------------------------------------


def _back(request: Request, next_: str, fallback: str) -> str:
    """Where a plain form post returns to: the page it came from (console or projector)."""
    if next_.startswith("/") and not next_.startswith("//"):
        return next_
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc == request.url.netloc and referer.path.startswith(("/f/", "/s/")):
        return referer.path
    return fallback


def _htmx(request: Request) -> bool:
    return bool(request.headers.get("hx-request"))


def _problem(request: Request, exc: DomainError, back: str) -> Response:
    return render(request, "board/problem.html", status_of(exc), message=i18n.error_text(exc), back=back)


def _stage_view(session: Session, *, stage_id: int) -> dict[str, Any]:
    stage = get_stage(session, stage_id=stage_id)
    return {
        "stage": stage_data(stage),
        "board": board_config.board_settings(stage),
        "workshop_id": stage.workshop_id,
    }


@router.post("/f/cards/{card_id}", include_in_schema=False)
async def console_moderate(
    request: Request,
    card_id: int,
    actor: PageUser,
    runtime: RuntimeDep,
    action: Annotated[str, Form()],
    text: Annotated[str | None, Form()] = None,
    category: Annotated[str | None, Form()] = None,
    next: Annotated[str, Form()] = "",
) -> Response:
    """One card's tools: hide, show, edit, approve."""
    message = None
    try:
        if action == "approve":
            card = await runtime.commands.run(board.approve_card, actor=actor, card_id=card_id)
        else:
            changes: dict[str, Any] = {
                "hide": {"hidden": True},
                "show": {"hidden": False},
                "edit": {"text": text, **({"category": category} if category is not None else {})},
            }.get(action, {})
            if not changes:
                raise Invalid("Unknown moderation action {action}.", action=action)
            card = await runtime.commands.run(board.update_card, actor=actor, card_id=card_id, **changes)
        status = 200
    except DomainError as exc:
        if not _htmx(request):
            return _problem(request, exc, _back(request, next, "/f"))
        message, status = i18n.error_text(exc), status_of(exc)
    if not _htmx(request):
        return RedirectResponse(_back(request, next, f"/f/w/{card.workshop_id}"), status_code=303)
    data = await runtime.commands.query(board_view.describe_card, card_id=card_id)
    template = "board/_cluster.html" if data["kind"] == "cluster" else "board/_card.html"
    return render(
        request,
        template,
        status,
        card=data,
        cluster=data,
        members=data.get("cards", []),
        staff=True,
        card_message=message,
        message_for=card_id,
    )


@router.post("/f/stages/{stage_id}/moderate", include_in_schema=False)
async def console_merge_or_move(
    request: Request,
    stage_id: int,
    actor: PageUser,
    runtime: RuntimeDep,
    action: Annotated[str, Form()] = "merge",
    card_ids: Annotated[list[int], Form()] = [],  # noqa: B006  (FastAPI copies form defaults)
    title: Annotated[str, Form()] = "",
    to: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    """The selection's tools: merge the selected cards into a cluster, or move them to a column."""
    done, status, message = None, 200, None
    try:
        if action == "move":
            if not to:
                raise Invalid("Choose where to move the cards.")
            category = None if to == NO_CATEGORY else to
            await runtime.commands.run(
                moderation.move_cards, actor=actor, stage_id=stage_id, card_ids=card_ids, category=category
            )
            done = i18n.gettext("Moved.")
        else:
            cluster, _created = await runtime.commands.run(
                moderation.merge_cards, actor=actor, stage_id=stage_id, card_ids=card_ids, title=title
            )
            done = i18n.gettext("Merged into the cluster “%(title)s”.") % {"title": cluster.text}
            title = ""
    except DomainError as exc:
        if not _htmx(request):
            return _problem(request, exc, _back(request, next, "/f"))
        message, status = i18n.error_text(exc), status_of(exc)
    view = await runtime.commands.query(_stage_view, stage_id=stage_id)
    back = _back(request, next, f"/f/w/{view['workshop_id']}")
    if not _htmx(request):
        return RedirectResponse(back, status_code=303)
    return render(
        request,
        "board/_selection_form.html",
        status,
        **view,
        back=back,
        done=done,
        message=message,
        title=title,
    )


@router.post("/f/stages/{stage_id}/undo", include_in_schema=False)
async def console_undo(
    request: Request, stage_id: int, actor: PageUser, runtime: RuntimeDep, next: Annotated[str, Form()] = ""
) -> Response:
    done, status, message = None, 200, None
    try:
        event = await runtime.commands.run(moderation.undo_last_step, actor=actor, stage_id=stage_id)
        done = i18n.gettext("Undone: %(step)s.") % {"step": step_name(event.data["undone"]["type"])}
    except DomainError as exc:
        if not _htmx(request):
            return _problem(request, exc, _back(request, next, "/f"))
        message, status = i18n.error_text(exc), status_of(exc)
    view = await runtime.commands.query(_stage_view, stage_id=stage_id)
    back = _back(request, next, f"/f/w/{view['workshop_id']}")
    if not _htmx(request):
        return RedirectResponse(back, status_code=303)
    return render(request, "board/_undo_form.html", status, **view, back=back, done=done, message=message)


def step_name(event_type: str) -> str:
    return {
        "card.updated": i18n.gettext("the change to a card"),
        "cards.moved": i18n.gettext("the move"),
        "cards.merged": i18n.gettext("the merge"),
    }.get(event_type, event_type)


@router.post("/f/stages/{stage_id}/approval", include_in_schema=False)
async def console_approval(
    request: Request,
    stage_id: int,
    actor: PageUser,
    runtime: RuntimeDep,
    approval: Annotated[str, Form()] = "off",
    next: Annotated[str, Form()] = "",
) -> Response:
    try:
        await runtime.commands.run(
            board.set_approval, actor=actor, stage_id=stage_id, approval=approval == "on"
        )
    except DomainError as exc:
        return _problem(request, exc, _back(request, next, "/f"))
    view = await runtime.commands.query(_stage_view, stage_id=stage_id)
    back = _back(request, next, f"/f/w/{view['workshop_id']}")
    if not _htmx(request):
        return RedirectResponse(back, status_code=303)
    return render(request, "board/_approval_form.html", **view, approval=view["board"]["approval"], back=back)


@router.post("/f/stages/{stage_id}/categories", include_in_schema=False)
async def console_categories(
    request: Request,
    stage_id: int,
    actor: PageUser,
    runtime: RuntimeDep,
    key: Annotated[list[str], Form()] = [],  # noqa: B006
    label_en: Annotated[list[str], Form()] = [],  # noqa: B006
    label_de: Annotated[list[str], Form()] = [],  # noqa: B006
    label_es: Annotated[list[str], Form()] = [],  # noqa: B006
    remove: Annotated[list[str], Form()] = [],  # noqa: B006
    new_en: Annotated[str, Form()] = "",
    new_de: Annotated[str, Form()] = "",
    new_es: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    """The categories editor: rename in each language, remove unused ones, add one."""
    rows = zip(key, label_en, label_de, label_es, strict=False)
    categories = [
        {"key": k, "label": {"en": en, "de": de, "es": es}} for k, en, de, es in rows if k not in remove
    ]
    new = {"en": new_en, "de": new_de, "es": new_es}
    if any(v.strip() for v in new.values()):
        name = next_label(new)
        categories.append({"key": board_config.new_category_key(name, key), "label": new})
    try:
        stage = await runtime.commands.run(
            board.set_categories, actor=actor, stage_id=stage_id, categories=categories
        )
    except DomainError as exc:
        return _problem(request, exc, _back(request, next, "/f"))
    return RedirectResponse(_back(request, next, f"/f/w/{stage.workshop_id}"), status_code=303)


def next_label(label: dict[str, str]) -> str:
    return next(v for v in (label.get("en"), *label.values()) if v and v.strip())


# --- what a board stage shows ----------------------------------------------------------------------------


@register("board", "needs")
def board_context(session: Session, request: StageRequest) -> dict[str, Any]:
    """Cards for each screen; a facilitator signed in on the projector gets the moderation tools there too."""
    stage = session.get(Stage, request.stage["id"])
    assert stage is not None
    actor = request.actor
    on_projector = request.role == "projector"
    moderating = request.staff or (on_projector and actor is not None and not actor.is_participant)
    participant_id = request.participant.id if request.participant else None
    cards = board_view.list_cards(
        session,
        stage_id=stage.id,
        include_hidden=moderating,
        participant_id=participant_id,  # type: ignore[arg-type]
    )
    workshop = request.workshop
    labels = {c["key"]: c["label"] for c in stage.config.get("categories", [])}
    return {
        "cards": cards,
        "board": board_config.board_settings(stage),
        "approval": board_config.approval_on(stage),
        "moderating": moderating,
        # Hidden and waiting cards are drawn on a moderated projector as empty placeholders, so a pushed
        # change can fill them in, but their text never shows there.
        "placeholders": moderating and on_projector,
        "waiting_mine": [c for c in cards if not c["approved"]] if participant_id else [],
        "back": f"/s/{workshop.projector_key}" if on_projector else f"/f/w/{workshop.id}",
        "description": stage.config.get("description"),
        "examples": [
            {"category_label": labels.get(e.get("category"), e.get("category") or ""), "text": e.get("text")}
            for e in stage.config.get("examples", [])
            if request.staff
        ],
    }
