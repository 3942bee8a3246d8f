"""The report as an editable Word document on A4: real headings (Title, Heading 1–3), tables with a repeated
header row whose columns share the page by how much they hold, a landscape page for wide tables, and the
pictures' own tables in their place (Word shows no SVG)."""

import io
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from cowork import i18n, numbers
from cowork.exports.document import Figure, Report, Section, Table, day
from cowork.i18n import gettext as _

MARGIN = Mm(18)


def render(report: Report) -> bytes:
    document = Document()
    document.core_properties.title = report.title
    document.core_properties.language = report.language
    document.styles["Normal"].font.size = Pt(10)
    _page(document.sections[0], landscape=False)
    with i18n.language(report.language):
        document.add_paragraph(report.part_title, style="Subtitle")
        document.add_heading(report.title, level=0)
        facts = document.add_paragraph()
        facts.add_run(f"{_('Date')}: ").bold = True
        facts.add_run(day(report.date, report.language))
        if report.venue:
            facts.add_run(f"\n{_('Venue')}: ").bold = True
            facts.add_run(report.venue)
        document.add_paragraph(
            _("Authors are shown by name.") if report.named else _("Authors are shown by stakeholder group.")
        )
        for section in report.shown:
            _add_section(document, section, level=1)
    _set_language(document, report.language)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _add_section(document: Any, section: Section, *, level: int) -> None:
    document.add_heading(section.title, level=min(level, 9))
    if section.is_empty and section.empty:
        document.add_paragraph(section.empty)
    for paragraph in section.paragraphs:
        document.add_paragraph(paragraph)
    for label, text in section.fields:
        line = document.add_paragraph()
        line.paragraph_format.space_after = Pt(2)
        line.add_run(f"{label}: ").bold = True
        line.add_run(text)
    for figure in section.figures:
        _add_figure(document, figure, level=level + 1)
    for table in section.tables:
        if table.shown:
            _add_table(document, table, level=level + 1)
    for part in section.subsections:
        _add_section(document, part, level=level + 1)


def _page(section: Any, *, landscape: bool) -> None:
    """A4, upright or turned, with the report's margins."""
    short, long = Mm(210), Mm(297)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)


def _add_table(document: Any, table: Table, *, level: int) -> None:
    if table.wide:
        _page(document.add_section(WD_SECTION.NEW_PAGE), landscape=True)
    document.add_heading(table.title, level=min(level, 9))
    grid = document.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    grid.autofit = False
    _fixed_layout(grid)
    page = document.sections[-1]
    widths = _widths(table, page.page_width - page.left_margin - page.right_margin)
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = width  # the grid Word lays out by (fixed layout)
    size = Pt(8) if table.wide or len(table.columns) > 6 else Pt(9)
    _fill_row(grid.rows[0], table.columns, widths, size, bold=True)
    _repeat_header(grid.rows[0])
    for row in table.rows:
        _fill_row(grid.add_row(), row, widths, size)
    document.add_paragraph()
    if table.wide:
        _page(document.add_section(WD_SECTION.NEW_PAGE), landscape=False)


def _fill_row(row: Any, values: list[Any], widths: list[int], size: Any, bold: bool = False) -> None:
    for cell, value, width in zip(row.cells, values, widths, strict=False):
        cell.width = width
        cell.text = numbers.number(value)
        for paragraph in cell.paragraphs:
            if right_to_left(paragraph.text):
                paragraph._p.get_or_add_pPr().append(OxmlElement("w:bidi"))
            for run in paragraph.runs:
                run.font.size = size
                run.bold = bold or None


def right_to_left(text: str) -> bool:
    """The text's first letter is Hebrew or Arabic: its paragraph reads from the right (like dir="auto")."""
    letter = next((c for c in text if c.isalpha()), "")
    return "\u0590" <= letter <= "\u08ff" or "\ufb1d" <= letter <= "\ufeff"


def _widths(table: Table, total: int) -> list[int]:
    """Each column's share of the page by how much it holds (a long text column gets more than a count)."""
    weights = []
    for index, name in enumerate(table.columns):
        lengths = [len(numbers.number(row[index])) for row in table.rows[:200] if index < len(row)]
        longest_word = max([len(word) for word in str(name).split()] + [3])
        mean = sum(lengths) / len(lengths) if lengths else len(str(name))
        weights.append(max(float(longest_word), min(mean, 60.0), 4.0))
    whole = sum(weights)
    twip = 635  # Word keeps widths in twentieths of a point: whole ones, rounded down, stay on the page
    return [int(total * w / whole) // twip * twip for w in weights]


def _fixed_layout(grid: Any) -> None:
    """Word keeps the given column widths instead of growing the table past the page for a long word."""
    properties = grid._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    properties.append(layout)


def _repeat_header(row: Any) -> None:
    """Word repeats this row at the top of each page the table runs over (and reads it as the header)."""
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _add_figure(document: Any, figure: Figure, *, level: int) -> None:
    """Word shows no SVG: a picture's own table (the grid as rows and columns) stands in for it, editable.

    Pictures without one (the evaluation bars, the vote charts) repeat numbers a table beside them gives.
    """
    if figure.table is not None:
        _add_table(document, figure.table, level=level)
        document.add_paragraph(figure.caption)


def _set_language(document: Any, language: str) -> None:
    """The document's proofing language, so Word and screen readers read it in the right language."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        return
    run = defaults.find(qn("w:rPrDefault"))
    if run is None:
        return
    props = run.find(qn("w:rPr"))
    if props is None:
        return
    lang = props.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        props.append(lang)
    lang.set(qn("w:val"), {"en": "en-GB", "de": "de-DE", "es": "es-ES"}.get(language, language))
