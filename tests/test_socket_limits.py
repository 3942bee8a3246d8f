"""What a screen may send over its sockets: a budget of messages per participant (not per socket), a budget
of connects per participant, and a size limit per message. Over a real socket against a running server."""

import asyncio

import aiohttp
import socketio

from cowork.web.throttle import Throttle
from tests.conftest import PATIENCE, ThreadServer, World
from tests.test_live import screen

BUDGET = Throttle.messages_per_screen.amount


async def test_a_phone_gets_no_more_requests_by_opening_more_sockets(
    server: ThreadServer, world: World
) -> None:
    _, ana = world.join(name="Ana")
    _, ben = world.join(name="Ben")
    wid = world.workshop.id
    async with (
        screen(server, {"token": ana, "workshop_id": wid}) as first,
        screen(server, {"token": ana, "workshop_id": wid}) as second,
        screen(server, {"token": ben, "workshop_id": wid}) as other,
    ):
        answers = [await s.sio.call("sync", {"since": 0}) for s in [first, second] * (BUDGET // 2 + 1)]
        assert all("events" in answer for answer in answers[:BUDGET])
        assert answers[BUDGET:] == [{"error": "too many sync requests; wait a moment"}] * 2
        # Another participant's budget is their own.
        assert "events" in await other.sio.call("sync", {"since": 0})


async def test_events_screens_never_send_are_answered_and_counted(server: ThreadServer, world: World) -> None:
    _, ana = world.join()
    async with screen(server, {"token": ana, "workshop_id": world.workshop.id}) as phone:
        answers = [await phone.sio.call("card.add", {"text": "x"}) for _ in range(BUDGET)]
        assert answers == [{"error": "unknown event"}] * BUDGET
        assert (await phone.sio.call("sync", {"since": 0})) == {
            "error": "too many sync requests; wait a moment"
        }


async def test_a_message_over_16_kb_closes_that_socket_and_others_go_on(
    server: ThreadServer, world: World
) -> None:
    _, ana = world.join(name="Ana")
    _, ben = world.join(name="Ben")
    wid = world.workshop.id
    async with (
        screen(server, {"token": ana, "workshop_id": wid}) as flooding,
        screen(server, {"token": ben, "workshop_id": wid}) as other,
    ):
        await flooding.sio.emit("sync", {"since": 0, "padding": "x" * 20_000})
        for _ in range(50):
            if not flooding.sio.connected:
                break
            await asyncio.sleep(0.1)
        assert not flooding.sio.connected
        assert "events" in await other.sio.call("sync", {"since": 0})


async def test_a_phone_that_keeps_reconnecting_is_refused_for_a_while(
    server: ThreadServer, world: World
) -> None:
    _, ana = world.join(name="Ana")
    _, ben = world.join(name="Ben")
    wid = world.workshop.id
    budget = Throttle.connects_per_participant.amount

    async def connect(token: str) -> bool:
        async with aiohttp.ClientSession() as http:
            client = socketio.AsyncClient(reconnection=False, http_session=http)
            reasons: list[str] = []
            client.on("connect_error", lambda data: reasons.append(str(data)))
            try:
                await client.connect(
                    server.url,
                    auth={"token": token, "workshop_id": wid},
                    transports=["websocket"],
                    wait_timeout=PATIENCE,
                )
            except socketio.exceptions.ConnectionError:
                assert "Too many connections from this phone" in reasons[0]
                return False
            await client.disconnect()
            return True

    assert [await connect(ana) for _ in range(budget + 1)] == [True] * budget + [False]
    assert await connect(ben)  # other phones on the same Wi-Fi still connect
