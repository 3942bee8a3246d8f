"""The stage page a room's phones share (web/pages/phone_pages.py): loaded once for the phones that join at
once, yet never older than the record, never with erased words, never with another phone's own things."""

import re
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from cowork.db import read_session
from cowork.domain import retention, workshops
from cowork.domain.board import cards as board_cards
from cowork.domain.program.sample import create_sample_workshop
from cowork.web.pages import phone_pages
from tests.conftest import World, run, runtime_of

FETCH = {"X-Cowork-Fetch": "1", "Accept": "application/json"}
Phones = Callable[..., Any]


@pytest.fixture(autouse=True)
def still_clock(client: httpx.AsyncClient) -> None:
    """A room's page is loaded at a stage's second page within MAX_AGE of the first: on a loaded machine two
    requests may be further apart than that, so the pages' clock stands still unless a test moves it."""
    runtime_of(client._transport.app).phone_pages.clock = lambda: 100.0  # type: ignore[attr-defined]


@pytest.fixture
async def phones(client: httpx.AsyncClient) -> AsyncIterator[Phones]:
    """New phones on the same app, each with its own cookies."""
    async with AsyncExitStack() as stack:

        async def phone(world: World, name: str, language: str = "en") -> httpx.AsyncClient:
            one = await stack.enter_async_context(
                httpx.AsyncClient(transport=client._transport, base_url="http://testserver")
            )
            joined = await one.post(f"/j/{world.workshop.code}", data={"name": name, "language": language})
            assert joined.status_code == 200
            return one

        yield phone


async def page(phone: httpx.AsyncClient, world: World) -> str:
    answer = await phone.get(f"/j/{world.workshop.code}/stage")
    assert answer.status_code == 200
    return answer.text


async def card(phone: httpx.AsyncClient, world: World, text: str) -> int:
    sent = await phone.post(
        f"/j/{world.workshop.code}/cards", data={"stage_id": str(world.stage_id), "text": text}, headers=FETCH
    )
    assert sent.status_code == 201
    return sent.json()["id"]


def shared_loads(client: httpx.AsyncClient) -> int:
    return len(runtime_of(client._transport.app).phone_pages._shared)  # type: ignore[attr-defined]


async def test_phones_that_join_after_a_card_see_it(
    client: httpx.AsyncClient, world: World, phones: Phones
) -> None:
    first, second = await phones(world, "Ana"), await phones(world, "Ben")
    await page(first, world)
    await page(second, world)  # the second page of the stage loads the room's page
    assert shared_loads(client) == 1
    late = await phones(world, "Cleo")
    assert "Housing near the job centre" not in await page(late, world)
    await card(first, world, "Housing near the job centre")
    later = await phones(world, "Dan")
    assert "Housing near the job centre" in await page(later, world)
    assert "Housing near the job centre" in await page(late, world)


async def test_an_erased_card_never_comes_back_from_the_room_page(
    client: httpx.AsyncClient, world: World, phones: Phones
) -> None:
    author = await phones(world, "Ana")
    card_id = await card(author, world, "Words to take back")
    for name in ("Ben", "Cleo"):
        assert "Words to take back" in await page(await phones(world, name), world)
    fresh = await phones(world, "Dan")
    assert "Words to take back" in await page(fresh, world)  # from the room's page
    erased = await author.post(f"/j/{world.workshop.code}/cards/{card_id}/erase")
    assert erased.status_code == 303
    for phone in (fresh, await phones(world, "Eve"), await phones(world, "Finn"), author):
        assert "Words to take back" not in await page(phone, world)


async def test_a_phones_own_waiting_card_and_name_stay_on_its_own_page(
    client: httpx.AsyncClient, world: World, phones: Phones
) -> None:
    run(
        world.engine,
        board_cards.set_approval,
        actor=world.facilitator,
        stage_id=world.stage_id,
        approval=True,
    )
    author, first = await phones(world, "Ana"), await phones(world, "Ben")
    await card(author, world, "Waiting for the facilitator")
    await page(first, world)
    mine = await page(author, world)  # the second page of the stage: the room's page is loaded now
    assert "Waiting for the facilitator" in mine and "Ana" in mine
    assert shared_loads(client) == 1
    for name in ("Cleo", "Dan", "Eve"):
        text = await page(await phones(world, name), world)
        assert "Waiting for the facilitator" not in text
        assert name in text and "Ana" not in text
    assert "Waiting for the facilitator" in await page(author, world)


async def test_a_load_again_for_the_clock_still_serves_the_phones_that_joined_after_the_first(
    client: httpx.AsyncClient, world: World, phones: Phones, monkeypatch: pytest.MonkeyPatch
) -> None:
    room = runtime_of(client._transport.app).phone_pages  # type: ignore[attr-defined]
    now = [100.0]
    room.clock = lambda: now[0]
    loaded_for: list[int | None] = []
    own_context = phone_pages.own_context

    def counted(session: Any, workshop: Any, participant: Any) -> Any:
        loaded_for.append(participant.id)
        return own_context(session, workshop, participant)

    monkeypatch.setattr(phone_pages, "own_context", counted)
    for name in ("Ana", "Ben"):
        await page(await phones(world, name), world)
    late = [await phones(world, name) for name in ("Cleo", "Dan")]
    now[0] += phone_pages.MAX_AGE + 1
    loaded_for.clear()
    for phone in late:
        await page(phone, world)
    assert loaded_for == [phone_pages.NOBODY]  # loaded again once for the room, for no phone alone


async def test_every_stage_of_the_sample_workshop_from_the_room_load_is_the_phones_own_page(
    client: httpx.AsyncClient, world: World, phones: Phones, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The room's load is the page of a participant with nothing of their own, on every kind of stage."""
    sample = run(world.engine, create_sample_workshop, actor=world.facilitator, language="en")
    room = World(world.engine, world.facilitator, world.api_token, sample)
    pages = runtime_of(client._transport.app).phone_pages  # type: ignore[attr-defined]
    first, second = await phones(room, "Ana"), await phones(room, "Ben")
    with read_session(world.engine) as session:
        stage_ids = [stage.id for stage in workshops.stages_of(session, workshop_id=sample.id)]
    for stage_id in stage_ids:
        run(
            world.engine,
            workshops.set_current_stage,
            actor=world.facilitator,
            workshop_id=sample.id,
            stage_id=stage_id,
        )
        await page(first, room)
        await page(second, room)  # the room's page is loaded
        fresh = await phones(room, "Cleo")
        shared = await page(fresh, room)
        with monkeypatch.context() as patch:
            patch.setattr(pages, "_shared", {})
            patch.setattr(pages, "_asked_again", lambda key: False)
            own = await page(fresh, room)  # the same phone's page, loaded for it alone
        assert _clockless(shared) == _clockless(own), stage_id


def _clockless(html: str) -> str:
    """A page without what moves with the clock (the server's time, the agenda's elapsed seconds) and the
    forms' new client ids."""
    html = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", "", html)
    html = re.sub(r'value="[0-9a-f]{32}"', "", html)
    return re.sub(r'data-elapsed[^=]*="[^"]*"', "", html)


async def test_the_timer_of_a_page_from_the_room_load_has_the_time_of_that_page(
    client: httpx.AsyncClient, world: World, phones: Phones, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("Ana", "Ben"):
        await page(await phones(world, name), world)
    later = datetime(2031, 5, 4, 3, 2, 1, tzinfo=UTC)
    monkeypatch.setattr(phone_pages, "utcnow", lambda: later)
    assert 'data-server-now="2031-05-04T03:02:01.000Z"' in await page(await phones(world, "Cleo"), world)


async def test_the_join_page_of_a_deleted_workshop_is_gone_within_seconds(
    client: httpx.AsyncClient, world: World
) -> None:
    codes = runtime_of(client._transport.app).join_codes  # type: ignore[attr-defined]
    now = [0.0]
    codes.clock = lambda: now[0]
    assert (await client.get(f"/j/{world.workshop.code}")).status_code == 200
    run(world.engine, retention.delete_workshop, actor=world.facilitator, workshop_id=world.workshop.id)
    refused = await client.post(f"/j/{world.workshop.code}", data={"name": "Late"})
    assert refused.status_code == 404  # the join reads the workshop afresh
    now[0] += phone_pages.MAX_AGE + 0.1
    gone = await client.get(f"/j/{world.workshop.code}")
    assert gone.status_code == 404 and "No workshop has this code" in gone.text


async def test_phones_served_the_rooms_rendered_stage_each_get_their_own_ids(
    client: httpx.AsyncClient, world: World, phones: Phones
) -> None:
    """The stage's part is rendered once for the room's load; each page fills in its own participant's id
    (the list its own pushes fill) and new client ids for its forms."""
    for name in ("Ana", "Ben"):
        await page(await phones(world, name), world)
    cleo, dee = await page(await phones(world, "Cleo"), world), await page(await phones(world, "Dee"), world)
    pages = runtime_of(client._transport.app).phone_pages  # type: ignore[attr-defined]
    assert [shared.body is not None for shared in pages._shared.values()] == [True]
    own = [re.findall(r'id="pending-\d+-(\d+)"', html) for html in (cleo, dee)]
    assert len(own[0]) == 1 and len(own[1]) == 1 and own[0] != own[1]
    client_ids = [set(re.findall(r'name="client_id" value="([0-9a-f]{32})"', html)) for html in (cleo, dee)]
    assert client_ids[0] and client_ids[1] and not client_ids[0] & client_ids[1]
    assert "\x00" not in cleo + dee


async def test_the_join_page_rendered_once_is_each_phones_in_its_own_language(
    client: httpx.AsyncClient, world: World
) -> None:
    """The join page of a phone that has not joined is kept per language: a German phone after an English
    one gets the German page, and the kept pages are what a fresh render gives."""
    code = world.workshop.code
    english = [await client.get(f"/j/{code}", headers={"Accept-Language": "en"}) for _ in range(2)]
    german = [await client.get(f"/j/{code}", headers={"Accept-Language": "de"}) for _ in range(2)]
    assert [r.status_code for r in english + german] == [200] * 4
    assert english[0].text == english[1].text and german[0].text == german[1].text
    assert '<html lang="en">' in english[0].text and "Join the workshop" in english[0].text
    assert '<html lang="de">' in german[0].text and "Join the workshop" not in german[0].text
    assert english[0].headers["content-type"] == "text/html; charset=utf-8"
    assert "content-security-policy" in english[1].headers  # the kept page passes the same layers
    codes = runtime_of(client._transport.app).join_codes  # type: ignore[attr-defined]
    codes.clock = lambda: 1e9  # the kept workshop and its pages have expired: rendered afresh
    assert (await client.get(f"/j/{code}", headers={"Accept-Language": "de"})).text == german[0].text


async def test_the_rooms_whole_page_carries_each_phones_own_name_seq_and_language(
    client: httpx.AsyncClient, world: World, phones: Phones
) -> None:
    """The room's page shell is rendered once per load (a load is of one language); each page fills in its
    own participant's name (escaped, or "Guest" in the page's language) and the record's seq it was
    loaded at."""
    for name, language in (("Ana", "en"), ("Ben", "en"), ("Eva", "de"), ("Fritz", "de")):
        await page(await phones(world, name, language), world)
    marked = await page(await phones(world, "<b>Dee & co</b>"), world)
    nameless = await page(await phones(world, "", "de"), world)
    pages = runtime_of(client._transport.app).phone_pages  # type: ignore[attr-defined]
    assert sorted(sorted(shared.pages) for shared in pages._shared.values()) == [["de"], ["en"]]
    assert '<span class="topbar-name">&lt;b&gt;Dee &amp; co&lt;/b&gt;</span>' in marked
    assert '<span class="topbar-name">Gast</span>' in nameless and '<html lang="de">' in nameless
    seqs = [int(re.findall(r'data-last-seq="(\d+)"', html)[0]) for html in (marked, nameless)]
    assert seqs[1] > seqs[0]  # the nameless phone joined later: its page knows the later seq
    assert "\x00" not in marked + nameless
