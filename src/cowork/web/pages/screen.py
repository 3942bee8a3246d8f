"""The console's live-run pieces: the agenda rail, and the projector's switches (theme, join code)."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from cowork import i18n
from cowork.domain import workshops
from cowork.domain.errors import DomainError
from cowork.domain.program import screen
from cowork.web.deps import PageUser, RuntimeDep, is_htmx
from cowork.web.errors import status_of
from cowork.web.pages.stages import StageRequest, register_common

router = APIRouter(include_in_schema=False)


@register_common
def _screen(session: Session, request: StageRequest) -> dict[str, Any]:
    """Every stage page knows the projector's theme and join mode (the projector draws them, the console
    shows its switches)."""
    assert request.workshop.id is not None
    return {"screen": screen.screen_of(session, workshop_id=request.workshop.id)}


def _render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    templates = request.app.state.runtime.templates
    return templates.TemplateResponse(request, template, context, status_code=status)


@router.get("/f/w/{workshop_id}/rail")
async def console_rail(request: Request, workshop_id: int, actor: PageUser, runtime: RuntimeDep) -> Response:
    """The agenda rail alone, fetched again when the stage or the agenda changes."""

    def load(session: Session) -> dict[str, Any]:
        info = workshops.describe_workshop(session, actor=actor, workshop_id=workshop_id)
        stage = next((s for s in info["stages"] if s["id"] == info["current_stage_id"]), info["stages"][0])
        return {"workshop": info, "stage": stage}

    return _render(request, "facilitator/_rail.html", **await runtime.commands.query(load))


async def _switch_context(runtime: Any, actor: Any, workshop_id: int) -> dict[str, Any]:
    def load(session: Session) -> dict[str, Any]:
        workshop = workshops.describe_workshop(session, actor=actor, workshop_id=workshop_id)
        return {"workshop": workshop, "screen": screen.screen_of(session, workshop_id=workshop_id)}

    return await runtime.commands.query(load)


@router.get("/f/w/{workshop_id}/screen")
async def screen_switch(request: Request, workshop_id: int, actor: PageUser, runtime: RuntimeDep) -> Response:
    context = await _switch_context(runtime, actor, workshop_id)
    return _render(request, "facilitator/_screen_switch.html", **context)


@router.post("/f/w/{workshop_id}/screen")
async def set_screen(
    request: Request,
    workshop_id: int,
    actor: PageUser,
    runtime: RuntimeDep,
    theme: Annotated[str | None, Form()] = None,
    join: Annotated[str | None, Form()] = None,
) -> Response:
    """Switch the projector's theme or join code; every open projector follows over the live channel."""
    status, message = 200, None
    try:
        await runtime.commands.run(
            screen.set_screen, actor=actor, workshop_id=workshop_id, theme=theme, join=join
        )
    except DomainError as exc:
        status, message = status_of(exc), i18n.error_text(exc)
    if not is_htmx(request):
        return RedirectResponse(f"/f/w/{workshop_id}", status_code=303)
    context = await _switch_context(runtime, actor, workshop_id)
    return _render(request, "facilitator/_screen_switch.html", status, message=message, **context)
