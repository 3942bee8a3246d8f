"""A phone's socket after its stage page needs no read of its token (live/arrivals.py), yet a purge or a
deletion still closes the workshop to that token at once."""

import asyncio
from typing import Any

import pytest
import socketio

from cowork.domain.access import Viewer
from cowork.live.arrivals import Arrivals
from cowork.live.hub import PARTICIPANT_COOKIE
from cowork.tickets import make_ticket
from tests.conftest import PATIENCE, SECRET, ThreadServer, World, patient
from tests.test_live import screen

ANA = Viewer(workshop_id=1, staff=False, language="de", participant_id=7)


def test_a_served_page_opens_its_socket_once_within_its_time_and_workshop() -> None:
    now = [0.0]
    arrivals = Arrivals(max_age=5, clock=lambda: now[0])
    arrivals.expect("token-a", ANA)
    assert arrivals.take("token-a", workshop_id=2) is None  # another workshop: read (and refused) instead
    arrivals.expect("token-a", ANA)
    assert arrivals.take("token-a", workshop_id=1) == ANA
    assert arrivals.take("token-a", workshop_id=1) is None  # once: a reconnect reads its token again
    arrivals.expect("token-a", ANA)
    now[0] = 5.1
    assert arrivals.take("token-a", workshop_id=1) is None


def test_a_forgotten_workshop_opens_no_socket_from_its_pages() -> None:
    arrivals = Arrivals()
    arrivals.expect("token-a", ANA)
    arrivals.expect("token-b", Viewer(workshop_id=2, staff=False, language="en", participant_id=8))
    arrivals.forget(1)
    assert arrivals.take("token-a", workshop_id=1) is None
    assert arrivals.take("token-b", workshop_id=2) is not None


def _page(server: ThreadServer, world: World, token: str) -> None:
    cookie = {PARTICIPANT_COOKIE.format(workshop_id=world.workshop.id): token}
    with patient.Client(base_url=server.url, cookies=cookie) as phone:
        assert phone.get(f"/j/{world.workshop.code}/stage").status_code == 200


def _as_facilitator(server: ThreadServer, path: str) -> int:
    with patient.Client(base_url=server.url, headers={"Origin": server.url}) as staff:
        login = {"email": "fac@example.org", "password": "correct horse battery"}
        assert staff.post("/login", data=login).status_code == 303
        return staff.post(path, data={"confirm": "yes"}).status_code


@pytest.mark.parametrize("ending", ["purge", "delete"])
async def test_a_socket_after_its_page_is_refused_once_a_purge_or_deletion_ended_the_token(
    server: ThreadServer, world: World, ending: str
) -> None:
    _, ana = world.join(name="Ana")
    _, ben = world.join(name="Ben")
    wid = world.workshop.id
    await asyncio.to_thread(_page, server, world, ben)
    async with screen(server, {"token": ben, "workshop_id": wid}):
        pass  # the page's arrival opened it
    await asyncio.to_thread(_page, server, world, ana)
    assert await asyncio.to_thread(_as_facilitator, server, f"/f/w/{wid}/{ending}") == 303
    with pytest.raises(socketio.exceptions.ConnectionError):
        async with screen(server, {"token": ana, "workshop_id": wid}):
            pass


async def _closed(screen_: Any, within: float = PATIENCE) -> bool:
    """Whether the server ended this socket within `within` seconds."""
    for _ in range(int(within / 0.05)):
        if not screen_.sio.connected:
            return True
        await asyncio.sleep(0.05)
    return False


async def test_a_deleted_workshops_sockets_are_ended_phones_and_screens_alike(
    server: ThreadServer, world: World
) -> None:
    # On SQLite the next workshop may get the deleted one's id: a socket left in its rooms would hear it.
    _, ana = world.join(name="Ana")
    wid = world.workshop.id
    staff = make_ticket(SECRET, user_id=world.facilitator.user_id)
    projector = make_ticket(SECRET, user_id=world.facilitator.user_id, screen=True)
    async with (
        screen(server, {"token": ana, "workshop_id": wid}) as phone,
        screen(server, {"token": staff, "workshop_id": wid}) as console,
        screen(server, {"token": projector, "workshop_id": wid}) as wall,
    ):
        assert phone.sio.connected and console.sio.connected and wall.sio.connected
        assert await asyncio.to_thread(_as_facilitator, server, f"/f/w/{wid}/delete") == 303
        assert await _closed(phone) and await _closed(console) and await _closed(wall)
    with pytest.raises(socketio.exceptions.ConnectionError):
        async with screen(server, {"token": ana, "workshop_id": wid}):
            pass
