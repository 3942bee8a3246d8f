"""The participants' section: how many took part from each stakeholder group, and in named mode who."""

from cowork.domain.stakeholders.families import FAMILIES
from cowork.exports.document import Cell, Context, Section, Table
from cowork.i18n import gettext as _


def participants_section(ctx: Context) -> Section:
    """Participants counted by stakeholder group for spreadsheets; in named mode the list of names.

    Documents show the counts on the first page (the outcome section)."""
    counts: dict[str | None, int] = {}
    for person in ctx.participants.values():
        counts[person.group] = counts.get(person.group, 0) + 1
    order = [*FAMILIES, None]
    rows: list[list[Cell]] = [[ctx.group(key), counts[key]] for key in order if key in counts]
    table = Table(
        "participants", _("Participants by stakeholder group"), [_("Stakeholder group"), _("People")], rows
    )
    section = Section("participants", _("Participants"), sheets=[table])
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
