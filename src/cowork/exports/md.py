"""The report as Markdown: headings, paragraphs, fields as a list and pipe tables (pictures in words)."""

from cowork import i18n, numbers
from cowork.exports.document import Report, Section, Table, day
from cowork.i18n import gettext as _


def _escape(value: object) -> str:
    text = numbers.number(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", "<br>")


def _line(text: str) -> str:
    """Text kept in its lines inside a list item (a hard break, then the item's indent)."""
    return "  \n  ".join(_escape(part) for part in text.split("\n"))


def table_md(table: Table) -> list[str]:
    lines = [f"**{_escape(table.title)}**", ""]
    lines.append("| " + " | ".join(_escape(c) for c in table.columns) + " |")
    lines.append("|" + "|".join(" --- " for _c in table.columns) + "|")
    lines.extend("| " + " | ".join(_escape(v) for v in row) + " |" for row in table.rows)
    return [*lines, ""]


def section_md(section: Section, level: int) -> list[str]:
    lines = [f"{'#' * level} {_escape(section.title)}", ""]
    if section.is_empty and section.empty:
        lines += [section.empty, ""]
    for paragraph in section.paragraphs:
        lines += [_escape(paragraph), ""]
    if section.fields:
        lines += [f"- **{_escape(label)}:** {_line(text)}" for label, text in section.fields]
        lines.append("")
    for figure in section.figures:
        if figure.table is not None:
            lines += [*table_md(figure.table), f"*{_escape(figure.caption)}*", ""]
    for table in section.tables:
        if table.shown:
            lines += table_md(table)
    for part in section.subsections:
        lines += section_md(part, level + 1)
    return lines


def render(report: Report) -> bytes:
    with i18n.language(report.language):
        lines = [f"# {_escape(report.title)}", ""]
        if report.part:
            lines += [f"*{_escape(report.part_title)}*", ""]
        lines.append(f"{_('Date')}: {day(report.date, report.language)}  ")
        if report.venue:
            lines.append(f"{_('Venue')}: {_escape(report.venue)}  ")
        lines.append(
            _("Authors are shown by name.") if report.named else _("Authors are shown by stakeholder group.")
        )
        lines.append("")
        for section in report.shown:
            lines += section_md(section, 2)
    return "\n".join(lines).encode("utf-8")
