"""An Excel workbook: one sheet per table of the report, each with a header row, a filter and frozen panes."""

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from cowork.exports.cells import inert
from cowork.exports.document import Report
from cowork.numbers import Share

MAX_WIDTH = 60


def _cell(value: Any) -> Any:
    value = inert(value)
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def render(report: Report) -> bytes:
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for table in report.sheets:
        sheet = book.create_sheet(table.key[:31])
        sheet.append([_cell(c) for c in table.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([_cell(v) for v in row])
            for cell, value in zip(sheet[sheet.max_row], row, strict=False):
                if isinstance(value, Share):
                    cell.number_format = "0%"  # a real number, shown as a percentage in any language
        last = get_column_letter(max(1, len(table.columns)))
        sheet.auto_filter.ref = f"A1:{last}{max(1, len(table.rows) + 1)}"
        sheet.freeze_panes = "A2"
        for index, name in enumerate(table.columns, start=1):
            longest = max([len(str(name)), *(len(str(r[index - 1] or "")) for r in table.rows[:500])])
            sheet.column_dimensions[get_column_letter(index)].width = min(MAX_WIDTH, max(8, longest + 2))
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str) and len(cell.value) > MAX_WIDTH:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
    book.properties.title = report.title
    if report.workshop.get("sample"):
        book.properties.subject = report.sections[0].paragraphs[0]
    book.properties.language = report.language
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
