"""The agenda designer's forms for the settings that are lists: a board's card kinds and pathway phases, a
stakeholder stage's families shown, an action plan's required proposal fields. Plain form posts (303 back to
the console's editor, or the console again with the reason); the rules are the domain's, through
`stages.edit_stage`, so the API and the console refuse the same things with the same sentences.
"""

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from cowork.domain.actions.required import REQUIRABLE
from cowork.domain.board.config import TAG_COLUMNS, new_category_key
from cowork.domain.errors import DomainError
from cowork.domain.models import Stage
from cowork.domain.program import stages as agenda_design
from cowork.domain.stakeholders.families import FAMILIES, shown_families
from cowork.formats import CARD_KINDS
from cowork.settings import LANGUAGES
from cowork.web.deps import PageUser, RuntimeDep
from cowork.web.pages.forms import design_refused

router = APIRouter(include_in_schema=False)


def editor_of(stage: Stage) -> dict[str, Any] | None:
    """What the stage's settings form shows, by kind; None for a kind without list settings."""
    config = stage.config
    if stage.kind in CARD_KINDS:
        return {"tags": {setting: list(config.get(setting, [])) for setting in TAG_COLUMNS}}
    if stage.kind == "stakeholders":
        shown = shown_families(config)
        return {"families": [(key, True) for key in shown] + [(k, False) for k in FAMILIES if k not in shown]}
    if stage.kind == "action_plan":
        required = config.get("required") or []
        return {"required": [(key, key in required) for key in REQUIRABLE]}
    return None


def tags_of_form(form: Any) -> list[dict[str, Any]]:
    """The card kinds or phases as posted: rows t-<n>-… (those ticked for removal left out), then a new one
    named in any language, its key made from its label."""
    rows: list[dict[str, Any]] = []
    n = 0
    while f"t-{n}-key" in form:
        label = {lang: str(form.get(f"t-{n}-{lang}") or "").strip() for lang in LANGUAGES}
        if not form.get(f"t-{n}-remove"):
            rows.append({"key": str(form.get(f"t-{n}-key")), "label": {k: v for k, v in label.items() if v}})
        n += 1
    new = {lang: str(form.get(f"new-{lang}") or "").strip() for lang in LANGUAGES}
    if first := next((text for text in new.values() if text), None):
        key = new_category_key(first, (row["key"] for row in rows))
        rows.append({"key": key, "label": {k: v for k, v in new.items() if v}})
    return rows


async def _save(
    request: Request, runtime: Any, actor: Any, workshop_id: int, stage_id: int, settings: dict[str, Any]
) -> Response:
    try:
        await runtime.commands.run(
            agenda_design.edit_stage, actor=actor, stage_id=stage_id, settings=settings
        )
    except DomainError as exc:
        return await design_refused(request, runtime, actor, workshop_id, exc, design_edit=stage_id)
    return RedirectResponse(f"/f/w/{workshop_id}?design=1&edit={stage_id}#design-{stage_id}", status_code=303)


@router.post("/f/w/{workshop_id}/stages/{stage_id}/tags")
async def console_stage_tags(
    request: Request, workshop_id: int, stage_id: int, actor: PageUser, runtime: RuntimeDep
) -> Response:
    """Save a board's card kinds or pathway phases (`setting`): renamed, removed, or one added."""
    form = await request.form()
    setting = str(form.get("setting") or "")
    settings = {setting if setting in TAG_COLUMNS else "phases": tags_of_form(form)}
    return await _save(request, runtime, actor, workshop_id, stage_id, settings)


@router.post("/f/w/{workshop_id}/stages/{stage_id}/families")
async def console_stage_families(
    request: Request, workshop_id: int, stage_id: int, actor: PageUser, runtime: RuntimeDep
) -> Response:
    """Save the families a stakeholder stage offers, in the order the form lists them."""
    form = await request.form()
    families = [str(key) for key in form.getlist("family")]
    return await _save(request, runtime, actor, workshop_id, stage_id, {"families": families})


@router.post("/f/w/{workshop_id}/stages/{stage_id}/required")
async def console_stage_required(
    request: Request, workshop_id: int, stage_id: int, actor: PageUser, runtime: RuntimeDep
) -> Response:
    """Save which proposal fields an action plan asks for."""
    form = await request.form()
    required = [str(key) for key in form.getlist("required")]
    return await _save(request, runtime, actor, workshop_id, stage_id, {"required": required})
