"""The stakeholder map live, over real sockets: a rating moves one marker on every screen, and no more."""

import asyncio
import json
import re
from typing import Any

from cowork.live import wire
from tests.conftest import ThreadServer, World, patient
from tests.stakeholders.test_stakeholders import CONTACT, make_region
from tests.test_live import screen

PUSH_BUDGET = 5_000  # bytes of one pushed update (DESIGN.md)


def _call(server: ThreadServer, method: str, path: str, token: str, body: Any = None) -> dict[str, Any]:
    response = patient.request(
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
    async with patient.AsyncClient() as http:
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
    # The console gets the new entry empty and fetches its inside (contact included) from data-src.
    shell = _swap(staff, f"#sh-staff-list-{wid}")["html"]
    assert f'data-src="/f/stakeholders/{created["id"]}/entry"' in shell
    assert {"op": "reload", "target": f"#sh-staff-{created['id']}"} in staff["swaps"]
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
    # A pin redraws only the numbers and the pin form of the facilitators' entry: its contact and merge hint
    # stay as they are on the page.
    targets = {swap["target"] for swap in staff_pinned["swaps"]}
    assert {f"#sh-staff-numbers-{keep.id}", f"#sh-staff-tools-{keep.id}"} <= targets
    assert f"#sh-staff-{keep.id}" not in targets and f"#sh-staff-head-{keep.id}" not in targets
    assert 'value="unpin"' in _swap(staff_pinned, f"#sh-staff-tools-{keep.id}")["html"]
    # After a merge the console refetches the entry that stays (all of it may have changed).
    assert {"op": "reload", "target": f"#sh-staff-{keep.id}"} in staff_merged["swaps"]
    assert {"op": "remove", "target": f"#sh-staff-{drop.id}"} in staff_merged["swaps"]


# A large regional workshop as it runs (seed 002): 40 organisations with their tasks and a contact person,
# each rated by 12 phones; names that look alike ("Jobcenter Leipzig Nord", "… Süd") give merge hints. German,
# the language with the longest labels, on every screen.
ORGANISATIONS = [
    "Jobcenter Leipzig",
    "Agentur für Arbeit Leipzig",
    "Ausländerbehörde der Stadt Leipzig",
    "Volkshochschule Leipzig",
    "Migrationsberatung für erwachsene Zuwanderer (Caritas)",
    "Jugendmigrationsdienst Leipzig",
    "Industrie- und Handelskammer zu Leipzig",
    "Handwerkskammer zu Leipzig",
    "Sozialamt der Stadt Leipzig",
    "Integrationskursträger Bildungswerk Sachsen",
]
TASKS = (
    "Beratung und Vermittlung von Geflüchteten in Ausbildung und Arbeit, Anerkennung ausländischer "
    "Abschlüsse, Sprachkurse mit Kinderbetreuung, Begleitung bei Behördengängen und Unterstützung der "
    "Arbeitgeber bei der Einstellung"
)


def _large_map(region: Any) -> list[Any]:
    raters = [region.participant(f"Phone {i}")[0] for i in range(12)]
    made = []
    for i in range(40):
        name = f"{ORGANISATIONS[i % 10]} {('', 'Nord', 'Süd', 'West')[i // 10]}".strip()
        made.append(region.propose(raters[0], name, tasks=TASKS, contact=CONTACT, consent=True)[0])
    for stakeholder in made:
        for j, rater in enumerate(raters):
            region.rate(rater, stakeholder, 1 + (j + stakeholder.id) % 5, 1 + (3 * j + stakeholder.id) % 5)
    return made


async def test_in_a_large_workshop_every_push_to_every_room_stays_within_5_kb(
    server: ThreadServer, world: World
) -> None:
    region = make_region(world, "de")
    jobcenter = _large_map(region)[0]
    _, phone_token = region.participant("Ana")
    wid, staff = region.workshop_id, region.world.api_token
    async with (
        screen(server, {"token": staff, "workshop_id": wid}) as console,
        screen(server, {"token": region.world.workshop.projector_key, "workshop_id": wid}) as projector,
        screen(server, {"token": phone_token, "workshop_id": wid}) as phone,
    ):
        body = {"name": "Jobcenter Leipzig Ost", "family": "job_centre", "tasks": TASKS}
        body |= {"contact": CONTACT, "consent": True}
        new = await _api(server, "POST", f"/api/v1/stages/{region.map_stage}/stakeholders", phone_token, body)
        sid = new["id"]
        rating, pin = {"influence": 4, "interest": 2}, {"influence": 4.5, "interest": 1.5}
        await _api(server, "POST", f"/api/v1/stakeholders/{sid}/ratings", phone_token, rating)
        await _api(server, "POST", f"/api/v1/stakeholders/{sid}/pin", staff, pin)
        await _api(server, "PATCH", f"/api/v1/stakeholders/{sid}", staff, {"tasks": TASKS[::-1]})
        await _api(server, "POST", f"/api/v1/stakeholders/{sid}/merge", staff, {"into": jobcenter.id})
        cell = {"activity_id": "placement", "stakeholder_id": jobcenter.id, "mark": "responsible"}
        await _api(server, "PUT", f"/api/v1/workshops/{wid}/responsibilities/cells", staff, cell)
        for room in (console, projector, phone):
            await room.wait_for(lambda e: e["type"] == "responsibility.set")

    kinds = {"stakeholder.proposed", "stakeholder.rating_set", "stakeholder.pinned", "stakeholder.updated"}
    assert kinds | {"stakeholder.merged", "responsibility.set"} <= {e["type"] for e in console.events}
    proposed = next(e for e in console.events if e["type"] == "stakeholder.proposed")
    assert len(proposed["data"]["similar"]) == 3  # the largest facilitators' entry: three merge hints
    for room, name in ((console, "staff"), (projector, "projector"), (phone, "phone")):
        size, largest = max((len(json.dumps(e).encode()), e["type"]) for e in room.events)
        assert size <= PUSH_BUDGET, f"the {name} room got {largest} as {size} bytes"


async def test_the_largest_possible_stakeholder_push_stays_within_5_kb_on_the_wire(
    server: ThreadServer, world: World
) -> None:
    """Every field at its limit, umlauts throughout, three look-alike names for merge hints; measured as the
    socket sends it (UTF-8 JSON, live/wire.py)."""
    region = make_region(world, "de")
    name = ("Überörtliche Trägerschaft für Ausbildungsförderung Süd " * 3)[:110]
    tasks = ("Berufsorientierung für Geflüchtete, Anerkennung ausländischer Abschlüsse, " * 8)[:500]
    contact = {"person": ("Jörg Müller-Lüdenscheidt " * 6)[:120], "email": "a" * 240 + "@example.org"}
    contact["phone"] = "+49 351 " + "1" * 32
    rater, phone_token = region.participant("Ana")
    for suffix in ("Nord", "Ost", "West"):
        region.propose(rater, f"{name} {suffix}", tasks=tasks, contact=contact, consent=True)
    wid, staff = region.workshop_id, region.world.api_token
    async with screen(server, {"token": staff, "workshop_id": wid}) as console:
        body = {"name": f"{name} Mitte", "family": "job_centre", "tasks": tasks}
        body |= {"contact": contact, "consent": True}
        new = await _api(server, "POST", f"/api/v1/stages/{region.map_stage}/stakeholders", phone_token, body)
        await _api(server, "PATCH", f"/api/v1/stakeholders/{new['id']}", staff, {"tasks": tasks[::-1]})
        await console.wait_for(lambda e: e["type"] == "stakeholder.updated")
    proposed = next(e for e in console.events if e["type"] == "stakeholder.proposed")
    assert len(proposed["data"]["similar"]) == 3
    # The console gets the new entry empty and fetches it (a full one would take this push over 5 KB).
    assert {"op": "reload", "target": f"#sh-staff-{new['id']}"} in proposed["swaps"]
    for event in console.events:
        size = len(wire.dumps(event, separators=(",", ":")).encode())
        assert size <= PUSH_BUDGET, f"{event['type']} was {size} bytes"
