"""The agenda's design: facilitators add, rename, re-time, reorder, remove and archive stages, also live.

Positions count the agenda's (live) stages from 0; archived stages follow them, off the agenda, so the
record and the exports keep them with what they hold. Each change is one event (`stage.added`,
`stage.edited`, `stage.moved`, `stage.removed`, `stage.archived`); the `apply_*` functions change the rows
and are what an import replays, so an imported workshop is shaped by the same rules.
"""

from typing import Any, get_args

from sqlmodel import Session, col, func, select

from cowork.domain.actions.proposals import Proposal
from cowork.domain.actions.required import clean_required
from cowork.domain.actors import Actor
from cowork.domain.board import opening
from cowork.domain.board.cards import set_approval
from cowork.domain.board.config import TAG_COLUMNS, check_categories, check_tags
from cowork.domain.errors import Conflict, Invalid
from cowork.domain.models import Contribution, Stage, Workshop
from cowork.domain.program import evaluation
from cowork.domain.program.models import BreakoutTable, EvaluationResponse, PresentationSlot, Timer
from cowork.domain.record import Tx
from cowork.domain.stakeholders.families import clean_families
from cowork.domain.stakeholders.models import Rating, Stakeholder
from cowork.domain.votes.polls import Poll
from cowork.domain.workshops import MAX_TITLE, get_stage, get_workshop, stage_data, stages_of
from cowork.formats import CARD_KINDS, StageKind
from cowork.settings import LANGUAGES

KINDS: tuple[str, ...] = get_args(StageKind)
MIN_MINUTES, MAX_MINUTES = 1, 480
MAX_STAGES = 40
MAX_DESCRIPTION = 2000
# Settings a stage takes as data, by kind (None: every kind).
SETTINGS: dict[str, frozenset[str] | None] = {
    "description": None,
    "categories": CARD_KINDS,
    "approval": CARD_KINDS,
    "card_kinds": CARD_KINDS,
    "phases": CARD_KINDS,
    "questions": frozenset({"evaluation"}),
    "families": frozenset({"stakeholders"}),
    "required": frozenset({"action_plan"}),
    # A board open before the day (board/opening.py): both or neither.
    "opens_at": opening.EARLY_KINDS,
    "closes_at": opening.EARLY_KINDS,
}
UNSET: Any = object()


def describe_stage(stage: Stage) -> dict[str, Any]:
    """A stage as the designer's API gives it: its agenda entry, its settings and whether it is archived."""
    return {**stage_data(stage), "archived": stage.archived, "settings": dict(stage.config)}


# --- checks -------------------------------------------------------------------------------------------


def clean_title(value: Any, *, before: dict[str, str] | None = None) -> dict[str, str]:
    """A title per language; one language is enough. Given as text, it is the workshop language's title."""
    if not isinstance(value, dict):
        raise Invalid("A stage title is a text, or a text per language (en, de, es).")
    title = dict(before or {})
    for lang, text in value.items():
        if lang not in LANGUAGES:
            raise Invalid("Unknown language {language}.", language=lang)
        if not isinstance(text, str):
            raise Invalid("A stage title is a text, or a text per language (en, de, es).")
        text = text.strip()
        if len(text) > MAX_TITLE:
            raise Invalid("The title is too long (at most {limit} characters).", limit=MAX_TITLE)
        title[lang] = text
    title = {lang: text for lang, text in title.items() if text}
    if not title:
        raise Invalid("A stage needs a title in at least one language.")
    return title


def clean_minutes(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_MINUTES <= value <= MAX_MINUTES:
        raise Invalid(
            "The minutes must be a whole number from {low} to {high}.", low=MIN_MINUTES, high=MAX_MINUTES
        )
    return value


def check_kind(kind: Any) -> str:
    if kind not in KINDS:
        raise Invalid("Unknown stage kind {kind}; cowork has: {known}.", kind=kind, known=", ".join(KINDS))
    return str(kind)


def check_position(value: Any, *, count: int) -> int:
    """A place on the agenda, from 0 (first) to `count` (the highest allowed)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= count:
        raise Invalid("The position must be a whole number from 0 to {high}.", high=count)
    return value


def clean_settings(session: Session, stage: Stage, settings: Any) -> dict[str, Any]:
    """The stage's config keys to change, checked for its kind."""
    if settings is None:
        return {}
    if not isinstance(settings, dict):
        raise Invalid("The settings must map setting names to values.")
    changes: dict[str, Any] = {}
    for key, value in settings.items():
        kinds = SETTINGS.get(key, frozenset())
        if key not in SETTINGS or (kinds is not None and stage.kind not in kinds):
            known = [k for k, ks in SETTINGS.items() if ks is None or stage.kind in ks]
            raise Invalid(
                "A {kind} stage has no setting {key}; it has: {known}.",
                kind=stage.kind,
                key=key,
                known=", ".join(known),
            )
        if key == "description":
            changes[key] = _clean_description(value)
        elif key == "categories":
            if not isinstance(value, list):
                raise Invalid("The categories must be a list of keys with labels.")
            changes[key] = check_categories(session, stage, value)
        elif key in TAG_COLUMNS:
            changes[key] = check_tags(session, stage, key, value)
        elif key == "families":
            changes[key] = clean_families(value)
        elif key == "required":
            changes[key] = clean_required(value)
        elif key == "approval":
            changes[key] = value is True
        elif key == "questions":
            if stage.id is not None and evaluation.has_answers(session, stage_id=stage.id):
                raise Conflict(
                    "People have answered these questions already; add an evaluation stage instead."
                )
            language = get_workshop(session, workshop_id=stage.workshop_id).language
            changes[key] = evaluation.clean_questions(value, language=language)
            changes["questions_language"] = language
    changes.update(opening.clean_window(stage, settings))
    return changes


def _clean_description(value: Any) -> dict[str, str]:
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        value = {"en": value}
    if not isinstance(value, dict) or any(lang not in LANGUAGES for lang in value):
        raise Invalid("A description is a text per language (en, de, es).")
    cleaned = {lang: str(text or "").strip() for lang, text in value.items()}
    if any(len(text) > MAX_DESCRIPTION for text in cleaned.values()):
        raise Invalid("A description has at most {limit} characters.", limit=MAX_DESCRIPTION)
    return {lang: text for lang, text in cleaned.items() if text}


def holdings(session: Session, stage: Stage) -> dict[str, int]:
    """What people contributed on the stage; a stage that holds any of it can only be archived."""

    def count(model: Any, *where: Any) -> int:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()

    stakeholders = select(Stakeholder.id).where(Stakeholder.stage_id == stage.id)
    other = (
        count(Stakeholder, Stakeholder.stage_id == stage.id)
        + count(Proposal, Proposal.stage_id == stage.id)
        + count(EvaluationResponse, EvaluationResponse.stage_id == stage.id)
        + count(BreakoutTable, BreakoutTable.stage_id == stage.id)
        + count(PresentationSlot, PresentationSlot.stage_id == stage.id)
    )
    return {
        "cards": count(Contribution, Contribution.stage_id == stage.id),
        "votes": count(Poll, Poll.stage_id == stage.id),
        "ratings": count(Rating, col(Rating.stakeholder_id).in_(stakeholders)),
        "other": other,
    }


def _facilitated_stage(tx: Tx, actor: Actor, stage_id: int) -> tuple[Workshop, Stage]:
    stage = get_stage(tx.session, stage_id=stage_id)
    workshop = get_workshop(tx.session, workshop_id=stage.workshop_id)
    actor.check_facilitator(workshop)
    if stage.archived:
        raise Conflict("This stage is archived; it is no longer on the agenda.")
    return workshop, stage


# --- changes the record replays -----------------------------------------------------------------------


def _renumber(session: Session, workshop_id: int, agenda: list[Stage]) -> None:
    """The agenda's stages at 0..n-1 in this order, the archived ones after them."""
    archived = [s for s in stages_of(session, workshop_id=workshop_id, archived=True) if s.archived]
    for position, stage in enumerate([*agenda, *archived]):
        if stage.position != position:
            stage.position = position
            session.add(stage)
    session.flush()


def apply_added(session: Session, stage: Stage, position: int) -> None:
    agenda = stages_of(session, workshop_id=stage.workshop_id)
    session.add(stage)
    session.flush()
    agenda.insert(position, stage)
    _renumber(session, stage.workshop_id, agenda)


def apply_moved(session: Session, stage: Stage, position: int) -> None:
    agenda = [s for s in stages_of(session, workshop_id=stage.workshop_id) if s.id != stage.id]
    agenda.insert(position, stage)
    _renumber(session, stage.workshop_id, agenda)


def apply_edited(session: Session, stage: Stage, changes: dict[str, Any]) -> None:
    if "title" in changes:
        stage.title = changes["title"]
    if "minutes" in changes:
        stage.minutes = changes["minutes"]
    if changes.get("config"):
        stage.config = {**stage.config, **changes["config"]}
    session.add(stage)


def apply_removed(session: Session, stage: Stage) -> None:
    for timer in session.exec(select(Timer).where(Timer.stage_id == stage.id)):
        timer.stage_id = None
        session.add(timer)
    workshop_id = stage.workshop_id
    session.delete(stage)
    session.flush()
    _renumber(session, workshop_id, stages_of(session, workshop_id=workshop_id))


def apply_archived(session: Session, stage: Stage) -> None:
    stage.archived = True
    session.add(stage)
    session.flush()
    _renumber(session, stage.workshop_id, stages_of(session, workshop_id=stage.workshop_id))


# --- commands -----------------------------------------------------------------------------------------


def add_stage(
    tx: Tx,
    *,
    actor: Actor,
    workshop_id: int,
    kind: Any,
    title: Any,
    minutes: Any = None,
    position: Any = None,
    settings: Any = None,
) -> Stage:
    """A new stage on the agenda at `position` (default: the end)."""
    workshop = get_workshop(tx.session, workshop_id=workshop_id)
    actor.check_facilitator(workshop)
    agenda = stages_of(tx.session, workshop_id=workshop_id)
    if len(agenda) >= MAX_STAGES:
        raise Invalid("An agenda has at most {limit} stages.", limit=MAX_STAGES)
    position = len(agenda) if position is None else check_position(position, count=len(agenda))
    stage = Stage(
        workshop_id=workshop_id,
        position=position,
        kind=check_kind(kind),
        title=clean_title(_in_language(title, workshop)),
        minutes=clean_minutes(minutes),
        config={"categories": []},
    )
    stage.config = {**stage.config, **clean_settings(tx.session, stage, settings)}
    apply_added(tx.session, stage, position)
    data = {k: v for k, v in stage_data(stage).items() if k != "id"}
    tx.record(workshop_id, "stage.added", {"stage_id": stage.id, **data, "config": stage.config})
    return stage


def edit_stage(
    tx: Tx,
    *,
    actor: Actor,
    stage_id: int,
    title: Any = UNSET,
    minutes: Any = UNSET,
    position: Any = None,
    settings: Any = None,
) -> Stage:
    """Rename, re-time, change the settings of and move a stage; unchanged fields make no event."""
    workshop, stage = _facilitated_stage(tx, actor, stage_id)
    changes: dict[str, Any] = {}
    if title is not UNSET:
        new_title = clean_title(_in_language(title, workshop), before=stage.title)
        if new_title != stage.title:
            changes["title"] = new_title
    if minutes is not UNSET and (new_minutes := clean_minutes(minutes)) != stage.minutes:
        changes["minutes"] = new_minutes
    config = {
        k: v for k, v in clean_settings(tx.session, stage, settings).items() if stage.config.get(k) != v
    }
    if config:
        changes["config"] = config
    if position is not None:
        count = len(stages_of(tx.session, workshop_id=workshop.id)) - 1  # type: ignore[arg-type]
        position = check_position(position, count=count)
    if changes:
        apply_edited(tx.session, stage, changes)
        tx.record(workshop.id, "stage.edited", {"stage_id": stage.id, "kind": stage.kind, **changes})  # type: ignore[arg-type]
    if position is not None and position != stage.position:
        apply_moved(tx.session, stage, position)
        tx.record(workshop.id, "stage.moved", {"stage_id": stage.id, "position": position})  # type: ignore[arg-type]
    return stage


def change_stage(
    tx: Tx, *, actor: Actor, stage_id: int, approval: bool | None = None, **design: Any
) -> Stage:
    """The designer's edit and a board's approval mode as one change: one refused part changes nothing."""
    stage = edit_stage(tx, actor=actor, stage_id=stage_id, **design) if design else None
    if approval is not None:
        stage = set_approval(tx, actor=actor, stage_id=stage_id, approval=approval)
    return stage or get_stage(tx.session, stage_id=stage_id)


def move_stage(tx: Tx, *, actor: Actor, stage_id: int, by: int) -> Stage:
    """One place up (by=-1) or down (by=1); at the top or bottom it stays."""
    stage = get_stage(tx.session, stage_id=stage_id)
    count = len(stages_of(tx.session, workshop_id=stage.workshop_id))
    target = min(max(stage.position + by, 0), count - 1)
    return edit_stage(tx, actor=actor, stage_id=stage_id, position=target)


def remove_stage(tx: Tx, *, actor: Actor, stage_id: int) -> dict[str, Any]:
    """Take a stage that holds nothing off the workshop; one that holds contributions is refused (409)."""
    workshop, stage = _facilitated_stage(tx, actor, stage_id)
    _check_leaves(tx.session, workshop, stage)
    held = holdings(tx.session, stage)
    if any(held.values()):
        raise Conflict(
            "This stage holds contributions (cards: {cards}, votes: {votes}, ratings: {ratings}, other: "
            "{other}); archive it instead: it leaves the agenda and stays in the record and exports.",
            **held,
        )
    data = {"stage_id": stage.id, "kind": stage.kind, "title": stage.title}
    apply_removed(tx.session, stage)
    tx.record(workshop.id, "stage.removed", data)  # type: ignore[arg-type]
    return data


def archive_stage(tx: Tx, *, actor: Actor, stage_id: int) -> Stage:
    """Take a stage off the agenda and keep it, with what it holds, in the record and the exports."""
    workshop, stage = _facilitated_stage(tx, actor, stage_id)
    _check_leaves(tx.session, workshop, stage)
    apply_archived(tx.session, stage)
    tx.record(workshop.id, "stage.archived", {"stage_id": stage.id, "kind": stage.kind, "title": stage.title})  # type: ignore[arg-type]
    return stage


def _check_leaves(session: Session, workshop: Workshop, stage: Stage) -> None:
    if len(stages_of(session, workshop_id=stage.workshop_id)) <= 1:
        raise Conflict("A workshop keeps at least one stage on its agenda.")
    if workshop.current_stage_id == stage.id:
        raise Conflict("This stage is on now; go to another stage first.")


def _in_language(title: Any, workshop: Workshop) -> Any:
    """A title given as plain text is the workshop language's."""
    if isinstance(title, str):
        return {workshop.language: title}
    return title
