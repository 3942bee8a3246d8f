"""Workshops: made from a format, moved through their stages."""

import secrets
from datetime import date
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from cowork.domain.accounts import new_secret
from cowork.domain.actors import Actor
from cowork.domain.board.opening import WINDOW
from cowork.domain.errors import Invalid, NotFound
from cowork.domain.models import Event, Participant, Stage, Workshop
from cowork.domain.program.formats import find_format
from cowork.domain.record import Tx, aware, events_since
from cowork.domain.text import N_, one_line
from cowork.formats import CARD_KINDS, FormatSpec, get_format
from cowork.settings import LANGUAGES

# No 0/O, 1/I/L: codes are read off a projector and typed on small keyboards.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
MAX_TITLE = 200
TITLE_TOO_LONG = N_("The title is too long (at most {limit} characters).")
MAX_PLACE = 200
PLACE_TOO_LONG = N_("The place is too long (at most {limit} characters).")
KEEP: Any = object()  # a detail left as it is
NO_SUCH_CODE = N_("No workshop has this code. Please check the code on the screen.")


def new_code(session: Session) -> str:
    """A join code no workshop has yet."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not session.exec(select(Workshop.id).where(Workshop.code == code)).first():
            return code


def normalize_code(code: str) -> str:
    return code.strip().upper().replace("-", "").replace(" ", "")


def create_workshop(
    tx: Tx, *, actor: Actor, title: str, format_id: str = "plain", language: str = "en", sample: bool = False
) -> Workshop:
    """A workshop made from a format; a sample (domain/program/sample.py) says so in its record."""
    title, spec = _check_new_workshop(
        actor, title=title, format_id=format_id, language=language, session=tx.session
    )
    assert spec is not None
    designs = [(s.kind, dict(s.title), s.minutes, s.config()) for s in spec.stages]
    return _open_workshop(
        tx, actor=actor, title=title, format_id=format_id, language=language, designs=designs, sample=sample
    )


def copy_workshop(tx: Tx, *, actor: Actor, workshop_id: int, title: str) -> Workshop:
    """A new workshop like this one: its format, language and agenda (stages with their settings and
    questions), without its people, contributions or record."""
    source = get_workshop(tx.session, workshop_id=workshop_id)
    actor.check_facilitator(source)
    title, _spec = _check_new_workshop(
        actor, title=title, format_id=source.format_id, language=source.language, known_format=False
    )
    # A board's dates before the day belong to that workshop's day, not to the copy's.
    designs = [
        (s.kind, dict(s.title), s.minutes, {k: v for k, v in s.config.items() if k not in WINDOW})
        for s in stages_of(tx.session, workshop_id=workshop_id)
    ]
    return _open_workshop(
        tx, actor=actor, title=title, format_id=source.format_id, language=source.language, designs=designs
    )


def _open_workshop(
    tx: Tx,
    *,
    actor: Actor,
    title: str,
    format_id: str,
    language: str,
    designs: list[tuple[str, dict[str, str], int | None, dict[str, Any]]],
    sample: bool = False,
) -> Workshop:
    """A new workshop with these stages (kind, title, minutes, config), on its first one."""
    session = tx.session
    workshop = Workshop(
        title=title,
        code=new_code(session),
        language=language,
        format_id=format_id,
        projector_key=new_secret(),
        owner_id=actor.user_id,
        is_sample=sample,
    )
    session.add(workshop)
    session.flush()
    stages = [
        Stage(
            workshop_id=workshop.id, position=i, kind=kind, title=stage_title, minutes=minutes, config=config
        )
        for i, (kind, stage_title, minutes, config) in enumerate(designs)
    ]
    session.add_all(stages)
    session.flush()
    workshop.current_stage_id = stages[0].id
    tx.record(
        workshop.id,
        "workshop.created",
        {
            "title": workshop.title,
            "code": workshop.code,
            "language": language,
            "format": format_id,
            # Each stage's whole config as it starts (categories and approval may change later): what an
            # import needs to rebuild the stage as it was.
            "stages": [{**stage_data(s), "config": s.config} for s in stages],
            "current_stage_id": workshop.current_stage_id,
            **({"sample": True} if sample else {}),
        },
    )
    return workshop


def _check_new_workshop(
    actor: Actor,
    *,
    title: str,
    format_id: str,
    language: str,
    known_format: bool = True,
    session: Session | None = None,
) -> tuple[str, FormatSpec | None]:
    """The trimmed title and the format of a workshop a facilitator may create, or why not."""
    if actor.user_id is None:
        raise Invalid("Only facilitators create workshops.")
    title = one_line(title, field="title", limit=MAX_TITLE, too_long=TITLE_TOO_LONG)
    if not title:
        raise Invalid("A workshop needs a title.")
    if language not in LANGUAGES:
        raise Invalid(
            "Unknown language {language}; cowork speaks {known}.",
            language=language,
            known=", ".join(LANGUAGES),
        )
    spec = find_format(session, format_id) if session is not None else get_format(format_id)
    if spec is None and known_format:
        raise Invalid("Unknown format {format_id}.", format_id=format_id)
    return title, spec


def stage_data(stage: Stage) -> dict[str, Any]:
    return {
        "id": stage.id,
        "position": stage.position,
        "kind": stage.kind,
        "title": stage.title,
        "minutes": stage.minutes,
        "categories": stage.config.get("categories", []),
        "takes_cards": stage.kind in CARD_KINDS,
    }


def get_workshop(session: Session, *, workshop_id: int) -> Workshop:
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise NotFound("There is no such workshop.")
    return workshop


def workshop_by_code(session: Session, *, code: str) -> Workshop:
    workshop = session.exec(select(Workshop).where(Workshop.code == normalize_code(code))).first()
    if workshop is None:
        raise NotFound(NO_SUCH_CODE)
    return workshop


def workshop_by_projector_key(session: Session, *, key: str) -> Workshop:
    workshop = session.exec(select(Workshop).where(Workshop.projector_key == key)).first()
    if workshop is None:
        raise NotFound("This screen link is not valid (any more).")
    return workshop


def stages_of(session: Session, *, workshop_id: int, archived: bool = False) -> list[Stage]:
    """The agenda in order; with `archived`, the archived stages after it (kept for record and exports)."""
    query = select(Stage).where(Stage.workshop_id == workshop_id)
    if not archived:
        query = query.where(col(Stage.archived).is_(False))
    return list(session.exec(query.order_by(col(Stage.position), col(Stage.id))))


def get_stage(session: Session, *, stage_id: int) -> Stage:
    stage = session.get(Stage, stage_id)
    if stage is None:
        raise NotFound("There is no such stage.")
    return stage


def stage_for(session: Session, *, actor: Actor, stage_id: int) -> tuple[Workshop, Stage]:
    """A stage and its workshop, for someone who belongs to that workshop (404 / 403 otherwise)."""
    # One SELECT for both (a card post's hot path); the session keeps them as two loaded rows.
    found = session.exec(
        select(Stage, Workshop)
        .join(Workshop, col(Workshop.id) == col(Stage.workshop_id))
        .where(Stage.id == stage_id)
    ).first()
    if found is None:
        raise NotFound("There is no such stage.")
    stage, workshop = found
    actor.check_member(workshop)
    return workshop, stage


# Built once, run through SQLAlchemy Core: every join and phone page counts (the ORM's statement, built
# anew each time, cost several times more than the query).
_PRESENT = (
    sa_select(func.count())
    .select_from(Participant.__table__)
    .where(Participant.__table__.c.workshop_id == bindparam("workshop_id"))  # type: ignore[attr-defined]
)


def participant_count(session: Session, *, workshop_id: int) -> int:
    """The participants stored: a new one still pending in the session is not counted (flush it first)."""
    return session.connection().execute(_PRESENT, {"workshop_id": workshop_id}).scalar_one()


def workshops_of(session: Session, *, actor: Actor) -> list[Workshop]:
    query = select(Workshop).order_by(col(Workshop.created_at).desc())
    if not actor.is_admin:
        query = query.where(Workshop.owner_id == actor.user_id)
    return list(session.exec(query))


def set_current_stage(tx: Tx, *, actor: Actor, workshop_id: int, stage_id: int) -> Stage:
    workshop = get_workshop(tx.session, workshop_id=workshop_id)
    actor.check_facilitator(workshop)
    stage = tx.session.get(Stage, stage_id)
    if stage is None or stage.workshop_id != workshop.id or stage.archived:
        raise Invalid("This stage is not part of the workshop.")
    if workshop.current_stage_id != stage.id:
        workshop.current_stage_id = stage.id
        tx.session.add(workshop)
        tx.record(workshop.id, "stage.changed", {"stage_id": stage.id, "kind": stage.kind})
    return stage


def set_workshop_details(
    tx: Tx, *, actor: Actor, workshop_id: int, place: Any = KEEP, follow_up_on: Any = KEEP
) -> Workshop:
    """Where the workshop takes place and when the group meets again (each optional; KEEP leaves it)."""
    workshop = get_workshop(tx.session, workshop_id=workshop_id)
    actor.check_facilitator(workshop)
    before = details_data(workshop)
    if place is not KEEP:
        workshop.place = (
            one_line(place or "", field="place", limit=MAX_PLACE, too_long=PLACE_TOO_LONG) or None
        )
    if follow_up_on is not KEEP:
        workshop.follow_up_on = parse_day(follow_up_on)
    if details_data(workshop) != before:
        tx.session.add(workshop)
        tx.record(workshop.id, "workshop.details_changed", details_data(workshop))  # type: ignore[arg-type]
    return workshop


def parse_day(value: Any) -> date | None:
    """A date from "YYYY-MM-DD" (empty: none), or a sentence saying what to type."""
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise Invalid(
            "The follow-up date {value} is not a date; please give it as YYYY-MM-DD.", value=value
        ) from None


def details_data(workshop: Workshop) -> dict[str, Any]:
    return {
        "place": workshop.place,
        "follow_up_on": workshop.follow_up_on.isoformat() if workshop.follow_up_on else None,
    }


def describe_workshop(session: Session, *, actor: Actor, workshop_id: int) -> dict[str, Any]:
    """A workshop as its facilitators see it: stages, where it stands, how many joined."""
    workshop = get_workshop(session, workshop_id=workshop_id)
    actor.check_facilitator(workshop)
    return {
        "id": workshop.id,
        "title": workshop.title,
        "code": workshop.code,
        "language": workshop.language,
        "format": workshop.format_id,
        "status": workshop.status,
        "sample": workshop.is_sample,
        "current_stage_id": workshop.current_stage_id,
        "participants": participant_count(session, workshop_id=workshop.id),
        "last_seq": workshop.last_seq,
        "projector_key": workshop.projector_key,
        "created_at": aware(workshop.created_at),
        **details_data(workshop),
        "stages": [stage_data(s) for s in stages_of(session, workshop_id=workshop.id)],
    }


def read_record(
    session: Session, *, actor: Actor, workshop_id: int, since: int = 0, limit: int = 1000
) -> tuple[list[Event], int]:
    """The session record after `since`, for the workshop's facilitators, and the last seq so far."""
    workshop = get_workshop(session, workshop_id=workshop_id)
    actor.check_facilitator(workshop)
    return events_since(session, workshop_id=workshop_id, since=since, limit=limit), workshop.last_seq
