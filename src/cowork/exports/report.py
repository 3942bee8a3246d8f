"""The report model: one domain query gathers a workshop's outcome; every file format renders it.

`build_report` reads each part through its feature's own query functions. A part whose feature has no data
(or whose module is not installed) is an empty section, so every format always has the same sections and
every spreadsheet the same sheets.
"""

import importlib
from dataclasses import dataclass, field
from datetime import date, datetime
from types import ModuleType
from typing import Any

from sqlmodel import Session, col, select

from .. import __version__, i18n, numbers
from ..domain.actors import Actor
from ..domain.families import FAMILIES, label
from ..domain.models import Contribution, Event, Participant, Stage, Workshop
from ..domain.record import aware
from ..domain.retention import export_settings, scrub_event
from ..domain.workshops import get_workshop, stages_of
from ..formats import CARD_KINDS, get_format
from ..i18n import gettext as _
from ..i18n import ngettext

SCHEMA_VERSION = 1
# Longer records are summed up by event type in documents (a PDF of thousands of lines helps nobody);
# spreadsheets, CSV and JSON always carry every event.
RECORD_IN_DOCUMENTS = 400
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


def feature(name: str) -> ModuleType | None:
    """A feature's domain module, or None where this build does not have it."""
    try:
        return importlib.import_module(f"cowork.domain.{name}")
    except ImportError:
        return None


def build_report(session: Session, *, workshop_id: int, language: str, named: bool | None = None) -> Report:
    """The workshop's outcome in `language`; named (authors by name) only if asked or set for the workshop."""
    from .sections import FEATURE_SECTIONS

    workshop = get_workshop(session, workshop_id=workshop_id)
    settings = export_settings(session, workshop_id=workshop_id)
    named = settings.named if named is None else named
    language = language if language in ("en", "de", "es") else workshop.language
    participants = {
        p.id: p
        for p in session.exec(select(Participant).where(Participant.workshop_id == workshop_id))
        if p.id is not None
    }
    ctx = Context(
        session, workshop, stages_of(session, workshop_id=workshop_id), language, named, participants
    )
    ctx.hidden_cards = set(
        session.exec(
            select(Contribution.id).where(
                Contribution.workshop_id == workshop_id, col(Contribution.hidden).is_(True)
            )
        )
    )  # type: ignore[arg-type]
    with i18n.language(language):
        sections = [agenda_section(ctx), participants_section(ctx), needs_section(ctx)]
        sections += [build(ctx) for build in FEATURE_SECTIONS]
        sections.append(record_section(ctx))
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


def record_section(ctx: Context) -> Section:
    """The full record as a table: when, what, and the text it carried (names left out unless named)."""
    columns = [_("No."), _("Time"), _("Event"), _("Content")]
    rows: list[list[Cell]] = []
    events = ctx.session.exec(
        select(Event).where(Event.workshop_id == ctx.workshop_id).order_by(col(Event.seq))
    )
    for event in events:
        data = event.data if ctx.named else scrub_event(event.type, event.data)
        rows.append([event.seq, iso(event.at), event.type, event_summary(event.type, data, ctx)])
    table = Table("record", _("Session record"), columns, rows)
    counts: dict[str, int] = {}
    for row in rows:
        counts[str(row[2])] = counts.get(str(row[2]), 0) + 1
    summary = Table(
        "record-summary",
        _("Events by type"),
        [_("Event"), _("How many")],
        [[k, n] for k, n in counts.items()],
    )
    section = Section("record", _("Session record"), tables=[summary], sheets=[table])
    if len(rows) <= RECORD_IN_DOCUMENTS:
        section.paragraphs.append(_("Every change in the order it happened."))
        section.tables.append(table)
    elif rows:
        section.paragraphs.append(
            _(
                "The record has %(count)s events; documents list them by type. Every event, in order, is in "
                "the spreadsheet, CSV and JSON exports."
            )
            % {"count": numbers.count(len(rows))}
        )
    return section


def event_summary(type_: str, data: dict[str, Any], ctx: Context) -> str:
    """One line a reader understands: the text an event carried, or who it was about."""
    if type_.startswith("card.") and data.get("id") in ctx.hidden_cards:
        return _("(a hidden card)")
    if type_ == "participant.joined":
        who = data.get("name") if ctx.named and data.get("name") else ctx.group(data.get("group"))
        return str(who)
    if type_ == "workshop.created":
        return str(data.get("title") or "")
    if type_ == "stage.changed":
        stage = next((s for s in ctx.stages if s.id == data.get("stage_id")), None)
        return ctx.text(stage.title) if stage else ""
    for key in ("text", "title", "label", "name", "question"):
        value = data.get(key)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, dict):
            return ctx.text(value)
    return ""


# --- the foundation's sections ---------------------------------------------------------------------


def kind_label(kind: str) -> str:
    names = {
        "information": _("Information"),
        "board": _("Board"),
        "needs": _("Needs and gaps"),
        "stakeholders": _("Stakeholder map"),
        "action_plan": _("Action plan"),
        "group_work": _("Group work"),
        "presentations": _("Presentations"),
        "evaluation": _("Evaluation"),
    }
    return names.get(kind, kind)


def agenda_section(ctx: Context) -> Section:
    columns = [_("No."), _("Agenda item"), _("Kind"), _("Minutes")]
    rows: list[list[Cell]] = [
        [s.position + 1, ctx.text(s.title), kind_label(s.kind), s.minutes] for s in ctx.stages
    ]
    total = sum(s.minutes or 0 for s in ctx.stages)
    spec = get_format(ctx.workshop.format_id)
    paragraphs = [_("Format: %(name)s") % {"name": ctx.text(spec.title)}] if spec else []
    if total:
        paragraphs.append(_("Planned time: %(minutes)s minutes") % {"minutes": numbers.count(total)})
    table = Table("agenda", _("Agenda"), columns, rows)
    return Section("agenda", _("Agenda"), paragraphs=paragraphs, tables=[table], sheets=[table])


def participants_section(ctx: Context) -> Section:
    """Participants counted by stakeholder group; in named mode also the list of names."""
    counts: dict[str | None, int] = {}
    for person in ctx.participants.values():
        counts[person.group] = counts.get(person.group, 0) + 1
    order = [*FAMILIES, None]
    rows: list[list[Cell]] = [[ctx.group(key), counts[key]] for key in order if key in counts]
    table = Table(
        "participants", _("Participants by stakeholder group"), [_("Stakeholder group"), _("People")], rows
    )
    section = Section(
        "participants",
        _("Participants"),
        paragraphs=[
            ngettext("%(count)s person took part.", "%(count)s people took part.", len(ctx.participants))
            % {"count": numbers.count(len(ctx.participants))}
        ],
        tables=[table],
        sheets=[table],
    )
    if ctx.named:
        people = sorted(ctx.participants.values(), key=lambda p: ((p.name or "").casefold(), p.id or 0))
        names = Table(
            "people",
            _("People"),
            [_("Name"), _("Organisation"), _("Stakeholder group")],
            [[p.name, p.organisation, ctx.group(p.group)] for p in people],
        )
        section.tables.append(names)
    return section


def needs_section(ctx: Context) -> Section:
    """Every card board's cards, ranked by their dots where there was a dot vote; hidden cards left out."""
    columns = [_("Place"), _("Card"), _("Category"), _("Dots"), _("Written by"), _("Board")]
    sheet = Table("needs", _("Needs and ideas"), columns)
    section = Section("needs", _("Needs and ideas"), sheets=[sheet], empty=_("No cards yet."))
    for stage in ctx.stages:
        if stage.kind not in CARD_KINDS:
            continue
        rows = board_rows(ctx, stage)
        if not rows:
            continue
        if any(row[3] is not None for row in rows):
            shown = Table(f"needs-{stage.id}", ctx.text(stage.title), columns[:5], [r[:5] for r in rows])
        else:  # no dot vote on this board: no places, no dots
            shown = Table(f"needs-{stage.id}", ctx.text(stage.title), [columns[1], columns[2], columns[4]])
            shown.rows = [[r[1], r[2], r[4]] for r in rows]
        section.tables.append(shown)
        sheet.rows.extend(rows)
    return section


def board_rows(ctx: Context, stage: Stage) -> list[list[Cell]]:
    """One row per visible card or cluster, most dots first; a cluster lists its merged cards."""
    cards = list(
        ctx.session.exec(
            select(Contribution)
            .where(Contribution.stage_id == stage.id, col(Contribution.hidden).is_(False))
            .order_by(col(Contribution.id))
        )
    )
    cards = [c for c in cards if getattr(c, "approved", True)]
    dots = stage_dots(ctx.session, stage)
    categories = {c["key"]: c.get("label") for c in stage.config.get("categories", [])}
    members: dict[int, list[Contribution]] = {}
    for card in cards:
        if getattr(card, "cluster_id", None):
            members.setdefault(card.cluster_id, []).append(card)  # type: ignore[arg-type]
    tops = [c for c in cards if not getattr(c, "cluster_id", None)]
    tops.sort(key=lambda c: (-(dots.get(c.id) or 0), c.id))  # type: ignore[arg-type]
    rows: list[list[Cell]] = []
    for card in tops:
        text = card.text
        merged = members.get(card.id, [])  # type: ignore[arg-type]
        if merged:
            text += "\n" + "\n".join(f"– {m.text}" for m in merged)
        place = 1 + sum((dots.get(o.id) or 0) > (dots.get(card.id) or 0) for o in tops) if dots else None  # type: ignore[arg-type]
        author = (
            _("Group of %(count)s cards") % {"count": numbers.count(len(merged))}
            if getattr(card, "kind", "card") == "cluster"
            else ctx.author(card.participant_id, card.author_user_id is not None)
        )
        rows.append(
            [
                place,
                text,
                ctx.text(categories.get(card.category)) if card.category else "",
                dots.get(card.id) if dots else None,  # type: ignore[arg-type]
                author,
                ctx.text(stage.title),
            ]
        )
    return rows


def stage_dots(session: Session, stage: Stage) -> dict[int, int]:
    """Dots per card or cluster from the stage's dot votes (empty when there was none)."""
    try:
        from ..domain.poll_results import stage_ranking
    except ImportError:
        return {}
    ranking = stage_ranking(session, stage_id=stage.id, staff=True)  # type: ignore[arg-type]
    return {item["id"]: item["dots"] for item in ranking["items"] if item["dots"] is not None}
