"""Timers, tables, presentations and evaluation answers over real sockets: each screen gets the same."""

import asyncio
from typing import Any

import httpx

from cowork.domain import participants, workshops
from tests.conftest import ThreadServer, World, patient, run
from tests.test_live import screen


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _post(server: ThreadServer, path: str, token: str, body: Any = None) -> dict[str, Any]:
    def send() -> httpx.Response:
        return patient.post(f"{server.url}{path}", json=body, headers=_auth(token))

    response = await asyncio.to_thread(send)
    assert response.status_code in (200, 201), response.text
    return response.json()


def _lab(world: World, people: int = 4) -> tuple[Any, dict[str, int], list[str]]:
    workshop = run(
        world.engine,
        workshops.create_workshop,
        actor=world.facilitator,
        title="Co-working lab",
        format_id="co-working-lab",
    )
    from cowork.db import read_session

    with read_session(world.engine) as session:
        stages = {s.kind: s.id for s in workshops.stages_of(session, workshop_id=workshop.id)}
    tokens = [
        run(world.engine, participants.join_workshop, code=workshop.code, name=f"P{i}", group="employer")[1]
        for i in range(people)
    ]
    return workshop, stages, tokens


def _go_to(world: World, workshop: Any, stage_id: int) -> None:
    run(
        world.engine,
        workshops.set_current_stage,
        actor=world.facilitator,
        workshop_id=workshop.id,
        stage_id=stage_id,
    )


async def test_a_timer_event_reaches_every_screen_with_the_same_end(
    server: ThreadServer, world: World
) -> None:
    _, ana = world.join(name="Ana")
    wid = world.workshop.id
    async with (
        screen(server, {"token": ana, "workshop_id": wid}) as phone,
        screen(server, {"token": world.workshop.projector_key, "workshop_id": wid}) as projector,
        screen(server, {"token": world.api_token, "workshop_id": wid}) as console,
    ):
        started = await _post(
            server, f"/api/v1/workshops/{wid}/timer", world.api_token, {"action": "start", "seconds": 60}
        )
        pushed = [
            await s.wait_for(lambda e: e["type"] == "timer.started") for s in (phone, projector, console)
        ]
        assert {e["data"]["ends_at"] for e in pushed} == {started["ends_at"]}
        for event in pushed:
            swap = event["swaps"][0]
            assert (swap["op"], swap["target"]) == ("replace", "#timer")
            assert (
                f'data-ends-at="{started["ends_at"]}"' in swap["html"] and "data-server-now=" in swap["html"]
            )
            assert len(str(event)) < 5000
        paused = await _post(server, f"/api/v1/workshops/{wid}/timer", world.api_token, {"action": "pause"})
        for s in (phone, projector):
            event = await s.wait_for(lambda e: e["type"] == "timer.paused")
            assert event["data"]["ends_at"] is None and event["data"]["remaining"] == paused["remaining"]
            assert "data-ends-at" not in event["swaps"][0]["html"] and "Paused" in event["swaps"][0]["html"]


async def test_an_evaluation_answer_updates_the_projectors_bars_and_keeps_the_text_to_staff(
    server: ThreadServer, world: World
) -> None:
    workshop, stages, tokens = _lab(world)
    _go_to(world, workshop, stages["evaluation"])
    stage_id = stages["evaluation"]
    async with (
        screen(server, {"token": workshop.projector_key, "workshop_id": workshop.id}) as projector,
        screen(server, {"token": tokens[1], "workshop_id": workshop.id}) as phone,
        screen(server, {"token": world.api_token, "workshop_id": workshop.id}) as console,
    ):
        await _post(
            server,
            f"/api/v1/stages/{stage_id}/responses",
            tokens[0],
            {"answers": {"organisation": 4, "positive": "Meeting the employers"}},
        )
        public = await projector.wait_for(lambda e: e["type"] == "evaluation.answered")
        on_phone = await phone.wait_for(lambda e: e["type"] == "evaluation.answered")
        staff = await console.wait_for(lambda e: e["type"] == "evaluation.answered")
        fragment = await asyncio.to_thread(
            httpx.get, f"{server.url}/s/{workshop.projector_key}/evaluation/{stage_id}"
        )
    assert {"op": "reload", "target": f"#eval-results-{stage_id}"} in public["swaps"]
    assert public["data"]["results"]["organisation"]["distribution"]["4"] == 1
    assert "answers" not in public["data"] and "participant_id" not in public["data"]
    assert "Meeting the employers" not in str(public) and "Meeting the employers" not in str(on_phone)
    assert staff["data"]["answers"]["positive"] == "Meeting the employers"
    assert any("Meeting the employers" in s.get("html", "") for s in staff["swaps"])
    # What the projector refetches: the bars with their numbers as text.
    assert "1 person has answered" in fragment.text and "Mean 4.0 of 5" in fragment.text


async def test_tables_presentations_and_roles_reach_the_screens(server: ThreadServer, world: World) -> None:
    workshop, stages, tokens = _lab(world)
    wid = workshop.id
    async with (
        screen(server, {"token": workshop.projector_key, "workshop_id": wid}) as projector,
        screen(server, {"token": tokens[0], "workshop_id": wid}) as phone,
    ):
        made = await _post(
            server, f"/api/v1/workshops/{wid}/tables", world.api_token, {"count": 2, "method": "self"}
        )
        created = await projector.wait_for(lambda e: e["type"] == "tables.created")
        assert created["data"] == {"stage_id": stages["group_work"], "method": "self", "count": 2}
        assert created["swaps"] == [{"op": "reload", "target": "#stage"}]
        table = made["tables"][0]
        await _post(server, f"/api/v1/tables/{table['id']}/join", tokens[0])
        joined = await phone.wait_for(lambda e: e["type"] == "table.joined")
        append = next(s for s in joined["swaps"] if s["op"] == "append")
        assert append["target"] == f"#table-members-{table['id']}" and "P0" in append["html"]
        await _post(server, f"/api/v1/tables/{table['id']}/roles", tokens[0], {"role": "presenter"})
        role = await projector.wait_for(lambda e: e["type"] == "table.role_changed")
        assert "Presenter" in role["swaps"][0]["html"]

        _go_to(world, workshop, stages["group_work"])
        await _post(
            server,
            f"/api/v1/tables/{table['id']}/cards",
            tokens[0],
            {"text": "Our idea", "category": "project_idea"},
        )
        card = await projector.wait_for(lambda e: e["type"] == "card.added")
        assert {s["target"] for s in card["swaps"] if s["op"] == "append"} == {
            f"#tcol-{table['id']}-project_idea"
        }

        _go_to(world, workshop, stages["presentations"])
        await _post(server, f"/api/v1/stages/{stages['presentations']}/presentations/next", world.api_token)
        started = await phone.wait_for(lambda e: e["type"] == "presentation.started")
        timer = await phone.wait_for(lambda e: e["type"] == "timer.started")
    assert {"op": "reload", "target": "#presentations"} in started["swaps"]
    now = next(s for s in started["swaps"] if s["target"] == "#presenting-now")
    assert "Now presenting: table 1" in now["html"]
    assert timer["data"]["duration"] == 300 and "Table 1 presents" in timer["swaps"][0]["html"]
