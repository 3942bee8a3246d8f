"""Screens never stay wrong: one that misses a push sees the gap in `seq` and asks for what it missed; one
that loses its connection while the database is away is refused (the server cannot read who it is), tries
again by itself, and once the database is back holds what it missed."""

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, WebSocketRoute, expect

from tests.conftest import PG_URL, ThreadServer, World, migrated_database, patient
from tests.test_browser import PHONE, PROJECTOR, _shot
from tests.test_phone_outbox import FaultyProxy
from tests.test_phone_outbox import behind_proxy as serve_behind_proxy

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(bool(PG_URL), reason="the SQLite file's folder is what goes away here"),
]


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    """The database in a folder of its own, which the test can take away (an unmounted volume)."""
    (tmp_path / "store").mkdir()
    with migrated_database(tmp_path / "store") as url:
        yield url


@pytest.fixture
def behind_proxy(tmp_path: Path, db_url: str) -> Iterator[tuple[ThreadServer, FaultyProxy]]:
    with serve_behind_proxy(tmp_path, db_url, "/nothing-faulty", []) as both:
        yield both


def _until(check, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 30
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def test_a_projector_that_reconnects_while_the_database_is_away_catches_up_once_it_is_back(
    browser: Browser,
    tmp_path: Path,
    behind_proxy: tuple[ThreadServer, FaultyProxy],
    world: World,
) -> None:
    server, proxy = behind_proxy
    _participant, phone = world.join()
    projector = browser.new_context(**PROJECTOR).new_page()
    projector.goto(f"{proxy.url}/s/{world.workshop.projector_key}")
    expect(projector.locator("#connection")).to_have_attribute("data-state", "online")

    proxy.cut_screens()
    expect(projector.locator("#connection")).to_have_attribute("data-state", "offline")
    card = patient.post(
        f"{server.url}/api/v1/stages/{world.stage_id}/contributions",
        json={"text": "Written while the projector was cut off"},
        headers={"Authorization": f"Bearer {phone}"},
    )
    assert card.status_code == 201, card.text

    (tmp_path / "store").rename(tmp_path / "store-away")  # the database's volume is gone
    server.server.config.app.other_asgi_app.state.runtime.engine.dispose()  # no open file to go on with
    before = proxy.screen_sessions
    proxy.screens_held = False
    # Refused (the server cannot read who this screen is), and tried again by the page itself: socket.io's
    # client does not reconnect after a refusal.
    _until(lambda: proxy.screen_sessions >= before + 2, "the projector did not try again")
    expect(projector.locator("#connection")).to_have_attribute("data-state", "offline")

    (tmp_path / "store-away").rename(tmp_path / "store")
    expect(projector.locator("#connection")).to_have_attribute("data-state", "online", timeout=15_000)
    expect(projector.locator(".card", has_text="Written while the projector was cut off")).to_have_count(1)
    _shot(projector, "projector-caught-up-after-database-returned")


class LosesOnePush:
    """Between a page and the server: the first push from the server that mentions `words` never arrives
    (a frame lost on the way); everything else passes."""

    def __init__(self, words: str) -> None:
        self.words, self.lost = words, 0

    def __call__(self, ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def from_server(message: str | bytes) -> None:
            if (
                isinstance(message, str)
                and self.words in message
                and message.startswith("42")
                and not self.lost
            ):
                self.lost += 1
                return
            ws.send(message)

        server.on_message(from_server)


def test_a_projector_and_a_phone_that_miss_a_push_see_the_gap_and_ask_for_it(
    browser: Browser,
    server: ThreadServer,
    world: World,
) -> None:
    _participant, author = world.join(name="Ana")
    projector = browser.new_context(**PROJECTOR).new_page()
    lost_on_projector = LosesOnePush("Lost on the way")
    projector.route_web_socket("**/socket.io/**", lost_on_projector)
    projector.goto(f"{server.url}/s/{world.workshop.projector_key}")
    phone = browser.new_context(**PHONE).new_page()
    lost_on_phone = LosesOnePush("Lost on the way")
    phone.route_web_socket("**/socket.io/**", lost_on_phone)
    phone.goto(f"{server.url}/j/{world.workshop.code}")
    phone.get_by_label("Your name or a nickname").fill("Amira")
    phone.get_by_label("You are here as").select_option("beneficiary")
    phone.get_by_role("button", name="Join the workshop").click()
    screens = [projector, phone]
    for screen in screens:
        expect(screen.locator("#connection")).to_have_attribute("data-state", "online")

    def card(text: str) -> None:
        answer = patient.post(
            f"{server.url}/api/v1/stages/{world.stage_id}/contributions",
            json={"text": text},
            headers={"Authorization": f"Bearer {author}"},
        )
        assert answer.status_code == 201, answer.text

    card("Lost on the way")
    deadline = time.monotonic() + 30
    while not (lost_on_projector.lost and lost_on_phone.lost):
        assert time.monotonic() < deadline, "the push was never sent"
        projector.wait_for_timeout(100)  # Playwright hands frames to the routes only inside its own calls
    card("Sent after it")  # its seq is one past the lost one's: each screen sees the gap and asks
    for screen in screens:
        expect(screen.locator(".card", has_text="Sent after it")).to_have_count(1)
        expect(screen.locator(".card", has_text="Lost on the way")).to_have_count(1)
