"""The stakeholder map's section: the stakeholders as a table, and their influence / interest grid."""

from cowork import numbers
from cowork.domain.stakeholders import map as stakeholder_map
from cowork.domain.stakeholders.families import LEVELS, ROLES, label
from cowork.exports.document import Cell, Context, Figure, Section, Table
from cowork.exports.grid import grid_svg
from cowork.i18n import gettext as _
from cowork.i18n import ngettext


def stakeholders_section(ctx: Context) -> Section:
    columns = [
        _("No."),
        _("Stakeholder"),
        _("Stakeholder group"),
        _("Level"),
        _("Role"),
        _("Tasks"),
        _("Influence"),
        _("Interest"),
        _("Ratings"),
    ]
    sheet = Table("stakeholders", _("Stakeholders"), columns)
    section = Section("stakeholders", _("Stakeholder map"), sheets=[sheet], empty=_("No stakeholders yet."))
    items = stakeholder_map.list_stakeholders(ctx.session, workshop_id=ctx.workshop_id, include_contact=False)
    points = []
    names: dict[int, str] = {}
    for number, item in enumerate(items, start=1):
        position = item.get("position") or {}
        sheet.rows.append(
            [
                number,
                item["name"],
                ctx.group(item.get("family")),
                label(LEVELS, item.get("level"), ctx.language),
                label(ROLES, item.get("role"), ctx.language),
                item.get("tasks"),
                position.get("influence"),
                position.get("interest"),
                item.get("ratings", 0),
            ]
        )
        if position.get("influence") is not None and position.get("interest") is not None:
            points.append((number, float(position["influence"]), float(position["interest"])))
            names[number] = item["name"]
    if points:
        section.figures.append(grid_figure(points, names))
    section.tables.append(_without_empty(sheet, OPTIONAL))
    return section


OPTIONAL = (3, 4)  # the columns of the level and the role: many workshops name neither


def _without_empty(table: Table, optional: tuple[int, ...]) -> Table:
    """The table as documents show it: an optional column that no row fills is left out (the workbook keeps
    every column, so that its sheets have the same columns in every workshop)."""
    empty = {i for i in optional if not any(row[i] for row in table.rows)}
    if not empty:
        return table
    kept = [i for i in range(len(table.columns)) if i not in empty]
    rows = [[row[i] for i in kept] for row in table.rows]
    return Table(table.key, table.title, [table.columns[i] for i in kept], rows)


def grid_figure(points: list[tuple[int, float, float]], names: dict[int, str] | None = None) -> Figure:
    """The influence / interest grid as a picture, with alt text and the same grid as a table."""
    return Figure(
        svg=grid_svg(points, names),
        alt=ngettext(
            "Influence and interest grid: %(count)s stakeholder drawn as a numbered dot; "
            "the table lists its number with its influence and interest.",
            "Influence and interest grid: %(count)s stakeholders drawn as numbered dots; "
            "the table lists each number with its stakeholder, influence and interest.",
            len(points),
        )
        % {"count": numbers.count(len(points))},
        caption=_("Where the group placed the stakeholders (1 = low, 5 = high)."),
        table=grid_table(points),
        wide=bool(names),
    )


def grid_table(points: list[tuple[int, float, float]]) -> Table:
    """The grid as a table: influence 5 to 1 down, interest 1 to 5 across, stakeholders' numbers inside."""
    cells: dict[tuple[int, int], list[str]] = {}
    for number, influence, interest in points:
        cells.setdefault((round(influence), round(interest)), []).append(str(number))
    rows: list[list[Cell]] = [
        [_("Influence %(n)s") % {"n": y}, *[", ".join(cells.get((y, x), [])) for x in range(1, 6)]]
        for y in range(5, 0, -1)
    ]
    columns = ["", *[_("Interest %(n)s") % {"n": x} for x in range(1, 6)]]
    return Table("grid", _("Influence and interest grid"), columns, rows)
