"""The phone's outbox in Chromium: a card is kept through offline spells, 503s and 502s, sent again with
backoff, and stored exactly once; a card the server refuses for good comes back to its author with why."""

import json
from urllib.parse import parse_qs

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.conftest import ThreadServer, World
from tests.test_browser import _join_on_phone, _projector, _shot, browser  # noqa: F401  (browser is a fixture)
from tests.votes.test_polls_browser import _open_dot_vote

pytestmark = pytest.mark.browser

PHONE_390 = {"viewport": {"width": 390, "height": 844}}


def _outbox(phone: Page) -> list[dict]:
    return phone.evaluate(
        "() => Object.keys(localStorage).filter(k => k.startsWith('cowork-outbox:'))"
        ".flatMap(k => JSON.parse(localStorage.getItem(k)))"
    )


def _stored(server: ThreadServer, world: World, text: str) -> int:
    answer = httpx.get(
        f"{server.url}/api/v1/stages/{world.stage_id}/contributions",
        headers={"Authorization": f"Bearer {world.api_token}"},
    )
    return [card["text"] for card in answer.json()["items"]].count(text)


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
        elif step == "lost":
            route.fetch()  # the server stores it; its answer never reaches the phone
            route.fulfill(status=502, content_type="text/html", body="<h1>502 Bad Gateway</h1>")
        else:
            route.continue_()


def test_a_card_typed_offline_waits_through_503_and_502_and_is_stored_exactly_once(
    browser: Browser,  # noqa: F811
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
    browser: Browser,  # noqa: F811
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
    browser: Browser,  # noqa: F811
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
    browser: Browser,  # noqa: F811
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
    browser: Browser,  # noqa: F811
    server: ThreadServer,
    world: World,
) -> None:
    phone = _join_on_phone(browser, server, world)
    poll = _open_dot_vote(server, world)
    flaky = FlakyServer(["lost"])
    phone.route("**/polls/*/ballot", flaky)
    phone.get_by_role("button", name="One dot more for Childcare").click()
    expect(phone.locator(".ballot .form-message")).to_contain_text("will be sent as soon as it can")
    expect(phone.locator(".dots-left")).to_have_text("Dots used: 1 of 3")  # sent again, and the page shows it
    assert len(flaky.client_ids) == 2 and len(set(flaky.client_ids)) == 1
    staff = {"Authorization": f"Bearer {world.api_token}"}
    closed = httpx.post(f"{server.url}/api/v1/polls/{poll['id']}/close", headers=staff).json()
    assert closed["ballots"] == 1 and [row["dots"] for row in closed["results"]] == [1]
