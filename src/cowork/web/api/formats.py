"""Workshop formats in the JSON API: the built-in ones and the organisation's, their TOML in and out."""

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query, Request, Response

from cowork.domain.errors import Invalid
from cowork.domain.program import formats
from cowork.formats import FormatSpec
from cowork.web.api.schemas import FormatOut, FormatRename, FormatSave
from cowork.web.deps import ApiFacilitator, ApiMaybeFacilitator, RuntimeDep

router = APIRouter(prefix="/api/v1")
TOML = "application/toml"
Lang = Annotated[str, Query(pattern="^(en|de|es)$")]


def format_out(spec: FormatSpec, source: Literal["builtin", "organisation"], lang: str) -> FormatOut:
    return FormatOut(
        id=spec.id,
        source=source,
        title=spec.localized_title(lang),
        description=spec.description.get(lang, ""),
        max_participants=spec.max_participants,
        stages=[
            {"kind": s.kind, "title": s.title.get(lang) or s.title["en"], "minutes": s.minutes}
            for s in spec.stages
        ],
    )


@router.get("/formats", response_model=list[FormatOut])
async def list_formats(actor: ApiMaybeFacilitator, runtime: RuntimeDep, lang: Lang = "en") -> list[FormatOut]:
    """The built-in formats, and with a facilitator's token the organisation's too (`source` says which)."""
    found = await runtime.commands.query(formats.list_formats, actor=actor)
    return [format_out(spec, source, lang) for source, spec in found]  # type: ignore[arg-type]


@router.get(
    "/formats/{key}.toml",
    response_class=Response,
    responses={200: {"content": {TOML: {}}, "description": "The format as TOML"}},
)
async def export_format(key: str, actor: ApiFacilitator, runtime: RuntimeDep) -> Response:
    """A format as TOML in the built-in files' layout; the same format always gives the same bytes."""
    text = await runtime.commands.query(formats.export_format, actor=actor, key=key)
    return Response(
        text,
        media_type=f"{TOML}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{key}.toml"'},
    )


@router.post(
    "/formats",
    status_code=201,
    response_model=FormatOut,
    # The file as it is; any content type is read as UTF-8 text (text/plain too, for clients without TOML).
    openapi_extra={
        "requestBody": {
            "content": {TOML: {"schema": {"type": "string"}}, "text/plain": {"schema": {"type": "string"}}},
            "required": True,
        }
    },
)
async def import_format(
    request: Request,
    actor: ApiFacilitator,
    runtime: RuntimeDep,
    replace: bool = Query(default=False, description="Replace the organisation's format of the same id"),
    lang: Lang = "en",
) -> FormatOut:
    """A TOML format file kept as the organisation's, under its `id`; 422 names the line or the field."""
    try:
        text = (await request.body()).decode("utf-8-sig")  # a BOM (Windows editors) is not part of the file
    except UnicodeDecodeError:
        raise Invalid("A format file is UTF-8 text.") from None
    row = await runtime.commands.run(formats.import_format, actor=actor, text=text, replace=replace)
    return format_out(FormatSpec.model_validate(row.data), "organisation", lang)


@router.post("/workshops/{workshop_id}/format", status_code=201, response_model=FormatOut)
async def save_workshop_as_format(
    workshop_id: int, body: FormatSave, actor: ApiFacilitator, runtime: RuntimeDep, lang: Lang = "en"
) -> FormatOut:
    """Keep the workshop's agenda (stages, titles, minutes, settings; no people, no contributions) as a
    format of the organisation; a name in use → 409 unless `"replace": true`."""
    row = await runtime.commands.run(
        formats.save_workshop_as_format,
        actor=actor,
        workshop_id=workshop_id,
        title=body.title,
        replace=body.replace,
    )
    return format_out(FormatSpec.model_validate(row.data), "organisation", lang)


@router.patch("/formats/{key}", response_model=FormatOut)
async def rename_format(
    key: str,
    body: Annotated[FormatRename, Body()],
    actor: ApiFacilitator,
    runtime: RuntimeDep,
    lang: Lang = "en",
) -> FormatOut:
    """Rename one of the organisation's formats (its key stays, so workshops keep naming it)."""
    row = await runtime.commands.run(formats.rename_format, actor=actor, key=key, title=body.title)
    return format_out(FormatSpec.model_validate(row.data), "organisation", lang)


@router.delete("/formats/{key}", status_code=204)
async def delete_format(key: str, actor: ApiFacilitator, runtime: RuntimeDep) -> Response:
    """Delete one of the organisation's formats; a built-in one answers 409."""
    await runtime.commands.run(formats.delete_format, actor=actor, key=key)
    return Response(status_code=204)
