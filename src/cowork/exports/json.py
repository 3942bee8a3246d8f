"""The full session record as JSON: every event, the workshop's metadata and a schema_version."""

import json as _json

from cowork.exports.document import Report


def render(report: Report) -> bytes:
    return _json.dumps(report.record, ensure_ascii=False, indent=1).encode("utf-8")
