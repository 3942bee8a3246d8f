"""The report model: one domain query gathers a workshop's outcome; every file format renders it.

`build_report` reads each part (a module in sections/) through its feature's own query functions. A part
whose feature has no data (or whose module is not installed) is an empty section, so every format always has
the same sections and every spreadsheet the same sheets.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from .. import __version__, i18n
from ..domain.actors import Actor
from ..domain.families import FAMILIES, label
from ..domain.models import Contribution, Event, Participant, Stage, Workshop
from ..domain.record import aware
from ..domain.retention import export_settings, scrub_event
from ..domain.workshops import get_workshop, stages_of
from ..i18n import gettext as _

SCHEMA_VERSION = 1
Cell = str | int | float | None


@dataclass
class Table:
    """A table of cells: shown in documents, and (for sheets) one spreadsheet sheet or CSV file each."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    show_empty: bool = False  # documents show its header row even with no rows (a plan to fill in)

    @property
    def shown(self) -> bool:
        return bool(self.rows) or self.show_empty


@dataclass
class Figure:
    """A picture drawn as SVG, with the text that says what it shows (alt text) and a caption."""

    svg: str
    alt: str
    caption: str
    table: "Table | None" = None  # the same content as rows and columns, for formats without pictures


@dataclass
class Section:
    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)  # what documents show
    figures: list[Figure] = field(default_factory=list)
    sheets: list[Table] = field(default_factory=list)  # what spreadsheets get: flat, one row per thing
    empty: str | None = None  # said instead of the content when the section has nothing yet

    @property
    def is_empty(self) -> bool:
        return not (self.paragraphs or self.figures or any(t.rows for t in self.tables))


@dataclass
class Report:
    workshop_id: int
    title: str
    date: date
    venue: str | None
    language: str
    named: bool
    status: str
    generated_at: datetime
    sections: list[Section]
    workshop: dict[str, Any]  # the workshop's metadata, as the JSON record carries it
    events: list[dict[str, Any]]  # the full record, pseudonymised unless named
    status_label: str = ""

    @property
    def sheets(self) -> list[Table]:
        return [sheet for section in self.sections for sheet in section.sheets]

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    @property
    def file_stem(self) -> str:
        return f"cowork-{self.workshop_id}-{slug(self.title)}"

    @property
    def record(self) -> dict[str, Any]:
        """The JSON session record: enough to recreate the workshop (see exports/replay/)."""
        return {
            "schema_version": SCHEMA_VERSION,
            "generator": f"cowork {__version__}",
            "exported_at": iso(self.generated_at),
            "named": self.named,
            "workshop": self.workshop,
            "events": self.events,
        }


def slug(text: str) -> str:
    kept = "".join(c.lower() if c.isalnum() else "-" for c in text if c.isascii())
    return "-".join(part for part in kept.split("-") if part)[:40] or "workshop"


def iso(moment: datetime) -> str:
    return aware(moment).isoformat().replace("+00:00", "Z")


def localized(value: dict[str, str] | str | None, lang: str) -> str:
    if isinstance(value, dict):
        return value.get(lang) or value.get("en") or next(iter(value.values()), "")
    return value or ""


@dataclass
class Context:
    """What every section builder gets: the open session, the workshop and how to name people."""

    session: Session
    workshop: Workshop
    stages: list[Stage]
    language: str
    named: bool
    participants: dict[int, Participant]
    hidden_cards: set[int] = field(default_factory=set)

    @property
    def workshop_id(self) -> int:
        assert self.workshop.id is not None
        return self.workshop.id

    def text(self, value: dict[str, str] | str | None) -> str:
        return localized(value, self.language)

    def group(self, key: str | None) -> str:
        return label(FAMILIES, key, self.language) if key else _("No group given")

    def author(self, participant_id: int | None, by_facilitator: bool = False) -> str:
        """Who wrote something: the stakeholder group, or in named mode the name with the group."""
        if participant_id is None:
            return _("Facilitator") if by_facilitator else _("Unknown")
        person = self.participants.get(participant_id)
        if person is None:
            return _("Unknown")
        group = self.group(person.group)
        if self.named and person.name:
            return f"{person.name} ({group})"
        return group


def build_report(session: Session, *, workshop_id: int, language: str, named: bool | None = None) -> Report:
    """The workshop's outcome in `language`; named (authors by name) only if asked or set for the workshop."""
    from .sections import SECTIONS  # here, not at the top: the sections are built on this module's model

    workshop = get_workshop(session, workshop_id=workshop_id)
    settings = export_settings(session, workshop_id=workshop_id)
    named = settings.named if named is None else named
    language = language if language in ("en", "de", "es") else workshop.language
    ctx = Context(
        session,
        workshop,
        stages_of(session, workshop_id=workshop_id),
        language,
        named,
        participants_of(session, workshop_id=workshop_id),
        hidden_cards=hidden_cards_of(session, workshop_id=workshop_id),
    )
    with i18n.language(language):
        sections = [build(ctx) for build in SECTIONS]
        status_label = {"open": _("Open"), "archived": _("Archived")}.get(workshop.status, workshop.status)
    created = aware(workshop.created_at)
    return Report(
        workshop_id=workshop_id,
        title=workshop.title,
        date=getattr(workshop, "date", None) or created.date(),
        venue=getattr(workshop, "venue", None),
        language=language,
        named=named,
        status=workshop.status,
        generated_at=datetime.now(created.tzinfo),
        sections=sections,
        workshop=workshop_metadata(ctx, settings_named=settings.named, retention=settings.retention_days),
        events=record_events(session, workshop_id=workshop_id, named=named),
        status_label=status_label,
    )


def export_report(
    session: Session,
    *,
    actor: Actor,
    workshop_id: int,
    language: str | None = None,
    named: bool | None = None,
) -> Report:
    """The report for the workshop's facilitators, in `language` or the workshop's own."""
    workshop = get_workshop(session, workshop_id=workshop_id)
    actor.check_facilitator(workshop)
    return build_report(session, workshop_id=workshop_id, language=language or workshop.language, named=named)


def participants_of(session: Session, *, workshop_id: int) -> dict[int, Participant]:
    """The workshop's participants by id: the sections name authors through them."""
    return {
        p.id: p
        for p in session.exec(select(Participant).where(Participant.workshop_id == workshop_id))
        if p.id is not None
    }


def hidden_cards_of(session: Session, *, workshop_id: int) -> set[int]:
    """The ids of the workshop's hidden cards: the record section shows their events without the text."""
    return set(
        session.exec(
            select(Contribution.id).where(
                Contribution.workshop_id == workshop_id, col(Contribution.hidden).is_(True)
            )
        )
    )  # type: ignore[arg-type]


# --- the workshop and its record ----------------------------------------------------------------------


def workshop_metadata(ctx: Context, *, settings_named: bool, retention: int | None) -> dict[str, Any]:
    w = ctx.workshop
    return {
        "id": w.id,
        "title": w.title,
        "code": w.code,
        "language": w.language,
        "format": w.format_id,
        "status": w.status,
        "created_at": iso(w.created_at),
        "last_seq": w.last_seq,
        "named": settings_named,
        "retention_days": retention,
        "stages": [
            {
                "id": s.id,
                "position": s.position,
                "kind": s.kind,
                "title": s.title,
                "minutes": s.minutes,
                "config": s.config,
            }
            for s in ctx.stages
        ],
    }


def record_events(session: Session, *, workshop_id: int, named: bool) -> list[dict[str, Any]]:
    """Every event in seq order; without names, organisations and contact details unless named."""
    events = session.exec(select(Event).where(Event.workshop_id == workshop_id).order_by(col(Event.seq)))
    out = []
    for event in events:
        item = event.public()
        if not named:
            item["data"] = scrub_event(event.type, item["data"])
        out.append(item)
    return out
