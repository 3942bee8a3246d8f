"""The evaluation questionnaire of an evaluation stage: five-point scales and open questions (seed 004,
annexes I and II), answered from phones, with live results per item.

A stage names a questionnaire file, or holds its own questions (`config["questions"]`, set by the agenda
designer): each a 5-point scale with its own labels or an open question, in the languages the facilitator
gave; a language not given shows the workshop's language (`config["questions_language"]`).
"""

import re
from typing import Any

from sqlmodel import Session, col, select

from cowork.domain.actors import Actor
from cowork.domain.errors import Closed, Invalid, NotAllowed, NotFound
from cowork.domain.models import Participant, Stage, Workshop, utcnow
from cowork.domain.program.models import EvaluationResponse
from cowork.domain.record import Tx
from cowork.domain.text import clean_text
from cowork.domain.workshops import get_workshop
from cowork.formats import SCALE_POINTS, QuestionnaireSpec, get_questionnaire
from cowork.settings import LANGUAGES

DEFAULT_QUESTIONNAIRE = "general"
DEFAULT_SCALE = "agreement"  # the general questionnaire's scale, for a 5-point question given without labels
OWN = "own"  # the questionnaire id of a stage with its own questions
MAX_ANSWER = 2000
MAX_QUESTIONS = 30
MAX_QUESTION = 300
QUESTION_ID = re.compile(r"^[a-z0-9_-]{1,32}$")


def questionnaire_id(stage: Stage) -> str:
    if (stage.config or {}).get("questions"):
        return OWN
    return str((stage.config or {}).get("questionnaire") or DEFAULT_QUESTIONNAIRE)


def spec_of(stage: Stage) -> QuestionnaireSpec:
    if (stage.config or {}).get("questions"):
        return own_spec(stage)
    spec = get_questionnaire(questionnaire_id(stage))
    if spec is None:
        raise NotFound("The questionnaire {name} of this stage is missing.", name=questionnaire_id(stage))
    return spec


# --- a stage's own questions ------------------------------------------------------------------------------


def own_spec(stage: Stage) -> QuestionnaireSpec:
    """The stage's own questions as a questionnaire, each text in every language (falling back)."""
    fallback = str(stage.config.get("questions_language") or "en")

    def full(text: dict[str, str]) -> dict[str, str]:
        return {lang: text.get(lang) or text.get(fallback) or next(iter(text.values())) for lang in LANGUAGES}

    items = [
        {
            "id": q["id"],
            "type": q["type"],
            "text": full(q["text"]),
            **({"labels": [full(label) for label in q["labels"]]} if q["type"] == "likert" else {}),
        }
        for q in stage.config["questions"]
    ]
    return QuestionnaireSpec.model_validate({"id": OWN, "title": full(stage.title), "items": items})


def clean_questions(value: Any, *, language: str) -> list[dict[str, Any]]:
    """A stage's own questions, checked: likert (5 labels, worst first; default: agreement) or text."""
    if value is None or value == []:
        return []
    if not isinstance(value, list) or len(value) > MAX_QUESTIONS:
        raise Invalid("The questions must be a list of at most {limit} questions.", limit=MAX_QUESTIONS)
    cleaned: list[dict[str, Any]] = []
    for n, raw in enumerate(value, start=1):
        if not isinstance(raw, dict):
            raise Invalid("Question {n} must give its type and text.", n=n)
        kind = raw.get("type", "likert")
        if kind not in ("likert", "text"):
            raise Invalid(
                "Question {n} has the unknown type {type}; use likert (a 5-point scale) or text (an open "
                "question).",
                n=n,
                type=kind,
            )
        item_id = str(raw.get("id") or f"q{n}")
        if not QUESTION_ID.match(item_id) or any(q["id"] == item_id for q in cleaned):
            raise Invalid("Question {n} needs an id of its own (lowercase letters, digits, - or _).", n=n)
        item: dict[str, Any] = {"id": item_id, "type": kind, "text": _text(raw.get("text"), n, language)}
        if kind == "likert":
            labels = raw.get("labels")
            if labels is None:
                scale = get_questionnaire(DEFAULT_QUESTIONNAIRE).scales[DEFAULT_SCALE]  # type: ignore[union-attr]
                labels = [dict(label) for label in scale]
            if not isinstance(labels, list) or len(labels) != SCALE_POINTS:
                raise Invalid("Question {n} needs {points} labels, worst first.", n=n, points=SCALE_POINTS)
            item["labels"] = [_text(label, n, language) for label in labels]
        elif raw.get("labels"):
            raise Invalid("Question {n} is an open question and has no labels.", n=n)
        cleaned.append(item)
    return cleaned


def _text(value: Any, n: int, language: str) -> dict[str, str]:
    if isinstance(value, str):
        value = {language: value}
    if not isinstance(value, dict) or any(lang not in LANGUAGES for lang in value):
        raise Invalid("Question {n}: a text is a text per language (en, de, es).", n=n)
    text = {lang: str(t or "").strip() for lang, t in value.items() if str(t or "").strip()}
    if not text:
        raise Invalid("Question {n} needs its texts in at least one language.", n=n)
    if any(len(t) > MAX_QUESTION for t in text.values()):
        raise Invalid("Question {n} is too long (at most {limit} characters).", n=n, limit=MAX_QUESTION)
    return text


def has_answers(session: Session, *, stage_id: int) -> bool:
    return (
        session.exec(select(EvaluationResponse.id).where(EvaluationResponse.stage_id == stage_id)).first()
        is not None
    )


def _evaluation_stage(session: Session, stage_id: int) -> tuple[Stage, Workshop]:
    stage = session.get(Stage, stage_id)
    if stage is None:
        raise NotFound("There is no such stage.")
    if stage.kind != "evaluation":
        raise Invalid("This stage has no questionnaire.")
    return stage, get_workshop(session, workshop_id=stage.workshop_id)


def localized_items(spec: QuestionnaireSpec, lang: str) -> list[dict[str, Any]]:
    """The items as the API gives them: texts and scale labels in one language."""
    items = []
    for item in spec.items:
        entry: dict[str, Any] = {"id": item.id, "type": item.type, "text": item.localized_text(lang)}
        if item.type == "likert" and item.labels:
            entry["labels"] = [label.get(lang) or label["en"] for label in item.labels]
        items.append(entry)
    return items


def read_questionnaire(
    session: Session, *, actor: Actor, stage_id: int, lang: str | None = None
) -> dict[str, Any]:
    """The stage's questionnaire in `lang`, else in the caller's language (a participant's own)."""
    stage, workshop = _evaluation_stage(session, stage_id)
    actor.check_member(workshop)
    if lang is None and actor.participant_id is not None:
        participant = session.get(Participant, actor.participant_id)
        lang = participant.language if participant else None
    lang = lang if lang in LANGUAGES else workshop.language
    spec = spec_of(stage)
    return {
        "stage_id": stage.id,
        "questionnaire": spec.id,
        "language": lang,
        "title": spec.localized_title(lang),
        "scale_points": SCALE_POINTS,
        "items": localized_items(spec, lang),
    }


def _clean_answers(spec: QuestionnaireSpec, answers: Any) -> dict[str, Any]:
    """Checked answers: a likert item a whole number 1..5, a text at most 2000 characters; empty = skipped."""
    if not isinstance(answers, dict):
        raise Invalid("The answers must map question ids to values.")
    items = {item.id: item for item in spec.items}
    cleaned: dict[str, Any] = {}
    for key, value in answers.items():
        item = items.get(key)
        if item is None:
            raise Invalid("There is no question {item} in this questionnaire.", item=key)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if item.type == "likert":
            if isinstance(value, str) and value.strip().isdigit():
                value = int(value.strip())
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= SCALE_POINTS:
                raise Invalid(
                    "The answer to {item} must be a whole number from 1 to {points}.",
                    item=key,
                    points=SCALE_POINTS,
                )
            cleaned[key] = value
        else:
            if not isinstance(value, str):
                raise Invalid("The answer to {item} must be a text.", item=key)
            text = clean_text(value, field=f"answers.{key}")
            if len(text) > MAX_ANSWER:
                raise Invalid(
                    "The answer to {item} is too long: {count} characters, at most {limit}.",
                    item=key,
                    count=len(text),
                    limit=MAX_ANSWER,
                )
            cleaned[key] = text
    if not cleaned:
        raise Invalid("Please answer at least one question.")
    return cleaned


def answer(
    tx: Tx, *, actor: Actor, stage_id: int, answers: Any, client_id: str | None = None
) -> EvaluationResponse:
    """A participant's answers; a later response of the same participant replaces the earlier one."""
    if client_id is not None and not 1 <= len(client_id) <= 64:
        raise Invalid("client_id must have 1 to 64 characters.")
    if (earlier := tx.receipt(actor.key, client_id)) is not None:
        found = tx.session.get(EvaluationResponse, earlier)
        assert found is not None
        return found
    session = tx.session
    stage, workshop = _evaluation_stage(session, stage_id)
    actor.check_member(workshop)
    if not actor.is_participant:
        raise NotAllowed("Only participants answer the questionnaire.")
    if workshop.status != "open" or workshop.current_stage_id != stage.id:
        raise Closed("The questionnaire is not open right now.")
    assert actor.participant_id is not None
    response, replaced = put_response(session, stage, participant_id=actor.participant_id, answers=answers)
    assert workshop.id is not None and response.id is not None
    tx.remember(workshop.id, actor.key, client_id, response.id)
    # Record first: the row lock of the seq orders concurrent answers, so the results below count them all.
    event = tx.record(workshop.id, "evaluation.answered", {})
    summary = results(session, stage=stage, include_text=False)
    event.data = {
        "stage_id": stage.id,
        "questionnaire": summary["questionnaire"],
        "participant_id": actor.participant_id,
        "answers": response.answers,
        "replaced": replaced,
        "responses": summary["responses"],
        "results": {item["id"]: _counts(item) for item in summary["items"] if item["type"] == "likert"},
    }
    return response


def put_response(
    session: Session, stage: Stage, *, participant_id: int, answers: Any
) -> tuple[EvaluationResponse, bool]:
    """A participant's checked answers, replacing their earlier response; and whether one was replaced."""
    cleaned = _clean_answers(spec_of(stage), answers)
    response = session.exec(
        select(EvaluationResponse).where(
            EvaluationResponse.stage_id == stage.id, EvaluationResponse.participant_id == participant_id
        )
    ).first()
    replaced = response is not None
    if response is None:
        response = EvaluationResponse(
            workshop_id=stage.workshop_id,
            stage_id=stage.id,  # type: ignore[arg-type]
            participant_id=participant_id,
            answers=cleaned,
        )
    else:
        response.answers, response.updated_at = cleaned, utcnow()
    session.add(response)
    session.flush()
    return response, replaced


def _counts(item: dict[str, Any]) -> dict[str, Any]:
    return {"count": item["count"], "mean": item["mean"], "distribution": item["distribution"]}


def results(session: Session, *, stage: Stage, include_text: bool) -> dict[str, Any]:
    """Per item: how many answered, the mean and the distribution over 1..5; text answers for staff."""
    spec = spec_of(stage)
    rows = list(
        session.exec(
            select(EvaluationResponse)
            .where(EvaluationResponse.stage_id == stage.id)
            .order_by(col(EvaluationResponse.id))
        )
    )
    items = []
    for item in spec.items:
        values = [row.answers[item.id] for row in rows if item.id in row.answers]
        entry: dict[str, Any] = {"id": item.id, "type": item.type, "count": len(values)}
        if item.type == "likert":
            numbers = [v for v in values if isinstance(v, int)]
            entry["distribution"] = {str(p): numbers.count(p) for p in range(1, SCALE_POINTS + 1)}
            entry["mean"] = round(sum(numbers) / len(numbers), 2) if numbers else None
        else:
            entry["mean"] = None
            if include_text:
                entry["answers"] = [v for v in values if isinstance(v, str)]
        items.append(entry)
    return {"stage_id": stage.id, "questionnaire": spec.id, "responses": len(rows), "items": items}


def read_results(session: Session, *, actor: Actor, stage_id: int) -> dict[str, Any]:
    """The results for the workshop's facilitators, with the text answers."""
    stage, workshop = _evaluation_stage(session, stage_id)
    actor.check_facilitator(workshop)
    return results(session, stage=stage, include_text=True)


def text_answers(session: Session, *, stage: Stage) -> dict[str, list[dict[str, Any]]]:
    """Each open question's answers with who gave them, for the facilitator's console."""
    spec = spec_of(stage)
    rows = session.exec(
        select(EvaluationResponse)
        .where(EvaluationResponse.stage_id == stage.id)
        .order_by(col(EvaluationResponse.id))
    )
    found: dict[str, list[dict[str, Any]]] = {i.id: [] for i in spec.items if i.type == "text"}
    for row in rows:
        for key in found:
            if isinstance(row.answers.get(key), str):
                found[key].append({"participant_id": row.participant_id, "text": row.answers[key]})
    return found


def my_answers(session: Session, *, stage_id: int, participant_id: int) -> dict[str, Any]:
    row = session.exec(
        select(EvaluationResponse).where(
            EvaluationResponse.stage_id == stage_id, EvaluationResponse.participant_id == participant_id
        )
    ).first()
    return dict(row.answers) if row else {}
