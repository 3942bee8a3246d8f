"""Pages of the programme: the timer and agenda on every stage, presentations, evaluation, their form posts.

What presentation and evaluation stages show, and their plain form posts (303 back to the page; a 4xx with
the message on errors). The breakout tables' pages are in `tables.py`.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from sqlmodel import Session

from cowork import i18n
from cowork.domain import workshops
from cowork.domain.actors import Actor
from cowork.domain.errors import DomainError, NotFound
from cowork.domain.models import Stage, Workshop, utcnow
from cowork.domain.program import agenda, evaluation, presentations
from cowork.domain.program import stages as agenda_design
from cowork.formats import SCALE_POINTS
from cowork.web.deps import JoinedPhone, PageUser, RuntimeDep, is_fetch
from cowork.web.pages.designer import design_context
from cowork.web.pages.forms import (
    STORE_ERRORS,
    design_refused,
    form_number,
    phone_not_saved,
    phone_refused,
    to_console,
)
from cowork.web.pages.stages import StageRequest, register, register_common
from cowork.web.pages.workshops import console_context, render

router = APIRouter(include_in_schema=False)


# --- what the stage pages show ------------------------------------------------------------------------


@register_common
def _programme(session: Session, request: StageRequest) -> dict[str, Any]:
    """On every stage: the timer of this stage, where we are in the agenda, and the participant limit."""
    workshop = request.workshop
    assert workshop.id is not None
    facts = agenda.programme_facts(session, workshop=workshop)
    present = workshops.participant_count(session, workshop_id=workshop.id)
    view = agenda.programme_on_screen(facts, utcnow(), present)
    view["design"] = design_context(session, workshop) if request.staff else None
    return {"programme": view}


def _stage_row(session: Session, request: StageRequest) -> Stage:
    return workshops.get_stage(session, stage_id=request.stage["id"])


@register("presentations")
def _presentations(session: Session, request: StageRequest) -> dict[str, Any]:
    stage = _stage_row(session, request)
    return {
        "presentations": presentations.describe_presentations(
            session, stage=stage, include_hidden=request.staff
        )
    }


@register("evaluation")
def _evaluation(session: Session, request: StageRequest) -> dict[str, Any]:
    stage = _stage_row(session, request)
    assert stage.id is not None
    spec = evaluation.spec_of(stage)
    view: dict[str, Any] = {"spec": spec, "scale": list(range(1, SCALE_POINTS + 1))}
    if request.participant is not None:
        view["mine"] = evaluation.my_answers(
            session, stage_id=stage.id, participant_id=request.participant.id
        )  # type: ignore[arg-type]
    else:
        view["results"] = _result_rows(evaluation.results(session, stage=stage, include_text=False), spec)
        view["responses"] = view["results"]["responses"]
    if request.staff:
        view["texts"] = evaluation.text_answers(session, stage=stage)
    return {"evaluation": view}


def _result_rows(results: dict[str, Any], spec: Any) -> dict[str, Any]:
    """The likert results with their item's text and labels, as the bars partial shows them."""
    by_id = {item["id"]: item for item in results["items"]}
    rows = []
    for item in spec.items:
        if item.type != "likert":
            continue
        found = by_id[item.id]
        top = max(found["distribution"].values()) or 1
        rows.append(
            {
                "id": item.id,
                "text": item.text,
                "count": found["count"],
                "mean": found["mean"],
                "bars": [
                    {
                        "point": point,
                        "label": item.labels[point - 1] if item.labels else {},
                        "count": found["distribution"][str(point)],
                        "share": round(100 * found["distribution"][str(point)] / top, 1),
                    }
                    for point in range(1, SCALE_POINTS + 1)
                ],
            }
        )
    return {"stage_id": results["stage_id"], "responses": results["responses"], "items": rows}


# --- fragments that screens refetch -------------------------------------------------------------------


async def _screen_workshop(runtime: Any, key: str) -> Workshop:
    workshop = await runtime.commands.query(workshops.workshop_by_projector_key, key=key)
    i18n.set_language(workshop.language)
    return workshop


async def _stage_of(runtime: Any, workshop: Workshop, stage_id: int) -> Stage:
    stage = await runtime.commands.query(workshops.get_stage, stage_id=stage_id)
    if stage.workshop_id != workshop.id:
        raise NotFound("There is no such stage.")
    return stage


_FRAGMENTS = {
    "program/_presentations.html": "presentations",
    "program/_evaluation_results.html": "evaluation",
}


async def _fragment(
    request: Request, runtime: Any, workshop: Workshop, stage: Stage, role: str, template: str, **extra: Any
) -> Response:
    """The part of a presentations or evaluation stage that the projector and the console refetch."""
    if stage.kind != _FRAGMENTS[template]:
        raise NotFound("There is no such stage.")

    def load(session: Session) -> dict[str, Any]:
        stage_dict = workshops.stage_data(stage)
        loader = _presentations if stage.kind == "presentations" else _evaluation
        return loader(session, StageRequest(workshop=workshop, stage=stage_dict, role=role, **extra))

    context = await runtime.commands.query(load)
    stage_dict = workshops.stage_data(stage)
    return render(
        request, template, workshop=workshop, stage=stage_dict, staff=role == "facilitator", **context
    )


@router.get("/s/{key}/presentations/{stage_id}")
async def projector_presentations(request: Request, key: str, stage_id: int, runtime: RuntimeDep) -> Response:
    workshop = await _screen_workshop(runtime, key)
    stage = await _stage_of(runtime, workshop, stage_id)
    return await _fragment(request, runtime, workshop, stage, "projector", "program/_presentations.html")


@router.get("/s/{key}/evaluation/{stage_id}")
async def projector_evaluation(request: Request, key: str, stage_id: int, runtime: RuntimeDep) -> Response:
    workshop = await _screen_workshop(runtime, key)
    stage = await _stage_of(runtime, workshop, stage_id)
    return await _fragment(request, runtime, workshop, stage, "projector", "program/_evaluation_results.html")


async def _console_workshop(runtime: Any, actor: Actor, workshop_id: int) -> Workshop:
    workshop = await runtime.commands.query(workshops.get_workshop, workshop_id=workshop_id)
    actor.check_facilitator(workshop)
    return workshop


@router.get("/f/w/{workshop_id}/presentations/{stage_id}")
async def console_presentations(
    request: Request, workshop_id: int, stage_id: int, actor: PageUser, runtime: RuntimeDep
) -> Response:
    workshop = await _console_workshop(runtime, actor, workshop_id)
    stage = await _stage_of(runtime, workshop, stage_id)
    return await _fragment(
        request, runtime, workshop, stage, "facilitator", "program/_presentations.html", actor=actor
    )


@router.get("/f/w/{workshop_id}/evaluation/{stage_id}")
async def console_evaluation(
    request: Request, workshop_id: int, stage_id: int, actor: PageUser, runtime: RuntimeDep
) -> Response:
    workshop = await _console_workshop(runtime, actor, workshop_id)
    stage = await _stage_of(runtime, workshop, stage_id)
    return await _fragment(
        request, runtime, workshop, stage, "facilitator", "program/_evaluation_results.html", actor=actor
    )


# --- facilitator forms --------------------------------------------------------------------------------


@router.post("/f/w/{workshop_id}/timer")
async def console_timer(
    workshop_id: int,
    actor: PageUser,
    runtime: RuntimeDep,
    action: Annotated[str, Form()],
    minutes: Annotated[str, Form()] = "",
) -> Response:
    seconds: int | float | None = None
    if action == "start" and minutes.strip():
        try:
            seconds = round(float(minutes.replace(",", ".")) * 60)
        except ValueError:
            seconds = -1  # the domain says what a valid length is
    await runtime.commands.run(
        agenda.control_timer, actor=actor, workshop_id=workshop_id, action=action, seconds=seconds
    )
    return to_console(workshop_id)


@router.post("/f/w/{workshop_id}/presentations/{stage_id}/next")
async def console_next(workshop_id: int, stage_id: int, actor: PageUser, runtime: RuntimeDep) -> Response:
    await runtime.commands.run(presentations.next_presentation, actor=actor, stage_id=stage_id)
    return to_console(workshop_id)


# --- the agenda designer (console) -------------------------------------------------------------------


@router.get("/f/w/{workshop_id}/agenda-editor")
async def console_agenda_editor(
    request: Request, workshop_id: int, actor: PageUser, runtime: RuntimeDep
) -> Response:
    """The editor's rows, which the console refetches when the agenda changes."""
    context = await console_context(runtime, actor, workshop_id)
    return render(request, "program/_agenda_editor.html", **context)


def _to_design(workshop_id: int, anchor: str = "agenda-design", **query: Any) -> Response:
    """Back to the console with the agenda editor open (without a fragment after a move, an addition or an
    edit: the page focuses the stage just changed, and a page with a target element ignores autofocus)."""
    params = "&".join(f"{k}={v}" for k, v in {"design": 1, **query}.items())
    return RedirectResponse(f"/f/w/{workshop_id}?{params}{'#' + anchor if anchor else ''}", status_code=303)


@router.post("/f/w/{workshop_id}/stages")
async def console_add_stage(
    request: Request,
    workshop_id: int,
    actor: PageUser,
    runtime: RuntimeDep,
    kind: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    lang: Annotated[str, Form()] = "en",
    minutes: Annotated[str, Form()] = "",
    position: Annotated[str, Form()] = "end",
) -> Response:
    try:
        where = await runtime.commands.query(_position_of, workshop_id=workshop_id, choice=position)
        stage = await runtime.commands.run(
            agenda_design.add_stage,
            actor=actor,
            workshop_id=workshop_id,
            kind=kind,
            title={lang: title},
            minutes=form_number(minutes),
            position=where,
        )
    except DomainError as exc:
        form = {"kind": kind, "title": title, "minutes": minutes}
        return await design_refused(request, runtime, actor, workshop_id, exc, design_form=form)
    return _to_design(workshop_id, "", changed=stage.id, done="added")


def _position_of(session: Session, *, workshop_id: int, choice: str) -> int | None:
    """The add form's "where": at the end (None), right after the current stage, or before stage n."""
    if choice == "next":
        workshop = workshops.get_workshop(session, workshop_id=workshop_id)
        current = workshops.get_stage(session, stage_id=workshop.current_stage_id)  # type: ignore[arg-type]
        return current.position + 1
    return None if choice in ("", "end") else form_number(choice)


@router.post("/f/w/{workshop_id}/stages/{stage_id}/edit")
async def console_edit_stage(
    request: Request, workshop_id: int, stage_id: int, actor: PageUser, runtime: RuntimeDep
) -> Response:
    form = await request.form()
    title = {
        code: str(form.get(f"title_{code}") or "") for code in ("en", "de", "es") if f"title_{code}" in form
    }
    try:
        await runtime.commands.run(
            agenda_design.edit_stage,
            actor=actor,
            stage_id=stage_id,
            title=title,
            minutes=form_number(form.get("minutes")),
        )
    except DomainError as exc:
        return await design_refused(request, runtime, actor, workshop_id, exc, design_edit=stage_id)
    return _to_design(workshop_id, "", changed=stage_id, done="saved")


@router.post("/f/w/{workshop_id}/stages/{stage_id}/move")
async def console_move_stage(
    request: Request,
    workshop_id: int,
    stage_id: int,
    actor: PageUser,
    runtime: RuntimeDep,
    dir: Annotated[str, Form()] = "down",
) -> Response:
    by = -1 if dir == "up" else 1
    try:
        await runtime.commands.run(agenda_design.move_stage, actor=actor, stage_id=stage_id, by=by)
    except DomainError as exc:
        return await design_refused(request, runtime, actor, workshop_id, exc)
    return _to_design(workshop_id, "", moved=stage_id, dir="up" if by < 0 else "down")


@router.post("/f/w/{workshop_id}/stages/{stage_id}/remove")
async def console_remove_stage(
    request: Request, workshop_id: int, stage_id: int, actor: PageUser, runtime: RuntimeDep
) -> Response:
    try:
        await runtime.commands.run(agenda_design.remove_stage, actor=actor, stage_id=stage_id)
    except DomainError as exc:
        return await design_refused(request, runtime, actor, workshop_id, exc)
    return _to_design(workshop_id)


@router.post("/f/w/{workshop_id}/stages/{stage_id}/archive")
async def console_archive_stage(
    request: Request, workshop_id: int, stage_id: int, actor: PageUser, runtime: RuntimeDep
) -> Response:
    try:
        await runtime.commands.run(agenda_design.archive_stage, actor=actor, stage_id=stage_id)
    except DomainError as exc:
        return await design_refused(request, runtime, actor, workshop_id, exc)
    return _to_design(workshop_id)


# --- participant forms --------------------------------------------------------------------------------


@router.post("/j/{code}/evaluation/{stage_id}")
async def phone_answer(request: Request, stage_id: int, phone: JoinedPhone, runtime: RuntimeDep) -> Response:
    form = await request.form()
    # One field per question: a-<item id> (a radio group's value 1..5, or a text area).
    answers = {
        key[2:]: value for key, value in form.items() if key.startswith("a-") and isinstance(value, str)
    }
    client_id = form.get("client_id")
    try:
        await runtime.commands.run(
            evaluation.answer,
            actor=phone.actor,
            stage_id=stage_id,
            answers=answers,
            client_id=client_id if isinstance(client_id, str) and client_id else None,
        )
    except STORE_ERRORS as exc:  # the store cannot save now: the answers stay on the page
        return await phone_not_saved(request, runtime, phone, exc, eval_draft=answers)
    except DomainError as exc:
        return await phone_refused(request, runtime, phone, exc, eval_draft=answers)
    if is_fetch(request):
        return JSONResponse({"stage_id": stage_id, "saved": True}, status_code=201)
    return RedirectResponse(f"/j/{phone.workshop.code}/stage?answered=1#evaluation-form", status_code=303)
