"""Exports, import and the organiser dashboard: downloads, the data-and-privacy page, archive, purge, delete.

Building the report is a query on a worker thread; rendering the file (a PDF takes seconds for a big
workshop) runs in a worker process (`COWORK_EXPORT_PROCESSES` at once), so neither the event loop nor the
GIL is held while every workshop's sockets are served.
"""

import json
from typing import Annotated, Any
from urllib.parse import quote

import anyio.to_process
import anyio.to_thread
from fastapi import APIRouter, Form, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel
from sqlmodel import Session

from .. import i18n
from ..commands import run_command
from ..domain import retention
from ..domain.actors import Actor
from ..domain.errors import DomainError, Invalid
from ..domain.workshops import get_workshop
from ..exports import FORMATS, ExportUnavailable, render_format
from ..exports.replay import import_record
from ..exports.report import export_report
from ..formats import all_formats
from ..settings import LANGUAGES
from .deps import ApiFacilitator, PageUser, RuntimeDep
from .errors import error_response, status_of

router = APIRouter()
MAX_RECORD_BYTES = 64 * 1024 * 1024


class ImportOut(BaseModel):
    workshop_id: int
    code: str
    events: int


def _unknown_format(fmt: str) -> Invalid:
    return Invalid(
        "Unknown export format {format}; cowork exports: {formats}.", format=fmt, formats=", ".join(FORMATS)
    )


async def export_file(
    request: Request, runtime: Any, actor: Actor, workshop_id: int, fmt: str, lang: str | None
) -> Response:
    """The workshop as a file in format `fmt` (in `lang`, else the workshop's language)."""
    chosen = FORMATS.get(fmt)
    if chosen is None:
        return error_response(request, 400, i18n.error_text(_unknown_format(fmt)))
    if lang is not None and lang not in LANGUAGES:
        raise Invalid(
            "Unknown language {language}; cowork speaks {known}.", language=lang, known=", ".join(LANGUAGES)
        )
    report = await runtime.commands.query(export_report, actor=actor, workshop_id=workshop_id, language=lang)
    try:
        body = await anyio.to_process.run_sync(render_format, chosen.name, report, limiter=runtime.renderers)
    except ExportUnavailable as exc:
        return error_response(request, 503, str(exc))
    name = chosen.filename(report)
    disposition = f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"
    return Response(body, media_type=chosen.media_type, headers={"Content-Disposition": disposition})


@router.get(
    "/api/v1/workshops/{workshop_id}/export",
    tags=["exports"],
    responses={
        200: {"description": "The file.", "content": {f.media_type: {} for f in FORMATS.values()}},
        400: {"description": "Unknown format; the answer lists the formats."},
        503: {"description": "This installation cannot make the format (the PDF needs Pango)."},
    },
)
async def export_api(
    request: Request,
    workshop_id: int,
    actor: ApiFacilitator,
    runtime: RuntimeDep,
    format: str = Query(description="One of: " + ", ".join(FORMATS)),
    lang: str | None = Query(default=None, description="en, de or es; the workshop's language if not given"),
) -> Response:
    """Download the workshop as PDF, DOCX, XLSX, CSV (ZIP), Markdown, JSON (the record) or all in a ZIP."""
    return await export_file(request, runtime, actor, workshop_id, format, lang)


@router.post("/api/v1/workshops/import", tags=["exports"], status_code=201, response_model=ImportOut)
async def import_api(request: Request, actor: ApiFacilitator, runtime: RuntimeDep) -> Response:
    """Recreate a workshop from its JSON session record (the body); answers the new workshop's id."""
    record = await _read_record(await request.body())
    workshop, events = await _import(runtime, actor, record)
    return JSONResponse(
        ImportOut(workshop_id=workshop.id, code=workshop.code, events=events).model_dump(), status_code=201
    )


async def _read_record(body: bytes) -> Any:
    if len(body) > MAX_RECORD_BYTES:
        raise Invalid("The record is too large (at most {limit} MB).", limit=MAX_RECORD_BYTES // 2**20)
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise Invalid("This file is not JSON; please send a session record exported by cowork.") from None


async def _import(runtime: Any, actor: Actor, record: Any) -> tuple[Any, int]:
    # No publishing: nobody watches a workshop that did not exist a moment ago, and rendering thousands of
    # pushes would only keep the event loop busy.
    workshop, events = await anyio.to_thread.run_sync(
        lambda: run_command(runtime.engine, import_record, actor=actor, record=record)
    )
    return workshop, len(events)


# --- the organiser dashboard --------------------------------------------------------------------------


def render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    return request.app.state.runtime.templates.TemplateResponse(
        request, template, context, status_code=status
    )


async def render_dashboard(
    request: Request, actor: Actor, runtime: Any, status: int = 200, **extra: Any
) -> Response:
    rows = await runtime.commands.query(retention.dashboard, actor=actor)
    return render(
        request,
        "facilitator/dashboard.html",
        status,
        rows=rows,
        workshops=rows,
        formats=all_formats(),
        export_formats=list(FORMATS),
        **extra,
    )


@router.get("/f", include_in_schema=False)
async def dashboard(request: Request, actor: PageUser, runtime: RuntimeDep) -> Response:
    return await render_dashboard(request, actor, runtime)


@router.get("/f/w/{workshop_id}/export", include_in_schema=False)
async def export_page(
    request: Request,
    workshop_id: int,
    actor: PageUser,
    runtime: RuntimeDep,
    format: str = "pdf",
    lang: str | None = None,
) -> Response:
    return await export_file(request, runtime, actor, workshop_id, format, lang or None)


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
        data = await _read_record(await record.read(MAX_RECORD_BYTES + 1))
        workshop, _events = await _import(runtime, actor, data)
    except DomainError as exc:
        return await render_dashboard(
            request, actor, runtime, status_of(exc), import_message=i18n.error_text(exc)
        )
    return RedirectResponse(f"/f/w/{workshop.id}", status_code=303)
