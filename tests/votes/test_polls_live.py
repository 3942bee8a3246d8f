"""Votes over real sockets: phones, the projector and the console follow ballots, openings and closes."""

import asyncio
import json
from typing import Any

import httpx

from cowork.live import wire
from tests.actions.test_proposals import lab  # noqa: F401  (the co-working lab on its action plan)
from tests.conftest import ThreadServer, World, patient
from tests.test_live import screen


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _call(method: str, url: str, token: str, body: Any = None) -> httpx.Response:
    async with patient.AsyncClient() as http:
        return await http.request(method, url, json=body, headers=_auth(token))


async def _open_poll(server: ThreadServer, world: World, **body: Any) -> dict[str, Any]:
    body = {"method": "dots", "budget": 3, "options": [{"label": "Childcare"}, {"label": "Housing"}], **body}
    made = await _call("POST", f"{server.url}/api/v1/stages/{world.stage_id}/polls", world.api_token, body)
    assert made.status_code == 201, made.text
    opened = await _call("POST", f"{server.url}/api/v1/polls/{made.json()['id']}/open", world.api_token)
    assert opened.status_code == 200
    return made.json()


def _swap(event: dict[str, Any], target: str) -> dict[str, Any] | None:
    return next((s for s in event.get("swaps", []) if s["target"] == target), None)


async def test_every_screen_sees_the_tally_change_when_phones_vote(
    server: ThreadServer, world: World
) -> None:
    _, ana = world.join(name="Ana", group="employer")
    _, ben = world.join(name="Ben", group="beneficiary")
    wid = world.workshop.id
    async with (
        screen(server, {"token": ana, "workshop_id": wid}) as phone,
        screen(server, {"token": world.workshop.projector_key, "workshop_id": wid}) as projector,
        screen(server, {"token": world.api_token, "workshop_id": wid}) as console,
    ):
        poll = await _open_poll(server, world)
        for s in (phone, projector, console):
            opened = await s.wait_for(lambda e: e["type"] == "poll.opened")
            assert {"op": "reload", "target": "#polls"} in opened["swaps"]
        childcare, housing = (o["id"] for o in poll["options"])
        url = f"{server.url}/api/v1/polls/{poll['id']}/ballots"
        assert (await _call("POST", url, ana, {"choices": {str(childcare): 2}})).status_code == 201
        assert (
            await _call("POST", url, ben, {"choices": {str(childcare): 1, str(housing): 2}})
        ).status_code == 201

        def second_ballot(e: dict[str, Any]) -> bool:
            return e["type"] == "ballot.cast" and e["data"]["ballots"] == 2

        for s in (phone, projector, console):
            event = await s.wait_for(second_ballot)
            assert _swap(event, f"#poll-{poll['id']}-ballots")["text"] == "2"  # type: ignore[index]
            assert _swap(event, f"#poll-{poll['id']}-n-{childcare}")["text"] == "3"  # type: ignore[index]
            assert _swap(event, f"#poll-{poll['id']}-n-{housing}")["text"] == "2"  # type: ignore[index]
            assert _swap(event, f"#poll-{poll['id']}-bars") == {
                "op": "reload",
                "target": f"#poll-{poll['id']}-bars",
            }
        public = await projector.wait_for(second_ballot)
        staff = await console.wait_for(second_ballot)
        # Who voted what stays in the staff room; a public push stays small.
        assert not {"voter", "group", "choices", "participant_id"} & public["data"].keys()
        assert staff["data"]["choices"] == {str(childcare): 1, str(housing): 2}
        assert staff["data"]["group"] == "beneficiary"
        assert len(json.dumps(public).encode()) <= 5 * 1024

        closed = await _call("POST", f"{server.url}/api/v1/polls/{poll['id']}/close", world.api_token)
        assert closed.status_code == 200
        for s in (phone, projector):
            event = await s.wait_for(lambda e: e["type"] == "poll.closed")
            assert {"op": "reload", "target": "#polls"} in event["swaps"]
            assert (event["data"]["ballots"], event["data"]["eligible"]) == (2, 2)
            assert "by_group" not in event["data"]


async def test_hidden_counts_never_reach_public_screens_before_the_close(
    server: ThreadServer, world: World
) -> None:
    _, ana = world.join()
    wid = world.workshop.id
    async with (
        screen(server, {"token": world.workshop.projector_key, "workshop_id": wid}) as projector,
        screen(server, {"token": world.api_token, "workshop_id": wid}) as console,
    ):
        poll = await _open_poll(server, world, hide_results=True)
        option = poll["options"][0]["id"]
        await _call(
            "POST", f"{server.url}/api/v1/polls/{poll['id']}/ballots", ana, {"choices": {str(option): 3}}
        )
        public = await projector.wait_for(lambda e: e["type"] == "ballot.cast")
        staff = await console.wait_for(lambda e: e["type"] == "ballot.cast")
    assert "tally" not in public["data"] and public["data"]["ballots"] == 1
    assert [s["target"] for s in public["swaps"]] == [f"#poll-{poll['id']}-ballots"]
    assert staff["data"]["tally"][str(option)] == {"dots": 3}


async def test_a_draft_vote_is_the_facilitators_until_it_opens(server: ThreadServer, world: World) -> None:
    _, ana = world.join()
    wid = world.workshop.id
    async with (
        screen(server, {"token": ana, "workshop_id": wid}) as phone,
        screen(server, {"token": world.api_token, "workshop_id": wid}) as console,
    ):
        made = await _call(
            "POST",
            f"{server.url}/api/v1/stages/{world.stage_id}/polls",
            world.api_token,
            {"method": "approval", "title": "Secret draft", "options": [{"label": "A"}]},
        )
        assert made.status_code == 201
        public = await phone.wait_for(lambda e: e["type"] == "poll.created")
        staff = await console.wait_for(lambda e: e["type"] == "poll.created")
    assert "data" not in public and staff["data"]["title"] == "Secret draft"


async def test_many_phones_follow_one_vote_and_every_ballot_reaches_them(
    server: ThreadServer, world: World
) -> None:
    voters = [world.join(name=f"P{i}")[1] for i in range(6)]
    wid = world.workshop.id
    async with screen(server, {"token": world.workshop.projector_key, "workshop_id": wid}) as projector:
        poll = await _open_poll(server, world)
        option = str(poll["options"][0]["id"])
        phones = [screen(server, {"token": token, "workshop_id": wid}) for token in voters[:3]]
        async with phones[0] as p0, phones[1] as p1, phones[2] as p2:
            url = f"{server.url}/api/v1/polls/{poll['id']}/ballots"
            answers = await asyncio.gather(*(_call("POST", url, t, {"choices": {option: 1}}) for t in voters))
            assert [a.status_code for a in answers] == [201] * 6
            for s in (projector, p0, p1, p2):
                last = await s.wait_for(lambda e: e["type"] == "ballot.cast" and e["data"]["ballots"] == 6)
                assert last["data"]["tally"][option] == {"dots": 6}
                counts = sorted(e["data"]["ballots"] for e in s.events if e["type"] == "ballot.cast")
                assert counts == [1, 2, 3, 4, 5, 6]  # one push per ballot, each with the tally after it


async def test_a_proposal_too_large_for_a_phone_push_tells_phones_to_refresh(
    server: ThreadServer,
    lab: World,  # noqa: F811
) -> None:
    """Every text field full, the proposal is about 30 KB: phones and the projector get its seq and a
    `refresh` within 5 KB; the console, on the venue's network, gets all of it."""
    _, ana = lab.join(name="Ana")
    long = ("Mentoring für Geflüchtete, begleitet vom Jobcenter und der Handwerkskammer. " * 60)[:3999] + "."
    body = {
        "title": "Peer mentoring",
        "description": long,
        "impact": long,
        "rationale": long,
        "resources": long,
    }
    wid = lab.workshop.id
    async with (
        screen(server, {"token": ana, "workshop_id": wid}) as phone,
        screen(server, {"token": lab.workshop.projector_key, "workshop_id": wid}) as projector,
        screen(server, {"token": lab.api_token, "workshop_id": wid}) as console,
    ):
        made = await _call("POST", f"{server.url}/api/v1/stages/{lab.stage_id}/proposals", ana, body)
        assert made.status_code == 201, made.text
        for room in (phone, projector):
            pushed = await room.wait_for(lambda e: e["type"] == "proposal.drafted")
            assert pushed["swaps"] == [{"op": "refresh"}] and "data" not in pushed
            assert len(wire.dumps(pushed).encode()) <= 5 * 1024
        staff = await console.wait_for(lambda e: e["type"] == "proposal.drafted")
    assert staff["data"]["description"] == long and staff["swaps"][0]["op"] == "append"
    assert pushed["seq"] == staff["seq"]  # the phone's record stays gapless
