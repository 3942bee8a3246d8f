"""The projector's other views of a board: a card or cluster in the spotlight, the board's word cloud.

The console's buttons are plain posts (redirect back) or htmx posts answered with the console's projector
controls; every projector follows through `stage.projection_changed` (it reloads its stage).
"""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from cowork import i18n
from cowork.domain import workshops
from cowork.domain.board import projection
from cowork.domain.board import view as board_view
from cowork.domain.errors import DomainError, NotFound
from cowork.domain.models import Stage
from cowork.web.deps import PageUser, RuntimeDep, is_htmx
from cowork.web.errors import status_of
from cowork.web.pages.forms import back_to
from cowork.web.pages.workshops import render

router = APIRouter()


def projection_context(session: Session, stage: Stage, *, on_projector: bool) -> dict[str, Any]:
    """A board's projector state for the console; for the projector, the spotlit item or the cloud."""
    state = projection.projection(stage)
    context: dict[str, Any] = {"projection": state, "spotlight": None, "cloud": None}
    if on_projector:
        context["spotlight"] = projection.spotlit(session, stage) if state["spotlight_id"] else None
        if context["spotlight"] is None and state["word_cloud"]:
            context["cloud"] = cloud_of(session, stage)
    return context


def cloud_of(session: Session, stage: Stage) -> list[dict[str, Any]]:
    """The cloud's words, biggest in the middle: a flow centred on each line reads like a cloud."""
    cards = board_view.list_cards(session, stage_id=stage.id, include_hidden=False)  # type: ignore[arg-type]
    words = projection.word_cloud(cards)
    return words[1::2][::-1] + words[0::2]


async def _answer(request: Request, runtime: Any, stage_id: int, next_: str, run: Any) -> Response:
    """Run the change; answer a plain post with a redirect back, htmx with the controls drawn again."""
    message, status = None, 200
    try:
        await run
    except DomainError as exc:
        message, status = i18n.error_text(exc), status_of(exc)

    def load(session: Session) -> dict[str, Any]:
        stage = workshops.get_stage(session, stage_id=stage_id)
        return {"stage": {"id": stage.id}, "workshop_id": stage.workshop_id, **projection.projection(stage)}

    view = await runtime.commands.query(load)
    back = back_to(request, next_, f"/f/w/{view['workshop_id']}")
    if not is_htmx(request) and message is None:
        return RedirectResponse(back, status_code=303)
    if not is_htmx(request):
        return render(request, "board/problem.html", status, message=message, back=back)
    return render(
        request, "board/_projector_form.html", status, **view, projection=view, back=back, message=message
    )


@router.post("/f/stages/{stage_id}/spotlight", include_in_schema=False)
async def console_spotlight(
    request: Request,
    stage_id: int,
    actor: PageUser,
    runtime: RuntimeDep,
    card_id: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    """A card or cluster full screen on every projector; without a card, back to the board."""
    chosen = int(card_id) if card_id.strip().isdigit() else None
    run = runtime.commands.run(projection.spotlight_card, actor=actor, stage_id=stage_id, card_id=chosen)
    return await _answer(request, runtime, stage_id, next, run)


@router.post("/f/stages/{stage_id}/word-cloud", include_in_schema=False)
async def console_word_cloud(
    request: Request,
    stage_id: int,
    actor: PageUser,
    runtime: RuntimeDep,
    word_cloud: Annotated[str, Form()] = "off",
    next: Annotated[str, Form()] = "",
) -> Response:
    run = runtime.commands.run(
        projection.show_word_cloud, actor=actor, stage_id=stage_id, on=word_cloud == "on"
    )
    return await _answer(request, runtime, stage_id, next, run)


@router.get("/s/{key}/stages/{stage_id}/word-cloud", include_in_schema=False)
async def projector_word_cloud(request: Request, key: str, stage_id: int, runtime: RuntimeDep) -> Response:
    """The cloud alone, refetched by the projector as cards come and go."""

    def load(session: Session) -> dict[str, Any]:
        workshop = workshops.workshop_by_projector_key(session, key=key)
        stage = session.get(Stage, stage_id)
        if stage is None or stage.workshop_id != workshop.id:
            raise NotFound("There is no such stage.")
        return {"workshop": workshop, "stage": {"id": stage.id}, "cloud": cloud_of(session, stage)}

    return render(request, "board/_word_cloud.html", **await runtime.commands.query(load))
