"""A stage's settings as data over the API: a needs board's card kinds and phases, a stakeholder stage's
families shown, an action plan's required fields; refused with a sentence, applied, seen in GET and used."""

import json
from typing import Any

import httpx

from cowork.domain.board import cards as board
from tests.conftest import World, run
from tests.test_import import events_of

PHASES = [
    {"key": "p1", "label": {"en": "Profiling", "de": "Profiling"}},
    {"key": "p2", "label": {"es": "Cualificación"}},  # one language is enough
]
KINDS = [{"key": "now", "label": {"en": "How it works now"}}, {"key": "missing", "label": {"en": "Missing"}}]


def _auth(world: World) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.api_token}"}


async def _add(client: httpx.AsyncClient, world: World, kind: str, **body: Any) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/workshops/{world.workshop.id}/stages",
        json={"kind": kind, "title": kind, "minutes": 10, **body},
        headers=_auth(world),
    )
    assert response.status_code == 201, response.text
    return response.json()


async def _patch(client: httpx.AsyncClient, world: World, stage_id: int, **settings: Any) -> httpx.Response:
    return await client.patch(f"/api/v1/stages/{stage_id}", json={"settings": settings}, headers=_auth(world))


async def _go(client: httpx.AsyncClient, world: World, stage_id: int) -> None:
    response = await client.post(
        f"/api/v1/workshops/{world.workshop.id}/current-stage",
        json={"stage_id": stage_id},
        headers=_auth(world),
    )
    assert response.status_code == 200, response.text


async def test_a_needs_boards_card_kinds_and_phases_are_set_seen_and_used_by_cards(
    client: httpx.AsyncClient, world: World
) -> None:
    needs = await _add(client, world, "needs")
    changed = await _patch(client, world, needs["id"], phases=PHASES, card_kinds=KINDS)
    assert changed.status_code == 200, changed.text
    assert changed.json()["phases"] == PHASES and changed.json()["card_kinds"] == KINDS
    stage = (await client.get(f"/api/v1/stages/{needs['id']}", headers=_auth(world))).json()
    assert stage["settings"]["phases"] == PHASES and stage["settings"]["card_kinds"] == KINDS

    await _go(client, world, needs["id"])
    _participant, token = world.join()
    assert (
        await client.get(f"/api/v1/stages/{needs['id']}", headers={"Authorization": f"Bearer {token}"})
    ).status_code in (401, 403)
    card = await client.post(
        f"/api/v1/stages/{needs['id']}/contributions",
        json={"text": "A gap", "phase": "p2", "card_kind": "missing"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert card.status_code == 201, card.text
    unknown = await client.post(
        f"/api/v1/stages/{needs['id']}/contributions",
        json={"text": "Later", "phase": "p3"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert (
        unknown.status_code == 422 and "Unknown phase p3; this board has: p1, p2" in unknown.json()["detail"]
    )


async def test_a_phase_or_card_kind_that_cards_still_carry_cannot_go(
    client: httpx.AsyncClient, world: World
) -> None:
    needs = await _add(client, world, "needs", settings={"phases": PHASES, "card_kinds": KINDS})
    await _go(client, world, needs["id"])
    participant, _token = world.join()
    for _ in range(2):
        run(
            world.engine,
            board.add_card,
            actor=world.participant_actor(participant),
            stage_id=needs["id"],
            text="Waiting lists",
            phase="p1",
            card_kind="now",
        )
    refused = await _patch(client, world, needs["id"], phases=PHASES[1:])
    assert refused.status_code == 409
    assert refused.json()["detail"] == "Cards still carry p1 (2); change those cards first."
    refused = await _patch(client, world, needs["id"], card_kinds=KINDS[1:])
    assert refused.status_code == 409 and "now (2)" in refused.json()["detail"]
    # Renaming one and removing an unused one is fine.
    renamed = [{"key": "p1", "label": {"en": "P1 Profiling"}}]
    assert (await _patch(client, world, needs["id"], phases=renamed)).json()["phases"] == renamed


async def test_bad_card_kinds_and_phases_are_refused_with_a_sentence(
    client: httpx.AsyncClient, world: World
) -> None:
    needs = await _add(client, world, "needs")
    cases = [
        ({"phases": "p1"}, "Card kinds and phases are each a list of keys with labels."),
        ({"phases": [{"key": "P 1", "label": {"en": "x"}}]}, "not P 1"),
        ({"phases": [{"key": "p1", "label": {}}]}, "The entry p1 needs a label in at least one language."),
        ({"card_kinds": [KINDS[0], KINDS[0]]}, "The key now is listed twice."),
        (
            {"phases": [{"key": f"p{n}", "label": {"en": "x"}} for n in range(11)]},
            "at most 10 card kinds and 10 phases",
        ),
        ({"phases": [{"key": "p1", "label": {"fr": "x"}}]}, "Unknown language fr."),
    ]
    for settings, sentence in cases:
        response = await _patch(client, world, needs["id"], **settings)
        assert response.status_code == 422, settings
        assert sentence in response.json()["detail"], response.json()["detail"]
    info = await _add(client, world, "information")
    response = await _patch(client, world, info["id"], phases=PHASES)
    assert response.status_code == 422 and "has no setting phases" in response.json()["detail"]


async def test_a_stakeholder_stage_shows_the_families_it_is_given_in_their_order(
    client: httpx.AsyncClient, world: World
) -> None:
    stage = await _add(client, world, "stakeholders")
    families = (await client.get("/api/v1/stakeholder-families")).json()["families"]
    assert "employer" in [f["key"] for f in families]
    for value, sentence in [
        (["employer", "martians"], "Unknown stakeholder family martians"),
        ([], "Show at least one stakeholder family."),
        ("employer", "Show at least one stakeholder family."),
    ]:
        response = await _patch(client, world, stage["id"], families=value)
        assert response.status_code == 422 and sentence in response.json()["detail"]
    changed = await _patch(client, world, stage["id"], families=["policy", "employer"])
    assert changed.status_code == 200
    seen = (await client.get(f"/api/v1/stages/{stage['id']}", headers=_auth(world))).json()
    assert seen["settings"]["families"] == ["policy", "employer"]

    await _go(client, world, stage["id"])
    _participant, token = world.join()
    phone = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/stages/{stage['id']}/stakeholders"
    refused = await client.post(url, json={"name": "Red Cross", "family": "welfare"}, headers=phone)
    assert refused.status_code == 422
    assert "does not take the family welfare; choose one of: policy, employer" in refused.json()["detail"]
    taken = await client.post(url, json={"name": "City council", "family": "policy"}, headers=phone)
    assert taken.status_code == 201, taken.text
    await client.post(f"/j/{world.workshop.code}", data={"name": "Amira"})
    page = await client.get(f"/j/{world.workshop.code}/stage")
    form = page.text[page.text.index('id="sh-family"') :]
    form = form[: form.index("</select>")]
    assert form.index('value="policy"') < form.index('value="employer"') and 'value="welfare"' not in form


async def test_an_action_plan_refuses_a_proposal_without_a_required_field(
    client: httpx.AsyncClient, world: World
) -> None:
    plan = await _add(client, world, "action_plan")
    refused = await _patch(client, world, plan["id"], required=["owner", "colour"])
    assert refused.status_code == 422
    assert "A proposal has no field colour to require; it has: description," in refused.json()["detail"]
    changed = await _patch(client, world, plan["id"], required=["due", "owner"])
    assert changed.json()["settings"]["required"] == ["owner", "due"]  # in the form's order

    await _go(client, world, plan["id"])
    _participant, token = world.join()
    phone = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/stages/{plan['id']}/proposals"
    missing = await client.post(url, json={"title": "Mentors", "due": "2027-03-31"}, headers=phone)
    assert missing.status_code == 422 and missing.json()["detail"] == "Please say who is responsible."
    blank = await client.post(
        url, json={"title": "Mentors", "owner": "  ", "due": "2027-03-31"}, headers=phone
    )
    assert blank.status_code == 422 and blank.json()["detail"] == "Please say who is responsible."
    no_title = await client.post(url, json={"title": " ", "owner": "Job centre"}, headers=phone)
    assert no_title.status_code == 422 and no_title.json()["detail"] == "Please give the proposal a title."
    taken = await client.post(
        url, json={"title": "Mentors", "owner": "Job centre", "due": "2027-03-31"}, headers=phone
    )
    assert taken.status_code == 201, taken.text


# --- the console's forms and the phone's, without JavaScript ------------------------------------------------


async def _sign_in(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/login", data={"email": "fac@example.org", "password": "correct horse battery"}
    )
    assert response.status_code == 303


async def test_the_console_sets_families_and_required_fields_with_plain_forms(
    client: httpx.AsyncClient, world: World
) -> None:
    stage = await _add(client, world, "stakeholders")
    plan = await _add(client, world, "action_plan")
    await _sign_in(client)
    wid = world.workshop.id
    saved = await client.post(
        f"/f/w/{wid}/stages/{stage['id']}/families", data={"family": ["welfare", "policy"]}
    )
    assert saved.status_code == 303
    none = await client.post(f"/f/w/{wid}/stages/{stage['id']}/families", data={})
    assert none.status_code == 422 and "Show at least one stakeholder family." in none.text
    board_form = {
        "setting": "card_kinds",
        **{"t-0-key": "now", "t-0-en": "Now", "t-0-de": "Jetzt", "t-0-remove": "1"},
        **{"t-1-key": "missing", "t-1-en": "", "t-1-es": "Qué falta"},
        **{"new-de": "Ideen für später"},
    }
    saved = await client.post(f"/f/w/{wid}/stages/{world.stage_id}/tags", data=board_form)
    assert saved.status_code == 303
    seen = (await client.get(f"/api/v1/stages/{world.stage_id}", headers=_auth(world))).json()
    assert seen["card_kinds"] == [
        {"key": "missing", "label": {"es": "Qué falta"}},
        {"key": "ideen_fur_spater", "label": {"de": "Ideen für später"}},
    ]
    saved = await client.post(f"/f/w/{wid}/stages/{plan['id']}/required", data={"required": ["impact"]})
    assert saved.status_code == 303
    seen = (await client.get(f"/api/v1/stages/{stage['id']}", headers=_auth(world))).json()
    assert seen["settings"]["families"] == ["welfare", "policy"]
    seen = (await client.get(f"/api/v1/stages/{plan['id']}", headers=_auth(world))).json()
    assert seen["settings"]["required"] == ["impact"]
    editor = (await client.get(f"/f/w/{wid}?design=1&edit={plan['id']}")).text
    form = editor[editor.index(f'id="settings-{plan["id"]}-required"') :]
    assert 'value="impact" checked' in form[: form.index("</form>")]

    await _go(client, world, plan["id"])
    code = world.workshop.code
    await client.post(f"/j/{code}", data={"name": "Amira"})
    page = (await client.get(f"/j/{code}/stage")).text
    assert 'name="impact" required' in page and 'name="owner" required' not in page
    refused = await client.post(
        f"/j/{code}/proposals", data={"stage_id": str(plan["id"]), "title": "Mentors", "impact": " "}
    )
    assert refused.status_code == 422 and "Please say which impact it should have." in refused.text


async def test_the_list_settings_replay_on_import_with_the_same_events(
    client: httpx.AsyncClient, world: World
) -> None:
    await _patch(client, world, world.stage_id, phases=PHASES, card_kinds=KINDS)
    stage = await _add(client, world, "stakeholders", settings={"families": ["policy"]})
    plan = await _add(client, world, "action_plan")
    await _patch(client, world, plan["id"], required=["owner"])
    await _patch(client, world, stage["id"], families=["employer", "policy"])
    first = (
        await client.get(
            f"/api/v1/workshops/{world.workshop.id}/export", params={"format": "json"}, headers=_auth(world)
        )
    ).json()
    imported = await client.post("/api/v1/workshops/import", content=json.dumps(first), headers=_auth(world))
    assert imported.status_code == 201, imported.text
    new_id = imported.json()["workshop_id"]
    again = (
        await client.get(
            f"/api/v1/workshops/{new_id}/export", params={"format": "json"}, headers=_auth(world)
        )
    ).json()
    assert events_of(again) == events_of(first)
    stages = (await client.get(f"/api/v1/workshops/{new_id}", headers=_auth(world))).json()["stages"]
    settings = [
        (await client.get(f"/api/v1/stages/{s['id']}", headers=_auth(world))).json()["settings"]
        for s in stages
    ]
    assert settings[0]["phases"] == PHASES and settings[0]["card_kinds"] == KINDS
    assert [s.get("families") for s in settings if "families" in s] == [["employer", "policy"]]
    assert [s.get("required") for s in settings if "required" in s] == [["owner"]]
