"""Schemathesis against /openapi.json: generated requests to each operation; no 5xx, answers as documented."""

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from cowork.app import create_app
from cowork.settings import Settings
from tests.conftest import World, runtime_of

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_every_api_operation_answers_as_its_schema_says(settings: Settings, world: World) -> None:
    world.join()
    app = create_app(settings)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = {"Authorization": f"Bearer {world.api_token}"}
    failures: dict[str, str] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8

    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=12,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def exercise(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            exercise()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures[operation.label] = str(exc)[:1500]
    runtime_of(app).engine.dispose()
    assert failures == {}, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
