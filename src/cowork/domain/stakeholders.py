"""Stakeholder mapping (seeds 001 and 002): who is involved, and where the group places them.

A workshop has one stakeholder map: every stakeholder stage shows it, and the responsibility matrix
(`responsibilities.py`) takes its stakeholders as columns. A name counts once per workshop after
normalising ("Job Center  Offenbach" is "jobcenter offenbach"); the database refuses a double even when
two phones race, and the second proposal is answered with the first stakeholder. Contact details are
personal data: stored only with an explicit consent, shown to facilitators only, never pushed to public
screens.
"""

import difflib
import re
import statistics
import unicodedata
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, DateTime, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from .actors import Actor
from .errors import Closed, Conflict, Invalid, NotFound
from .families import FAMILIES, LEVELS, ROLES
from .models import Stage, Workshop, utcnow
from .record import Tx
from .workshops import stage_for

KIND = "stakeholders"
MAX_NAME = 120
MAX_TASKS = 500
MAX_PERSON = 120
MAX_EMAIL = 254
MAX_PHONE = 40
MAX_STAKEHOLDERS = 200
LOW, HIGH = 1, 5  # the rating scale of influence and interest
# Strongest first: when two merged stakeholders both have a cell in a row, the stronger mark stays.
MARK_ORDER = ("responsible", "contributes", "informed")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9][0-9 ()/.\-]{2,39}$")


def _when(**kw: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=DateTime(timezone=True), **kw)


class Stakeholder(SQLModel, table=True):
    """An actor on the workshop's map; a merged one points to the stakeholder it was merged into."""

    __table_args__ = (UniqueConstraint("workshop_id", "name_key"),)

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True)
    stage_id: int = Field(foreign_key="stage.id")
    name: str = Field(max_length=MAX_NAME)
    # The name without case, spaces and punctuation: one stakeholder per key and workshop.
    name_key: str = Field(max_length=MAX_NAME)
    family: str = Field(max_length=32)
    level: str | None = Field(default=None, max_length=32)
    role: str | None = Field(default=None, max_length=32)
    tasks: str | None = Field(default=None, max_length=MAX_TASKS)
    contact_person: str | None = Field(default=None, max_length=MAX_PERSON)
    contact_email: str | None = Field(default=None, max_length=MAX_EMAIL)
    contact_phone: str | None = Field(default=None, max_length=MAX_PHONE)
    # When the person who gave the contact details ticked the consent box (personal data).
    contact_consent_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    pinned_influence: float | None = None
    pinned_interest: float | None = None
    merged_into_id: int | None = Field(default=None, foreign_key="stakeholder.id")
    participant_id: int | None = Field(default=None, foreign_key="participant.id")
    author_user_id: int | None = Field(default=None, foreign_key="user.id")
    seq: int = 0  # seq of the event that added it
    created_at: datetime = _when()


class Rating(SQLModel, table=True):
    """One participant's placement of one stakeholder; a new rating replaces the earlier one."""

    __table_args__ = (
        UniqueConstraint("stakeholder_id", "participant_id"),
        CheckConstraint("influence BETWEEN 1 AND 5", name="ck_rating_influence"),
        CheckConstraint("interest BETWEEN 1 AND 5", name="ck_rating_interest"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True)
    stakeholder_id: int = Field(foreign_key="stakeholder.id", index=True)
    participant_id: int = Field(foreign_key="participant.id")
    influence: int
    interest: int
    updated_at: datetime = _when()


class Activity(SQLModel, table=True):
    """A row of the responsibility matrix that differs from the format's defaults: added, renamed, removed.

    The default rows come from the workshop's stages (or `families.ACTIVITY_AREAS`) and need no row here
    until someone renames or removes one; the key is the row's id in the API and in cells.
    """

    __table_args__ = (UniqueConstraint("workshop_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True)
    key: str = Field(max_length=64)
    label: dict[str, str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    removed: bool = False
    created_at: datetime = _when()


class ResponsibilityCell(SQLModel, table=True):
    """Who does what: a stakeholder's mark in one activity row, for some target groups (none listed: all)."""

    __table_args__ = (UniqueConstraint("stakeholder_id", "activity_key"),)

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True)
    activity_key: str = Field(max_length=64)
    stakeholder_id: int = Field(foreign_key="stakeholder.id", index=True)
    mark: str = Field(max_length=16)
    target_groups: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = _when()


# --- checks -------------------------------------------------------------------------------------------


def normalise_name(name: str) -> str:
    """The key that makes "Job Center  Offenbach" and "jobcenter offenbach" one stakeholder."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def _clean_name(name: str | None) -> tuple[str, str]:
    name = " ".join((name or "").split())
    if not name:
        raise Invalid("Please give the stakeholder a name.")
    if len(name) > MAX_NAME:
        raise Invalid("The name is too long (at most {limit} characters).", limit=MAX_NAME)
    key = normalise_name(name)
    if not key:
        raise Invalid("A stakeholder's name needs letters or digits.")
    return name, key


def _check_family(family: str | None) -> str:
    family = (family or "").strip()
    if not family:
        raise Invalid("Please choose the stakeholder's family.")
    if family not in FAMILIES:
        raise Invalid(
            "Unknown stakeholder family {family}; choose one of: {known}.",
            family=family,
            known=", ".join(FAMILIES),
        )
    return family


def _check_level(level: str | None) -> str | None:
    level = (level or "").strip() or None
    if level is not None and level not in LEVELS:
        raise Invalid("Unknown level {level}; choose one of: {known}.", level=level, known=", ".join(LEVELS))
    return level


def _check_role(role: str | None) -> str | None:
    role = (role or "").strip() or None
    if role is not None and role not in ROLES:
        raise Invalid("Unknown role {role}; choose one of: {known}.", role=role, known=", ".join(ROLES))
    return role


def _clean_tasks(tasks: str | None) -> str | None:
    tasks = (tasks or "").strip() or None
    if tasks and len(tasks) > MAX_TASKS:
        raise Invalid(
            "The tasks are too long: {count} characters, at most {limit}.", count=len(tasks), limit=MAX_TASKS
        )
    return tasks


def clean_contact(contact: dict[str, Any] | None, consent: bool) -> dict[str, str | None] | None:
    """Contact details, or None when none were given; refused without consent (they are personal data)."""
    fields = {
        key: " ".join(str((contact or {}).get(key) or "").split()) or None
        for key in ("person", "email", "phone")
    }
    if not any(fields.values()):
        return None
    if consent is not True:
        raise Invalid(
            "Contact details are personal data: tick the consent box to store them, or leave them out."
        )
    person, email, phone = fields["person"], fields["email"], fields["phone"]
    if not person:
        raise Invalid("Please name the contact person.")
    if len(person) > MAX_PERSON:
        raise Invalid("The contact person's name is too long (at most {limit} characters).", limit=MAX_PERSON)
    if email and (len(email) > MAX_EMAIL or not EMAIL.match(email)):
        raise Invalid("This is not an email address: {email}", email=email)
    if phone and not PHONE.match(phone):
        raise Invalid("A phone number has digits, spaces and + ( ) / - only: {phone}", phone=phone)
    return fields


def _stakeholder_stage(session: Session, actor: Actor, stage_id: int) -> tuple[Workshop, Stage]:
    workshop, stage = stage_for(session, actor=actor, stage_id=stage_id)
    if stage.kind != KIND:
        raise Invalid("This stage has no stakeholder map.")
    if actor.is_participant and (workshop.status != "open" or workshop.current_stage_id != stage.id):
        raise Closed("This stage is not open for stakeholders right now.")
    return workshop, stage


def _kept(session: Session, stakeholder: Stakeholder) -> Stakeholder:
    """The stakeholder that stands for this one now: itself, or the one it was merged into."""
    seen = set()
    while stakeholder.merged_into_id is not None and stakeholder.id not in seen:
        seen.add(stakeholder.id)
        merged = session.get(Stakeholder, stakeholder.merged_into_id)
        assert merged is not None
        stakeholder = merged
    return stakeholder


def get_stakeholder(session: Session, *, actor: Actor, stakeholder_id: int) -> tuple[Stakeholder, Workshop]:
    """A stakeholder the actor may see (a merged one answers as the one it was merged into)."""
    found = session.get(Stakeholder, stakeholder_id)
    if found is None:
        raise NotFound("There is no such stakeholder.")
    workshop = session.get(Workshop, found.workshop_id)
    assert workshop is not None
    actor.check_member(workshop)
    return _kept(session, found), workshop


def by_name_key(session: Session, workshop_id: int, key: str) -> Stakeholder | None:
    return session.exec(
        select(Stakeholder).where(Stakeholder.workshop_id == workshop_id, Stakeholder.name_key == key)
    ).first()


def stakeholder_stage_is_on(session: Session, workshop: Workshop) -> bool:
    stage = session.get(Stage, workshop.current_stage_id) if workshop.current_stage_id else None
    return stage is not None and stage.kind == KIND


# --- commands -------------------------------------------------------------------------------------------


def propose_stakeholder(
    tx: Tx,
    *,
    actor: Actor,
    stage_id: int,
    name: str | None,
    family: str | None,
    level: str | None = None,
    role: str | None = None,
    tasks: str | None = None,
    contact: dict[str, Any] | None = None,
    consent: bool = False,
    client_id: str | None = None,
) -> tuple[Stakeholder, bool]:
    """Put a stakeholder on the map; the same name again returns the one already there (duplicate=True)."""
    if client_id is not None and not 1 <= len(client_id) <= 64:
        raise Invalid("client_id must have 1 to 64 characters.")
    if (earlier := tx.receipt(actor.key, client_id)) is not None:
        done = tx.session.get(Stakeholder, earlier)
        assert done is not None
        return _kept(tx.session, done), False
    workshop, stage = _stakeholder_stage(tx.session, actor, stage_id)
    stakeholder = new_stakeholder(
        stage,
        name=name,
        family=family,
        level=level,
        role=role,
        tasks=tasks,
        contact=contact,
        consent=consent,
        participant_id=actor.participant_id,
        author_user_id=None if actor.is_participant else actor.user_id,
    )
    if (existing := by_name_key(tx.session, stage.workshop_id, stakeholder.name_key)) is not None:
        return _kept(tx.session, existing), True
    put_on_map(tx.session, stakeholder)
    assert workshop.id is not None and stakeholder.id is not None
    tx.remember(workshop.id, actor.key, client_id, stakeholder.id)
    event = tx.record(workshop.id, "stakeholder.proposed", {})
    stakeholder.seq = event.seq
    event.data = {**event_stakeholder(tx.session, stakeholder), "workshop_code": workshop.code}
    return stakeholder, False


def new_stakeholder(
    stage: Stage,
    *,
    name: str | None,
    family: str | None,
    level: str | None,
    role: str | None,
    tasks: str | None,
    contact: dict[str, Any] | None,
    consent: bool,
    participant_id: int | None,
    author_user_id: int | None,
) -> Stakeholder:
    """A stakeholder for the stage's map, every field checked; not on the map until `put_on_map`."""
    name, key = _clean_name(name)
    family = _check_family(family)
    level, role, tasks = _check_level(level), _check_role(role), _clean_tasks(tasks)
    details = clean_contact(contact, consent)
    stakeholder = Stakeholder(
        workshop_id=stage.workshop_id,
        stage_id=stage.id,  # type: ignore[arg-type]
        name=name,
        name_key=key,
        family=family,
        level=level,
        role=role,
        tasks=tasks,
        participant_id=participant_id,
        author_user_id=author_user_id,
    )
    set_contact(stakeholder, details)
    return stakeholder


def put_on_map(session: Session, stakeholder: Stakeholder) -> None:
    """Store a checked stakeholder, if its map has room."""
    count = len(live_stakeholders(session, workshop_id=stakeholder.workshop_id))
    if count >= MAX_STAKEHOLDERS:
        raise Invalid("This map is full: at most {limit} stakeholders.", limit=MAX_STAKEHOLDERS)
    session.add(stakeholder)
    session.flush()


def set_contact(stakeholder: Stakeholder, details: dict[str, str | None] | None) -> None:
    stakeholder.contact_person = details["person"] if details else None
    stakeholder.contact_email = details["email"] if details else None
    stakeholder.contact_phone = details["phone"] if details else None
    stakeholder.contact_consent_at = utcnow() if details else None


_UNSET: Any = object()


def update_stakeholder(
    tx: Tx,
    *,
    actor: Actor,
    stakeholder_id: int,
    name: str | None = _UNSET,
    family: str | None = _UNSET,
    level: str | None = _UNSET,
    role: str | None = _UNSET,
    tasks: str | None = _UNSET,
    contact: dict[str, Any] | None = _UNSET,
    consent: bool = False,
) -> Stakeholder:
    """Facilitators correct a stakeholder; `contact=None` erases the contact details."""
    stakeholder, workshop = get_stakeholder(tx.session, actor=actor, stakeholder_id=stakeholder_id)
    actor.check_facilitator(workshop)
    given = {"name": name, "family": family, "level": level, "role": role, "tasks": tasks, "contact": contact}
    fields = {key: value for key, value in given.items() if value is not _UNSET}
    changes = change_stakeholder(tx.session, stakeholder, fields, consent=consent)
    if changes:
        tx.record(
            workshop.id,
            "stakeholder.updated",
            {
                **event_stakeholder(tx.session, stakeholder),
                "changes": changes,
                "workshop_code": workshop.code,
            },
        )
    return stakeholder


def change_stakeholder(
    session: Session, stakeholder: Stakeholder, fields: dict[str, Any], *, consent: bool
) -> list[str]:
    """Apply the given fields (name, family, level, role, tasks, contact); returns those that changed."""
    changes: list[str] = []
    if "name" in fields:
        new_name, key = _clean_name(fields["name"])
        other = by_name_key(session, stakeholder.workshop_id, key)
        if other is not None and other.id != stakeholder.id:
            raise Conflict(
                "{name} is already on the map; merge the two instead of renaming.",
                name=_kept(session, other).name,
            )
        if new_name != stakeholder.name:
            stakeholder.name, stakeholder.name_key, changes = new_name, key, [*changes, "name"]
    for field, check in (
        ("family", _check_family),
        ("level", _check_level),
        ("role", _check_role),
        ("tasks", _clean_tasks),
    ):
        if field in fields and (new := check(fields[field])) != getattr(stakeholder, field):
            setattr(stakeholder, field, new)
            changes.append(field)
    if "contact" in fields:
        details = clean_contact(fields["contact"], consent)
        if details != contact_of(stakeholder):
            set_contact(stakeholder, details)
            changes.append("contact")
    if changes:
        session.add(stakeholder)
        session.flush()
    return changes


# --- what screens and the API show ----------------------------------------------------------------------

EMPTY_STATS: dict[str, Any] = {"ratings": 0, "influence": None, "interest": None, "spread": None}


def _summary(values: list[int]) -> dict[str, float]:
    return {"sd": round(statistics.pstdev(values), 2), "min": min(values), "max": max(values)}


def stakeholder_stats(
    session: Session, *, workshop_id: int, stakeholder_id: int | None = None
) -> dict[int, dict[str, Any]]:
    """Per stakeholder (or for one): how many rated it, the mean influence and interest, and their spread."""
    ratings: dict[int, list[Rating]] = {}
    query = select(Rating).where(Rating.workshop_id == workshop_id)
    if stakeholder_id is not None:
        query = query.where(Rating.stakeholder_id == stakeholder_id)
    for rating in session.exec(query):
        ratings.setdefault(rating.stakeholder_id, []).append(rating)
    stats = {}
    for stakeholder_id, given in ratings.items():
        influence, interest = [r.influence for r in given], [r.interest for r in given]
        stats[stakeholder_id] = {
            "ratings": len(given),
            "influence": round(statistics.fmean(influence), 2),
            "interest": round(statistics.fmean(interest), 2),
            "spread": {"influence": _summary(influence), "interest": _summary(interest)},
        }
    return stats


# What a marker, a table row and a list item draw: all a rating event and a public screen need.
NUMBERS = (
    "id",
    "workshop_id",
    "name",
    "family",
    "ratings",
    "influence",
    "interest",
    "spread",
    "pinned",
    "position",
)
MAX_SIMILAR = 3


def numbers_of(data: dict[str, Any]) -> dict[str, Any]:
    return {key: data[key] for key in NUMBERS}


def event_stakeholder(session: Session, stakeholder: Stakeholder) -> dict[str, Any]:
    """A stakeholder as events carry it: everything facilitators see, with the names it may duplicate.

    Public screens get it without contact and hints (see live/views/stakeholders.py).
    """
    assert stakeholder.id is not None
    stats = stakeholder_stats(session, workshop_id=stakeholder.workshop_id, stakeholder_id=stakeholder.id)
    similar = [
        {"id": other.id, "name": other.name}
        for other in live_stakeholders(session, workshop_id=stakeholder.workshop_id)
        if other.id != stakeholder.id and alike(stakeholder.name_key, other.name_key)
    ][:MAX_SIMILAR]
    return {
        **stakeholder_data(stakeholder, stats.get(stakeholder.id, EMPTY_STATS), include_contact=True),
        "similar": similar,
    }


def contact_of(stakeholder: Stakeholder) -> dict[str, str | None] | None:
    if not (stakeholder.contact_person or stakeholder.contact_email or stakeholder.contact_phone):
        return None
    return {
        "person": stakeholder.contact_person,
        "email": stakeholder.contact_email,
        "phone": stakeholder.contact_phone,
    }


def pinned_of(stakeholder: Stakeholder) -> tuple[float, float] | None:
    if stakeholder.pinned_influence is None or stakeholder.pinned_interest is None:
        return None
    return (stakeholder.pinned_influence, stakeholder.pinned_interest)


def stakeholder_data(
    stakeholder: Stakeholder, stats: dict[str, Any], *, include_contact: bool
) -> dict[str, Any]:
    """A stakeholder with its ratings summed up; contact details only for facilitators."""
    pinned = pinned_of(stakeholder)
    pin = {"influence": pinned[0], "interest": pinned[1]} if pinned else None
    mean = {"influence": stats["influence"], "interest": stats["interest"]} if stats["ratings"] else None
    data = {
        "id": stakeholder.id,
        "workshop_id": stakeholder.workshop_id,
        "seq": stakeholder.seq,
        "stage_id": stakeholder.stage_id,
        "name": stakeholder.name,
        "family": stakeholder.family,
        "level": stakeholder.level,
        "role": stakeholder.role,
        "tasks": stakeholder.tasks,
        **stats,
        "pinned": pin,
        # Where it is drawn: the facilitator's pin, else the mean of the ratings (None: not placed yet).
        "position": pin or mean,
        "has_contact": contact_of(stakeholder) is not None,
        "by_facilitator": stakeholder.author_user_id is not None,
    }
    if include_contact:
        data["contact"] = contact_of(stakeholder)
    return data


def live_stakeholders(session: Session, *, workshop_id: int) -> list[Stakeholder]:
    """The workshop's stakeholders in the order they were proposed, without the merged ones."""
    return list(
        session.exec(
            select(Stakeholder)
            .where(Stakeholder.workshop_id == workshop_id, col(Stakeholder.merged_into_id).is_(None))
            .order_by(col(Stakeholder.id))
        )
    )


def list_stakeholders(session: Session, *, workshop_id: int, include_contact: bool) -> list[dict[str, Any]]:
    stats = stakeholder_stats(session, workshop_id=workshop_id)
    return [
        stakeholder_data(s, stats.get(s.id, EMPTY_STATS), include_contact=include_contact)  # type: ignore[arg-type]
        for s in live_stakeholders(session, workshop_id=workshop_id)
    ]


def stakeholders_of_stage(session: Session, *, actor: Actor, stage_id: int) -> list[dict[str, Any]]:
    """The map a stakeholder stage shows; facilitators also get the contact details."""
    workshop, stage = stage_for(session, actor=actor, stage_id=stage_id)
    if stage.kind != KIND:
        raise Invalid("This stage has no stakeholder map.")
    return list_stakeholders(session, workshop_id=workshop.id, include_contact=not actor.is_participant)  # type: ignore[arg-type]


def describe_stakeholder(session: Session, *, actor: Actor, stakeholder_id: int) -> dict[str, Any]:
    stakeholder, workshop = get_stakeholder(session, actor=actor, stakeholder_id=stakeholder_id)
    stats = stakeholder_stats(session, workshop_id=workshop.id, stakeholder_id=stakeholder.id)
    return stakeholder_data(
        stakeholder,
        stats.get(stakeholder.id, EMPTY_STATS),
        include_contact=actor.may_facilitate(workshop),  # type: ignore[arg-type]
    )


def staff_entry(session: Session, *, actor: Actor, stakeholder_id: int) -> dict[str, Any]:
    """A stakeholder as the facilitators' list shows it: with its contact and the names it may duplicate."""
    stakeholder, workshop = get_stakeholder(session, actor=actor, stakeholder_id=stakeholder_id)
    actor.check_facilitator(workshop)
    return event_stakeholder(session, stakeholder)


def ratings_of(session: Session, *, participant_id: int) -> dict[int, dict[str, int]]:
    """A participant's own ratings, to show their choice again on the phone."""
    return {
        r.stakeholder_id: {"influence": r.influence, "interest": r.interest}
        for r in session.exec(select(Rating).where(Rating.participant_id == participant_id))
    }


def alike(key_a: str, key_b: str) -> bool:
    """Normalised names so close that they may name one actor ("jobcenter" and "jobcenteroffenbach")."""
    if min(len(key_a), len(key_b)) >= 4 and (key_a in key_b or key_b in key_a):
        return True
    matcher = difflib.SequenceMatcher(None, key_a, key_b)
    return matcher.quick_ratio() >= 0.8 and matcher.ratio() >= 0.8


def likely_duplicates(items: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    """For each stakeholder, the others a facilitator may want to merge it with."""
    keys = [(item, normalise_name(item["name"])) for item in items]
    similar: dict[int, list[dict[str, Any]]] = {}
    for i, (a, key_a) in enumerate(keys):
        for b, key_b in keys[i + 1 :]:
            if alike(key_a, key_b):
                similar.setdefault(a["id"], []).append({"id": b["id"], "name": b["name"]})
                similar.setdefault(b["id"], []).append({"id": a["id"], "name": a["name"]})
    return similar
