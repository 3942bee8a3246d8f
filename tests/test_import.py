"""Importing a session record: a workshop comes back from its JSON file, or nothing at all comes in.

What a round trip keeps, and so what is compared: every event's seq and type, and its data without the
ids, codes and counts that a new workshop gives anew (workshop, stage, participant and card ids, the join
code). Texts, names (in named mode), groups, categories, hidden flags and times stay the same.
"""

import json
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, func
from sqlmodel import select

from cowork.commands import run_query
from cowork.db import read_session
from cowork.domain import retention, workshops
from cowork.domain.models import Workshop
from cowork.exports.report import build_report

from .conftest import World, cli, run
from .test_exports import Filled, fill

NEW_EACH_TIME = {"id", "code", "present"}


def comparable(value: Any) -> Any:
    """Event data without what an import makes anew: ids and the join code."""
    if isinstance(value, list):
        return [comparable(v) for v in value]
    if isinstance(value, dict):
        return {
            k: comparable(v)
            for k, v in value.items()
            if k not in NEW_EACH_TIME and not k.endswith("_id") and not k.endswith("_ids")
        }
    return value


def events_of(record: dict[str, Any]) -> list[tuple[int, str, str, Any]]:
    return [(e["seq"], e["type"], e["at"], comparable(e["data"])) for e in record["events"]]


def workshop_count(engine: Engine) -> int:
    with read_session(engine) as session:
        return session.exec(select(func.count()).select_from(Workshop)).one()


async def export_json(client: httpx.AsyncClient, filled: Filled, workshop_id: int) -> dict[str, Any]:
    response = await client.get(
        f"/api/v1/workshops/{workshop_id}/export", params={"format": "json"}, headers=filled.auth
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_record_exported_imported_and_exported_again_has_the_same_events_and_texts(
    client: httpx.AsyncClient, world: World
) -> None:
    filled = fill(world)
    stages = run_query(world.engine, workshops.stages_of, workshop_id=world.workshop.id)
    run(
        world.engine,
        workshops.set_current_stage,
        actor=world.facilitator,
        workshop_id=filled.id,
        stage_id=stages[1].id,
    )
    run(
        world.engine,
        retention.change_privacy,
        actor=world.facilitator,
        workshop_id=filled.id,
        named=True,
        retention_days=30,
    )
    first = await export_json(client, filled, filled.id)
    imported = await client.post(
        "/api/v1/workshops/import",
        content=json.dumps(first),
        headers={**filled.auth, "Content-Type": "application/json"},
    )
    assert imported.status_code == 201, imported.text
    new_id = imported.json()["workshop_id"]
    assert new_id != filled.id and imported.json()["events"] == len(first["events"])
    again = await export_json(client, filled, new_id)
    assert events_of(again) == events_of(first)
    assert "Ana Secretname" in json.dumps(again)  # named mode travelled with the record
    # The rebuilt workshop is the same workshop: the same report, card by card and group by group.
    old = run_query(world.engine, build_report, workshop_id=filled.id, language="en")
    new = run_query(world.engine, build_report, workshop_id=new_id, language="en")
    for key in ("agenda", "participants", "needs"):
        assert old.section(key).sheets[0].rows == new.section(key).sheets[0].rows
    assert new.workshop["retention_days"] == 30 and new.named
    assert new.workshop["stages"][1]["id"] != old.workshop["stages"][1]["id"]


async def test_a_pseudonymised_record_imports_without_names(client: httpx.AsyncClient, world: World) -> None:
    filled = fill(world)
    record = await export_json(client, filled, filled.id)
    assert "Ana Secretname" not in json.dumps(record)
    imported = await client.post("/api/v1/workshops/import", json=record, headers=filled.auth)
    assert imported.status_code == 201
    again = await export_json(client, filled, imported.json()["workshop_id"])
    assert events_of(again) == events_of(record)


async def test_bad_records_are_refused_with_the_reason_and_leave_nothing_behind(
    client: httpx.AsyncClient, world: World
) -> None:
    filled = fill(world)
    good = await export_json(client, filled, filled.id)
    before = workshop_count(world.engine)
    gap = {**good, "events": [e for e in good["events"] if e["seq"] != 3]}
    late_gap = {**good, "events": good["events"][:-2] + good["events"][-1:]}
    unknown_type = {
        **good,
        "events": [*good["events"], {"seq": len(good["events"]) + 1, "type": "vote.teleported", "data": {}}],
    }
    bad_card = {
        **good,
        "events": [
            *good["events"],
            {"seq": len(good["events"]) + 1, "type": "card.added", "data": {"stage_id": 999999, "text": "x"}},
        ],
    }
    cases: list[tuple[Any, int, str]] = [
        (b"this is not json {", 422, "not JSON"),
        ([1, 2, 3], 422, "not a cowork session record"),
        ({"title": "a workshop"}, 422, "not a cowork session record"),
        ({**good, "schema_version": 99}, 422, "Unknown schema_version 99"),
        (gap, 422, "gap in seq: expected 3, found 4"),
        (late_gap, 422, "gap in seq"),
        (unknown_type, 422, "vote.teleported"),
        (bad_card, 422, "never made"),
    ]
    for body, status, reason in cases:
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        response = await client.post("/api/v1/workshops/import", content=content, headers=filled.auth)
        assert response.status_code == status, (reason, response.text)
        assert reason in response.json()["detail"]
    assert workshop_count(world.engine) == before


async def test_only_facilitators_import(client: httpx.AsyncClient, world: World) -> None:
    _participant, token = world.join(name="Dana")
    response = await client.post(
        "/api/v1/workshops/import", json={"schema_version": 1}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 401


def test_the_cli_imports_a_record_and_prints_the_new_id_last(
    tmp_path: Path, db_url: str, world: World
) -> None:
    filled = fill(world)
    env = {"COWORK_DATA_DIR": str(tmp_path / "data"), "COWORK_DATABASE_URL": db_url}
    record = tmp_path / "record.json"
    exported = cli("export", str(filled.id), "--format", "json", "-o", str(record), env=env)
    assert exported.returncode == 0, exported.stderr
    done = cli("import", str(record), env=env)
    assert done.returncode == 0, done.stderr
    new_id = int(done.stdout.strip().splitlines()[-1])
    with read_session(world.engine) as session:
        workshop = session.get(Workshop, new_id)
        assert workshop is not None and workshop.title == "Co-working lab"
        assert workshop.owner_id == world.facilitator.user_id
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema_version": 2, "events": []}')
    refused = cli("import", str(broken), env=env)
    assert refused.returncode == 2 and "Unknown schema_version 2" in refused.stderr
