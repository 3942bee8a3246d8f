"""Votes under load on a real server: the close is atomic, and retries or double taps count once."""

import asyncio
import random
from typing import Any

import httpx

from cowork.db import read_session
from cowork.domain.votes import polls
from tests.conftest import ThreadServer, World, patient

PARTICIPANTS = 40
ROUNDS = 4  # each participant moves their dots this many times, one ballot after the other


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _open_poll(http: httpx.AsyncClient, world: World, labels: list[str]) -> dict[str, Any]:
    made = await http.post(
        f"/api/v1/stages/{world.stage_id}/polls",
        json={"method": "dots", "budget": 3, "options": [{"label": label} for label in labels]},
        headers=_auth(world.api_token),
    )
    assert made.status_code == 201, made.text
    opened = await http.post(f"/api/v1/polls/{made.json()['id']}/open", headers=_auth(world.api_token))
    assert opened.status_code == 200
    return made.json()


def _client(server: ThreadServer) -> httpx.AsyncClient:
    return patient.AsyncClient(
        base_url=server.url, timeout=60, limits=httpx.Limits(max_connections=PARTICIPANTS + 10)
    )


async def test_a_close_at_a_random_moment_counts_every_acknowledged_ballot_and_refuses_the_rest(
    server: ThreadServer, world: World
) -> None:
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    tokens = [
        world.join(name=f"P{i}", group=rng.choice(["employer", "beneficiary"]))[1]
        for i in range(PARTICIPANTS)
    ]
    async with _client(server) as http:
        poll = await _open_poll(http, world, ["Childcare", "Housing", "Language course"])
        options = [str(o["id"]) for o in poll["options"]]
        acknowledged: dict[int, dict[str, int]] = {}  # participant -> their last acknowledged choices
        answers: list[httpx.Response] = []
        close_after = rng.randrange(PARTICIPANTS // 2, PARTICIPANTS * ROUNDS // 2)
        enough = asyncio.Event()

        async def vote(who: int) -> None:
            for _round in range(ROUNDS):
                choices = {option: 0 for option in options}
                for _dot in range(rng.randint(1, 3)):
                    choices[rng.choice(options)] += 1
                answer = await http.post(
                    f"/api/v1/polls/{poll['id']}/ballots",
                    json={"choices": choices, "client_id": f"p{who}-r{_round}"},
                    headers=_auth(tokens[who]),
                )
                answers.append(answer)
                if answer.status_code in (200, 201):
                    acknowledged[who] = choices
                    if sum(a.status_code < 300 for a in answers) >= close_after:
                        enough.set()

        async def close() -> httpx.Response:
            await enough.wait()
            return await http.post(f"/api/v1/polls/{poll['id']}/close", headers=_auth(world.api_token))

        *_, closed = await asyncio.gather(*(vote(i) for i in range(PARTICIPANTS)), close())

    assert closed.status_code == 200, f"seed {seed}: {closed.text}"
    statuses = sorted({a.status_code for a in answers})
    assert all(a.status_code < 500 for a in answers), f"seed {seed}: {statuses}"
    refused = [a for a in answers if a.status_code >= 400]
    assert refused, f"seed {seed}: the close came after every ballot"
    assert {(a.status_code, a.json()["detail"]) for a in refused} == {(409, "This vote has closed.")}
    result = closed.json()
    assert result["ballots"] == len(acknowledged), f"seed {seed}"
    counted = {row["option_id"]: row["dots"] for row in result["results"]}
    expected = {int(o): sum(c[o] for c in acknowledged.values()) for o in options}
    assert counted == expected, f"seed {seed}"
    assert result["eligible"] == PARTICIPANTS


async def test_twenty_identical_concurrent_ballots_from_one_participant_count_once(
    server: ThreadServer, world: World
) -> None:
    _, ana = world.join(name="Ana")
    async with _client(server) as http:
        poll = await _open_poll(http, world, ["Childcare", "Housing"])
        option = str(poll["options"][0]["id"])
        url = f"/api/v1/polls/{poll['id']}/ballots"
        same_tap = await asyncio.gather(
            *(
                http.post(url, json={"choices": {option: 2}, "client_id": "double-tap"}, headers=_auth(ana))
                for _ in range(20)
            )
        )
        no_client_id = await asyncio.gather(
            *(http.post(url, json={"choices": {option: 3}}, headers=_auth(ana)) for _ in range(20))
        )
        results = await http.get(f"{url.removesuffix('/ballots')}/results", headers=_auth(world.api_token))
        record = await http.get(
            f"/api/v1/workshops/{world.workshop.id}/events", headers=_auth(world.api_token)
        )
    assert sorted(a.status_code for a in same_tap) == [200] * 19 + [201]
    assert {a.json()["id"] for a in same_tap} == {same_tap[0].json()["id"]}
    assert [a.status_code for a in no_client_id] == [200] * 20
    body = results.json()
    assert body["ballots"] == 1
    assert body["results"][0]["dots"] == 3
    cast = [e for e in record.json()["events"] if e["type"] == "ballot.cast"]
    assert len(cast) == 2  # the first tap, and the one change to 3 dots; repeats tell nobody
    with read_session(world.engine) as session:
        assert len(session.exec(polls.select(polls.Ballot)).all()) == 1
