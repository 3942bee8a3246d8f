"""In Debian's Chromium: a phone spends dots on the needs board and the projector's bars follow."""

import time
from typing import Any

import pytest
from playwright.sync_api import Browser, Route, expect

from cowork.domain.board import cards as board
from tests.actions.test_proposals import lab  # noqa: F401  (the co-working lab on its action plan)
from tests.conftest import ThreadServer, World, patient, run
from tests.test_browser import PHONE, _join_on_phone, _projector, _shot, _tab_to

pytestmark = pytest.mark.browser


def _cards(world: World, *texts: str) -> list[Any]:
    """Cards on the needs board, by the facilitator."""
    return [
        run(world.engine, board.add_card, actor=world.facilitator, stage_id=world.stage_id, text=text)
        for text in texts
    ]


def test_a_phone_casts_dots_and_the_projector_bars_change_without_reload(
    browser: Browser,
    server: ThreadServer,
    world: World,
) -> None:
    cards = _cards(world, "Childcare during the course", "Housing near the job centre")
    projector = _projector(browser, server, world)
    phone = _join_on_phone(browser, server, world)
    staff = {"Authorization": f"Bearer {world.api_token}"}
    made = patient.post(
        f"{server.url}/api/v1/stages/{world.stage_id}/polls",
        json={
            "method": "dots",
            "budget": 3,
            "max_per_option": 2,
            "options": [{"contribution_id": c.id} for c in cards],
        },
        headers=staff,
    )
    assert made.status_code == 201, made.text
    assert (
        patient.post(f"{server.url}/api/v1/polls/{made.json()['id']}/open", headers=staff).status_code == 200
    )

    # Opening the vote brings the ballot to the phone without a reload.
    more = phone.get_by_role("button", name="One dot more for Housing near the job centre")
    expect(more).to_be_visible()
    ranking = projector.locator(f"#ranking-{world.stage_id}")
    expect(ranking).to_contain_text("No dots yet.")

    more.click()
    expect(phone.locator(".dots-left")).to_have_text("Dots used: 1 of 3")
    expect(phone.locator(".ballot .form-message")).to_contain_text("Your vote is saved")
    first = ranking.locator(".bar-row").first
    expect(first).to_contain_text("Housing near the job centre")
    expect(first).to_contain_text("Dots: 1")

    phone.get_by_role("button", name="One dot more for Childcare during the course").click()
    expect(phone.locator(".dots-left")).to_have_text("Dots used: 2 of 3")
    phone.get_by_role("button", name="One dot more for Childcare during the course").click()
    expect(phone.locator(".dots-left")).to_have_text("Dots used: 3 of 3")
    # Two dots at most on one card: the + button says no before the server has to.
    expect(phone.get_by_role("button", name="One dot more for Childcare during the course")).to_be_disabled()
    expect(ranking.locator(".bar-row").first).to_contain_text("Childcare during the course")
    expect(ranking.locator(".bar-row").first).to_contain_text("Dots: 2")
    assert projector.evaluate("window.__sameDocument") is True
    _shot(phone, "polls-phone-ballot")
    _shot(projector, "polls-projector-ranking")


def _open_dot_vote(server: ThreadServer, world: World, card_ids: list[int] | None = None) -> dict[str, Any]:
    """An open dot vote on the given cards, or on a new card "Childcare"."""
    if card_ids is None:
        card = run(
            world.engine, board.add_card, actor=world.facilitator, stage_id=world.stage_id, text="Childcare"
        )
        card_ids = [card.id]
    staff = {"Authorization": f"Bearer {world.api_token}"}
    poll = patient.post(
        f"{server.url}/api/v1/stages/{world.stage_id}/polls",
        json={
            "method": "dots",
            "budget": 3,
            "max_per_option": 3,
            "options": [{"contribution_id": c} for c in card_ids],
        },
        headers=staff,
    ).json()
    patient.post(f"{server.url}/api/v1/polls/{poll['id']}/open", headers=staff).raise_for_status()
    return poll


def test_a_vote_cast_offline_goes_out_once_when_the_connection_returns(
    browser: Browser,
    server: ThreadServer,
    world: World,
) -> None:
    phone = _join_on_phone(browser, server, world)
    poll = _open_dot_vote(server, world)
    staff = {"Authorization": f"Bearer {world.api_token}"}
    more = phone.get_by_role("button", name="One dot more for Childcare")
    more.click()
    expect(phone.locator(".dots-left")).to_have_text("Dots used: 1 of 3")
    expect(phone.locator(".ballot .form-message")).to_contain_text("Your vote is saved")  # the page came back
    expect(more).to_be_focused()  # and the keyboard stayed on the button

    phone.context.set_offline(True)
    more.click()
    expect(phone.locator(".ballot .form-message")).to_contain_text("will be sent when the connection is back")
    phone.context.set_offline(False)
    expect(phone.locator(".ballot .form-message")).to_contain_text("Your vote is saved")  # sent, and answered
    expect(phone.locator(".dots-left")).to_have_text("Dots used: 2 of 3")
    closed = patient.post(f"{server.url}/api/v1/polls/{poll['id']}/close", headers=staff).json()
    assert closed["ballots"] == 1 and [row["dots"] for row in closed["results"]] == [2]


def test_a_ballot_says_it_is_being_sent_until_its_answer_is_shown_even_after_an_earlier_answer(
    browser: Browser,
    server: ThreadServer,
    world: World,
) -> None:
    """While a page form's answer is awaited the form is aria-busy (a screen reader hears it, the button shows
    it); a second press still out keeps the page the first answer brought busy, and counts: two quick taps on
    "+" are two dots."""
    phone = _join_on_phone(browser, server, world)
    phone.set_viewport_size({"width": 390, "height": 844})
    _open_dot_vote(server, world)
    held: list[Route] = []
    phone.route("**/polls/*/ballot", lambda route: held.append(route))  # each answer waits for the test
    ballot = phone.locator("form.ballot")
    more = phone.get_by_role("button", name="One dot more for Childcare")
    expect(more).to_be_visible()  # the ballot came with the vote's opening
    expect(ballot).not_to_have_attribute("aria-busy", "true")

    more.click()
    expect(ballot).to_have_attribute("aria-busy", "true")
    # The answer is not in yet, and the count already says what the dot's number says.
    expect(phone.locator(".dots-left")).to_have_text("Dots used: 1 of 3")
    _shot(phone, "polls-phone-ballot-sending")
    more.click()  # pressed again before the first answer came: a second dot, not the first one again
    dots = phone.get_by_label("Childcare")
    expect(dots).to_have_value("2")  # each tap moves the number at once
    expect(phone.locator(".dots-left")).to_have_text("Dots used: 2 of 3")  # and the count with it
    deadline = time.monotonic() + 30
    while len(held) < 2:  # Playwright serves the route inside its own calls
        assert time.monotonic() < deadline, "the ballots never left the phone"
        phone.wait_for_timeout(50)
    held[0].continue_()
    expect(phone.locator(".ballot .form-message")).to_contain_text("Your vote is saved")  # the first answer
    expect(ballot).to_have_attribute("aria-busy", "true")  # the second is still being sent
    expect(dots).to_have_value("2")  # the first answer's page keeps the second tap
    expect(phone.locator(".dots-left")).to_have_text("Dots used: 2 of 3")  # and counts it
    held[1].continue_()
    expect(ballot).not_to_have_attribute("aria-busy", "true")
    expect(phone.locator(".dots-left")).to_have_text("Dots used: 2 of 3")
    expect(dots).to_have_value("2")
    expect(more).to_be_focused()  # the answer's page is in, the keyboard on the button pressed


def test_the_last_dot_of_the_budget_closes_every_plus_at_once_before_any_answer(
    browser: Browser,
    server: ThreadServer,
    world: World,
) -> None:
    """On bad Wi-Fi the answers come late: the count and the +/- buttons follow the taps, not the answers."""
    phone = _join_on_phone(browser, server, world)
    phone.set_viewport_size({"width": 390, "height": 844})
    _open_dot_vote(server, world, [c.id for c in _cards(world, "Childcare", "Housing")])  # 3 dots, 3 a card
    held: list[Route] = []
    phone.route("**/polls/*/ballot", lambda route: held.append(route))  # no answer comes
    childcare = phone.get_by_role("button", name="One dot more for Childcare")
    housing = phone.get_by_role("button", name="One dot more for Housing")
    less = phone.get_by_role("button", name="One dot less for Housing")
    expect(less).to_be_disabled()
    expect(phone.locator(".dots-left .dot")).to_have_count(3)  # three rings: three dots to put
    expect(phone.locator(".dots-left .dot.used")).to_have_count(0)
    childcare.click()
    expect(phone.locator(".dots-left .dot.used")).to_have_count(1)  # at the tap, before the answer
    childcare.click()
    housing.click()
    expect(phone.locator(".dots-left")).to_have_text("Dots used: 3 of 3")
    expect(phone.locator(".dots-left .dot.used")).to_have_count(3)  # the budget drawn: every dot filled
    expect(childcare).to_be_disabled()  # no dot left to put
    expect(housing).to_be_disabled()
    expect(less).to_be_enabled()  # the dot on Housing can be taken back
    expect(phone.locator("form.ballot")).to_have_attribute("aria-busy", "true")  # the answers are still out
    _shot(phone, "polls-phone-ballot-budget-spent")


def test_a_browser_without_submit_event_submitter_still_says_which_button_was_pressed(
    browser: Browser,
    server: ThreadServer,
    world: World,
) -> None:
    """Safari before 15.4 has no SubmitEvent.submitter: the +/- buttons still move a dot."""
    phone = _join_on_phone(browser, server, world)
    phone.context.add_init_script(
        "Object.defineProperty(SubmitEvent.prototype, 'submitter', {get: () => null})"
    )
    _open_dot_vote(server, world)
    phone.reload()
    assert phone.evaluate("new SubmitEvent('submit').submitter") is None
    phone.get_by_role("button", name="One dot more for Childcare").click()
    # the server's page: its count is what it stored
    expect(phone.locator(".ballot .form-message")).to_contain_text("Your vote is saved")
    expect(phone.locator(".dots-left")).to_have_text("Dots used: 1 of 3")


def test_a_phone_refreshes_for_a_proposal_too_large_to_push_and_keeps_what_was_typed(
    browser: Browser,
    server: ThreadServer,
    lab: World,  # noqa: F811
) -> None:
    phone = browser.new_context(**PHONE).new_page()
    phone.goto(f"{server.url}/j/{lab.workshop.code}")
    phone.get_by_label("Your name or a nickname").fill("Amira")
    phone.get_by_role("button", name="Join the workshop").click()
    expect(phone.locator("#connection")).to_have_attribute("data-state", "online")
    phone.locator("[data-draft]").first.press_sequentially("Half a proposal")
    long = ("Mentoring für Geflüchtete, begleitet vom Jobcenter und der Handwerkskammer. " * 60)[:3999] + "."
    body = {"title": "Peer mentoring"} | dict.fromkeys(
        ("description", "impact", "rationale", "resources"), long
    )
    _, token = lab.join(name="Ben")
    made = patient.post(
        f"{server.url}/api/v1/stages/{lab.stage_id}/proposals",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
    )
    assert made.status_code == 201, made.text
    expect(phone.get_by_role("heading", name="Peer mentoring")).to_be_visible()
    assert phone.evaluate("window.__beforeRefresh") is None  # the page loaded again: nothing was pushed
    expect(phone.locator("[data-draft]").first).to_have_value("Half a proposal")


def test_a_phone_joins_writes_and_votes_by_keyboard_alone_and_always_shows_the_focus(
    browser: Browser,
    server: ThreadServer,
    world: World,
) -> None:
    phone = browser.new_context(**PHONE).new_page()
    phone.goto(f"{server.url}/j/{world.workshop.code}")
    _tab_to(phone, phone.get_by_label("Your name or a nickname"))
    phone.keyboard.type("Amira")
    _tab_to(phone, phone.get_by_role("button", name="Join the workshop"))
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("heading", name="Ideas and needs")).to_be_visible()
    expect(phone.locator("#connection")).to_have_attribute("data-state", "online")

    _tab_to(phone, phone.get_by_label("Your card"))
    phone.keyboard.type("Childcare during the course")
    _tab_to(phone, phone.get_by_role("button", name="Send card"))
    phone.keyboard.press("Enter")
    expect(phone.locator(".card")).to_contain_text("Childcare during the course")

    _open_dot_vote(server, world)
    more = phone.get_by_role("button", name="One dot more for Childcare")
    expect(more).to_be_visible()
    _tab_to(phone, more)
    phone.keyboard.press("Enter")
    expect(phone.locator(".dots-left")).to_have_text("Dots used: 1 of 3")
    expect(phone.locator(".ballot .form-message")).to_contain_text("Your vote is saved")  # the answer is in
    phone.keyboard.press("Space")  # the focus stayed on the button: one more
    expect(phone.locator(".dots-left")).to_have_text("Dots used: 2 of 3")


def test_the_live_region_tells_a_burst_of_cards_once_and_that_voting_has_closed(
    browser: Browser,
    server: ThreadServer,
    world: World,
) -> None:
    phone = _join_on_phone(browser, server, world)
    announcer = phone.locator("#announcer")
    assert announcer.get_attribute("aria-live") == "polite"
    staff = {"Authorization": f"Bearer {world.api_token}"}
    # Cards that arrive together (here: caught up after a drop, so the burst does not depend on timing).
    phone.context.set_offline(True)
    expect(phone.locator("#connection")).to_have_attribute("data-state", "offline")
    cards = [
        patient.post(
            f"{server.url}/api/v1/stages/{world.stage_id}/contributions", json={"text": text}, headers=staff
        ).json()
        for text in ("Childcare", "Housing near the job centre", "Evening language courses")
    ]
    phone.context.set_offline(False)
    expect(announcer).to_have_text("New card (3)")  # one message for the three, not three
    poll = _open_dot_vote(server, world, [c["id"] for c in cards])
    patient.post(f"{server.url}/api/v1/polls/{poll['id']}/close", headers=staff).raise_for_status()
    expect(announcer).to_have_text("Voting has closed. The results are shown.")
