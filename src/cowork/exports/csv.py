"""A ZIP with one CSV per table, UTF-8 with a byte-order mark (so spreadsheet programs read the accents)."""

import csv as _csv
import io
import zipfile

from cowork.exports.cells import inert
from cowork.exports.document import Report


def table_csv(columns: list[str], rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = _csv.writer(out, lineterminator="\r\n")
    writer.writerow([inert(c) for c in columns])
    for row in rows:
        writer.writerow(["" if cell is None else inert(cell) for cell in row])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def render(report: Report) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for sheet in report.sheets:
            archive.writestr(f"{sheet.key}.csv", table_csv(sheet.columns, sheet.rows))
    return buffer.getvalue()
