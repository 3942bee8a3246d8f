"""Exports: one report model (document.py, built by report.py from its parts in sections/), one module per
file format in FORMATS."""

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from cowork.exports.document import Report


class ExportUnavailable(Exception):
    """A format this installation cannot make (the PDF needs Pango); the message says what is missing."""


@dataclass(frozen=True)
class ExportFormat:
    name: str
    extension: str
    media_type: str
    module: str  # the module under cowork.exports whose render(report) -> bytes makes the file

    def render(self, report: Report) -> bytes:
        render: Callable[[Report], bytes] = import_module(f"cowork.exports.{self.module}").render
        return render(report)

    def filename(self, report: Report) -> str:
        return f"{report.file_stem}.{self.extension}"


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("pdf", "pdf", "application/pdf", "pdf"),
        ExportFormat(
            "docx", "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"
        ),
        ExportFormat(
            "xlsx", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
        ),
        ExportFormat("csv", "csv.zip", "application/zip", "csv"),
        ExportFormat("md", "md", "text/markdown; charset=utf-8", "md"),
        ExportFormat("json", "json", "application/json", "json"),
        ExportFormat("zip", "zip", "application/zip", "zipped"),
    )
}


def render_format(name: str, report: Report) -> bytes:
    """The report as a file in format `name`: a plain function, so a worker process can run it."""
    return FORMATS[name].render(report)
