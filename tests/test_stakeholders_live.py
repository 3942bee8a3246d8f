"""The stakeholder map live, over real sockets: a rating moves one marker on every screen, and no more."""

import asyncio
import json
import re
from typing import Any

import httpx

from .conftest import ThreadServer, World
from .test_live import screen
from .test_stakeholders import CONTACT, make_region

PUSH_BUDGET = 5_000  # bytes of one pushed update (DESIGN.md)


def _call(server: ThreadServer, method: str, path: str, token: str, body: Any = None) -> dict[str, Any]:
    response = httpx.request(
        method, f"{server.url}{path}", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code < 300, response.text
    return response.json()


async def _api(server: ThreadServer, method: str, path: str, token: str, body: Any = None) -> dict[str, Any]:
    return await asyncio.to_thread(_call, server, method, path, token, body)


def _swap(event: dict[str, Any], target: str) -> dict[str, Any]:
    return next(swap for swap in event["swaps"] if swap["target"] == target)


def _squash(html: str) -> str:
    return re.sub(r"\s+", " ", html).strip()


async def test_a_rating_moves_the_stakeholders_marker_on_the_projector(
    server: ThreadServer, world: World
) -> None:
    region = make_region(world)
    _, ana = region.participant("Ana")
    _, ben = region.participant("Ben")
    wid, key = region.workshop_id, region.world.workshop.projector_key
    stakeholder = await _api(
        server,
        "POST",
        f"/api/v1/stages/{region.map_stage}/stakeholders",
        ana,
        {"name": "Jobcenter", "family": "job_centre"},
    )
    sid = stakeholder["id"]
    await _api(server, "POST", f"/api/v1/stakeholders/{sid}/ratings", ana, {"influence": 5, "interest": 5})
    async with (
        screen(server, {"token": key, "workshop_id": wid}) as projector,
        screen(server, {"token": region.world.api_token, "workshop_id": wid}) as console,
    ):
        await _api(
            server, "POST", f"/api/v1/stakeholders/{sid}/ratings", ben, {"influence": 3, "interest": 1}
        )
        pushed = await projector.wait_for(lambda e: "rating" in e["type"])
        staff = await console.wait_for(lambda e: "rating" in e["type"])

    assert pushed["type"] == "stakeholder.rating_set"
    marker = _swap(pushed, f"#sh-marker-{sid}")
    assert marker["op"] == "replace"
    # Means 4 and 3: interest 3 is the middle (96 + 256), influence 4 three quarters up (24 + 400 - 300).
    assert 'data-cx="352.0" data-cy="124.0"' in marker["html"]
    assert "<ellipse" in marker["html"]  # the spread of the two ratings
    assert "4.0" in _swap(pushed, f"#sh-row-{sid}")["html"]
    assert len(json.dumps(pushed).encode()) <= PUSH_BUDGET
    # Who gave which rating stays with the facilitators.
    assert "rating" not in pushed["data"] and pushed["data"]["stakeholder"]["ratings"] == 2
    assert staff["data"]["rating"]["influence"] == 3 and staff["data"]["rating"]["participant_id"]
    assert len(json.dumps(staff).encode()) <= PUSH_BUDGET

    # The pushed marker is the one a fresh page draws (one template for page and push).
    async with httpx.AsyncClient() as http:
        fresh = (await http.get(f"{server.url}/s/{key}")).text
    assert _squash(marker["html"]) in _squash(fresh)


async def test_a_new_stakeholder_reaches_every_screen_but_its_contact_only_the_facilitators(
    server: ThreadServer, world: World
) -> None:
    region = make_region(world)
    _, ana = region.participant("Ana")
    _, ben = region.participant("Ben")
    wid, key = region.workshop_id, region.world.workshop.projector_key
    async with (
        screen(server, {"token": key, "workshop_id": wid}) as projector,
        screen(server, {"token": ben, "workshop_id": wid}) as phone,
        screen(server, {"token": region.world.api_token, "workshop_id": wid}) as console,
    ):
        body = {"name": "Migrationsberatung", "family": "welfare", "contact": CONTACT, "consent": True}
        created = await _api(server, "POST", f"/api/v1/stages/{region.map_stage}/stakeholders", ana, body)
        shown = await projector.wait_for(lambda e: e["type"] == "stakeholder.proposed")
        on_phone = await phone.wait_for(lambda e: e["type"] == "stakeholder.proposed")
        staff = await console.wait_for(lambda e: e["type"] == "stakeholder.proposed")

    for public in (shown, on_phone):
        assert public["data"]["name"] == "Migrationsberatung"
        assert "contact" not in public["data"] and CONTACT["email"] not in json.dumps(public)
        assert _swap(public, f"#sh-markers-{wid}")["op"] == "append"
        rate = _swap(public, f"#sh-rate-list-{wid}")
        assert f'action="/j/{region.world.workshop.code}/stakeholders/{created["id"]}/rating"' in rate["html"]
        assert len(json.dumps(public).encode()) <= PUSH_BUDGET
    assert staff["data"]["contact"] == CONTACT
    assert CONTACT["person"] in _swap(staff, f"#sh-staff-list-{wid}")["html"]
    assert {"op": "reload", "target": f"#rm-{wid}"} in staff["swaps"]


async def test_a_cell_set_by_the_facilitator_changes_the_matrix_and_its_gaps_live(
    server: ThreadServer, world: World
) -> None:
    region = make_region(world)
    participant, _ = region.participant()
    jobcenter, _ = region.propose(participant, "Jobcenter")
    wid, key = region.workshop_id, region.world.workshop.projector_key
    async with screen(server, {"token": key, "workshop_id": wid}) as projector:
        await _api(
            server,
            "PUT",
            f"/api/v1/workshops/{wid}/responsibilities/cells",
            region.world.api_token,
            {
                "activity_id": "placement",
                "stakeholder_id": jobcenter.id,
                "mark": "responsible",
                "target_groups": ["tolerated"],
            },
        )
        pushed = await projector.wait_for(lambda e: e["type"] == "responsibility.set")
    cell = _swap(pushed, f"#rm-cell-placement-{jobcenter.id}")
    assert "● Responsible" in cell["html"] and "T3" in cell["html"]
    assert 'name="mark"' not in cell["html"]  # the projector shows the mark, it does not edit it
    gaps = _swap(pushed, "#rm-gaps-placement")
    assert "Clear" in gaps["html"]
    summary = _swap(pushed, f"#rm-gap-summary-{wid}")
    assert "5 activity areas need attention" in summary["html"]
    assert len(json.dumps(pushed).encode()) <= PUSH_BUDGET


async def test_pinning_and_merging_are_pushed_to_public_screens(server: ThreadServer, world: World) -> None:
    region = make_region(world)
    participant, ana = region.participant()
    keep, _ = region.propose(participant, "Jobcenter", contact=CONTACT, consent=True)
    drop, _ = region.propose(participant, "Jobcenter Süd")
    wid, staff = region.workshop_id, region.world.api_token
    async with (
        screen(server, {"token": ana, "workshop_id": wid}) as phone,
        screen(server, {"token": staff, "workshop_id": wid}) as console,
    ):
        await _api(
            server, "POST", f"/api/v1/stakeholders/{keep.id}/pin", staff, {"influence": 1, "interest": 5}
        )
        pinned = await phone.wait_for(lambda e: e["type"] == "stakeholder.pinned")
        staff_pinned = await console.wait_for(lambda e: e["type"] == "stakeholder.pinned")
        await _api(server, "POST", f"/api/v1/stakeholders/{drop.id}/merge", staff, {"into": keep.id})
        merged = await phone.wait_for(lambda e: e["type"] == "stakeholder.merged")
        staff_merged = await console.wait_for(lambda e: e["type"] == "stakeholder.merged")
    marker = _swap(pinned, f"#sh-marker-{keep.id}")["html"]
    assert "<polygon" in marker and 'data-cx="608.0" data-cy="424.0"' in marker  # bottom right: keep informed
    assert {"op": "remove", "target": f"#sh-marker-{drop.id}"} in merged["swaps"]
    assert {"op": "remove", "target": f"#sh-rate-{drop.id}"} in merged["swaps"]
    for public in (pinned, merged):
        assert CONTACT["email"] not in json.dumps(public) and "similar" not in json.dumps(public["data"])
    # The facilitators' entry keeps its contact and its merge hint when a push redraws it.
    entry = _swap(staff_pinned, f"#sh-staff-{keep.id}")["html"]
    assert CONTACT["person"] in entry and "Maybe the same as Jobcenter Süd" in entry
    assert {"op": "remove", "target": f"#sh-staff-{drop.id}"} in staff_merged["swaps"]
