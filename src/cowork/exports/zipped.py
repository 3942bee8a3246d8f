"""Every format of the report in one ZIP; a format this installation cannot make is named in a note."""

import io
import zipfile

from cowork.exports import FORMATS, ExportUnavailable
from cowork.exports.document import Report


def render(report: Report) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for fmt in FORMATS.values():
            if fmt.name == "zip":
                continue
            try:
                archive.writestr(fmt.filename(report), fmt.render(report))
            except ExportUnavailable as exc:
                archive.writestr(f"{report.file_stem}.{fmt.extension}.missing.txt", str(exc))
    return buffer.getvalue()
