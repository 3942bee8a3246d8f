"""The agenda designer's forms for a stage's own settings: a board's dates before the day and an evaluation
stage's questions. Plain form posts (303 back to the console's editor, or the console again with the reason);
the rules are the domain's (`board/opening.py`, `program/evaluation.py`) through `stages.edit_stage`.
"""

import json
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from cowork import i18n
from cowork.domain import workshops
from cowork.domain.board import opening
from cowork.domain.errors import DomainError
from cowork.domain.models import Stage, Workshop, utcnow
from cowork.domain.program import evaluation
from cowork.domain.program import stages as agenda_design
from cowork.exports.sections.agenda import kind_label
from cowork.settings import LANGUAGES
from cowork.web.deps import PageUser, RuntimeDep, is_htmx
from cowork.web.errors import status_of
from cowork.web.pages.forms import design_refused
from cowork.web.pages.stage_settings import editor_of
from cowork.web.pages.workshops import render

router = APIRouter(include_in_schema=False)
MIDDLE = ("2", "3", "4")  # a scale given by its ends: the points between are their numbers


# --- what the editor shows ----------------------------------------------------------------------------


def design_context(session: Session, workshop: Workshop) -> dict[str, Any]:
    """What the console's agenda editor offers: every stage kind, the archived stages, and per stage its
    window before the day (with the cards that came in through it) or its questions."""
    assert workshop.id is not None
    every = workshops.stages_of(session, workshop_id=workshop.id, archived=True)
    now = utcnow()
    counts = opening.early_counts(session, workshop.id)
    windows, questions = {}, {}
    lists = {stage.id: found for stage in every if (found := editor_of(stage)) is not None}
    for stage in every:
        if stage.kind in opening.EARLY_KINDS:
            windows[stage.id] = _window(stage, now, counts.get(stage.id, 0))  # type: ignore[index]
        elif stage.kind == "evaluation":
            questions[stage.id] = _questions(session, stage)  # type: ignore[index]
    return {
        "kinds": {kind: kind_label(kind) for kind in agenda_design.KINDS},
        "archived": [workshops.stage_data(s) for s in every if s.archived],
        "windows": windows,
        "questions": questions,
        "lists": lists,
    }


def _window(stage: Stage, now: datetime, early: int) -> dict[str, Any]:
    window = opening.window_of(stage)
    if window is None:
        return {"set": False, "early": early}
    opens, closes = window
    state = "before" if now < opens else "open" if now < closes else "over"
    return {
        "set": True,
        "state": state,
        "early": early,
        "opens": opens,
        "closes": closes,
        # datetime-local wants the wall clock of the zone it is typed in: the server's, as moment_text shows.
        "opens_local": opens.astimezone().strftime("%Y-%m-%dT%H:%M"),
        "closes_local": closes.astimezone().strftime("%Y-%m-%dT%H:%M"),
    }


def _questions(session: Session, stage: Stage) -> dict[str, Any]:
    """The questions as the editor's rows: the stage's own, else its questionnaire file's to start from."""
    own = stage.config.get("questions")
    if own:
        items = [dict(q) for q in own]
    else:
        items = [
            {
                "id": item.id,
                "type": item.type,
                "text": dict(item.text),
                **({"labels": [dict(label) for label in item.labels or []]} if item.type == "likert" else {}),
            }
            for item in evaluation.spec_of(stage).items
        ]
    for item in items:
        labels = item.get("labels") or []
        item["low"], item["high"] = (labels[0], labels[-1]) if len(labels) == 5 else ({}, {})
        item["middle"] = json.dumps(labels[1:4] if len(labels) == 5 else [], ensure_ascii=False)
    answered = stage.id is not None and evaluation.has_answers(session, stage_id=stage.id)
    return {"items": items, "own": bool(own), "answered": answered}


# --- the forms ----------------------------------------------------------------------------------------


def _to_stage(workshop_id: int, stage_id: int, **query: Any) -> Response:
    params = "&".join(f"{k}={v}" for k, v in {"design": 1, "edit": stage_id, **query}.items())
    anchor = "" if "focus" in query else f"#design-{stage_id}"  # autofocus needs a page without a target
    return RedirectResponse(f"/f/w/{workshop_id}?{params}{anchor}", status_code=303)


def _local(value: Any) -> str | None:
    """A datetime-local field (the server's wall clock) with its offset; what is not a time goes on as typed,
    so the domain names what is wrong with it."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    return (moment if moment.tzinfo else moment.astimezone()).isoformat()


@router.post("/f/w/{workshop_id}/stages/{stage_id}/window")
async def console_stage_window(
    request: Request, workshop_id: int, stage_id: int, actor: PageUser, runtime: RuntimeDep
) -> Response:
    """Open a board for cards before the day (from, until), or close that window (`action=clear`)."""
    form = await request.form()
    clear = form.get("action") == "clear"
    window = {
        "opens_at": None if clear else _local(form.get("opens_at")),
        "closes_at": None if clear else _local(form.get("closes_at")),
    }
    try:
        await runtime.commands.run(agenda_design.edit_stage, actor=actor, stage_id=stage_id, settings=window)
    except DomainError as exc:
        typed = {"opens": form.get("opens_at"), "closes": form.get("closes_at")}
        return await design_refused(
            request, runtime, actor, workshop_id, exc, design_edit=stage_id, window_form=typed
        )
    return _to_stage(workshop_id, stage_id)


def questions_of_form(form: Any) -> tuple[list[dict[str, Any]], str | None]:
    """The questions as posted (rows q-<n>-…, then a new one), with the row's move or removal applied;
    and the button to focus afterwards."""
    rows: list[dict[str, Any]] = []
    n = 0
    while f"q-{n}-id" in form:
        rows.append(_row(form, f"q-{n}"))
        n += 1
    op, _, index = str(form.get("op") or "save").partition("-")
    focus = None
    if index.isdigit() and int(index) < len(rows):
        i = int(index)
        if op == "remove":
            rows.pop(i)
        elif op in ("up", "down"):
            j = max(0, min(len(rows) - 1, i - 1 if op == "up" else i + 1))
            rows[i], rows[j] = rows[j], rows[i]
            focus = f"q-{rows[j]['id']}-{op}"
    new = _row(form, "new")
    if any(new["text"].values()):
        taken = {row["id"] for row in rows}
        new["id"] = next(f"q{k}" for k in range(1, len(rows) + 2) if f"q{k}" not in taken)
        rows.append(new)
    return [_question(row) for row in rows], focus


def _texts(form: Any, prefix: str) -> dict[str, str]:
    return {lang: str(form.get(f"{prefix}-{lang}") or "").strip() for lang in LANGUAGES}


def _row(form: Any, prefix: str) -> dict[str, Any]:
    try:
        middle = json.loads(str(form.get(f"{prefix}-middle") or "[]"))
    except ValueError:
        middle = []
    return {
        "id": str(form.get(f"{prefix}-id") or ""),
        "type": str(form.get(f"{prefix}-type") or "likert"),
        "text": _texts(form, f"{prefix}-text"),
        "low": _texts(form, f"{prefix}-low"),
        "high": _texts(form, f"{prefix}-high"),
        "middle": middle if isinstance(middle, list) and len(middle) == 3 else None,
    }


def _question(row: dict[str, Any]) -> dict[str, Any]:
    """A posted row as `settings.questions` takes it: a scale's labels are its ends with the points between
    kept (or their numbers); a scale without ends gets the agreement scale."""
    question: dict[str, Any] = {"type": row["type"], "text": _given(row["text"])}
    if row["id"]:
        question["id"] = row["id"]
    low, high = _given(row["low"]), _given(row["high"])
    if row["type"] == "likert" and (low or high):
        lang = next(iter(low or high))
        middle = row["middle"] or [{lang: number} for number in MIDDLE]
        question["labels"] = [low or {lang: "1"}, *middle, high or {lang: "5"}]
    return question


def _given(texts: dict[str, str]) -> dict[str, str]:
    return {lang: text for lang, text in texts.items() if text}


@router.post("/f/w/{workshop_id}/stages/{stage_id}/questions")
async def console_stage_questions(
    request: Request, workshop_id: int, stage_id: int, actor: PageUser, runtime: RuntimeDep
) -> Response:
    """Save an evaluation stage's questions, with one of them moved up or down, removed, or one added."""
    form = await request.form()
    questions, focus = questions_of_form(form)
    try:
        await runtime.commands.run(
            agenda_design.edit_stage, actor=actor, stage_id=stage_id, settings={"questions": questions}
        )
    except DomainError as exc:
        if is_htmx(request):
            message = i18n.error_text(exc)
            return await _questions_editor(request, runtime, actor, stage_id, status_of(exc), message=message)
        return await design_refused(request, runtime, actor, workshop_id, exc, design_edit=stage_id)
    if is_htmx(request):
        return await _questions_editor(request, runtime, actor, stage_id, 200, focus=focus)
    return _to_stage(workshop_id, stage_id, **({"focus": focus} if focus else {}))


async def _questions_editor(
    request: Request,
    runtime: Any,
    actor: Any,
    stage_id: int,
    status: int,
    focus: str | None = None,
    message: str | None = None,
) -> Response:
    """The questions form alone, for htmx: saved (the focus on the button used) or with the reason."""

    def load(session: Session) -> dict[str, Any]:
        stage = workshops.get_stage(session, stage_id=stage_id)
        workshop = workshops.get_workshop(session, workshop_id=stage.workshop_id)
        actor.check_facilitator(workshop)
        questions = _questions(session, stage)
        return {"workshop": workshop, "s": workshops.stage_data(stage), "questions": questions}

    context = await runtime.commands.query(load)
    return render(
        request,
        "program/_questions_editor.html",
        status,
        **context,
        design_edit=stage_id,
        design_focus=focus,
        questions_message=message,
    )
