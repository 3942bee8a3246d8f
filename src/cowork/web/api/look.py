"""The projector's own look over HTTP: the workshop's logo (the file as the body) and its accent colour."""

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from cowork.domain.program import look
from cowork.web.deps import ApiFacilitator, RuntimeDep

router = APIRouter(prefix="/api/v1", tags=["projector"])
PROBLEM = {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
IMAGES = ("image/png", "image/jpeg", "image/svg+xml", "application/octet-stream")


class LogoOut(BaseModel):
    type: str = Field(examples=["image/png"])
    bytes: int
    sha256: str
    url: str = Field(description="Where the projector loads it (an <img>; a CSP that allows nothing)")


class LookOut(BaseModel):
    accent: str | None = Field(examples=["#1a7f5a"], description="None: the theme's own accent")
    accent_ink: str | None = Field(description="The text colour on the accent: #ffffff or #000000")
    logo: LogoOut | None


class AccentIn(BaseModel):
    accent: str | None = Field(examples=["#1a7f5a"], description="#rrggbb; null for the theme's own")


def _out(data: dict[str, Any]) -> LookOut:
    logo = None
    if data["logo"]:
        url = f"/s/{data['projector_key']}/logo?v={data['logo']['sha256'][:16]}"
        logo = LogoOut(**data["logo"], url=url)
    return LookOut(accent=data["accent"], accent_ink=data["accent_ink"], logo=logo)


async def _look(runtime: Any, actor: Any, workshop_id: int) -> LookOut:
    return _out(await runtime.commands.query(look.describe_look, actor=actor, workshop_id=workshop_id))


@router.get("/workshops/{workshop_id}/look", response_model=LookOut)
async def read_look(workshop_id: int, actor: ApiFacilitator, runtime: RuntimeDep) -> LookOut:
    return await _look(runtime, actor, workshop_id)


@router.put(
    "/workshops/{workshop_id}/logo",
    response_model=LookOut,
    openapi_extra={
        "requestBody": {
            "content": {kind: {"schema": {"type": "string", "format": "binary"}} for kind in IMAGES},
            "required": True,
        }
    },
    responses={
        413: {"description": "The file is over 500 KB.", "content": PROBLEM},
        415: {"description": "Not a PNG, JPEG or SVG image.", "content": PROBLEM},
    },
)
async def put_logo(request: Request, workshop_id: int, actor: ApiFacilitator, runtime: RuntimeDep) -> LookOut:
    """The logo as the request's body: PNG, JPEG or SVG, at most 500 KB, told apart by its content."""
    content = await request.body()
    await runtime.commands.run(look.set_logo, actor=actor, workshop_id=workshop_id, content=content)
    return await _look(runtime, actor, workshop_id)


@router.delete("/workshops/{workshop_id}/logo", response_model=LookOut)
async def delete_logo(workshop_id: int, actor: ApiFacilitator, runtime: RuntimeDep) -> LookOut:
    await runtime.commands.run(look.remove_logo, actor=actor, workshop_id=workshop_id)
    return await _look(runtime, actor, workshop_id)


@router.put("/workshops/{workshop_id}/accent", response_model=LookOut)
async def put_accent(workshop_id: int, body: AccentIn, actor: ApiFacilitator, runtime: RuntimeDep) -> LookOut:
    await runtime.commands.run(look.set_accent, actor=actor, workshop_id=workshop_id, accent=body.accent)
    return await _look(runtime, actor, workshop_id)
