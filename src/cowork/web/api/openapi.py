"""The OpenAPI document: every API operation documents the error answers it really gives.

Errors are `{"detail": "<a sentence>"}` (validation errors add `errors`), whatever raised them, so the shape
is declared once here for every operation instead of on each route.
"""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

PROBLEM = {
    "title": "Problem",
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {"type": "string", "description": "What is wrong, in a sentence for people."},
        "errors": {"type": "array", "items": {"type": "object"}, "description": "Field errors (422 only)"},
    },
}
ERRORS = {
    "400": "The request cannot be carried out as sent.",
    "401": "A valid token is needed: `Authorization: Bearer <token>`.",
    "403": "Not allowed: another workshop, or not a facilitator of this one.",
    "404": "No such thing.",
    "409": "Closed or conflicting: e.g. a stage not open, a vote closed.",
    "422": "The input is not valid; `detail` says what is wrong.",
    "429": "Too many attempts; see `Retry-After`.",
}
METHODS = {"get", "post", "put", "patch", "delete"}


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            app.openapi_schema = with_problems(spec)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def with_problems(spec: dict[str, Any]) -> dict[str, Any]:
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    problem = {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, operations in spec.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                described = responses.get(code, {}).get("description") or description
                responses[code] = {"description": described, "content": problem}
    return spec
