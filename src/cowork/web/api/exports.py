"""Exports and import over the JSON API: the workshop as a file in any format, a session record back in.

Building the report is a query on a worker thread; rendering the file (a PDF takes seconds for a big
workshop) runs in a worker process (`COWORK_EXPORT_PROCESSES` at once), so neither the event loop nor the
GIL is held while every workshop's sockets are served. The dashboard's pages use the same functions.
"""

import json
from typing import Any
from urllib.parse import quote

import anyio.to_process
import anyio.to_thread
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from cowork import i18n
from cowork.commands import run_command
from cowork.domain.actors import Actor
from cowork.domain.errors import Invalid
from cowork.exports import FORMATS, ExportUnavailable, render_format
from cowork.exports.sections import PARTS
from cowork.settings import LANGUAGES
from cowork.web.deps import ApiFacilitator, RuntimeDep
from cowork.web.errors import error_response

router = APIRouter(prefix="/api/v1", tags=["exports"])
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
    request: Request,
    runtime: Any,
    actor: Actor,
    workshop_id: int,
    fmt: str,
    lang: str | None,
    part: str | None = None,
    appendix: bool = True,
) -> Response:
    """The workshop as a file in format `fmt` (in `lang`, else the workshop's language); one part of it on
    its own (`part`), or the whole report with or without the session record as its appendix."""
    from cowork.exports.report import export_report  # here: the report's queries wait until one is asked

    chosen = FORMATS.get(fmt)
    if chosen is None:
        return error_response(request, 400, i18n.error_text(_unknown_format(fmt)))
    if lang is not None and lang not in LANGUAGES:
        raise Invalid(
            "Unknown language {language}; cowork speaks {known}.", language=lang, known=", ".join(LANGUAGES)
        )
    report = await runtime.commands.query(
        export_report, actor=actor, workshop_id=workshop_id, language=lang, part=part, appendix=appendix
    )
    try:
        body = await anyio.to_process.run_sync(render_format, chosen.name, report, limiter=runtime.renderers)
    except ExportUnavailable as exc:
        return error_response(request, 503, str(exc))
    name = chosen.filename(report)
    disposition = f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"
    return Response(body, media_type=chosen.media_type, headers={"Content-Disposition": disposition})


@router.get(
    "/workshops/{workshop_id}/export",
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
    part: str | None = Query(
        default=None,
        description="One part on its own: "
        + ", ".join(PARTS)
        + " (the partners' handout); the whole report if not given",
    ),
    appendix: bool = Query(default=True, description="false leaves the session record (the appendix) out"),
) -> Response:
    """Download the workshop as PDF, DOCX, XLSX, CSV (ZIP), Markdown, JSON (the record) or all in a ZIP."""
    return await export_file(request, runtime, actor, workshop_id, format, lang, part or None, appendix)


@router.post("/workshops/import", status_code=201, response_model=ImportOut)
async def import_api(request: Request, actor: ApiFacilitator, runtime: RuntimeDep) -> Response:
    """Recreate a workshop from its JSON session record (the body); answers the new workshop's id."""
    record = await read_record(await request.body())
    workshop, events = await import_into(runtime, actor, record)
    return JSONResponse(
        ImportOut(workshop_id=workshop.id, code=workshop.code, events=events).model_dump(), status_code=201
    )


async def read_record(body: bytes) -> Any:
    if len(body) > MAX_RECORD_BYTES:
        raise Invalid("The record is too large (at most {limit} MB).", limit=MAX_RECORD_BYTES // 2**20)
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise Invalid("This file is not JSON; please send a session record exported by cowork.") from None


async def import_into(runtime: Any, actor: Actor, record: Any) -> tuple[Any, int]:
    # No publishing: nobody watches a workshop that did not exist a moment ago, and rendering thousands of
    # pushes would only keep the event loop busy.
    from cowork.exports.replay import import_record  # here, not on the way to the server's start

    workshop, events = await anyio.to_thread.run_sync(
        lambda: run_command(runtime.engine, import_record, actor=actor, record=record)
    )
    return workshop, len(events)
