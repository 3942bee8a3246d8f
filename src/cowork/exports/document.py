"""The report's model, which every section fills and every file format renders: tables, figures, sections,
the report itself, and the context a section is built in."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from babel.dates import format_date
from sqlmodel import Session

from cowork import __version__
from cowork.domain.models import Participant, Stage, Workshop
from cowork.domain.record import aware
from cowork.domain.stakeholders.families import FAMILIES, label
from cowork.i18n import gettext as _

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
    wide: bool = False  # many columns: PDF and Word give it a landscape page of its own

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
    wide: bool = False  # drawn across the page (a vote chart), not at the width of a small picture


@dataclass
class Section:
    """A part of the report: documents show its paragraphs, fields, figures, tables, then its subsections."""

    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)  # what documents show
    figures: list[Figure] = field(default_factory=list)
    fields: list[tuple[str, str]] = field(default_factory=list)  # (label, text) told one under the other
    subsections: list["Section"] = field(default_factory=list)  # after the tables, each under its heading
    sheets: list[Table] = field(default_factory=list)  # what spreadsheets get: flat, one row per thing
    empty: str | None = None  # said instead of the content when the section has nothing yet

    @property
    def is_empty(self) -> bool:
        return not (
            self.paragraphs
            or self.fields
            or self.figures
            or self.subsections
            or any(t.rows for t in self.tables)
        )

    @property
    def in_documents(self) -> bool:
        """Documents show the section unless it has nothing to show and nothing to say about that."""
        return not self.is_empty or bool(self.empty)


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
    part: str | None = None  # one part on its own (PARTS), else the whole report
    part_title: str = ""  # what the cover calls it: "Workshop report", "Action plan", ...
    appendix: bool = True  # the session record at the end
    follow_up_on: date | None = None  # when the group meets again

    @property
    def shown(self) -> list[Section]:
        """The sections documents show, in order."""
        return [s for s in self.sections if s.in_documents]

    @property
    def sheets(self) -> list[Table]:
        return [sheet for section in self.sections for sheet in section.sheets]

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    @property
    def file_stem(self) -> str:
        part = f"-{self.part}" if self.part else ""
        return f"cowork-{self.workshop_id}-{slug(self.title)}{part}"

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


def day(value: date | str | None, language: str) -> str:
    """A date as a reader of `language` writes it ("16. März 2027"); machine formats keep ISO."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    return format_date(value, "long", locale=language)


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
    today: date = field(default_factory=date.today)  # "what happens next" lists the dates from here on

    @property
    def workshop_id(self) -> int:
        assert self.workshop.id is not None
        return self.workshop.id

    def text(self, value: dict[str, str] | str | None) -> str:
        return localized(value, self.language)

    def day(self, value: date | str | None) -> str:
        return day(value, self.language)

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
