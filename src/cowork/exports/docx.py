"""The report as an editable Word document: real headings, tables with a repeated header row, pictures
with their alt text (SVG pictures are drawn as PNG where the PDF renderer is installed, else described)."""

import io
from typing import Any

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from cowork import i18n, numbers
from cowork.exports.document import Figure, Report, Table
from cowork.i18n import gettext as _


def render(report: Report) -> bytes:
    document = Document()
    document.core_properties.title = report.title
    document.core_properties.language = report.language
    document.styles["Normal"].font.size = Pt(10)
    with i18n.language(report.language):
        document.add_heading(report.title, level=0)
        facts = document.add_paragraph()
        facts.add_run(f"{_('Date')}: ").bold = True
        facts.add_run(report.date.isoformat())
        if report.venue:
            facts.add_run(f"\n{_('Venue')}: ").bold = True
            facts.add_run(report.venue)
        document.add_paragraph(
            _("Authors are shown by name.") if report.named else _("Authors are shown by stakeholder group.")
        )
        for section in report.sections:
            document.add_heading(section.title, level=1)
            if section.is_empty and section.empty:
                document.add_paragraph(section.empty)
            for paragraph in section.paragraphs:
                document.add_paragraph(paragraph)
            for figure in section.figures:
                _add_figure(document, figure)
            for table in section.tables:
                if table.shown:
                    _add_table(document, table)
    _set_language(document, report.language)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _add_table(document: Any, table: Table) -> None:
    document.add_heading(table.title, level=2)
    grid = document.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    for cell, name in zip(grid.rows[0].cells, table.columns, strict=True):
        cell.text = numbers.number(name)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    _repeat_header(grid.rows[0])
    for row in table.rows:
        cells = grid.add_row().cells
        for cell, value in zip(cells, row, strict=False):
            cell.text = numbers.number(value)
    document.add_paragraph()


def _repeat_header(row: Any) -> None:
    """Word repeats this row at the top of each page the table runs over (and reads it as the header)."""
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _add_figure(document: Any, figure: Figure) -> None:
    """Word shows no SVG: a picture's own table (the grid as rows and columns) stands in for it, editable.

    Pictures without one (the evaluation bars) repeat numbers a table of the section already gives.
    """
    if figure.table is not None:
        _add_table(document, figure.table)
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
