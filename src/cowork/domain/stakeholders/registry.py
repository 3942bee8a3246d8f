"""Stakeholder mapping (seeds 001 and 002): putting who is involved on the map, and correcting them.

A workshop has one stakeholder map: every stakeholder stage shows it, and the responsibility matrix
(`matrix.py`) takes its stakeholders as columns. A name counts once per workshop after
normalising ("Job Center  Offenbach" is "jobcenter offenbach"); the database refuses a double even when
two phones race, and the second proposal is answered with the first stakeholder. Contact details are
personal data: stored only with an explicit consent, shown to facilitators only, never pushed to public
screens (`contacts.py`). Where the group places them is `ratings.py`.
"""

from typing import Any

from sqlmodel import Session, select

from cowork.domain.actors import Actor
from cowork.domain.errors import Closed, Conflict, Invalid, NotFound
from cowork.domain.models import Stage, Workshop
from cowork.domain.record import Tx
from cowork.domain.stakeholders.contacts import clean_contact, contact_of, forget_contact, set_contact
from cowork.domain.stakeholders.families import FAMILIES, LEVELS, ROLES, shown_families
from cowork.domain.stakeholders.map import (
    EMPTY_STATS,
    event_stakeholder,
    list_stakeholders,
    live_stakeholders,
    stakeholder_data,
    stakeholder_stats,
)
from cowork.domain.stakeholders.models import MAX_NAME, MAX_TASKS, Stakeholder
from cowork.domain.stakeholders.names import normalise_name
from cowork.domain.text import N_, clean_text, one_line
from cowork.domain.workshops import stage_for

KIND = "stakeholders"
MAX_STAKEHOLDERS = 200
NAME_TOO_LONG = N_("The name is too long (at most {limit} characters).")
TASKS_TOO_LONG = N_("The tasks are too long: {count} characters, at most {limit}.")

# --- checks -------------------------------------------------------------------------------------------


def _clean_name(name: str | None) -> tuple[str, str]:
    name = one_line(name, field="name", limit=MAX_NAME, too_long=NAME_TOO_LONG)
    if not name:
        raise Invalid("Please give the stakeholder a name.")
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
    return clean_text(tasks, field="tasks", limit=MAX_TASKS, too_long=TASKS_TOO_LONG) or None


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
    if family and family in FAMILIES and family not in shown_families(stage.config):
        raise Invalid(
            "This map does not take the family {family}; choose one of: {known}.",
            family=family,
            known=", ".join(shown_families(stage.config)),
        )
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
    consent: bool | None = None,
) -> Stakeholder:
    """Facilitators correct a stakeholder; `contact=None` erases the contact details, and so does
    `consent=False` (the person withdrew it): from the stakeholder and from every event that carried them."""
    stakeholder, workshop = get_stakeholder(tx.session, actor=actor, stakeholder_id=stakeholder_id)
    actor.check_facilitator(workshop)
    given = {"name": name, "family": family, "level": level, "role": role, "tasks": tasks, "contact": contact}
    fields = {key: value for key, value in given.items() if value is not _UNSET}
    if consent is False and "contact" not in fields:
        fields["contact"] = None
    earlier = contact_of(stakeholder)
    changes = change_stakeholder(tx.session, stakeholder, fields, consent=consent is True)
    removed = "contact" in changes and earlier is not None
    if removed:
        forget_contact(tx.session, workshop_id=workshop.id, details=earlier)  # type: ignore[arg-type]
    if changes:
        tx.record(
            workshop.id,
            "stakeholder.updated",
            {
                **event_stakeholder(tx.session, stakeholder),
                "changes": changes,
                "workshop_code": workshop.code,
                **({"contact_removed": True} if removed else {}),
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
