"""The organiser dashboard: downloads, the data-and-privacy page, archive, purge, delete, import of a record.

The files are made as the API makes them (`web/api/exports.py`).
"""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response, UploadFile
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from cowork import i18n
from cowork.domain import retention
from cowork.domain.actors import Actor
from cowork.domain.errors import DomainError
from cowork.domain.program import formats as organisation_formats
from cowork.domain.workshops import get_workshop, set_workshop_details
from cowork.exports import FORMATS
from cowork.web.api.exports import MAX_RECORD_BYTES, export_file, import_into, read_record
from cowork.web.deps import PageUser, RuntimeDep
from cowork.web.errors import status_of

router = APIRouter()


# --- the organiser dashboard --------------------------------------------------------------------------


def render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    return request.app.state.runtime.templates.TemplateResponse(
        request, template, context, status_code=status
    )


async def render_dashboard(
    request: Request, actor: Actor, runtime: Any, status: int = 200, **extra: Any
) -> Response:
    rows = await runtime.commands.query(retention.dashboard, actor=actor)
    formats = await runtime.commands.query(organisation_formats.format_cards, actor=actor)
    return render(
        request,
        "facilitator/dashboard.html",
        status,
        rows=rows,
        workshops=rows,
        totals=retention.dashboard_totals(rows),
        formats=formats,
        export_formats=list(FORMATS),
        **extra,
    )


@router.get("/f", include_in_schema=False)
async def dashboard(request: Request, actor: PageUser, runtime: RuntimeDep, format: str = "") -> Response:
    """`format`: the one to pick on the new-workshop form (the console's "Start a workshop from it")."""
    return await render_dashboard(request, actor, runtime, chosen=format or None)


@router.get("/f/w/{workshop_id}/export", include_in_schema=False)
async def export_page(
    request: Request,
    workshop_id: int,
    actor: PageUser,
    runtime: RuntimeDep,
    format: str = "pdf",
    lang: str | None = None,
    part: str | None = None,
    appendix: bool = True,
) -> Response:
    return await export_file(
        request, runtime, actor, workshop_id, format, lang or None, part or None, appendix
    )


def _data_page(session: Session, *, actor: Actor, workshop_id: int) -> dict[str, Any]:
    workshop = get_workshop(session, workshop_id=workshop_id)
    actor.check_facilitator(workshop)
    settings = retention.export_settings(session, workshop_id=workshop_id)
    return {
        "workshop": workshop,
        "settings": settings,
        "contributions": retention.contribution_count(session, workshop_id=workshop_id),
        "participants": retention.participant_count(session, workshop_id=workshop_id),
        "purge_due": retention.purge_due_at(session, workshop, settings),
    }


async def _render_data(
    request: Request, runtime: Any, actor: Actor, workshop_id: int, **extra: Any
) -> Response:
    status = extra.pop("status", 200)
    context = await runtime.commands.query(_data_page, actor=actor, workshop_id=workshop_id)
    return render(request, "exports/data.html", status, export_formats=list(FORMATS), **context, **extra)


@router.get("/f/w/{workshop_id}/data", include_in_schema=False)
async def data_page(request: Request, workshop_id: int, actor: PageUser, runtime: RuntimeDep) -> Response:
    return await _render_data(request, runtime, actor, workshop_id)


@router.post("/f/w/{workshop_id}/privacy", include_in_schema=False)
async def save_privacy(
    request: Request,
    workshop_id: int,
    actor: PageUser,
    runtime: RuntimeDep,
    named: Annotated[str, Form()] = "",
    retention_days: Annotated[str, Form()] = "",
) -> Response:
    try:
        days = int(retention_days) if retention_days.strip() else None
    except ValueError:
        days = -1  # the domain answers with the readable reason
    try:
        await runtime.commands.run(
            retention.change_privacy,
            actor=actor,
            workshop_id=workshop_id,
            named=bool(named),
            retention_days=days,
        )
    except DomainError as exc:
        return await _render_data(
            request, runtime, actor, workshop_id, status=status_of(exc), message=i18n.error_text(exc)
        )
    return RedirectResponse(f"/f/w/{workshop_id}/data?saved=1", status_code=303)


@router.post("/f/w/{workshop_id}/details", include_in_schema=False)
async def save_details(
    request: Request,
    workshop_id: int,
    actor: PageUser,
    runtime: RuntimeDep,
    place: Annotated[str, Form()] = "",
    follow_up_on: Annotated[str, Form()] = "",
) -> Response:
    """The place and the follow-up date the report's first page tells."""
    try:
        await runtime.commands.run(
            set_workshop_details, actor=actor, workshop_id=workshop_id, place=place, follow_up_on=follow_up_on
        )
    except DomainError as exc:
        typed = {"place": place, "follow_up_on": follow_up_on}
        return await _render_data(
            request,
            runtime,
            actor,
            workshop_id,
            status=status_of(exc),
            message=i18n.error_text(exc),
            typed=typed,
        )
    return RedirectResponse(f"/f/w/{workshop_id}/data?saved=1", status_code=303)


@router.post("/f/w/{workshop_id}/archive", include_in_schema=False)
async def archive(
    workshop_id: int, actor: PageUser, runtime: RuntimeDep, restore: Annotated[str, Form()] = ""
) -> Response:
    fn = retention.restore_workshop if restore else retention.archive_workshop
    await runtime.commands.run(fn, actor=actor, workshop_id=workshop_id)
    return RedirectResponse("/f", status_code=303)


@router.get("/f/w/{workshop_id}/delete", include_in_schema=False)
async def confirm_delete(
    request: Request, workshop_id: int, actor: PageUser, runtime: RuntimeDep
) -> Response:
    return await _render_data(request, runtime, actor, workshop_id, confirm="delete")


@router.post("/f/w/{workshop_id}/delete", include_in_schema=False)
async def delete(
    request: Request,
    workshop_id: int,
    actor: PageUser,
    runtime: RuntimeDep,
    confirm: Annotated[str, Form()] = "",
) -> Response:
    if confirm != "yes":
        return await _render_data(request, runtime, actor, workshop_id, confirm="delete")
    await runtime.commands.run(retention.delete_workshop, actor=actor, workshop_id=workshop_id)
    # No event says so: its phones' tokens open nothing any more, and its id may come again (SQLite).
    await runtime.hub.close(workshop_id)
    runtime.phone_pages.forget(workshop_id)
    return RedirectResponse("/f?deleted=1", status_code=303)


@router.get("/f/w/{workshop_id}/purge", include_in_schema=False)
async def confirm_purge(request: Request, workshop_id: int, actor: PageUser, runtime: RuntimeDep) -> Response:
    return await _render_data(request, runtime, actor, workshop_id, confirm="purge")


@router.post("/f/w/{workshop_id}/purge", include_in_schema=False)
async def purge(
    request: Request,
    workshop_id: int,
    actor: PageUser,
    runtime: RuntimeDep,
    confirm: Annotated[str, Form()] = "",
) -> Response:
    if confirm != "yes":
        return await _render_data(request, runtime, actor, workshop_id, confirm="purge")
    await runtime.commands.run(retention.purge_now, actor=actor, workshop_id=workshop_id)
    return RedirectResponse(f"/f/w/{workshop_id}/data?purged=1", status_code=303)


@router.post("/f/import", include_in_schema=False)
async def import_page(request: Request, actor: PageUser, runtime: RuntimeDep, record: UploadFile) -> Response:
    try:
        data = await read_record(await record.read(MAX_RECORD_BYTES + 1))
        workshop, _events = await import_into(runtime, actor, data)
    except DomainError as exc:
        return await render_dashboard(
            request, actor, runtime, status_of(exc), import_message=i18n.error_text(exc)
        )
    return RedirectResponse(f"/f/w/{workshop.id}", status_code=303)
