"""Live updates over a real socket: every screen follows the session record, and catches up after a drop."""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import httpx
import pytest
import socketio

from cowork.commands import run_command
from cowork.db import read_session
from cowork.domain import workshops
from cowork.live import wire
from cowork.settings import Settings
from cowork.tickets import make_ticket
from tests.conftest import PATIENCE, SECRET, ThreadServer, World, patient


class Screen:
    """A socket.io client that keeps every event it receives (`event`, or coalesced `events`), in order."""

    def __init__(self, http: aiohttp.ClientSession, **client: Any) -> None:
        self.sio = socketio.AsyncClient(reconnection=False, http_session=http, **client)
        self.events: list[dict[str, Any]] = []
        self.frames = 0
        self._arrived = asyncio.Event()

        @self.sio.on("event")
        async def _on_event(event: dict[str, Any]) -> None:
            await _on_events([event])

        @self.sio.on("events")
        async def _on_events(events: list[dict[str, Any]]) -> None:
            self.frames += 1
            self.events.extend(events)
            self._arrived.set()

    async def wait_for(self, predicate: Any, within: float = PATIENCE) -> dict[str, Any]:
        async def _wait() -> dict[str, Any]:
            while True:
                for event in self.events:
                    if predicate(event):
                        return event
                self._arrived.clear()
                await self._arrived.wait()

        return await asyncio.wait_for(_wait(), within)

    def seqs(self) -> list[int]:
        return [e["seq"] for e in self.events]


@asynccontextmanager
async def screen(
    server: ThreadServer, auth: dict[str, Any], client: dict[str, Any] | None = None, **connect: Any
) -> AsyncIterator[Screen]:
    # The screen owns its HTTP session, so a refused handshake leaves nothing open behind it.
    async with aiohttp.ClientSession() as http:
        s = Screen(http, **(client or {}))
        await s.sio.connect(server.url, auth=auth, transports=["websocket"], wait_timeout=PATIENCE, **connect)
        try:
            yield s
        finally:
            await s.sio.disconnect()


def _post_card(server: ThreadServer, token: str, stage_id: int, text: str, **extra: Any) -> dict[str, Any]:
    response = patient.post(
        f"{server.url}/api/v1/stages/{stage_id}/contributions",
        json={"text": text, **extra},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.text
    return response.json()


async def _post(server: ThreadServer, *args: Any, **kw: Any) -> dict[str, Any]:
    return await asyncio.to_thread(_post_card, server, *args, **kw)


async def test_a_card_reaches_every_connected_screen(server: ThreadServer, world: World) -> None:
    _, ana = world.join(name="Ana")
    _, ben = world.join(name="Ben")
    key = world.workshop.projector_key
    wid = world.workshop.id
    async with (
        screen(server, {"token": ben, "workshop_id": wid}) as phone,
        screen(server, {"token": key, "workshop_id": wid}) as projector,
        screen(server, {"token": world.api_token, "workshop_id": wid}) as console,
    ):
        card = await _post(server, ana, world.stage_id, "Childcare during courses", category="need")
        for s in (phone, projector, console):
            event = await s.wait_for(lambda e: e["type"] == "card.added")
            assert event["seq"] == card["seq"]
            assert event["data"]["text"] == "Childcare during courses"
            assert {"seq", "type", "at", "data"} <= event.keys()
            assert len(json.dumps(event).encode()) <= 5 * 1024  # a pushed update stays within 5 KB
            append = next(sw for sw in event["swaps"] if sw["op"] == "append")
            assert append["target"] == f"#col-{world.stage_id}-need"
            assert "Childcare during courses" in append["html"]


async def test_the_pushed_event_has_the_same_shape_as_the_record(server: ThreadServer, world: World) -> None:
    _, ana = world.join()
    async with screen(server, {"token": world.api_token, "workshop_id": world.workshop.id}) as console:
        await _post(server, ana, world.stage_id, "Same shape")
        pushed = await console.wait_for(lambda e: e["type"] == "card.added")
    async with patient.AsyncClient() as http:
        response = await http.get(
            f"{server.url}/api/v1/workshops/{world.workshop.id}/events?since={pushed['seq'] - 1}",
            headers={"Authorization": f"Bearer {world.api_token}"},
        )
    record = response.json()["events"][0]
    assert {k: pushed[k] for k in ("seq", "type", "at", "data")} == record


async def test_hiding_a_card_removes_it_from_public_screens_and_keeps_it_for_staff(
    server: ThreadServer, world: World
) -> None:
    _, ana = world.join()
    wid = world.workshop.id
    async with (
        screen(server, {"token": ana, "workshop_id": wid}) as phone,
        screen(server, {"token": world.api_token, "workshop_id": wid}) as console,
    ):
        card = await _post(server, ana, world.stage_id, "Rude words")
        async with patient.AsyncClient() as http:
            hidden = await http.patch(
                f"{server.url}/api/v1/contributions/{card['id']}",
                json={"hidden": True},
                headers={"Authorization": f"Bearer {world.api_token}"},
            )
            assert hidden.status_code == 200
        public = await phone.wait_for(lambda e: e["type"] == "card.updated")
        staff = await console.wait_for(lambda e: e["type"] == "card.updated")
    assert "text" not in public["data"]
    # Off the board, and a projector showing the board's word cloud or this card full screen draws it again.
    assert public["swaps"] == [
        {"op": "remove", "target": f"#card-{card['id']}"},
        {"op": "reload", "target": f"#word-cloud-{card['stage_id']}"},
        {"op": "reload", "target": f'#stage:has(#spotlight[data-card="{card["id"]}"])'},
    ]
    assert staff["data"]["text"] == "Rude words" and staff["data"]["hidden"] is True
    assert "Rude words" in staff["swaps"][0]["html"]


async def test_a_screen_that_reconnects_gets_what_it_missed_once_and_in_order(
    server: ThreadServer, world: World
) -> None:
    _, ana = world.join()
    wid = world.workshop.id
    async with screen(server, {"token": ana, "workshop_id": wid}) as phone:
        await _post(server, ana, world.stage_id, "before the drop")
        seen = await phone.wait_for(lambda e: e["type"] == "card.added")
    last = seen["seq"]
    missed = [await _post(server, ana, world.stage_id, f"while away {i}") for i in range(3)]
    async with screen(server, {"token": ana, "workshop_id": wid, "since": last}) as phone:
        await phone.wait_for(lambda e: e["seq"] == missed[-1]["seq"])
        await _post(server, ana, world.stage_id, "after the return")
        await phone.wait_for(lambda e: e["data"].get("text") == "after the return")
        assert phone.seqs() == list(range(last + 1, last + 5))


async def test_cards_right_after_another_share_one_frame_and_arrive_once_in_order(
    live_settings: Settings, world: World
) -> None:
    _, ana = world.join()
    wid = world.workshop.id
    # A long interval, so that the cards after the first surely fall within it, even on a busy machine.
    with ThreadServer(live_settings.model_copy(update={"push_interval_ms": 3000})) as server:
        async with (
            screen(server, {"token": ana, "workshop_id": wid}) as phone,
            screen(server, {"token": world.api_token, "workshop_id": wid}) as console,
        ):
            cards = [await _post(server, ana, world.stage_id, f"card {i}") for i in range(4)]
            for s in (phone, console):
                await s.wait_for(lambda e: e["seq"] == cards[-1]["seq"])
                assert s.seqs() == [c["seq"] for c in cards]
                assert s.frames == 2  # the first at once, the other three together


async def test_sync_answers_with_the_events_after_a_seq(server: ThreadServer, world: World) -> None:
    _, ana = world.join()
    await _post(server, ana, world.stage_id, "one")
    async with screen(server, {"token": ana, "workshop_id": world.workshop.id}) as phone:
        answer = await phone.sio.call("sync", {"since": 1}, timeout=5)
        bad = await phone.sio.call("sync", {"since": "x"}, timeout=5)
    assert [e["type"] for e in answer["events"]] == ["participant.joined", "card.added"]
    assert answer["complete"] is True
    assert "since" in bad["error"]


@pytest.mark.parametrize("auth", [None, {}, {"workshop_id": 1}, {"token": "wrong", "workshop_id": 1}])
async def test_a_bad_or_missing_token_is_refused_at_connect(
    server: ThreadServer, world: World, auth: Any
) -> None:
    with pytest.raises(socketio.exceptions.ConnectionError):
        async with screen(server, auth if auth is None else {**auth, "workshop_id": world.workshop.id}):
            pass


async def test_a_token_of_another_workshop_is_refused(server: ThreadServer, world: World) -> None:
    _, ana = world.join()
    with pytest.raises(socketio.exceptions.ConnectionError):
        async with screen(server, {"token": ana, "workshop_id": world.workshop.id + 1}):
            pass


async def test_a_handshake_from_a_foreign_origin_is_refused(server: ThreadServer, world: World) -> None:
    _, ana = world.join()
    with pytest.raises(socketio.exceptions.ConnectionError):
        async with screen(
            server,
            {"token": ana, "workshop_id": world.workshop.id},
            headers={"Origin": "https://evil.example"},
        ):
            pass
    async with screen(
        server, {"token": ana, "workshop_id": world.workshop.id}, headers={"Origin": server.url}
    ):
        pass


async def test_a_participant_joining_updates_the_projector_count(server: ThreadServer, world: World) -> None:
    key = world.workshop.projector_key
    async with screen(server, {"token": key, "workshop_id": world.workshop.id}) as projector:
        for name in ("Ana", "Ben"):
            joined = await asyncio.to_thread(
                httpx.post, f"{server.url}/api/v1/join/{world.workshop.code}", json={"name": name}
            )
            assert joined.status_code == 201
        event = await projector.wait_for(
            lambda e: e["type"] == "participant.joined" and e["data"]["present"] == 2
        )
    assert {"op": "text", "target": "#present-count", "text": "2"} in event["swaps"]


async def test_a_moderating_projector_gets_card_tools_but_never_contact_details(
    server: ThreadServer, world: World
) -> None:
    lab, _ = run_command(
        world.engine,
        workshops.create_workshop,
        actor=world.facilitator,
        title="Regional",
        format_id="regional-workshop",
    )
    stakeholder_stage = next(s for s in lab_stages(world, lab.id) if s["kind"] == "stakeholders")
    screen_ticket = make_ticket(SECRET, user_id=world.facilitator.user_id, screen=True)
    auth = {"Authorization": f"Bearer {world.api_token}"}
    async with (
        screen(server, {"token": screen_ticket, "workshop_id": lab.id}) as projector,
        screen(server, {"token": world.api_token, "workshop_id": lab.id}) as console,
        # 30 s, not httpx's 5: on CI's loaded cores this test's stakeholder POST once took 6 s and succeeded
        patient.AsyncClient(base_url=server.url, headers=auth) as http,
    ):
        moved = await http.post(
            f"/api/v1/workshops/{lab.id}/current-stage", json={"stage_id": stakeholder_stage["id"]}
        )
        assert moved.status_code == 200
        proposed = await http.post(
            f"/api/v1/stages/{stakeholder_stage['id']}/stakeholders",
            json={
                "name": "Jobcenter Leipzig",
                "family": "job_centre",
                "contact": {"person": "Frau Example", "email": "contact@example.org"},
                "consent": True,
            },
        )
        assert proposed.status_code == 201, proposed.text
        on_projector = await projector.wait_for(lambda e: e["type"].startswith("stakeholder"))
        on_console = await console.wait_for(lambda e: e["type"].startswith("stakeholder"))
    assert "contact@example.org" in str(on_console)
    assert "contact@example.org" not in str(on_projector) and "Frau Example" not in str(on_projector)


def lab_stages(world: World, workshop_id: int) -> list[dict[str, Any]]:
    with read_session(world.engine) as session:
        return workshops.describe_workshop(session, actor=world.facilitator, workshop_id=workshop_id)[
            "stages"
        ]


async def test_pushes_carry_text_as_utf8_not_escaped(server: ThreadServer, world: World) -> None:
    """Read off the wire: "für Mütter" travels as itself, not as \\u00fc escapes (6 bytes for each ü)."""
    _, ana = world.join(name="Ana")
    url = f"ws://{server.url.split('://', 1)[1]}/socket.io/?EIO=4&transport=websocket"
    async with aiohttp.ClientSession() as http, http.ws_connect(url, origin=server.url) as ws:
        assert (await ws.receive_str()).startswith("0{")  # Engine.IO open
        await ws.send_str("40" + json.dumps({"token": ana, "workshop_id": world.workshop.id}))
        assert (await ws.receive_str()).startswith("40")  # Socket.IO connected
        await _post(server, ana, world.stage_id, "Kinderbetreuung für Mütter")
        frame = ""
        while "card.added" not in frame:
            frame = await asyncio.wait_for(ws.receive_str(), 5)
    assert "Kinderbetreuung für Mütter" in frame and "\\u00fc" not in frame


async def test_a_card_at_its_length_limit_reaches_phones_within_5_kb_on_the_wire(
    server: ThreadServer, world: World
) -> None:
    _, ana = world.join(name="Ana")
    text = ("Kinderbetreuung während der Sprachkurse für Mütter, Anerkennung der Abschlüsse. " * 30)[
        :1999
    ] + "."
    wid = world.workshop.id
    async with (
        screen(server, {"token": world.api_token, "workshop_id": wid}) as console,
        screen(server, {"token": ana, "workshop_id": wid}) as phone,
        screen(server, {"token": world.workshop.projector_key, "workshop_id": wid}) as projector,
    ):
        await _post(server, ana, world.stage_id, text)
        for room in (phone, projector):
            pushed = await room.wait_for(lambda e: e["type"] == "card.added")
            assert pushed["data"]["text"] == text
            assert len(wire.dumps(pushed, separators=(",", ":")).encode()) <= 5 * 1024
        # The console's push also carries the moderation tools; the edit box comes empty, so the text is in
        # it twice (the record and the card, there with the console's soft hyphens), not three times.
        staff = wire.dumps(await console.wait_for(lambda e: e["type"] == "card.added"))
        assert staff.count(text) == 1 and staff.replace("\u00ad", "").count(text) == 2


def _applied(seqs: list[int], since: int) -> list[int]:
    """What a phone applies (static/cowork.js): each seq after its last one; repeats are dropped."""
    applied: list[int] = []
    for seq in seqs:
        if seq > (applied[-1] if applied else since):
            applied.append(seq)
    return applied


async def test_a_phone_reconnecting_during_a_join_storm_gets_every_event_once_in_seq_order(
    server: ThreadServer, world: World
) -> None:
    """Its catch-up (from what the server pushed lately, or from the record) and the live pushes of the
    joins still going on meet without a gap: applied as the phone does, every seq once, in order."""
    _, ana = world.join()
    wid, url = world.workshop.id, f"{server.url}/api/v1/join/{world.workshop.code}"

    def join(i: int) -> None:
        assert patient.post(url, json={"name": f"Phone {i}"}).status_code == 201

    async with screen(server, {"token": ana, "workshop_id": wid}) as neighbour:  # the room is never empty
        await asyncio.gather(*(asyncio.to_thread(join, i) for i in range(10)))
        # Every join is in the record before this card (a present count read in concurrent transactions
        # on PostgreSQL may repeat, so the seq, not the count, tells that the joins are through).
        marker = await _post(server, ana, world.stage_id, "before the storm")
        await neighbour.wait_for(lambda e: e["seq"] == marker["seq"])
        since = marker["seq"] - 5  # its page showed the record five events ago
        storm = asyncio.gather(*(asyncio.to_thread(join, i) for i in range(10, 30)))
        async with screen(server, {"token": ana, "workshop_id": wid, "since": since}) as phone:
            await storm
            last = await _post(server, ana, world.stage_id, "after the storm")
            await phone.wait_for(lambda e: e["seq"] == last["seq"])
            assert _applied(phone.seqs(), since) == list(range(since + 1, last["seq"] + 1))
            joined = {e["seq"] for e in phone.events if e["type"] == "participant.joined"}
            assert len({seq for seq in joined if seq > marker["seq"]}) == 20  # the storm's joins, each once

    # A phone whose page is older than anything the server pushed since it started: from the record.
    async with screen(server, {"token": ana, "workshop_id": wid, "since": 0}) as old_page:
        await old_page.wait_for(lambda e: e["seq"] == last["seq"])
        assert _applied(old_page.seqs(), 0) == list(range(1, last["seq"] + 1))


async def test_a_phone_connecting_after_a_card_was_erased_never_gets_its_words(
    server: ThreadServer, world: World
) -> None:
    """The words were pushed before the erase; catch-up must not send them again from memory."""
    _, ana = world.join()
    wid, code = world.workshop.id, world.workshop.code
    async with screen(server, {"token": ana, "workshop_id": wid}) as neighbour:
        before = await _post(server, ana, world.stage_id, "a harmless first card")
        card = await _post(server, ana, world.stage_id, "words to take back")
        await neighbour.wait_for(lambda e: e["seq"] == card["seq"])

        def erase() -> int:
            with patient.Client(base_url=server.url, cookies={f"cowork_p_{wid}": ana}) as phone:
                return phone.post(
                    f"/j/{code}/cards/{card['id']}/erase", headers={"Origin": server.url}
                ).status_code

        assert await asyncio.to_thread(erase) == 303
        erased = await neighbour.wait_for(lambda e: e["type"] == "card.erased")
        async with screen(server, {"token": ana, "workshop_id": wid, "since": before["seq"]}) as late:
            await late.wait_for(lambda e: e["seq"] == erased["seq"])
            assert "words to take back" not in json.dumps(late.events)
            assert _applied(late.seqs(), before["seq"]) == list(range(before["seq"] + 1, erased["seq"] + 1))
