"""The agenda designer over the API: stages added, renamed, re-timed, moved, removed and archived, live too;
every change is an event, and an edited workshop's record imports and exports again with the same events."""

import json
from typing import Any

import httpx

from cowork.domain.board import cards as board
from tests.conftest import World, make_facilitator, run
from tests.test_import import events_of


def _auth(world: World) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.api_token}"}


async def _add(client: httpx.AsyncClient, world: World, **body: Any) -> httpx.Response:
    return await client.post(f"/api/v1/workshops/{world.workshop.id}/stages", json=body, headers=_auth(world))


async def _agenda(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    response = await client.get(f"/api/v1/workshops/{world.workshop.id}/agenda", headers=_auth(world))
    assert response.status_code == 200
    return response.json()


def _titles(agenda: dict[str, Any], lang: str = "en") -> list[str]:
    """As screens show them: in `lang`, else English, else the one language given."""
    return [
        s["title"].get(lang) or s["title"].get("en") or next(iter(s["title"].values()))
        for s in agenda["stages"]
    ]


async def _types(client: httpx.AsyncClient, world: World) -> list[str]:
    response = await client.get(f"/api/v1/workshops/{world.workshop.id}/events", headers=_auth(world))
    assert response.status_code == 200, response.text
    return [e["type"] for e in response.json()["events"]]


async def test_a_facilitator_builds_from_plain_adds_renames_retimes_and_reorders(
    client: httpx.AsyncClient, world: World
) -> None:
    assert _titles(await _agenda(client, world)) == ["Ideas and needs", "Wrap-up and next steps"]
    needs = await _add(client, world, kind="needs", title={"en": "Gaps"}, minutes=20, position=1)
    assert needs.status_code == 201, needs.text
    assert needs.json()["position"] == 1 and needs.json()["takes_cards"] and not needs.json()["archived"]
    await _add(client, world, kind="stakeholders", title={"en": "Who is who"}, minutes=15)
    await _add(client, world, kind="evaluation", title="Feedback", minutes=5)  # the workshop's language
    group = await _add(client, world, kind="group_work", title={"de": "Tischgruppen"}, minutes=30, position=0)
    assert _titles(await _agenda(client, world)) == [
        "Tischgruppen",  # a title in one language stands for all
        "Ideas and needs",
        "Gaps",
        "Wrap-up and next steps",
        "Who is who",
        "Feedback",
    ]
    stage_id = needs.json()["id"]
    renamed = await client.patch(
        f"/api/v1/stages/{stage_id}", json={"title": {"de": "Lücken"}, "minutes": 25}, headers=_auth(world)
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["title"] == {"en": "Gaps", "de": "Lücken"} and renamed.json()["minutes"] == 25
    moved = await client.patch(
        f"/api/v1/stages/{group.json()['id']}", json={"position": 4}, headers=_auth(world)
    )
    assert moved.status_code == 200 and moved.json()["position"] == 4
    agenda = await _agenda(client, world)
    assert _titles(agenda, "de") == [
        "Ideen und Bedarfe",
        "Lücken",
        "Abschluss und nächste Schritte",
        "Who is who",
        "Tischgruppen",
        "Feedback",
    ]
    assert [s["position"] for s in agenda["stages"]] == [0, 1, 2, 3, 4, 5]
    assert [s["minutes"] for s in agenda["stages"]] == [45, 25, 10, 15, 30, 5]
    assert (await _types(client, world))[1:] == ["stage.added"] * 4 + ["stage.edited", "stage.moved"]


async def test_bad_stage_input_is_refused_with_a_sentence(client: httpx.AsyncClient, world: World) -> None:
    for body, reason in [
        ({"kind": "disco", "title": "x"}, "Unknown stage kind disco"),
        ({"kind": "board", "title": "x", "minutes": 0}, "from 1 to 480"),
        ({"kind": "board", "title": "x", "minutes": 481}, "from 1 to 480"),
        ({"kind": "board", "title": "x", "position": 3}, "from 0 to 2"),
        ({"kind": "board", "title": {"en": " ", "de": "", "es": ""}}, "at least one language"),
        ({"kind": "board", "title": {"fr": "Idées"}}, "Unknown language fr"),
        ({"kind": "information", "title": "x", "settings": {"categories": []}}, "has no setting categories"),
    ]:
        response = await _add(client, world, **body)
        assert response.status_code == 422, body
        assert reason in response.json()["detail"], response.json()
    first = world.stage_id
    for body, reason in [
        ({"minutes": 500}, "from 1 to 480"),
        ({"position": 2}, "from 0 to 1"),
        ({"title": {"en": "", "de": "", "es": ""}}, "at least one language"),
    ]:
        response = await client.patch(f"/api/v1/stages/{first}", json=body, headers=_auth(world))
        assert response.status_code == 422, body
        assert reason in response.json()["detail"]
    assert await _types(client, world) == ["workshop.created"]  # nothing changed


async def test_the_board_settings_patch_still_sets_approval_beside_a_new_title(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.patch(
        f"/api/v1/stages/{world.stage_id}",
        json={"approval": True, "title": {"es": "Ideas"}},
        headers=_auth(world),
    )
    assert response.status_code == 200, response.text
    assert response.json()["approval"] is True and response.json()["title"]["es"] == "Ideas"
    assert response.json()["settings"]["approval"] is True


async def test_a_stage_with_cards_cannot_be_removed_but_archived_and_an_empty_one_goes(
    client: httpx.AsyncClient, world: World
) -> None:
    board_stage = world.stage_id
    wrap_up = (await _agenda(client, world))["stages"][1]["id"]
    participant, _token = world.join()
    run(
        world.engine,
        board.add_card,
        actor=world.participant_actor(participant),
        stage_id=board_stage,
        text="Hi",
    )
    run(
        world.engine,
        board.add_card,
        actor=world.participant_actor(participant),
        stage_id=board_stage,
        text="Yo",
    )
    await client.post(
        f"/api/v1/workshops/{world.workshop.id}/current-stage",
        json={"stage_id": wrap_up},
        headers=_auth(world),
    )
    refused = await client.delete(f"/api/v1/stages/{board_stage}", headers=_auth(world))
    assert refused.status_code == 409
    assert "holds contributions (cards: 2, votes: 0, ratings: 0, other: 0)" in refused.json()["detail"]
    assert "archive it instead" in refused.json()["detail"]
    on_now = await client.delete(f"/api/v1/stages/{wrap_up}", headers=_auth(world))
    assert on_now.status_code == 409 and "on now" in on_now.json()["detail"]

    archived = await client.post(f"/api/v1/stages/{board_stage}/archive", headers=_auth(world))
    assert archived.status_code == 200 and archived.json()["archived"] is True
    assert _titles(await _agenda(client, world)) == ["Wrap-up and next steps"]
    cards = await client.get(f"/api/v1/stages/{board_stage}/contributions", headers=_auth(world))
    assert [c["text"] for c in cards.json()["items"]] == ["Hi", "Yo"]  # kept
    report = await client.get(
        f"/api/v1/workshops/{world.workshop.id}/export", params={"format": "md"}, headers=_auth(world)
    )
    assert "Ideas and needs (archived)" in report.text and "Hi" in report.text
    last = await client.post(f"/api/v1/stages/{wrap_up}/archive", headers=_auth(world))
    assert last.status_code == 409 and "at least one stage" in last.json()["detail"]

    empty = (await _add(client, world, kind="presentations", title="Pitches", minutes=10)).json()
    gone = await client.delete(f"/api/v1/stages/{empty['id']}", headers=_auth(world))
    assert gone.status_code == 204
    assert _titles(await _agenda(client, world)) == ["Wrap-up and next steps"]
    assert (await _types(client, world))[-3:] == ["stage.archived", "stage.added", "stage.removed"]


async def test_live_a_stage_goes_in_after_the_current_one_and_the_current_one_gets_more_minutes(
    client: httpx.AsyncClient, world: World
) -> None:
    before = await _agenda(client, world)
    assert before["planned_seconds"] == 45 * 60
    current = before["stages"][0]
    added = await _add(
        client, world, kind="information", title="Break", minutes=10, position=current["position"] + 1
    )
    assert added.status_code == 201
    longer = await client.patch(f"/api/v1/stages/{current['id']}", json={"minutes": 60}, headers=_auth(world))
    assert longer.status_code == 200
    after = await _agenda(client, world)
    assert after["current_stage_id"] == current["id"] and after["planned_seconds"] == 60 * 60
    assert _titles(after) == ["Ideas and needs", "Break", "Wrap-up and next steps"]
    assert [s["status"] for s in after["stages"]] == ["current", "upcoming", "upcoming"]


async def test_only_the_workshops_facilitators_design_its_agenda(
    client: httpx.AsyncClient, world: World
) -> None:
    joined = await client.post(f"/api/v1/join/{world.workshop.code}", json={"name": "Ana"})
    phone = {"Authorization": f"Bearer {joined.json()['token']}"}
    response = await client.post(
        f"/api/v1/workshops/{world.workshop.id}/stages", json={"kind": "board", "title": "x"}, headers=phone
    )
    assert response.status_code in (401, 403)
    assert (await client.delete(f"/api/v1/stages/{world.stage_id}", headers=phone)).status_code in (401, 403)


async def test_an_edited_workshops_record_imports_and_exports_again_with_the_same_events(
    client: httpx.AsyncClient, world: World
) -> None:
    board_stage = world.stage_id
    participant, _token = world.join()
    run(
        world.engine,
        board.add_card,
        actor=world.participant_actor(participant),
        stage_id=board_stage,
        text="Hi",
    )
    added = [
        (await _add(client, world, kind=kind, title={"en": kind.title()}, minutes=10)).json()["id"]
        for kind in ("needs", "evaluation", "board")
    ]
    await client.patch(
        f"/api/v1/stages/{added[0]}", json={"title": {"de": "Bedarfe"}, "position": 0}, headers=_auth(world)
    )
    await client.patch(
        f"/api/v1/stages/{added[2]}",
        json={
            "settings": {"categories": [{"key": "idea", "label": {"en": "Idea"}}], "description": "Park it"}
        },
        headers=_auth(world),
    )
    await client.post(
        f"/api/v1/workshops/{world.workshop.id}/current-stage",
        json={"stage_id": added[0]},
        headers=_auth(world),
    )
    await client.post(f"/api/v1/stages/{board_stage}/archive", headers=_auth(world))
    assert (await client.delete(f"/api/v1/stages/{added[1]}", headers=_auth(world))).status_code == 204
    # A stage made after the removal may get the removed row's id (SQLite): the import tells them apart.
    await _add(client, world, kind="information", title="Thanks", minutes=5)
    # An evaluation stage with its own questions, answered from a phone.
    own = (
        await _add(client, world, kind="evaluation", title="Feedback", settings={"questions": QUESTIONS})
    ).json()
    await client.post(
        f"/api/v1/workshops/{world.workshop.id}/current-stage",
        json={"stage_id": own["id"]},
        headers=_auth(world),
    )
    _participant, token = world.join(name="Ben")
    answered = await client.post(
        f"/api/v1/stages/{own['id']}/responses",
        json={"answers": {"useful": 4, "next": "More time"}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answered.status_code == 201, answered.text

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
    old_agenda = await _agenda(client, world)
    new_agenda = (await client.get(f"/api/v1/workshops/{new_id}/agenda", headers=_auth(world))).json()
    shape = [(s["kind"], s["title"], s["minutes"], s["position"]) for s in old_agenda["stages"]]
    assert [(s["kind"], s["title"], s["minutes"], s["position"]) for s in new_agenda["stages"]] == shape
    assert shape[0] == ("needs", {"en": "Needs", "de": "Bedarfe"}, 10, 0)
    assert len(shape) == 5  # plain's wrap-up, needs, board, thanks and feedback; the first board archived
    stage = (await client.get(f"/api/v1/workshops/{new_id}", headers=_auth(world))).json()["stages"][2]
    assert stage["categories"] == [{"key": "idea", "label": {"en": "Idea"}}]
    new_own = (await client.get(f"/api/v1/workshops/{new_id}", headers=_auth(world))).json()["stages"][4][
        "id"
    ]
    results = (await client.get(f"/api/v1/stages/{new_own}/evaluation", headers=_auth(world))).json()
    assert [(i["id"], i["count"]) for i in results["items"]] == [("useful", 1), ("pace", 0), ("next", 1)]


# --- an evaluation stage's own questions ------------------------------------------------------------------

QUESTIONS = [
    {
        "id": "useful",
        "type": "likert",
        "text": {"en": "The tables were useful.", "de": "Die Tische waren nützlich."},
        "labels": [
            {"en": "No"},
            {"en": "Hardly"},
            {"en": "Partly"},
            {"en": "Mostly"},
            {"en": "Yes", "de": "Ja"},
        ],
    },
    {"id": "pace", "text": "The pace was right."},  # a 5-point scale with the agreement labels
    {"id": "next", "type": "text", "text": {"en": "What should come next?"}},
]


async def test_an_evaluation_stage_asks_its_own_questions_with_the_workshops_language_as_fallback(
    client: httpx.AsyncClient, world: World
) -> None:
    added = await _add(
        client, world, kind="evaluation", title="Feedback", minutes=5, settings={"questions": QUESTIONS}
    )
    assert added.status_code == 201, added.text
    stage_id = added.json()["id"]
    assert added.json()["settings"]["questions"][1]["type"] == "likert"
    await client.post(
        f"/api/v1/workshops/{world.workshop.id}/current-stage",
        json={"stage_id": stage_id},
        headers=_auth(world),
    )
    joined = await client.post(f"/api/v1/join/{world.workshop.code}", json={"name": "Ana", "language": "de"})
    phone = {"Authorization": f"Bearer {joined.json()['token']}"}
    german = (await client.get(f"/api/v1/stages/{stage_id}/questionnaire", headers=phone)).json()
    assert german["questionnaire"] == "own" and german["language"] == "de"
    assert [i["text"] for i in german["items"]] == [
        "Die Tische waren nützlich.",
        "The pace was right.",  # not given in German: the workshop's language (English)
        "What should come next?",
    ]
    assert german["items"][0]["labels"] == ["No", "Hardly", "Partly", "Mostly", "Ja"]
    assert german["items"][1]["labels"][0] == "Stimme gar nicht zu"  # the agreement scale, translated
    answered = await client.post(
        f"/api/v1/stages/{stage_id}/responses",
        json={"answers": {"useful": 5, "pace": 4, "next": "A follow-up in May"}},
        headers=phone,
    )
    assert answered.status_code == 201, answered.text
    results = (await client.get(f"/api/v1/stages/{stage_id}/evaluation", headers=_auth(world))).json()
    assert [(i["id"], i["mean"]) for i in results["items"]] == [
        ("useful", 5.0),
        ("pace", 4.0),
        ("next", None),
    ]
    assert results["items"][2]["answers"] == ["A follow-up in May"]
    report = await client.get(
        f"/api/v1/workshops/{world.workshop.id}/export", params={"format": "md"}, headers=_auth(world)
    )
    assert "The tables were useful." in report.text and "A follow-up in May" in report.text
    late = await client.patch(
        f"/api/v1/stages/{stage_id}", json={"settings": {"questions": QUESTIONS[:1]}}, headers=_auth(world)
    )
    assert late.status_code == 409 and "answered these questions already" in late.json()["detail"]


async def test_bad_questions_are_refused_with_a_sentence(client: httpx.AsyncClient, world: World) -> None:
    stage = (await _add(client, world, kind="evaluation", title="Feedback")).json()
    for questions, reason in [
        ([{"text": "x", "labels": [{"en": "a"}] * 4}], "Question 1 needs 5 labels"),
        ([{"text": "x"}, {"type": "stars", "text": "y"}], "Question 2 has the unknown type stars"),
        ([{"text": {"en": " "}}], "Question 1 needs its texts in at least one language"),
        ([{"id": "a", "text": "x"}, {"id": "a", "text": "y"}], "Question 2 needs an id of its own"),
        ([{"type": "text", "text": "x", "labels": [{"en": "a"}] * 5}], "has no labels"),
    ]:
        response = await client.patch(
            f"/api/v1/stages/{stage['id']}", json={"settings": {"questions": questions}}, headers=_auth(world)
        )
        assert response.status_code == 422, questions
        assert reason in response.json()["detail"], response.json()
    on_board = await client.patch(
        f"/api/v1/stages/{world.stage_id}", json={"settings": {"questions": QUESTIONS}}, headers=_auth(world)
    )
    assert on_board.status_code == 422 and "has no setting questions" in on_board.json()["detail"]


# --- a new workshop like this one -----------------------------------------------------------------------


async def test_a_new_workshop_like_this_one_has_the_agenda_and_settings_but_no_people_nor_cards(
    client: httpx.AsyncClient, world: World
) -> None:
    participant, _token = world.join()
    run(
        world.engine,
        board.add_card,
        actor=world.participant_actor(participant),
        stage_id=world.stage_id,
        text="Hi",
    )
    await _add(
        client,
        world,
        kind="evaluation",
        title={"de": "Rückblick"},
        minutes=7,
        settings={"questions": QUESTIONS},
    )
    await client.patch(f"/api/v1/stages/{world.stage_id}", json={"minutes": 50}, headers=_auth(world))

    copied = await client.post(
        f"/api/v1/workshops/{world.workshop.id}/copy", json={"title": "Again"}, headers=_auth(world)
    )
    assert copied.status_code == 201, copied.text
    new = copied.json()
    assert new["title"] == "Again" and new["participants"] == 0 and new["code"] != world.workshop.code
    old = (await client.get(f"/api/v1/workshops/{world.workshop.id}", headers=_auth(world))).json()
    shape = [(s["kind"], s["title"], s["minutes"], s["categories"]) for s in old["stages"]]
    assert [(s["kind"], s["title"], s["minutes"], s["categories"]) for s in new["stages"]] == shape
    assert new["stages"][0]["minutes"] == 50 and new["current_stage_id"] == new["stages"][0]["id"]
    cards = await client.get(f"/api/v1/stages/{new['stages'][0]['id']}/contributions", headers=_auth(world))
    assert cards.json()["items"] == []
    own = await client.get(
        f"/api/v1/stages/{new['stages'][2]['id']}/questionnaire?lang=en", headers=_auth(world)
    )
    assert [i["id"] for i in own.json()["items"]] == ["useful", "pace", "next"]
    events = await client.get(f"/api/v1/workshops/{new['id']}/events", headers=_auth(world))
    assert [e["type"] for e in events.json()["events"]] == ["workshop.created"]

    # On the dashboard: one button, and the console of the copy opens with the agenda editor.
    await client.post("/login", data={"email": "fac@example.org", "password": "correct horse battery"})
    dashboard = await client.get("/f")
    assert "New workshop like this one" in dashboard.text
    made = await client.post(f"/f/w/{world.workshop.id}/copy")
    assert made.status_code == 303
    console = await client.get(made.headers["location"])
    assert "Co-working lab (copy)" in console.text and "Rückblick" in console.text


async def test_only_its_facilitators_copy_a_workshop(client: httpx.AsyncClient, world: World) -> None:
    _other, token = make_facilitator(world.engine, email="other@example.org")
    refused = await client.post(
        f"/api/v1/workshops/{world.workshop.id}/copy",
        json={"title": "Mine now"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert refused.status_code in (403, 404)
    blank = await client.post(
        f"/api/v1/workshops/{world.workshop.id}/copy", json={"title": " "}, headers=_auth(world)
    )
    assert blank.status_code == 422 and "needs a title" in blank.json()["detail"]
