"""The session record's section: its events counted by type, and every event in order unless too many."""

from typing import Any

from babel.dates import format_datetime
from sqlmodel import col, select

from cowork import numbers
from cowork.domain.models import Event
from cowork.domain.record import aware
from cowork.domain.retention import scrub_event
from cowork.exports.document import Cell, Context, Section, Table, iso
from cowork.i18n import gettext as _

# Longer records are summed up by event type in documents (a PDF of thousands of lines helps nobody);
# spreadsheets, CSV and JSON always carry every event.
RECORD_IN_DOCUMENTS = 400


def record_section(ctx: Context) -> Section:
    """The full record as a table: when, what, and the text it carried (names left out unless named)."""
    columns = [_("No."), _("Time"), _("Event"), _("Content")]
    rows: list[list[Cell]] = []
    times: list[str] = []  # as a reader of the report's language writes them; the sheet keeps ISO
    events = ctx.session.exec(
        select(Event).where(Event.workshop_id == ctx.workshop_id).order_by(col(Event.seq))
    )
    for event in events:
        data = event.data if ctx.named else scrub_event(event.type, event.data)
        rows.append([event.seq, iso(event.at), event.type, event_summary(event.type, data, ctx)])
        times.append(format_datetime(aware(event.at), "medium", locale=ctx.language))
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
        shown = [[row[0], when, *row[2:]] for row, when in zip(rows, times, strict=True)]
        section.tables.append(Table(table.key, table.title, columns, shown))
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
    if type_ == "workshop.details_changed":
        return " · ".join(filter(None, [data.get("place"), ctx.day(data.get("follow_up_on"))]))
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
