"""The phone's outbox in Chromium: a card is kept through offline spells, 503s and 502s, sent again with
backoff, and stored exactly once; a card the server refuses for good comes back to its author with why."""

import asyncio
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from cowork.settings import Settings
from tests.conftest import SECRET, ThreadServer, World, free_port, patient
from tests.test_browser import _join_on_phone, _projector, _shot
from tests.votes.test_polls_browser import _open_dot_vote

pytestmark = pytest.mark.browser

PHONE_390 = {"viewport": {"width": 390, "height": 844}}


def _outbox(phone: Page) -> list[dict]:
    return phone.evaluate(
        "() => Object.keys(localStorage).filter(k => k.startsWith('cowork-outbox:'))"
        ".flatMap(k => JSON.parse(localStorage.getItem(k)))"
    )


def _stored(server: ThreadServer, world: World, text: str) -> int:
    answer = patient.get(
        f"{server.url}/api/v1/stages/{world.stage_id}/contributions",
        headers={"Authorization": f"Bearer {world.api_token}"},
    )
    return [card["text"] for card in answer.json()["items"]].count(text)


def _one_dot_sent_again_and_counted_once(
    phone: Page, server: ThreadServer, world: World, ballots: "FlakyServer"
) -> None:
    """A dot whose first answer `ballots` spoils: the phone says it waits, sends it again with the same client
    id, shows it as used, and the closed poll counts one ballot."""
    poll = _open_dot_vote(server, world)
    phone.route("**/polls/*/ballot", ballots)
    phone.get_by_role("button", name="One dot more for Childcare").click()
    expect(phone.locator(".ballot .form-message")).to_contain_text("will be sent as soon as it can")
    # Sent again and answered (the count moved at the tap already): the page shows it as used.
    expect(phone.locator(".ballot .form-message")).to_contain_text("Your vote is saved")
    expect(phone.locator(".dots-left")).to_have_text("Dots used: 1 of 3")
    assert len(ballots.client_ids) == 2 and len(set(ballots.client_ids)) == 1
    staff = {"Authorization": f"Bearer {world.api_token}"}
    closed = patient.post(f"{server.url}/api/v1/polls/{poll['id']}/close", headers=staff).json()
    assert closed["ballots"] == 1 and [row["dots"] for row in closed["results"]] == [1]


class FlakyServer:
    """What a phone meets in front of a struggling server: the answers of `plan`, one per post, then the
    real server. "lost" forwards the post (it is stored) and answers 502, as a proxy that lost the answer."""

    def __init__(self, plan: list[str]) -> None:
        self.plan = plan
        self.client_ids: list[str] = []

    def __call__(self, route: Route) -> None:
        self.client_ids.append(parse_qs(route.request.post_data or "")["client_id"][0])
        step = self.plan.pop(0) if self.plan else "pass"
        if step == "503":
            detail = "The server cannot reach its database right now."
            route.fulfill(
                status=503,
                headers={"Retry-After": "1"},
                content_type="application/json",
                body=json.dumps({"detail": detail}),
            )
        elif step == "404":  # a proxy whose route is gone while cowork restarts (Traefik answers so)
            route.fulfill(status=404, content_type="text/plain", body="404 page not found")
        elif step == "lost":
            route.fetch()  # the server stores it; its answer never reaches the phone
            route.fulfill(status=502, content_type="text/html", body="<h1>502 Bad Gateway</h1>")
        else:
            route.continue_()


def test_a_card_typed_offline_waits_through_503_and_502_and_is_stored_exactly_once(
    browser: Browser,
    server: ThreadServer,
    world: World,
) -> None:
    projector = _projector(browser, server, world)
    phone = _join_on_phone(browser, server, world)
    phone.set_viewport_size(PHONE_390["viewport"])
    phone.context.set_offline(True)
    phone.get_by_label("Your card").fill("Written in the basement")
    phone.get_by_role("button", name="Send card").click()
    expect(phone.locator(".form-message")).to_contain_text("will be sent when the connection is back")
    flaky = FlakyServer(["503", "lost"])
    phone.route("**/j/*/cards", flaky)
    phone.context.set_offline(False)  # online again, while the server is not ready

    expect(phone.locator(".form-message")).to_have_text("Waiting to send (1)")
    _shot(phone, "phone-outbox-waiting")
    assert [item["fields"]["text"] for item in _outbox(phone)] == ["Written in the basement"]

    expect(projector.locator(".card", has_text="Written in the basement")).to_have_count(1)
    expect(phone.locator(".form-message")).to_have_text("Sent.")
    assert _outbox(phone) == []
    # The same card three times (and once more before, while the phone had no connection).
    assert len(flaky.client_ids) == 3 and len(set(flaky.client_ids)) == 1
    assert _stored(server, world, "Written in the basement") == 1
    phone.reload()
    expect(phone.locator(".card", has_text="Written in the basement")).to_have_count(1)


def test_a_card_answered_503_while_online_is_kept_and_sent_by_itself(
    browser: Browser,
    server: ThreadServer,
    world: World,
) -> None:
    phone = _join_on_phone(browser, server, world)
    phone.route("**/j/*/cards", FlakyServer(["503"]))
    phone.get_by_label("Your card").fill("Sent during a restart")
    phone.get_by_role("button", name="Send card").click()
    expect(phone.locator(".form-message")).to_contain_text(
        "Your card is kept and will be sent as soon as it can"
    )
    expect(phone.get_by_label("Your card")).to_have_value("")  # it is in the outbox now, not in the box
    expect(phone.locator(".form-message")).to_have_text("Sent.")
    expect(phone.locator(".card", has_text="Sent during a restart")).to_have_count(1)
    assert _stored(server, world, "Sent during a restart") == 1


def test_a_card_refused_for_good_leaves_the_outbox_and_comes_back_with_the_reason(
    browser: Browser,
    server: ThreadServer,
    world: World,
) -> None:
    phone = _join_on_phone(browser, server, world)
    phone.context.set_offline(True)
    phone.get_by_label("Your card").evaluate("el => el.removeAttribute('maxlength')")
    phone.get_by_label("Your card").fill("x" * 2100)
    phone.get_by_role("button", name="Send card").click()
    expect(phone.locator(".form-message")).to_contain_text("will be sent when the connection is back")
    expect(phone.get_by_label("Your card")).to_have_value("")
    phone.context.set_offline(False)
    expect(phone.locator(".form-message .message-error")).to_contain_text("The card is too long")
    expect(phone.get_by_label("Your card")).to_have_value("x" * 2100)  # back for editing
    assert _outbox(phone) == []


def test_a_proxy_page_instead_of_json_still_tells_the_phone_something(
    browser: Browser,
    server: ThreadServer,
    world: World,
) -> None:
    phone = _join_on_phone(browser, server, world)
    phone.route(
        "**/j/*/cards",
        lambda route: route.fulfill(
            status=413, content_type="text/html", body="<p>Request Entity Too Large</p>"
        ),
    )
    phone.get_by_label("Your card").fill("A long story")
    phone.get_by_role("button", name="Send card").click()
    expect(phone.locator(".form-message .message-error")).to_have_text("Request Entity Too Large")
    expect(phone.get_by_label("Your card")).to_have_value("A long story")


def test_a_vote_whose_answer_a_proxy_lost_is_sent_again_and_counted_once(
    browser: Browser,
    server: ThreadServer,
    world: World,
) -> None:
    phone = _join_on_phone(browser, server, world)
    _one_dot_sent_again_and_counted_once(phone, server, world, FlakyServer(["lost"]))


def test_a_proxys_404_page_is_no_refusal_the_card_and_the_vote_wait_and_go_once(
    browser: Browser,
    server: ThreadServer,
    world: World,
) -> None:
    phone = _join_on_phone(browser, server, world)
    phone.context.set_offline(True)
    phone.get_by_label("Your card").fill("Sent while the route was gone")
    phone.get_by_role("button", name="Send card").click()
    cards = FlakyServer(["404", "404"])
    phone.route("**/j/*/cards", cards)
    phone.context.set_offline(False)
    expect(phone.locator(".form-message")).to_have_text("Waiting to send (1)")
    expect(phone.locator(".form-message")).to_have_text("Sent.")
    assert len(cards.client_ids) == 3 and len(set(cards.client_ids)) == 1
    assert _stored(server, world, "Sent while the route was gone") == 1
    expect(phone.get_by_label("Your card")).to_have_value("")  # not given back: it was sent

    _one_dot_sent_again_and_counted_once(phone, server, world, FlakyServer(["404"]))


def test_a_card_still_waiting_when_the_tab_is_closed_is_sent_by_the_reopened_page(
    browser: Browser,
    server: ThreadServer,
    world: World,
) -> None:
    phone = _join_on_phone(browser, server, world)
    address = phone.url
    phone.route("**/j/*/cards", FlakyServer(["503"] * 1000))  # the server stays busy for this tab
    phone.get_by_label("Your card").fill("Kept across a closed tab")
    phone.get_by_role("button", name="Send card").click()
    expect(phone.locator(".form-message")).to_contain_text("will be sent as soon as it can")
    assert [item["fields"]["text"] for item in _outbox(phone)] == ["Kept across a closed tab"]
    phone.close()

    again = phone.context.new_page()  # the same phone, a new tab: its outbox is still there
    again.goto(address)
    expect(again.locator(".form-message")).to_have_text("Sent.")
    expect(again.locator(".card", has_text="Kept across a closed tab")).to_have_count(1)
    assert _outbox(again) == []
    assert _stored(server, world, "Kept across a closed tab") == 1


class FaultyProxy:
    """A tiny reverse proxy in the test process, in front of the real server: the first posts that match
    `path_part` get the answers of `plan` ("503": busy, with Retry-After; "502": a bad gateway page), then
    every request passes through. One request per connection (it answers with `Connection: close`), and an
    upgrade (the socket's websocket) is piped both ways as it is."""

    def __init__(self, upstream_port: int, path_part: str, plan: list[str]) -> None:
        self.upstream_port = upstream_port
        self.path_part = path_part.encode()
        self.plan = plan
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.faults_answered: list[bytes] = []
        self.posts_passed: list[bytes] = []
        self.screens_held = False  # while True every socket.io request is dropped: screens are cut off
        self.screen_sessions = 0  # new socket.io sessions let through (a request without a sid)
        self.writers: set[asyncio.StreamWriter] = set()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> "FaultyProxy":
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()

    def cut_screens(self) -> None:
        """Drop every connection (the screens' sockets with them) and let no socket.io request through."""
        self.screens_held = True
        self.loop.call_soon_threadsafe(lambda: [writer.close() for writer in list(self.writers)])

    async def _start(self) -> None:
        self.listener = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def _stop(self) -> None:
        self.listener.close()
        for writer in self.writers:
            writer.close()
        tasks = asyncio.all_tasks(self.loop) - {asyncio.current_task()}
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.listener.wait_closed()

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        self.writers.add(client_w)
        try:
            head = await client_r.readuntil(b"\r\n\r\n")
            lines = head.split(b"\r\n")
            method, path, _version = lines[0].split(b" ", 2)
            fields = {
                name.strip().lower(): value.strip()
                for name, _, value in (line.partition(b":") for line in lines[1:] if line)
            }
            body = await client_r.readexactly(int(fields.get(b"content-length", b"0")))
            if b"/socket.io/" in path:
                if self.screens_held:
                    return  # closed below: the screen's connection fails
                self.screen_sessions += b"sid=" not in path
            if method == b"POST" and self.path_part in path and self.plan:
                self.faults_answered.append(body)
                client_w.write(self._fault(self.plan.pop(0)))
                await client_w.drain()
                return
            if method == b"POST" and self.path_part in path:
                self.posts_passed.append(body)
            upstream_r, upstream_w = await asyncio.open_connection("127.0.0.1", self.upstream_port)
            self.writers.add(upstream_w)
            if b"upgrade" in fields:  # the websocket: pipe it both ways until one side closes
                upstream_w.write(head + body)
                await asyncio.gather(self._pipe(client_r, upstream_w), self._pipe(upstream_r, client_w))
                return
            kept = [line for line in lines[1:] if line and not line.lower().startswith(b"connection:")]
            upstream_w.write(b"\r\n".join([lines[0], *kept, b"Connection: close", b"", b""]) + body)
            await self._pipe(upstream_r, client_w)
            upstream_w.close()
        except (asyncio.IncompleteReadError, ConnectionError, ValueError, asyncio.CancelledError):
            pass
        finally:
            client_w.close()

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while chunk := await reader.read(65536):
                writer.write(chunk)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    @staticmethod
    def _fault(step: str) -> bytes:
        if step == "503":
            body = json.dumps({"detail": "The server cannot reach its database right now."}).encode()
            head = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
        else:
            body = b"<h1>502 Bad Gateway</h1>"
            head = "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\n"
        return f"{head}Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body


@pytest.fixture
def proxied(tmp_path: Path, db_url: str) -> Iterator[tuple[ThreadServer, FaultyProxy]]:
    """The real server, reached by the phone only through a FaultyProxy that answers the first two card posts
    503 and then 502; the server accepts pages, posts and sockets from the proxy's origin."""
    with behind_proxy(tmp_path, db_url, "/cards", ["503", "502"]) as both:
        yield both


@contextmanager
def behind_proxy(
    tmp_path: Path, db_url: str, path: str, faults: list[str]
) -> Iterator[tuple[ThreadServer, FaultyProxy]]:
    """The real server, which accepts pages, posts and sockets from the origin of a FaultyProxy in front."""
    port = free_port()
    proxy = FaultyProxy(port, path, faults)
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=db_url,
        secret_key=SECRET,
        public_base_url=f"http://127.0.0.1:{port}",
        served_origins=[proxy.url],
    )
    with ThreadServer(settings) as server, proxy:
        yield server, proxy


def test_through_a_proxy_that_answers_503_then_502_a_card_typed_offline_arrives_once(
    browser: Browser,
    proxied: tuple[ThreadServer, FaultyProxy],
    world: World,
) -> None:
    server, proxy = proxied
    projector = _projector(browser, server, world)
    phone = browser.new_context(**PHONE_390).new_page()
    phone.goto(f"{proxy.url}/j/{world.workshop.code}")
    phone.get_by_label("Your name or a nickname").fill("Amira")
    phone.get_by_label("You are here as").select_option("beneficiary")
    phone.get_by_role("button", name="Join the workshop").click()
    expect(phone.locator("#connection")).to_have_attribute("data-state", "online")
    phone.context.set_offline(True)
    phone.get_by_label("Your card").fill("Typed on the night bus")
    phone.get_by_role("button", name="Send card").click()
    expect(phone.locator(".form-message")).to_contain_text("will be sent when the connection is back")
    assert proxy.faults_answered == []  # nothing left the phone while it was offline

    phone.context.set_offline(False)
    expect(projector.locator(".card", has_text="Typed on the night bus")).to_have_count(1)
    expect(phone.locator(".form-message")).to_have_text("Sent.")
    expect(phone.locator(".card", has_text="Typed on the night bus")).to_have_count(1)
    assert _outbox(phone) == []
    # The proxy answered 503, then 502, then let the same card (the same client_id) through once.
    assert len(proxy.faults_answered) == 2 and proxy.plan == []
    sent = [parse_qs(body.decode())["client_id"][0] for body in proxy.faults_answered + proxy.posts_passed]
    assert len(proxy.posts_passed) == 1 and len(set(sent)) == 1
    assert _stored(server, world, "Typed on the night bus") == 1
