"""The console's format panel: save the agenda as a format of the organisation, download it as TOML,
import a format file, rename and delete the organisation's formats. Plain form posts; errors on the page."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request, Response, UploadFile
from fastapi.responses import RedirectResponse

from cowork import i18n
from cowork.domain.errors import Conflict, DomainError, Invalid
from cowork.domain.program import formats
from cowork.rendering import localized
from cowork.web.deps import PageUser, RuntimeDep
from cowork.web.pages.forms import console_again

router = APIRouter(include_in_schema=False)


def _back(workshop_id: int, **query: str) -> Response:
    """To the console with the panel open and its message focused (a fragment would win over autofocus)."""
    params = "&".join(f"{k}={quote(v)}" for k, v in query.items())
    return RedirectResponse(f"/f/w/{workshop_id}?{params}", status_code=303)


def _toml(filename: str, text: str) -> Response:
    return Response(
        text,
        media_type="application/toml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post("/f/w/{workshop_id}/format")
async def save_as_format(
    request: Request,
    workshop_id: int,
    actor: PageUser,
    runtime: RuntimeDep,
    name: Annotated[str, Form()] = "",
    replace: Annotated[str, Form()] = "",
) -> Response:
    """Keep the agenda as a format; the same name again asks first, then replaces it."""
    try:
        row = await runtime.commands.run(
            formats.save_workshop_as_format,
            actor=actor,
            workshop_id=workshop_id,
            title=name,
            replace=replace == "1",
        )
    except Conflict as exc:
        return await console_again(
            request, runtime, actor, workshop_id, exc, formats_open=True, format_confirm=name.strip()
        )
    except DomainError as exc:
        return await console_again(
            request, runtime, actor, workshop_id, exc, formats_open=True, format_message=i18n.error_text(exc)
        )
    return _back(workshop_id, saved=row.key)


@router.get("/f/w/{workshop_id}/format.toml")
async def download_workshop_format(workshop_id: int, actor: PageUser, runtime: RuntimeDep) -> Response:
    filename, text = await runtime.commands.query(
        formats.workshop_format_toml, actor=actor, workshop_id=workshop_id
    )
    return _toml(filename, text)


@router.get("/f/formats/{key}.toml")
async def download_format(key: str, actor: PageUser, runtime: RuntimeDep) -> Response:
    text = await runtime.commands.query(formats.export_format, actor=actor, key=key)
    return _toml(f"{key}.toml", text)


@router.post("/f/w/{workshop_id}/formats/import")
async def import_format(
    request: Request,
    workshop_id: int,
    actor: PageUser,
    runtime: RuntimeDep,
    file: UploadFile,
    replace: Annotated[str, Form()] = "",
) -> Response:
    try:
        raw = await file.read(formats.MAX_TOML * 4 + 1)
        try:
            text = raw.decode("utf-8-sig")  # a BOM (Windows editors) is not part of the file
        except UnicodeDecodeError:
            raise Invalid("A format file is UTF-8 text.") from None
        row = await runtime.commands.run(
            formats.import_format, actor=actor, text=text, replace=replace == "1"
        )
    except DomainError as exc:
        return await console_again(
            request, runtime, actor, workshop_id, exc, formats_open=True, import_message=i18n.error_text(exc)
        )
    return _back(workshop_id, imported=row.key)


@router.post("/f/w/{workshop_id}/formats/{key}/rename")
async def rename_format(
    request: Request,
    workshop_id: int,
    key: str,
    actor: PageUser,
    runtime: RuntimeDep,
    name: Annotated[str, Form()] = "",
) -> Response:
    try:
        await runtime.commands.run(formats.rename_format, actor=actor, key=key, title=name)
    except DomainError as exc:
        return await console_again(
            request, runtime, actor, workshop_id, exc, formats_open=True, list_message=i18n.error_text(exc)
        )
    return _back(workshop_id, renamed=key)


@router.post("/f/w/{workshop_id}/formats/{key}/delete")
async def delete_format(
    request: Request, workshop_id: int, key: str, actor: PageUser, runtime: RuntimeDep
) -> Response:
    try:
        title = await runtime.commands.run(formats.delete_format, actor=actor, key=key)
    except DomainError as exc:
        return await console_again(
            request, runtime, actor, workshop_id, exc, formats_open=True, list_message=i18n.error_text(exc)
        )
    # Gone from the database, so its name travels with the redirect: the message says which format it was.
    return _back(workshop_id, deleted=key, name=localized(title) or key)
