"""A board open before the day, over the API: its window is checked, phones add cards only inside it, only
their authors see them until the stage is on, and the console counts them. Also the PATCH's one command."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.conftest import World


def _auth(world: World) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.api_token}"}


def _at(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat(timespec="seconds")


async def _board(client: httpx.AsyncClient, world: World, **settings: Any) -> int:
    added = await client.post(
        f"/api/v1/workshops/{world.workshop.id}/stages",
        json={"kind": "needs", "title": "Gaps", "minutes": 20, "settings": settings},
        headers=_auth(world),
    )
    assert added.status_code == 201, added.text
    return added.json()["id"]


async def _phone(client: httpx.AsyncClient, world: World, name: str) -> dict[str, str]:
    joined = await client.post(f"/api/v1/join/{world.workshop.code}", json={"name": name})
    assert joined.status_code == 201, joined.text
    return {"Authorization": f"Bearer {joined.json()['token']}"}


async def test_a_window_needs_both_times_the_closing_after_the_opening_and_an_offset(
    client: httpx.AsyncClient, world: World
) -> None:
    stage_id = await _board(client, world)
    for settings, reason in [
        ({"opens_at": _at(1)}, "needs both an opening and a closing time"),
        ({"opens_at": _at(2), "closes_at": _at(1)}, "The closing time must come after the opening time."),
        ({"opens_at": _at(1), "closes_at": _at(1)}, "The closing time must come after the opening time."),
        ({"opens_at": "2026-12-07T09:00", "closes_at": _at(1)}, "opens_at needs its UTC offset"),
        ({"opens_at": "tomorrow", "closes_at": _at(1)}, "opens_at must be a date and time"),
    ]:
        response = await client.patch(
            f"/api/v1/stages/{stage_id}", json={"settings": settings}, headers=_auth(world)
        )
        assert response.status_code == 422, settings
        assert reason in response.json()["detail"], response.json()
    evaluation = (
        await client.post(
            f"/api/v1/workshops/{world.workshop.id}/stages",
            json={"kind": "evaluation", "title": "Feedback"},
            headers=_auth(world),
        )
    ).json()
    refused = await client.patch(
        f"/api/v1/stages/{evaluation['id']}",
        json={"settings": {"opens_at": _at(-1), "closes_at": _at(1)}},
        headers=_auth(world),
    )
    assert refused.status_code == 422 and "has no setting opens_at" in refused.json()["detail"]

    opened = await client.patch(
        f"/api/v1/stages/{stage_id}",
        json={"settings": {"opens_at": "2026-12-07T09:00:00+01:00", "closes_at": "2026-12-08T18:00:00Z"}},
        headers=_auth(world),
    )
    assert opened.status_code == 200, opened.text
    settings = opened.json()["settings"]
    assert (settings["opens_at"], settings["closes_at"]) == ("2026-12-07T08:00:00Z", "2026-12-08T18:00:00Z")
    # One end alone is checked against the other one kept.
    earlier = await client.patch(
        f"/api/v1/stages/{stage_id}",
        json={"settings": {"closes_at": "2026-12-07T07:00:00Z"}},
        headers=_auth(world),
    )
    assert earlier.status_code == 422 and "must come after" in earlier.json()["detail"]
    closed = await client.patch(
        f"/api/v1/stages/{stage_id}",
        json={"settings": {"opens_at": None, "closes_at": None}},
        headers=_auth(world),
    )
    assert closed.status_code == 200 and closed.json()["settings"]["opens_at"] is None


async def test_inside_the_window_a_phone_adds_cards_that_only_it_sees_until_the_stage_is_on(
    client: httpx.AsyncClient, world: World
) -> None:
    stage_id = await _board(client, world, opens_at=_at(-1), closes_at=_at(24))
    ana, ben = await _phone(client, world, "Ana"), await _phone(client, world, "Ben")
    url = f"/api/v1/stages/{stage_id}/contributions"
    for text in ("No childcare in the evening", "Bus to the job centre"):
        added = await client.post(url, json={"text": text}, headers=ana)
        assert added.status_code == 201, added.text
    assert (await client.post(url, json={"text": "Language course waits"}, headers=ben)).status_code == 201

    mine = (await client.get(url, headers=ana)).json()["items"]
    assert [c["text"] for c in mine] == ["No childcare in the evening", "Bus to the job centre"]
    assert [c["text"] for c in (await client.get(url, headers=ben)).json()["items"]] == [
        "Language course waits"
    ]
    assert len((await client.get(url, headers=_auth(world))).json()["items"]) == 3

    projector = await client.get(f"/s/{world.workshop.projector_key}")
    assert "Bus to the job centre" not in projector.text
    await client.post("/login", data={"email": "fac@example.org", "password": "correct horse battery"})
    console = await client.get(f"/f/w/{world.workshop.id}?design=1")
    assert "3 cards came in before the day" in console.text

    await client.post(
        f"/api/v1/workshops/{world.workshop.id}/current-stage",
        json={"stage_id": stage_id},
        headers=_auth(world),
    )
    projector = await client.get(f"/s/{world.workshop.projector_key}")
    assert "Bus to the job centre" in projector.text and "Language course waits" in projector.text
    assert len((await client.get(url, headers=ben)).json()["items"]) == 3  # on now: everybody's cards


async def test_outside_the_window_the_board_refuses_cards_with_a_sentence(
    client: httpx.AsyncClient, world: World
) -> None:
    later = await _board(client, world, opens_at=_at(20), closes_at=_at(30))
    over = await _board(client, world, opens_at=_at(-30), closes_at=_at(-20))
    never = await _board(client, world)
    phone = await _phone(client, world, "Ana")
    for stage_id, reason in [
        (later, "This board opens for cards on "),
        (over, "This board closed for cards on "),
        (never, "This stage is not open for cards right now."),
    ]:
        response = await client.post(
            f"/api/v1/stages/{stage_id}/contributions", json={"text": "Too soon or late"}, headers=phone
        )
        assert response.status_code == 409, response.text
        assert reason in response.json()["detail"]
    opens = datetime.now(UTC) + timedelta(hours=20)
    refused = await client.post(
        f"/api/v1/stages/{later}/contributions",
        json={"text": "x"},
        headers={**phone, "Accept-Language": "de"},
    )
    assert str(opens.astimezone().year) in refused.json()["detail"]
    cards = await client.get(f"/api/v1/stages/{later}/contributions", headers=_auth(world))
    assert cards.json()["items"] == []


async def test_one_patch_is_one_change_a_refused_approval_leaves_the_new_title_unsaved(
    client: httpx.AsyncClient, world: World
) -> None:
    evaluation = (
        await client.post(
            f"/api/v1/workshops/{world.workshop.id}/stages",
            json={"kind": "evaluation", "title": "Feedback"},
            headers=_auth(world),
        )
    ).json()
    response = await client.patch(
        f"/api/v1/stages/{evaluation['id']}",
        json={"title": {"en": "Your view"}, "minutes": 9, "approval": True},
        headers=_auth(world),
    )
    assert response.status_code == 422 and "does not take cards" in response.json()["detail"]
    workshop = (await client.get(f"/api/v1/workshops/{world.workshop.id}", headers=_auth(world))).json()
    stage = next(s for s in workshop["stages"] if s["id"] == evaluation["id"])
    assert stage["title"] == {"en": "Feedback"} and stage["minutes"] is None
    events = await client.get(f"/api/v1/workshops/{world.workshop.id}/events", headers=_auth(world))
    assert [e["type"] for e in events.json()["events"]][-1] == "stage.added"
