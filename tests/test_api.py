"""The JSON API contract that external clients and the acceptance checks rely on."""

import httpx

from tests.conftest import World


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _workshop(client: httpx.AsyncClient, token: str, **body: object) -> dict:
    response = await client.post(
        "/api/v1/workshops", json={"title": "Needs lab", **body}, headers=_auth(token)
    )
    assert response.status_code == 201, response.text
    return response.json()


async def _join(client: httpx.AsyncClient, code: str, **body: object) -> dict:
    response = await client.post(f"/api/v1/join/{code}", json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def test_healthz_says_ok_when_the_database_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_a_facilitator_creates_a_workshop_with_join_and_projector_urls(
    client: httpx.AsyncClient, world: World
) -> None:
    created = await _workshop(client, world.api_token, language="de")
    assert created["join_url"] == f"http://testserver/j/{created['code']}"
    assert created["projector_url"].startswith("http://testserver/s/")
    assert created["language"] == "de"
    assert [s["kind"] for s in created["stages"]] == ["board", "information"]
    assert all({"id", "kind", "title"} <= stage.keys() for stage in created["stages"])

    read = await client.get(f"/api/v1/workshops/{created['id']}", headers=_auth(world.api_token))
    assert read.status_code == 200
    body = read.json()
    assert (body["status"], body["participants"]) == ("open", 0)
    assert body["current_stage_id"] == created["stages"][0]["id"]


async def test_the_projector_url_opens_without_a_login(client: httpx.AsyncClient, world: World) -> None:
    created = await _workshop(client, world.api_token)
    page = await client.get(created["projector_url"].removeprefix("http://testserver"))
    assert page.status_code == 200
    assert created["code"] in page.text
    assert created["join_url"] in page.text
    qr = await client.get(created["projector_url"].removeprefix("http://testserver") + "/qr.svg")
    assert qr.headers["content-type"].startswith("image/svg+xml") and "<svg" in qr.text


async def test_creating_a_workshop_needs_a_facilitator_token(client: httpx.AsyncClient, world: World) -> None:
    anonymous = await client.post("/api/v1/workshops", json={"title": "x"})
    assert anonymous.status_code == 401
    assert "token" in anonymous.json()["detail"]
    participant = await _join(client, world.workshop.code)
    as_participant = await client.post(
        "/api/v1/workshops", json={"title": "x"}, headers=_auth(participant["token"])
    )
    assert as_participant.status_code == 403  # known, not allowed (401 is for no or a wrong token)
    assert as_participant.json()["detail"] == "This needs a facilitator's API token, not a participant's."
    assert "www-authenticate" not in as_participant.headers
    wrong = await client.post("/api/v1/workshops", json={"title": "x"}, headers=_auth("not-a-token"))
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"


async def test_bad_workshop_input_is_refused_with_a_reason(client: httpx.AsyncClient, world: World) -> None:
    for body, reason in [
        ({"title": " "}, "needs a title"),
        ({"title": "x", "format": "nope"}, "Unknown format"),
        ({"title": "x", "language": "fr"}, "Unknown language"),
        ({}, "title"),
    ]:
        response = await client.post("/api/v1/workshops", json=body, headers=_auth(world.api_token))
        assert response.status_code == 422, body
        assert reason in response.json()["detail"]


async def test_joining_by_code_gives_a_token_and_an_unknown_code_a_readable_404(
    client: httpx.AsyncClient, world: World
) -> None:
    joined = await _join(
        client, world.workshop.code.lower(), name="Amira", group="beneficiary", language="de"
    )
    assert joined["workshop_id"] == world.workshop.id
    assert len(joined["token"]) >= 43  # 256 random bits, URL-safe
    missing = await client.post("/api/v1/join/ZZZZZZ", json={})
    assert missing.status_code == 404
    assert "No workshop has this code" in missing.json()["detail"]
    bad_group = await client.post(f"/api/v1/join/{world.workshop.code}", json={"group": "aliens"})
    assert bad_group.status_code == 422


async def test_a_participant_posts_a_card_and_a_retry_with_the_same_client_id_stores_nothing_new(
    client: httpx.AsyncClient, world: World
) -> None:
    token = (await _join(client, world.workshop.code))["token"]
    url = f"/api/v1/stages/{world.stage_id}/contributions"
    body = {"text": "Childcare during language courses", "category": "need", "client_id": "phone-1"}
    first = await client.post(url, json=body, headers=_auth(token))
    again = await client.post(url, json=body, headers=_auth(token))
    assert first.status_code == 201 and again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["seq"] == again.json()["seq"] == 3
    assert first.json() == again.json()  # the new card's event and a fresh read describe it alike
    listed = await client.get(url, headers=_auth(token))
    assert [c["text"] for c in listed.json()["items"]] == ["Childcare during language courses"]


async def test_bad_cards_get_a_4xx_with_the_reason_and_nothing_is_stored(
    client: httpx.AsyncClient, world: World
) -> None:
    token = (await _join(client, world.workshop.code))["token"]
    url = f"/api/v1/stages/{world.stage_id}/contributions"
    cases = [
        ({"text": ""}, 422, "Please write something"),
        ({"text": "x" * 2001}, 422, "at most 2,000"),
        ({"text": "ok", "category": "housing"}, 422, "Unknown category"),
    ]
    for body, status, reason in cases:
        response = await client.post(url, json=body, headers=_auth(token))
        assert (response.status_code, reason in response.json()["detail"]) == (status, True), response.text
    wrong_token = await client.post(url, json={"text": "hi"}, headers=_auth("not-a-token"))
    assert wrong_token.status_code == 401
    other = await _workshop(client, world.api_token)
    foreign = (await _join(client, other["code"]))["token"]
    assert (await client.post(url, json={"text": "hi"}, headers=_auth(foreign))).status_code == 403
    unknown_stage = await client.post(
        "/api/v1/stages/9999/contributions", json={"text": "hi"}, headers=_auth(token)
    )
    assert unknown_stage.status_code == 404
    listed = await client.get(url, headers=_auth(world.api_token))
    assert listed.json()["items"] == []


async def test_a_stage_that_is_not_open_refuses_cards(client: httpx.AsyncClient, world: World) -> None:
    token = (await _join(client, world.workshop.code))["token"]
    info = (await client.get(f"/api/v1/workshops/{world.workshop.id}", headers=_auth(world.api_token))).json()
    board_stage, info_stage = (s["id"] for s in info["stages"])
    moved = await client.post(
        f"/api/v1/workshops/{world.workshop.id}/current-stage",
        json={"stage_id": info_stage},
        headers=_auth(world.api_token),
    )
    assert moved.status_code == 200 and moved.json()["kind"] == "information"
    late = await client.post(
        f"/api/v1/stages/{board_stage}/contributions", json={"text": "late"}, headers=_auth(token)
    )
    assert late.status_code == 409
    assert "not open" in late.json()["detail"]


async def test_facilitators_moderate_and_participants_stop_seeing_hidden_cards(
    client: httpx.AsyncClient, world: World
) -> None:
    token = (await _join(client, world.workshop.code))["token"]
    url = f"/api/v1/stages/{world.stage_id}/contributions"
    card = (await client.post(url, json={"text": "Housign"}, headers=_auth(token))).json()
    edited = await client.patch(
        f"/api/v1/contributions/{card['id']}",
        json={"text": "Housing", "category": "need"},
        headers=_auth(world.api_token),
    )
    assert (edited.status_code, edited.json()["text"], edited.json()["category"]) == (200, "Housing", "need")
    hidden = await client.patch(
        f"/api/v1/contributions/{card['id']}", json={"hidden": True}, headers=_auth(world.api_token)
    )
    assert hidden.json()["hidden"] is True
    assert (await client.get(url, headers=_auth(token))).json()["items"] == []
    staff_view = (await client.get(url, headers=_auth(world.api_token))).json()["items"]
    assert [(c["text"], c["hidden"]) for c in staff_view] == [("Housing", True)]
    by_participant = await client.patch(
        f"/api/v1/contributions/{card['id']}", json={"hidden": False}, headers=_auth(token)
    )
    assert by_participant.status_code == 403


async def test_the_session_record_lists_every_change_in_seq_order(
    client: httpx.AsyncClient, world: World
) -> None:
    token = (await _join(client, world.workshop.code, name="Ana"))["token"]
    await client.post(
        f"/api/v1/stages/{world.stage_id}/contributions", json={"text": "A"}, headers=_auth(token)
    )
    record = await client.get(f"/api/v1/workshops/{world.workshop.id}/events", headers=_auth(world.api_token))
    events = record.json()["events"]
    assert [(e["seq"], e["type"]) for e in events] == [
        (1, "workshop.created"),
        (2, "participant.joined"),
        (3, "card.added"),
    ]
    assert events[2]["data"]["text"] == "A"
    assert events[2]["at"].endswith(("Z", "+00:00"))
    later = await client.get(
        f"/api/v1/workshops/{world.workshop.id}/events?since=2", headers=_auth(world.api_token)
    )
    assert [e["seq"] for e in later.json()["events"]] == [3]
    assert (
        await client.get(
            f"/api/v1/workshops/{world.workshop.id}/events?since=-1", headers=_auth(world.api_token)
        )
    ).status_code == 422
    assert (
        await client.get(f"/api/v1/workshops/{world.workshop.id}/events", headers=_auth(token))
    ).status_code == 403


async def test_openapi_describes_the_contract(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    for path in [
        "/api/v1/workshops",
        "/api/v1/workshops/{workshop_id}",
        "/api/v1/workshops/{workshop_id}/current-stage",
        "/api/v1/join/{code}",
        "/api/v1/stages/{stage_id}/contributions",
        "/api/v1/contributions/{card_id}",
        "/api/v1/workshops/{workshop_id}/events",
    ]:
        assert path in spec["paths"], path


async def test_a_participants_token_is_never_401_and_a_wrong_token_never_403_on_any_endpoint(
    client: httpx.AsyncClient, world: World
) -> None:
    """docs/api.md: 401 means no or a wrong token, 403 a known token that is not allowed. Every operation of
    the API, called with a participant's token (known) and with a made-up one, keeps the two apart."""
    participant = await _join(client, world.workshop.code)
    spec = (await client.get("/openapi.json")).json()
    ids = {"workshop_id": world.workshop.id, "stage_id": world.stage_id, "code": world.workshop.code}
    operations = [
        (method, path)
        for path, item in spec["paths"].items()
        if path.startswith("/api/v1/")
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    ]
    assert len(operations) > 50
    mixed = []
    for method, path in operations:
        url = path
        for name in [p.split("}")[0] for p in path.split("{")[1:]]:
            url = url.replace(f"{{{name}}}", str(ids.get(name, 1)))
        body = {} if method in ("post", "put", "patch") else None
        known = await client.request(method, url, json=body, headers=_auth(participant["token"]))
        made_up = await client.request(method, url, json=body, headers=_auth("not-a-token"))
        if known.status_code == 401 or made_up.status_code == 403:
            mixed.append((method, path, known.status_code, made_up.status_code))
        if known.status_code == 403:
            assert known.json()["detail"].endswith("."), (method, path)  # a sentence for people
    assert mixed == []


async def test_the_place_and_the_follow_up_date_are_set_changed_one_at_a_time_and_cleared(
    client: httpx.AsyncClient, world: World
) -> None:
    url, auth = f"/api/v1/workshops/{world.workshop.id}", _auth(world.api_token)
    both = await client.patch(
        url, json={"place": "  Stadthalle\nOffenbach ", "follow_up_on": "2027-03-16"}, headers=auth
    )
    assert both.status_code == 200, both.text
    assert (both.json()["place"], both.json()["follow_up_on"]) == ("Stadthalle Offenbach", "2027-03-16")
    moved = await client.patch(url, json={"follow_up_on": "2027-04-01"}, headers=auth)
    assert (moved.json()["place"], moved.json()["follow_up_on"]) == ("Stadthalle Offenbach", "2027-04-01")
    cleared = await client.patch(url, json={"place": None, "follow_up_on": ""}, headers=auth)
    assert (cleared.json()["place"], cleared.json()["follow_up_on"]) == (None, None)
    read = (await client.get(url, headers=auth)).json()
    assert (read["place"], read["follow_up_on"]) == (None, None)
    record = (await client.get(f"{url}/events", headers=auth)).json()["events"]
    changes = [e["data"] for e in record if e["type"] == "workshop.details_changed"]
    assert changes == [
        {"place": "Stadthalle Offenbach", "follow_up_on": "2027-03-16"},
        {"place": "Stadthalle Offenbach", "follow_up_on": "2027-04-01"},
        {"place": None, "follow_up_on": None},
    ]


async def test_a_bad_follow_up_date_or_a_too_long_place_is_refused_with_a_sentence_and_nothing_changes(
    client: httpx.AsyncClient, world: World
) -> None:
    url, auth = f"/api/v1/workshops/{world.workshop.id}", _auth(world.api_token)
    await client.patch(url, json={"place": "Town hall"}, headers=auth)
    bad_date = await client.patch(
        url, json={"place": "Elsewhere", "follow_up_on": "16.03.2027"}, headers=auth
    )
    assert bad_date.status_code == 422
    assert (
        bad_date.json()["detail"]
        == "The follow-up date 16.03.2027 is not a date; please give it as YYYY-MM-DD."
    )
    long_place = await client.patch(url, json={"place": "x" * 201}, headers=auth)
    assert long_place.status_code == 422
    assert long_place.json()["detail"] == "The place is too long (at most 200 characters)."
    assert (await client.get(url, headers=auth)).json()["place"] == "Town hall"
    stranger = await client.patch(url, json={"place": "Mine"})
    assert stranger.status_code == 401
