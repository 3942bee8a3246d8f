"""The console's "Suggest" panel beside a board: a category for each card, groups and translations to accept,
edit or dismiss. Accepting goes through the board's own moderation steps (domain/board/moderation.py)."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from cowork import i18n
from cowork.domain.actors import Actor
from cowork.domain.board import moderation, suggestions
from cowork.domain.errors import DomainError
from cowork.domain.workshops import stage_data, stage_for
from cowork.web.deps import PageUser, RuntimeDep, is_htmx
from cowork.web.errors import status_of
from cowork.web.pages.board import problem, stage_view
from cowork.web.pages.workshops import render

router = APIRouter()

DEFAULT_THRESHOLD = 0.8


async def _suggest_panel(
    request: Request, runtime: Any, actor: Actor, stage_id: int, status: int = 200, **context: Any
) -> Response:
    """The panel with the board's current suggestions: a fragment for htmx, else a page of its own."""
    found = await runtime.commands.query(
        suggestions.suggest, actor=actor, stage_id=stage_id, language=i18n.current_language()
    )
    view = await runtime.commands.query(stage_view, stage_id=stage_id)
    labels = {c["key"]: c["label"] for c in view["stage"]["categories"]}
    page = "board/_suggestions.html" if is_htmx(request) else "board/suggestions.html"
    context.setdefault("threshold", DEFAULT_THRESHOLD)
    return render(request, page, status, **view, suggestions=found, labels=labels, **context)


@router.get("/f/stages/{stage_id}/suggestions", include_in_schema=False)
async def console_suggestions(
    request: Request, stage_id: int, actor: PageUser, runtime: RuntimeDep
) -> Response:
    try:
        return await _suggest_panel(request, runtime, actor, stage_id)
    except DomainError as exc:
        return problem(request, exc, "/f")


def _facilitated_stage(session: Session, *, actor: Actor, stage_id: int) -> dict[str, Any]:
    workshop, stage = stage_for(session, actor=actor, stage_id=stage_id)
    actor.check_facilitator(workshop)
    return {"stage": stage_data(stage), "workshop_id": workshop.id}


@router.get("/f/stages/{stage_id}/suggestions/closed", include_in_schema=False)
async def console_suggestions_closed(
    request: Request, stage_id: int, actor: PageUser, runtime: RuntimeDep
) -> Response:
    """The panel folded back to its button (htmx); a plain request goes back to the console."""
    try:
        view = await runtime.commands.query(_facilitated_stage, actor=actor, stage_id=stage_id)
    except DomainError as exc:
        return problem(request, exc, "/f")
    if not is_htmx(request):
        return RedirectResponse(f"/f/w/{view['workshop_id']}", status_code=303)
    return render(request, "board/_suggest_button.html", 200, **view)


async def _accept(
    runtime: Any, actor: Actor, stage_id: int, kind: str, card_ids: list[int], **how: Any
) -> str:
    """One suggestion accepted through the board's own moderation step: a move, or a merge."""
    if kind == "category":
        await runtime.commands.run(
            moderation.move_cards, actor=actor, stage_id=stage_id, card_ids=card_ids, category=how["category"]
        )
        return i18n.gettext("Moved.")
    cluster, _created = await runtime.commands.run(
        moderation.merge_cards, actor=actor, stage_id=stage_id, card_ids=card_ids, title=how["title"]
    )
    return i18n.gettext("Merged into the cluster “%(title)s”.") % {"title": cluster.text}


async def _after(request: Request, runtime: Any, actor: Actor, stage_id: int, **context: Any) -> Response:
    """A panel form's answer: the panel drawn again (htmx), or back to the panel's page."""
    if not is_htmx(request):
        if context.get("message"):
            return problem(request, context["error"], f"/f/stages/{stage_id}/suggestions")
        return RedirectResponse(f"/f/stages/{stage_id}/suggestions", status_code=303)
    context.pop("error", None)
    return await _suggest_panel(request, runtime, actor, stage_id, context.pop("status", 200), **context)


async def _refused(request: Request, runtime: Any, actor: Actor, stage_id: int, exc: DomainError) -> Response:
    """A panel form the domain refused: its sentence on the panel (htmx) or on a page of its own."""
    message = i18n.error_text(exc)
    return await _after(request, runtime, actor, stage_id, message=message, error=exc, status=status_of(exc))


@router.post("/f/stages/{stage_id}/suggestions/accept", include_in_schema=False)
async def console_accept_suggestion(
    request: Request,
    stage_id: int,
    actor: PageUser,
    runtime: RuntimeDep,
    kind: Annotated[str, Form()] = "group",
    card_ids: Annotated[list[int], Form()] = [],  # noqa: B006
    category: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
) -> Response:
    """Accept one suggestion: move the card to its category, or merge the group under its (edited) title."""
    try:
        done = await _accept(runtime, actor, stage_id, kind, card_ids, category=category or None, title=title)
        return await _after(request, runtime, actor, stage_id, done=done)
    except DomainError as exc:
        return await _refused(request, runtime, actor, stage_id, exc)


@router.post("/f/stages/{stage_id}/suggestions/accept-all", include_in_schema=False)
async def console_accept_all(
    request: Request,
    stage_id: int,
    actor: PageUser,
    runtime: RuntimeDep,
    threshold: Annotated[float, Form(ge=0, le=1)] = DEFAULT_THRESHOLD,
) -> Response:
    """Accept every suggestion at least this sure, each as its own moderation step; groups first."""
    try:
        found = await runtime.commands.query(
            suggestions.suggest, actor=actor, stage_id=stage_id, language=i18n.current_language()
        )
        chosen = suggestions.sure_enough(found, threshold)
        for item in chosen:
            await _accept(
                runtime,
                actor,
                stage_id,
                item["kind"],
                item["card_ids"],
                category=item["category"],
                title=item["title"],
            )
        done = i18n.ngettext(
            "%(count)s suggestion accepted.", "%(count)s suggestions accepted.", len(chosen)
        ) % {"count": len(chosen)}
        return await _after(request, runtime, actor, stage_id, done=done, threshold=threshold)
    except DomainError as exc:
        return await _refused(request, runtime, actor, stage_id, exc)


@router.post("/f/stages/{stage_id}/suggestions/dismiss", include_in_schema=False)
async def console_dismiss_suggestion(
    request: Request,
    stage_id: int,
    actor: PageUser,
    runtime: RuntimeDep,
    kind: Annotated[str, Form()] = "",
    card_ids: Annotated[list[int], Form()] = [],  # noqa: B006
) -> Response:
    try:
        await runtime.commands.run(
            suggestions.dismiss_suggestions,
            actor=actor,
            stage_id=stage_id,
            card_ids=card_ids,
            kind=kind or None,
        )
        return await _after(request, runtime, actor, stage_id, done=i18n.gettext("Dismissed."))
    except DomainError as exc:
        return await _refused(request, runtime, actor, stage_id, exc)
