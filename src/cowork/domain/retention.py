"""What organisers decide about a workshop's data: named or pseudonymised exports, how long personal data is
kept, archiving, purging personal data, and deleting a workshop with everything in it."""

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, delete, func, update
from sqlmodel import Session, SQLModel, col, select

from cowork.domain import schema  # noqa: F401  (every feature's tables, so none is left behind)
from cowork.domain.accounts import digest
from cowork.domain.actors import Actor
from cowork.domain.errors import Invalid
from cowork.domain.models import Contribution, Event, ExportSettings, Participant, Workshop, utcnow
from cowork.domain.record import Tx, aware
from cowork.domain.redaction import wipes_disk
from cowork.domain.workshops import get_workshop, participant_count, workshops_of

MAX_RETENTION_DAYS = 3650
# Keys of event data that hold personal data anywhere in a record, whatever the event type.
PERSONAL_KEYS = frozenset(
    {
        "contact",
        "contact_person",
        "contact_name",
        "contact_email",
        "contact_phone",
        "contact_details",
        "email",
        "phone",
    }
)
# Columns of any workshop table that hold personal data (participants' own are handled by name).
PERSONAL_COLUMNS = PERSONAL_KEYS | {"contact_consent_at"}


def export_settings(session: Session, *, workshop_id: int) -> ExportSettings:
    """The workshop's settings; a workshop that never changed them has the defaults (pseudonymised)."""
    found = session.get(ExportSettings, workshop_id)
    return found or ExportSettings(workshop_id=workshop_id)


def settings_data(settings: ExportSettings) -> dict[str, Any]:
    return {"named": settings.named, "retention_days": settings.retention_days}


def change_privacy(
    tx: Tx, *, actor: Actor, workshop_id: int, named: bool, retention_days: int | None
) -> ExportSettings:
    """Named or pseudonymised exports, and the days after which personal data is purged (None: kept)."""
    workshop = get_workshop(tx.session, workshop_id=workshop_id)
    actor.check_facilitator(workshop)
    if retention_days is not None and not 1 <= retention_days <= MAX_RETENTION_DAYS:
        raise Invalid(
            "The retention must be between 1 and {limit} days, or empty to keep the data.",
            limit=MAX_RETENTION_DAYS,
        )
    return _save_settings(tx, workshop, named=named, retention_days=retention_days)


def _save_settings(tx: Tx, workshop: Workshop, **values: Any) -> ExportSettings:
    settings = tx.session.get(ExportSettings, workshop.id)
    if settings is None:
        settings = ExportSettings(workshop_id=workshop.id)  # type: ignore[arg-type]
    if {k: getattr(settings, k) for k in values} != values:
        for key, value in values.items():
            setattr(settings, key, value)
        tx.session.add(settings)
        tx.record(workshop.id, "privacy.changed", settings_data(settings))  # type: ignore[arg-type]
    return settings


# --- archive ----------------------------------------------------------------------------------------


def archive_workshop(tx: Tx, *, actor: Actor, workshop_id: int) -> Workshop:
    """An archived workshop takes no joins or cards and moves to the end of the dashboard."""
    workshop = get_workshop(tx.session, workshop_id=workshop_id)
    actor.check_facilitator(workshop)
    if workshop.status != "archived":
        previous = workshop.status
        workshop.status = "archived"
        tx.session.add(workshop)
        tx.record(workshop.id, "workshop.archived", {"status": "archived", "previous": previous})  # type: ignore[arg-type]
    return workshop


def restore_workshop(tx: Tx, *, actor: Actor, workshop_id: int) -> Workshop:
    workshop = get_workshop(tx.session, workshop_id=workshop_id)
    actor.check_facilitator(workshop)
    if workshop.status == "archived":
        workshop.status = "open"
        tx.session.add(workshop)
        tx.record(workshop.id, "workshop.restored", {"status": "open"})  # type: ignore[arg-type]
    return workshop


# --- purge ------------------------------------------------------------------------------------------


def scrub(data: Any) -> Any:
    """Event data without personal data: names, organisations and contact details become None.

    Stakeholder groups, texts and numbers stay, so counts and the order of the record survive.
    """
    if isinstance(data, list):
        return [scrub(item) for item in data]
    if not isinstance(data, dict):
        return data
    clean: dict[str, Any] = {}
    # A participant described with a name (a member of a table, a voter): the name is theirs.
    person = "participant_id" in data
    for key, value in data.items():
        if key in PERSONAL_KEYS or (person and key in ("name", "organisation")):
            clean[key] = None
        elif key == "author" and isinstance(value, dict):
            clean[key] = {**scrub(value), "name": None}
        else:
            clean[key] = scrub(value)
    return clean


def scrub_event(type_: str, data: dict[str, Any]) -> dict[str, Any]:
    clean = scrub(data)
    if type_ == "participant.joined":
        clean.update(name=None, organisation=None)
    return clean


def purge_personal_data(tx: Tx, *, workshop_id: int) -> dict[str, int]:
    """Drop names, organisations, contact details and author links; keep texts and anonymous counts.

    The record's events are rewritten without names, and the purge is recorded as `workshop.purged`.
    """
    workshop = get_workshop(tx.session, workshop_id=workshop_id)
    counts = erase_personal_data(tx.session, workshop_id=workshop_id)
    purge = tx.record(workshop.id, "workshop.purged", counts)  # type: ignore[arg-type]
    mark_purged(tx.session, workshop_id=workshop_id, seq=purge.seq)
    return counts


def erase_personal_data(session: Session, *, workshop_id: int) -> dict[str, int]:
    """The rows and events of a purge; returns how many of each kind were touched."""
    participants = list(session.exec(select(Participant).where(Participant.workshop_id == workshop_id)))
    for participant in participants:
        participant.name = None
        participant.organisation = None
        # The phones' cookies stop working: nobody can act under a purged participant any more.
        participant.token_hash = digest(secrets.token_urlsafe(32))
        session.add(participant)
    cards = session.execute(
        update(Contribution)
        .where(col(Contribution.workshop_id) == workshop_id, col(Contribution.participant_id).is_not(None))
        .values(participant_id=None)
    ).rowcount
    _unlink_authors(session, workshop_id)
    contacts = _null_personal_columns(session, workshop_id)
    events = 0
    for event in session.exec(select(Event).where(Event.workshop_id == workshop_id)):
        clean = scrub_event(event.type, event.data)
        if clean != event.data:
            event.data = clean
            session.add(event)
            events += 1
    return {"participants": len(participants), "cards": cards, "contacts": contacts, "events": events}


def _purged_tables() -> list[str]:
    """What PostgreSQL vacuums after a purge: every table a purge may rewrite (those of a workshop)."""
    return [table.name for table in _workshop_tables()]


def mark_purged(session: Session, *, workshop_id: int, seq: int) -> None:
    settings = session.get(ExportSettings, workshop_id) or ExportSettings(workshop_id=workshop_id)
    settings.purged_seq = seq
    session.add(settings)


def _null_personal_columns(session: Session, workshop_id: int) -> int:
    """Contact persons and details in any feature's table (stakeholders, interface document)."""
    touched = 0
    for table in _workshop_tables():
        columns = [c for c in table.columns if c.name in PERSONAL_COLUMNS and c.nullable]
        if not columns:
            continue
        touched += session.execute(
            update(table).where(table.c.workshop_id == workshop_id).values({c.name: None for c in columns})
        ).rowcount
    return touched


def _unlink_authors(session: Session, workshop_id: int) -> None:
    """Whatever else a participant made (a stakeholder, a proposal) loses its optional link to them.

    Required links stay (a rating, an evaluation response): they point at a participant without a name.
    """
    for table in _workshop_tables():
        column = table.c.get("participant_id")
        if column is not None and column.nullable and table.name != "contribution":
            session.execute(
                update(table)
                .where(table.c.workshop_id == workshop_id, column.is_not(None))
                .values(participant_id=None)
            )


def purge_now(tx: Tx, *, actor: Actor, workshop_id: int) -> dict[str, int]:
    """The facilitator's "Purge personal data now"."""
    actor.check_facilitator(get_workshop(tx.session, workshop_id=workshop_id))
    return purge_personal_data(tx, workshop_id=workshop_id)


def last_activity(session: Session, *, workshop_id: int) -> datetime | None:
    at = session.exec(select(func.max(Event.at)).where(Event.workshop_id == workshop_id)).one()
    return aware(at) if at else None


def purge_due_at(session: Session, workshop: Workshop, settings: ExportSettings) -> datetime | None:
    """When the personal data of this workshop is due to go (None: never, or nothing new since the purge)."""
    if settings.retention_days is None:
        return None
    if settings.purged_seq is not None and workshop.last_seq <= settings.purged_seq:
        return None
    last = last_activity(session, workshop_id=workshop.id)  # type: ignore[arg-type]
    return None if last is None else last + timedelta(days=settings.retention_days)


def purge_due(tx: Tx, *, now: datetime | None = None) -> list[int]:
    """Purge every workshop whose retention has run out since its last activity; return their ids."""
    now = now or utcnow()
    purged = []
    for settings in list(tx.session.exec(select(ExportSettings))):
        workshop = tx.session.get(Workshop, settings.workshop_id)
        due = None if workshop is None else purge_due_at(tx.session, workshop, settings)
        if due is not None and due <= now:
            purge_personal_data(tx, workshop_id=settings.workshop_id)
            purged.append(settings.workshop_id)
    return purged


# --- delete -----------------------------------------------------------------------------------------


def contribution_count(session: Session, *, workshop_id: int) -> int:
    """The cards of a workshop: what "Delete workshop X and its N contributions?" counts."""
    return session.exec(
        select(func.count()).select_from(Contribution).where(Contribution.workshop_id == workshop_id)
    ).one()


def delete_workshop(tx: Tx, *, actor: Actor, workshop_id: int) -> dict[str, int]:
    """Delete the workshop and its rows in every table, children first, in this one transaction.

    Rows of other workshops that point here through an optional link (a commitment carried over from this
    workshop) keep their own data and lose only the link.
    """
    workshop = get_workshop(tx.session, workshop_id=workshop_id)
    actor.check_facilitator(workshop)
    scopes = _scopes(workshop_id)
    _unlink_others(tx.session, scopes, workshop_id)
    deleted: dict[str, int] = {}
    for table in reversed(_sorted_tables()):
        if table.name == "workshop" or table.name not in scopes:
            continue
        rows = tx.session.execute(delete(table).where(scopes[table.name])).rowcount
        if rows:
            deleted[table.name] = rows
    tx.session.execute(delete(Workshop).where(col(Workshop.id) == workshop_id))
    return deleted


def _unlink_others(session: Session, scopes: dict[str, Any], workshop_id: int) -> None:
    for table in _sorted_tables():
        for fk in table.foreign_keys:
            parent = fk.column.table
            if not fk.parent.nullable or parent is table:
                continue
            if parent.name == "workshop":
                pointing = fk.parent == workshop_id
            elif parent.name in scopes:
                pointing = fk.parent.in_(select(fk.column).where(scopes[parent.name]))
            else:
                continue
            outside = ~scopes[table.name] if table.name in scopes else None
            condition = pointing if outside is None else pointing & outside
            session.execute(update(table).where(condition).values({fk.parent.name: None}))


def _sorted_tables() -> list[Table]:
    return list(SQLModel.metadata.sorted_tables)


def _workshop_tables() -> list[Table]:
    return [t for t in _sorted_tables() if "workshop_id" in t.c and t.name != "workshop"]


def _scopes(workshop_id: int) -> dict[str, Any]:
    """For each table, the condition selecting the rows that belong to the workshop.

    A table with a workshop_id column is selected by it; a table without one (a poll's options, a ballot's
    marks) by a foreign key to a table already in scope.
    """
    scopes: dict[str, Any] = {}
    for table in _sorted_tables():  # parents come first, so a child finds its parent's condition
        if table.name == "workshop":
            continue
        if "workshop_id" in table.c:
            scopes[table.name] = table.c.workshop_id == workshop_id
            continue
        for fk in table.foreign_keys:
            parent = fk.column.table
            if parent.name in scopes and parent is not table:
                ids = select(fk.column).where(scopes[parent.name])
                condition = fk.parent.in_(ids)
                scopes[table.name] = condition if table.name not in scopes else scopes[table.name] | condition
    return scopes


# The purge's old names leave the files too: SQLite checkpoints its WAL, PostgreSQL vacuums these tables.
wipes_disk("workshop.purged", vacuum=_purged_tables)


# --- the dashboard ----------------------------------------------------------------------------------


def dashboard(session: Session, *, actor: Actor) -> list[dict[str, Any]]:
    """The organiser's workshops: open ones first, then archived; each with its counts and settings."""
    rows = []
    for workshop in workshops_of(session, actor=actor):
        settings = export_settings(session, workshop_id=workshop.id)  # type: ignore[arg-type]
        rows.append(
            {
                "id": workshop.id,
                "title": workshop.title,
                "code": workshop.code,
                "status": workshop.status,
                "sample": workshop.is_sample,
                "language": workshop.language,
                "created_at": aware(workshop.created_at),
                "participants": participant_count(session, workshop_id=workshop.id),  # type: ignore[arg-type]
                "contributions": contribution_count(session, workshop_id=workshop.id),  # type: ignore[arg-type]
                "named": settings.named,
                "retention_days": settings.retention_days,
                "purged": settings.purged_seq is not None,
                "purge_due": purge_due_at(session, workshop, settings),
            }
        )
    rows.sort(key=lambda row: row["status"] == "archived")
    return rows


def dashboard_totals(rows: list[dict[str, Any]]) -> dict[str, int]:
    """What the organiser's real workshops add up to: samples never count."""
    real = [row for row in rows if not row["sample"]]
    return {
        "workshops": len(real),
        "participants": sum(row["participants"] for row in real),
        "contributions": sum(row["contributions"] for row in real),
    }
