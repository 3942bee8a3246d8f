"""An A4 PDF report, rendered by WeasyPrint from templates/exports/report.html with print CSS.

Tagged for accessibility (PDF/UA-1: structure tags, the document language, alt text of the pictures).
WeasyPrint needs Pango from the system; without it this format answers with a clear message instead.
"""

import base64
from functools import cache
from typing import Any

from babel.dates import format_date
from jinja2 import Environment

from cowork import i18n
from cowork.assets import asset_dir
from cowork.exports import ExportUnavailable
from cowork.exports.document import Report
from cowork.rendering import make_environment

PDF_VARIANT = "pdf/ua-1"


@cache
def _environment() -> Environment:
    env = make_environment()
    env.filters["datetime_date"] = lambda value: format_date(value, "long", locale=i18n.current_language())
    return env


def _weasyprint() -> Any:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: the Pango library is not installed
        raise ExportUnavailable(
            "PDF export needs Pango: install the system packages libpango-1.0-0 and libpangoft2-1.0-0 "
            f"({exc})."
        ) from exc
    return weasyprint


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def report_html(report: Report) -> str:
    with i18n.language(report.language):
        return _environment().get_template("exports/report.html").render(report=report, data_uri=data_uri)


def render(report: Report) -> bytes:
    weasyprint = _weasyprint()
    html = report_html(report)
    css = (asset_dir("templates") / "exports" / "report.css").read_text(encoding="utf-8")
    document = weasyprint.HTML(string=html, base_url=str(asset_dir("templates")))
    options: dict[str, Any] = {"stylesheets": [weasyprint.CSS(string=css)]}
    if PDF_VARIANT in _variants(weasyprint):
        options["pdf_variant"] = PDF_VARIANT
    else:
        options["pdf_tags"] = True
    return document.write_pdf(**options)


def _variants(weasyprint: Any) -> set[str]:
    try:
        from weasyprint.pdf import VARIANTS
    except ImportError:
        return set()
    return set(VARIANTS)
