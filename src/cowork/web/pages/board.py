"""Boards as pages: cards from phones, the moderation tools of the console and projector, what a board shows.

Every facilitator form is a plain post answered with a redirect back (or a page with the reason); with
htmx it gets the re-rendered piece instead. Screens follow the changes through the pushed events.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from sqlmodel import Session

from cowork import i18n
from cowork.domain.actors import Actor
from cowork.domain.board import cards as board
from cowork.domain.board import config as board_config
from cowork.domain.board import moderation
from cowork.domain.board import view as board_view
from cowork.domain.errors import DomainError, Invalid
from cowork.domain.models import Contribution, Stage
from cowork.domain.workshops import get_stage, stage_data
from cowork.rendering import render_component
from cowork.web.deps import JoinedPhone, PageUser, RuntimeDep, is_fetch, is_htmx
from cowork.web.errors import status_of
from cowork.web.pages.forms import STORE_ERRORS, back_to, phone_not_saved, phone_refused
from cowork.web.pages.projection import projection_context
from cowork.web.pages.stages import StageRequest, register
from cowork.web.pages.workshops import render

router = APIRouter()
NO_CATEGORY = "~none"  # the "Other" column in a form's select


# --- phones ---------------------------------------------------------------------------------------------


@router.post("/j/{code}/cards", include_in_schema=False)
async def participant_add_card(
    request: Request,
    phone: JoinedPhone,
    runtime: RuntimeDep,
    stage_id: Annotated[int, Form()],
    text: Annotated[str, Form()] = "",
    category: Annotated[str, Form()] = "",
    card_kind: Annotated[str, Form()] = "",
    phase: Annotated[str, Form()] = "",
    client_id: Annotated[str, Form()] = "",
) -> Response:
    participant = phone.participant
    assert participant is not None
    draft = {"text": text, "category": category, "card_kind": card_kind, "phase": phase, "stage_id": stage_id}
    try:
        card = await runtime.commands.run(
            board.add_card,
            actor=phone.actor,
            stage_id=stage_id,
            text=text,
            category=category or None,
            language=participant.language,
            client_id=client_id or None,
            card_kind=card_kind or None,
            phase=phase or None,
        )
    except DomainError as exc:
        return await phone_refused(request, runtime, phone, exc, draft=draft)
    except STORE_ERRORS as exc:  # the store cannot save now: keep the text on the page
        return await phone_not_saved(request, runtime, phone, exc, draft=draft)
    if is_fetch(request):
        return JSONResponse({"id": card.id, "seq": card.seq, "approved": card.approved}, status_code=201)
    return RedirectResponse(f"/j/{phone.workshop.code}/stage#card-{card.id}", status_code=303)


# --- facilitators: console and projector -----------------------------------------------------------------


def problem(request: Request, exc: DomainError, back: str) -> Response:
    return render(request, "board/problem.html", status_of(exc), message=i18n.error_text(exc), back=back)


def stage_view(session: Session, *, stage_id: int) -> dict[str, Any]:
    stage = get_stage(session, stage_id=stage_id)
    return {
        "stage": stage_data(stage),
        "board": board_config.board_settings(stage),
        "workshop_id": stage.workshop_id,
    }


async def _card_tool(
    runtime: Any, *, actor: Actor, card_id: int, action: str, text: str | None, category: str | None
) -> Contribution:
    """The command behind one of a card's tools: approve it, or hide, show or edit it."""
    if action == "approve":
        return await runtime.commands.run(board.approve_card, actor=actor, card_id=card_id)
    changes: dict[str, Any] = {
        "hide": {"hidden": True},
        "show": {"hidden": False},
        "edit": {"text": text, **({"category": category} if category is not None else {})},
    }.get(action, {})
    if not changes:
        raise Invalid("Unknown moderation action {action}.", action=action)
    return await runtime.commands.run(board.update_card, actor=actor, card_id=card_id, **changes)


async def _stage_tool_answer(
    request: Request, runtime: Any, stage_id: int, next_: str, template: str, status: int, **context: Any
) -> Response:
    """A board tool's answer: back to its page after a plain post; for htmx, the tool's form drawn again."""
    view = await runtime.commands.query(stage_view, stage_id=stage_id)
    back = back_to(request, next_, f"/f/w/{view['workshop_id']}")
    if not is_htmx(request):
        return RedirectResponse(back, status_code=303)
    return render(request, template, status, **view, back=back, **context)


@router.post("/f/cards/{card_id}", include_in_schema=False)
async def console_moderate(
    request: Request,
    card_id: int,
    actor: PageUser,
    runtime: RuntimeDep,
    action: Annotated[str, Form()],
    text: Annotated[str | None, Form()] = None,
    category: Annotated[str | None, Form()] = None,
    next: Annotated[str, Form()] = "",
) -> Response:
    """One card's tools: hide, show, edit, approve."""
    message = None
    try:
        card = await _card_tool(
            runtime, actor=actor, card_id=card_id, action=action, text=text, category=category
        )
        status = 200
    except DomainError as exc:
        if not is_htmx(request):
            return problem(request, exc, back_to(request, next, "/f"))
        message, status = i18n.error_text(exc), status_of(exc)
    if not is_htmx(request):
        return RedirectResponse(back_to(request, next, f"/f/w/{card.workshop_id}"), status_code=303)
    data = await runtime.commands.query(board_view.describe_card, card_id=card_id)
    env = runtime.templates.env
    if data["kind"] == "cluster":
        html = render_component(env, "cluster", data, data.get("cards", []), staff=True, message=message)
    else:
        html = render_component(env, "card", data, staff=True, message=message)
    return HTMLResponse(html, status)


@router.post("/f/stages/{stage_id}/moderate", include_in_schema=False)
async def console_merge_or_move(
    request: Request,
    stage_id: int,
    actor: PageUser,
    runtime: RuntimeDep,
    action: Annotated[str, Form()] = "merge",
    card_ids: Annotated[list[int], Form()] = [],  # noqa: B006  (FastAPI copies form defaults)
    title: Annotated[str, Form()] = "",
    to: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    """The selection's tools: merge the selected cards into a cluster, or move them to a column."""
    done, status, message = None, 200, None
    try:
        if action == "move":
            if not to:
                raise Invalid("Choose where to move the cards.")
            category = None if to == NO_CATEGORY else to
            await runtime.commands.run(
                moderation.move_cards, actor=actor, stage_id=stage_id, card_ids=card_ids, category=category
            )
            done = i18n.gettext("Moved.")
        else:
            cluster, _created = await runtime.commands.run(
                moderation.merge_cards, actor=actor, stage_id=stage_id, card_ids=card_ids, title=title
            )
            done = i18n.gettext("Merged into the cluster “%(title)s”.") % {"title": cluster.text}
            title = ""
    except DomainError as exc:
        if not is_htmx(request):
            return problem(request, exc, back_to(request, next, "/f"))
        message, status = i18n.error_text(exc), status_of(exc)
    return await _stage_tool_answer(
        request,
        runtime,
        stage_id,
        next,
        "board/_selection_form.html",
        status,
        done=done,
        message=message,
        title=title,
    )


@router.post("/f/stages/{stage_id}/undo", include_in_schema=False)
async def console_undo(
    request: Request, stage_id: int, actor: PageUser, runtime: RuntimeDep, next: Annotated[str, Form()] = ""
) -> Response:
    done, status, message = None, 200, None
    try:
        event = await runtime.commands.run(moderation.undo_last_step, actor=actor, stage_id=stage_id)
        done = i18n.gettext("Undone: %(step)s.") % {"step": step_name(event.data["undone"]["type"])}
    except DomainError as exc:
        if not is_htmx(request):
            return problem(request, exc, back_to(request, next, "/f"))
        message, status = i18n.error_text(exc), status_of(exc)
    return await _stage_tool_answer(
        request, runtime, stage_id, next, "board/_undo_form.html", status, done=done, message=message
    )


def step_name(event_type: str) -> str:
    return {
        "card.updated": i18n.gettext("the change to a card"),
        "cards.moved": i18n.gettext("the move"),
        "cards.merged": i18n.gettext("the merge"),
    }.get(event_type, event_type)


@router.post("/f/stages/{stage_id}/approval", include_in_schema=False)
async def console_approval(
    request: Request,
    stage_id: int,
    actor: PageUser,
    runtime: RuntimeDep,
    approval: Annotated[str, Form()] = "off",
    next: Annotated[str, Form()] = "",
) -> Response:
    try:
        await runtime.commands.run(
            board.set_approval, actor=actor, stage_id=stage_id, approval=approval == "on"
        )
    except DomainError as exc:
        return problem(request, exc, back_to(request, next, "/f"))
    view = await runtime.commands.query(stage_view, stage_id=stage_id)
    back = back_to(request, next, f"/f/w/{view['workshop_id']}")
    if not is_htmx(request):
        return RedirectResponse(back, status_code=303)
    return render(request, "board/_approval_form.html", **view, approval=view["board"]["approval"], back=back)


@router.post("/f/stages/{stage_id}/categories", include_in_schema=False)
async def console_categories(
    request: Request,
    stage_id: int,
    actor: PageUser,
    runtime: RuntimeDep,
    key: Annotated[list[str], Form()] = [],  # noqa: B006
    label_en: Annotated[list[str], Form()] = [],  # noqa: B006
    label_de: Annotated[list[str], Form()] = [],  # noqa: B006
    label_es: Annotated[list[str], Form()] = [],  # noqa: B006
    remove: Annotated[list[str], Form()] = [],  # noqa: B006
    new_en: Annotated[str, Form()] = "",
    new_de: Annotated[str, Form()] = "",
    new_es: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    """The categories editor: rename in each language, remove unused ones, add one."""
    rows = zip(key, label_en, label_de, label_es, strict=False)
    # The form renames and removes; the descriptions (API and formats) stay as they are.
    view = await runtime.commands.query(stage_view, stage_id=stage_id)
    described = {c["key"]: c.get("description") for c in view["stage"]["categories"]}
    categories = [
        {"key": k, "label": {"en": en, "de": de, "es": es}, "description": described.get(k)}
        for k, en, de, es in rows
        if k not in remove
    ]
    new = {"en": new_en, "de": new_de, "es": new_es}
    if any(v.strip() for v in new.values()):
        name = next_label(new)
        categories.append({"key": board_config.new_category_key(name, key), "label": new})
    try:
        stage = await runtime.commands.run(
            board.set_categories, actor=actor, stage_id=stage_id, categories=categories
        )
    except DomainError as exc:
        return problem(request, exc, back_to(request, next, "/f"))
    return RedirectResponse(back_to(request, next, f"/f/w/{stage.workshop_id}"), status_code=303)


def next_label(label: dict[str, str]) -> str:
    return next(v for v in (label.get("en"), *label.values()) if v and v.strip())


# --- what a board stage shows ----------------------------------------------------------------------------


# How large the projector draws a board: up to so many visible cards, this density (the CSS sets its type
# size; past the last step the cards are at their smallest and the board pages). cowork.js reads the steps
# from the board's data-density-steps to follow live cards.
DENSITY_STEPS = ((4, "xl"), (12, "l"), (30, "m"))
SMALLEST = "s"


def density(count: int) -> str:
    """The density of a projector board showing `count` cards."""
    return next((name for most, name in DENSITY_STEPS if count <= most), SMALLEST)


def density_steps() -> str:
    return " ".join(f"{most}:{name}" for most, name in DENSITY_STEPS) + f" *:{SMALLEST}"


@register("board", "needs")
def board_context(session: Session, request: StageRequest) -> dict[str, Any]:
    """Cards for each screen; a facilitator signed in on the projector gets the moderation tools there too."""
    stage = session.get(Stage, request.stage["id"])
    assert stage is not None
    actor = request.actor
    on_projector = request.role == "projector"
    moderating = request.staff or (on_projector and actor is not None and not actor.is_participant)
    participant_id = request.participant.id if request.participant else None
    cards = board_view.list_cards(
        session,
        stage_id=stage.id,
        include_hidden=moderating,
        participant_id=participant_id,  # type: ignore[arg-type]
    )
    workshop = request.workshop
    labels = {c["key"]: c["label"] for c in stage.config.get("categories", [])}
    visible = sum(1 for c in cards if c["kind"] != "cluster" and c["approved"] and not c["hidden"])
    return {
        "cards": cards,
        "density": density(visible),
        "density_steps": density_steps(),
        "board": board_config.board_settings(stage),
        "approval": board_config.approval_on(stage),
        "moderating": moderating,
        # Hidden and waiting cards are drawn on a moderated projector as empty placeholders, so a pushed
        # change can fill them in, but their text never shows there.
        "placeholders": moderating and on_projector,
        "waiting_mine": [c for c in cards if not c["approved"]] if participant_id else [],
        "back": f"/s/{workshop.projector_key}" if on_projector else f"/f/w/{workshop.id}",
        "description": stage.config.get("description"),
        **projection_context(session, stage, on_projector=on_projector),
        "examples": [
            {"category_label": labels.get(e.get("category"), e.get("category") or ""), "text": e.get("text")}
            for e in stage.config.get("examples", [])
            if request.staff
        ],
    }
