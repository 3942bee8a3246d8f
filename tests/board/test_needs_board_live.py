"""The needs board over real sockets: approval, merges, moves and undo reach every screen as they should."""

import asyncio
from typing import Any

from tests.board.test_needs_board import Lab, open_lab
from tests.conftest import ThreadServer, World, patient
from tests.test_live import screen


def _api(server: ThreadServer, method: str, path: str, token: str, body: Any = None) -> dict[str, Any]:
    response = patient.request(
        method, f"{server.url}/api/v1{path}", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code < 300, response.text
    return response.json()


async def api(server: ThreadServer, method: str, path: str, token: str, body: Any = None) -> dict[str, Any]:
    return await asyncio.to_thread(_api, server, method, path, token, body)


def _of(kind: str, **data: Any) -> Any:
    return lambda e: e["type"] == kind and all(e.get("data", {}).get(k) == v for k, v in data.items())


async def test_in_approval_mode_the_projector_gets_a_card_only_once_it_is_approved(
    server: ThreadServer, world: World
) -> None:
    lab: Lab = open_lab(world)
    wid = lab.workshop.id
    ana = lab.join("Ana")[1]
    ben = lab.join("Ben")[1]
    fac = world.api_token
    await api(server, "PATCH", f"/stages/{lab.stage_id}", fac, {"approval": True})
    async with (
        screen(server, {"token": lab.workshop.projector_key, "workshop_id": wid}) as projector,
        screen(server, {"token": ana, "workshop_id": wid}) as author,
        screen(server, {"token": ben, "workshop_id": wid}) as other_phone,
        screen(server, {"token": fac, "workshop_id": wid}) as console,
    ):
        card = await api(
            server,
            "POST",
            f"/stages/{lab.stage_id}/contributions",
            ana,
            {"text": "Childcare while I learn German", "category": "family_support", "card_kind": "missing"},
        )
        pending = [await s.wait_for(_of("card.added")) for s in (projector, author, other_phone)]
        for event in pending:
            assert "Childcare" not in str(event)  # no public screen learns the waiting card's text
            assert event["data"]["approved"] is False
            assert event["swaps"][-1]["target"] == f"#pending-{lab.stage_id}-{card['participant_id']}"
            assert "Waiting for approval" in event["swaps"][-1]["html"]
        staff = await console.wait_for(_of("card.added"))
        assert "Childcare while I learn German" in staff["swaps"][-1]["html"]
        assert "Approve" in staff["swaps"][-1]["html"]

        await api(server, "POST", f"/contributions/{card['id']}/approve", fac)
        for s in (projector, author, other_phone):
            approved = await s.wait_for(_of("card.approved"))
            assert approved["swaps"][0] == {"op": "remove", "target": f"#card-{card['id']}"}
            append = approved["swaps"][1]
            assert append["target"] == f"#col-{lab.stage_id}-family_support"
            assert "Childcare while I learn German" in append["html"] and "What is missing" in append["html"]
        assert projector.seqs() == sorted(projector.seqs())


async def test_a_merge_moves_the_cards_into_the_cluster_on_every_screen_and_undo_takes_them_out(
    server: ThreadServer, world: World
) -> None:
    lab = open_lab(world)
    wid = lab.workshop.id
    ana = lab.join("Ana")[1]
    fac = world.api_token
    cards = [
        await api(server, "POST", f"/stages/{lab.stage_id}/contributions", ana, {"text": t, "category": c})
        for t, c in [("Kita places", "family_support"), ("Evening care", "education"), ("Rude", "housing")]
    ]
    await api(server, "PATCH", f"/contributions/{cards[2]['id']}", fac, {"hidden": True})
    async with (
        screen(server, {"token": lab.workshop.projector_key, "workshop_id": wid}) as projector,
        screen(server, {"token": ana, "workshop_id": wid}) as phone,
        screen(server, {"token": fac, "workshop_id": wid}) as console,
    ):
        cluster = await api(
            server,
            "POST",
            f"/stages/{lab.stage_id}/clusters",
            fac,
            {"title": "Childcare", "card_ids": [c["id"] for c in cards]},
        )
        for s in (projector, phone, console):
            merged = await s.wait_for(_of("cards.merged"))
            removes = [sw["target"] for sw in merged["swaps"] if sw["op"] == "remove"]
            assert {f"#card-{c['id']}" for c in cards} | {f"#card-{cluster['id']}"} <= set(removes)
            append = next(sw for sw in merged["swaps"] if sw["op"] == "append")
            assert append["target"] == f"#col-{lab.stage_id}-family_support"
            assert f'id="cluster-cards-{cluster["id"]}"' in append["html"]
            assert "Kita places" in append["html"] and "Evening care" in append["html"]
            staff = s is console
            assert ("Rude" in str(merged)) is staff  # a hidden card in the cluster stays hidden
            assert ("before" in merged["data"]) is staff

        await api(server, "POST", f"/stages/{lab.stage_id}/undo", fac)
        for s in (projector, phone, console):
            undone = await s.wait_for(_of("moderation.undone"))
            assert undone["data"]["undone"]["type"] == "cards.merged"
            assert {"op": "remove", "target": f"#card-{cluster['id']}"} in undone["swaps"]
            targets = [sw["target"] for sw in undone["swaps"] if sw["op"] == "append"]
            assert f"#col-{lab.stage_id}-education" in targets
            assert f"#cluster-cards-{cluster['id']}" not in targets


async def test_new_categories_make_every_screen_fetch_its_stage_again(
    server: ThreadServer, world: World
) -> None:
    lab = open_lab(world)
    wid = lab.workshop.id
    ana = lab.join("Ana")[1]
    async with screen(server, {"token": ana, "workshop_id": wid}) as phone:
        await api(
            server,
            "PUT",
            f"/stages/{lab.stage_id}/categories",
            world.api_token,
            {"categories": [{"key": "housing", "label": {"en": "Shelter"}}]},
        )
        event = await phone.wait_for(_of("stage.categories_changed"))
    assert event["swaps"] == [{"op": "reload", "target": "#stage"}]
    assert event["data"]["categories"] == [{"key": "housing", "label": {"en": "Shelter"}}]
