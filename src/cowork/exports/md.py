"""The report as Markdown: headings, paragraphs and pipe tables (pictures are described in words)."""

from cowork import i18n, numbers
from cowork.exports.document import Report, Table
from cowork.i18n import gettext as _


def _escape(value: object) -> str:
    text = numbers.number(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", "<br>")


def table_md(table: Table) -> list[str]:
    lines = [f"**{_escape(table.title)}**", ""]
    lines.append("| " + " | ".join(_escape(c) for c in table.columns) + " |")
    lines.append("|" + "|".join(" --- " for _c in table.columns) + "|")
    lines.extend("| " + " | ".join(_escape(v) for v in row) + " |" for row in table.rows)
    return [*lines, ""]


def render(report: Report) -> bytes:
    with i18n.language(report.language):
        lines = [f"# {_escape(report.title)}", ""]
        lines.append(f"{_('Date')}: {report.date.isoformat()}  ")
        if report.venue:
            lines.append(f"{_('Venue')}: {_escape(report.venue)}  ")
        lines.append(
            _("Authors are shown by name.") if report.named else _("Authors are shown by stakeholder group.")
        )
        lines.append("")
        for section in report.sections:
            lines += [f"## {_escape(section.title)}", ""]
            if section.is_empty and section.empty:
                lines += [section.empty, ""]
            for paragraph in section.paragraphs:
                lines += [_escape(paragraph), ""]
            for figure in section.figures:
                if figure.table is not None:
                    lines += [*table_md(figure.table), f"*{_escape(figure.caption)}*", ""]
            for table in section.tables:
                if table.shown:
                    lines += table_md(table)
    return "\n".join(lines).encode("utf-8")
