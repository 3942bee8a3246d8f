"""The projector's own look: the console's form (logo, accent colour) and what the projector fetches of it.

The form posts work without JavaScript (redirect back to the console; a refusal is a page with the
sentence and a link back) and with htmx (the form drawn again, with the sentence). The projector draws
`projector/_look.html`: the logo's <img> and the stylesheet that sets --brand; `look.changed` makes every
projector fetch that fragment again.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response, UploadFile
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from cowork import i18n
from cowork.domain import workshops
from cowork.domain.errors import DomainError, NotFound
from cowork.domain.program import look
from cowork.web.deps import PageUser, RuntimeDep, is_htmx
from cowork.web.errors import status_of
from cowork.web.pages.stages import StageRequest, register_common
from cowork.web.pages.workshops import render

router = APIRouter(include_in_schema=False)
# The logo opened on its own is a document: it may draw (inline styles of an SVG) and nothing else.
LOGO_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, max-age=86400",  # its address changes with its digest
}


@register_common
def _look(session: Session, request: StageRequest) -> dict[str, Any]:
    """The projector draws the look, the console shows its form; phones need neither."""
    if request.role == "participant":
        return {}
    assert request.workshop.id is not None
    return {"look": look.look_of(session, workshop_id=request.workshop.id)}


# --- the projector -----------------------------------------------------------------------------------


async def _projector_look(runtime: Any, key: str) -> dict[str, Any]:
    def load(session: Session) -> dict[str, Any]:
        workshop = workshops.workshop_by_projector_key(session, key=key)
        return {"workshop": workshop, "look": look.look_of(session, workshop_id=workshop.id)}

    return await runtime.commands.query(load)


@router.get("/s/{key}/look")
async def projector_look(request: Request, key: str, runtime: RuntimeDep) -> Response:
    """The logo and the accent's stylesheet link, fetched again after `look.changed`."""
    return render(request, "projector/_look.html", **await _projector_look(runtime, key))


@router.get("/s/{key}/look.css")
async def projector_look_css(key: str, runtime: RuntimeDep) -> Response:
    """The accent as CSS custom properties on the projector's body (the CSP allows no inline style)."""
    chosen = (await _projector_look(runtime, key))["look"]
    css = ""
    if chosen["accent"]:  # checked as #rrggbb when it was set: nothing else can reach the stylesheet
        css = f"body.projector {{ --brand: {chosen['accent']}; --brand-ink: {chosen['accent_ink']}; }}\n"
    return Response(css, media_type="text/css", headers={"Cache-Control": "no-cache"})


@router.get("/s/{key}/logo")
async def projector_logo(key: str, runtime: RuntimeDep) -> Response:
    def load(session: Session) -> tuple[bytes, str] | None:
        workshop = workshops.workshop_by_projector_key(session, key=key)
        return look.logo_of(session, workshop_id=workshop.id)

    found = await runtime.commands.query(load)
    if found is None:
        raise NotFound("This workshop has no logo.")
    content, media_type = found
    return Response(content, media_type=media_type, headers=LOGO_HEADERS)


# --- the console ---------------------------------------------------------------------------------------


async def _form_context(runtime: Any, actor: Any, workshop_id: int) -> dict[str, Any]:
    def load(session: Session) -> dict[str, Any]:
        workshop = workshops.describe_workshop(session, actor=actor, workshop_id=workshop_id)
        return {"workshop": workshop, "look": look.look_of(session, workshop_id=workshop_id)}

    return await runtime.commands.query(load)


@router.get("/f/w/{workshop_id}/look")
async def look_form(request: Request, workshop_id: int, actor: PageUser, runtime: RuntimeDep) -> Response:
    context = await _form_context(runtime, actor, workshop_id)
    return render(request, "facilitator/_look_form.html", **context)


async def _answer(request: Request, runtime: Any, actor: Any, workshop_id: int, change: Any) -> Response:
    """Run the change; a plain post goes back to the console, htmx gets the form drawn again."""
    status, message = 200, None
    try:
        await change
    except DomainError as exc:
        status, message = status_of(exc), i18n.error_text(exc)
    back = f"/f/w/{workshop_id}#screen-look"
    if not is_htmx(request):
        if message is None:
            return RedirectResponse(back, status_code=303)
        return render(request, "board/problem.html", status, message=message, back=back)
    context = await _form_context(runtime, actor, workshop_id)
    return render(
        request, "facilitator/_look_form.html", status, look_message=message, look_open=True, **context
    )


@router.post("/f/w/{workshop_id}/look/logo")
async def upload_logo(
    request: Request, workshop_id: int, actor: PageUser, runtime: RuntimeDep, logo: UploadFile
) -> Response:
    """A new logo; read whole, as the body limit has already bounded it."""
    content = await logo.read()
    change = runtime.commands.run(look.set_logo, actor=actor, workshop_id=workshop_id, content=content)
    return await _answer(request, runtime, actor, workshop_id, change)


@router.post("/f/w/{workshop_id}/look/logo/remove")
async def remove_logo(request: Request, workshop_id: int, actor: PageUser, runtime: RuntimeDep) -> Response:
    change = runtime.commands.run(look.remove_logo, actor=actor, workshop_id=workshop_id)
    return await _answer(request, runtime, actor, workshop_id, change)


@router.post("/f/w/{workshop_id}/look/accent")
async def set_accent(
    request: Request,
    workshop_id: int,
    actor: PageUser,
    runtime: RuntimeDep,
    accent: Annotated[str, Form()] = "",
    accent_text: Annotated[str, Form()] = "",
    reset: Annotated[str, Form()] = "",
) -> Response:
    """The colour typed as text wins over the picker's (a browser without a picker sends only text)."""
    chosen = None if reset else (accent_text.strip() or accent)
    change = runtime.commands.run(look.set_accent, actor=actor, workshop_id=workshop_id, accent=chosen)
    return await _answer(request, runtime, actor, workshop_id, change)
