"""The agenda editor's plain form posts (no script): a board's times before the day, an evaluation stage's
questions moved, removed and added; a refusal comes back on the console with the reason."""

import re
from datetime import UTC, datetime
from typing import Any

import httpx

from tests.conftest import World


def _auth(world: World) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.api_token}"}


async def _signed_in(client: httpx.AsyncClient) -> None:
    await client.post("/login", data={"email": "fac@example.org", "password": "correct horse battery"})


async def _stage(client: httpx.AsyncClient, world: World, kind: str, title: str) -> int:
    added = await client.post(
        f"/api/v1/workshops/{world.workshop.id}/stages",
        json={"kind": kind, "title": title},
        headers=_auth(world),
    )
    assert added.status_code == 201, added.text
    return added.json()["id"]


async def _settings(client: httpx.AsyncClient, world: World, stage_id: int) -> dict[str, Any]:
    response = await client.patch(f"/api/v1/stages/{stage_id}", json={}, headers=_auth(world))
    return response.json()["settings"]


def _utc(local: str) -> str:
    """A datetime-local value in the server's zone, as the stage keeps it."""
    moment = datetime.fromisoformat(local).astimezone().astimezone(UTC)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


async def test_a_boards_times_are_set_refused_with_the_reason_and_cleared_by_plain_posts(
    client: httpx.AsyncClient, world: World
) -> None:
    await _signed_in(client)
    stage_id = await _stage(client, world, "board", "Before we meet")
    url = f"/f/w/{world.workshop.id}/stages/{stage_id}/window"
    saved = await client.post(url, data={"opens_at": "2026-12-07T09:00", "closes_at": "2026-12-08T18:00"})
    assert saved.status_code == 303 and f"edit={stage_id}" in saved.headers["location"]
    settings = await _settings(client, world, stage_id)
    assert settings["opens_at"] == _utc("2026-12-07T09:00")
    assert settings["closes_at"] == _utc("2026-12-08T18:00")

    refused = await client.post(url, data={"opens_at": "2026-12-09T09:00", "closes_at": "2026-12-08T18:00"})
    assert refused.status_code == 422
    assert "The closing time must come after the opening time." in refused.text
    assert 'value="2026-12-09T09:00"' in refused.text  # what was typed stays
    assert (await _settings(client, world, stage_id))["opens_at"] == _utc("2026-12-07T09:00")

    cleared = await client.post(url, data={"action": "clear"})
    assert cleared.status_code == 303
    assert (await _settings(client, world, stage_id))["opens_at"] is None

    # A new workshop like this one does not inherit the dates of this one's day.
    await client.post(url, data={"opens_at": "2026-12-07T09:00", "closes_at": "2026-12-08T18:00"})
    copy = await client.post(
        f"/api/v1/workshops/{world.workshop.id}/copy", json={"title": "Again"}, headers=_auth(world)
    )
    board = next(s for s in copy.json()["stages"] if s["title"] == {"en": "Before we meet"})
    assert "opens_at" not in (await _settings(client, world, board["id"]))


def _row(n: int, qid: str, kind: str, text: str, low: str = "", high: str = "") -> dict[str, str]:
    row = {f"q-{n}-id": qid, f"q-{n}-type": kind, f"q-{n}-text-en": text}
    if low or high:
        row |= {f"q-{n}-low-en": low, f"q-{n}-high-en": high}
    return row


async def _questions(client: httpx.AsyncClient, world: World, stage_id: int) -> list[dict[str, Any]]:
    response = await client.get(f"/api/v1/stages/{stage_id}/questionnaire?lang=en", headers=_auth(world))
    return response.json()["items"]


async def test_the_questions_form_moves_removes_and_adds_a_question_and_keeps_the_scales(
    client: httpx.AsyncClient, world: World
) -> None:
    await _signed_in(client)
    stage_id = await _stage(client, world, "evaluation", "Feedback")
    url = f"/f/w/{world.workshop.id}/stages/{stage_id}/questions"
    console = await client.get(f"/f/w/{world.workshop.id}?design=1&edit={stage_id}")
    assert "Overall, the workshop was well organised." in console.text  # the standard questionnaire to start

    form = {
        **_row(0, "useful", "likert", "Was it useful?", "Not at all", "Very"),
        **_row(1, "next", "text", "What next?"),
        "new-type": "likert",
        "new-text-de": "War das Tempo gut?",
        "op": "up-1",
    }
    moved = await client.post(url, data=form)
    assert moved.status_code == 303 and "focus=q-next-up" in moved.headers["location"]
    items = await _questions(client, world, stage_id)
    assert [(i["id"], i["type"], i["text"]) for i in items] == [
        ("next", "text", "What next?"),
        ("useful", "likert", "Was it useful?"),
        ("q1", "likert", "War das Tempo gut?"),  # one language is enough
    ]
    assert items[1]["labels"] == ["Not at all", "2", "3", "4", "Very"]
    assert items[2]["labels"][0] == "Strongly disagree"  # no ends given: the agreement scale

    removed = await client.post(
        url,
        data={
            **_row(0, "next", "text", "What next?"),
            **_row(1, "useful", "likert", "Useful?"),
            "op": "remove-0",
        },
    )
    assert removed.status_code == 303
    assert [i["id"] for i in await _questions(client, world, stage_id)] == ["useful"]

    refused = await client.post(url, data={**_row(0, "useful", "likert", " "), "op": "save"})
    assert refused.status_code == 422
    assert "Question 1 needs its texts in at least one language." in refused.text


async def test_with_htmx_the_questions_form_comes_back_alone_saved_or_with_the_reason(
    client: httpx.AsyncClient, world: World
) -> None:
    await _signed_in(client)
    stage_id = await _stage(client, world, "evaluation", "Feedback")
    url = f"/f/w/{world.workshop.id}/stages/{stage_id}/questions"
    htmx = {"HX-Request": "true"}
    rows = {**_row(0, "a", "likert", "First?"), **_row(1, "b", "text", "Second?")}
    moved = await client.post(url, data={**rows, "op": "down-0"}, headers=htmx)
    assert moved.status_code == 200
    assert f'id="questions-{stage_id}"' in moved.text and "<html" not in moved.text
    # "a" is last now, its down arrow disabled: the keyboard lands on its up arrow.
    up = re.search(rf'<button[^>]*id="q-btn-{stage_id}-a-up"[^>]*>', moved.text)
    down = re.search(rf'<button[^>]*id="q-btn-{stage_id}-a-down"[^>]*>', moved.text)
    assert up and "autofocus" in up.group(0) and down and "autofocus" not in down.group(0)
    assert [i["id"] for i in await _questions(client, world, stage_id)] == ["b", "a"]

    refused = await client.post(url, data={**_row(0, "a", "maybe", "First?"), "op": "save"}, headers=htmx)
    assert refused.status_code == 422 and "<html" not in refused.text
    assert "Question 1 has the unknown type maybe" in refused.text
    assert [i["id"] for i in await _questions(client, world, stage_id)] == ["b", "a"]
