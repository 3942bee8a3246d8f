"""The outbox holds every phone form, not only cards and votes: a stakeholder proposal, a rating and the
evaluation answers that meet a 503 or a proxy that lost the answer wait, go again, and are stored once."""

import re
import time

import pytest
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import Error as PlaywrightError
from sqlmodel import select

from cowork.db import read_session
from cowork.domain.stakeholders.models import Stakeholder
from tests.conftest import ThreadServer, World
from tests.program.test_program_browser import _lab_on_evaluation
from tests.stakeholders.test_stakeholders import make_region
from tests.stakeholders.test_stakeholders_browser import _join, _propose, _rate
from tests.test_browser import PHONE, PROJECTOR, _page_answered
from tests.test_phone_outbox import FlakyServer, _outbox

pytestmark = pytest.mark.browser


def _until_sent(phone: Page) -> None:
    """Until the phone's outbox is empty (the page reloads once its page forms have gone out)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            if not _outbox(phone):
                return
        except PlaywrightError:  # the page is reloading
            pass
        assert time.monotonic() < deadline, "the outbox never emptied"
        phone.wait_for_timeout(100)


def test_a_stakeholder_and_its_rating_wait_through_a_503_and_a_lost_answer_and_are_stored_once(
    browser: Browser,
    server: ThreadServer,
    world: World,
) -> None:
    region = make_region(world)
    phone = _join(browser, server, region.world.workshop.code, "Amira")
    proposals = FlakyServer(["503", "lost"])
    phone.route("**/j/*/stakeholders", proposals)
    _propose(phone, "Jobcenter Leipzig", "job_centre", answered=False)
    expect(phone.locator("#sh-propose .form-message")).to_contain_text("will be sent as soon as it can")
    expect(phone.locator(".sh-rate", has_text="Jobcenter Leipzig")).to_contain_text("Not rated yet")
    # The push shows what the lost answer stored; the outbox still sends it once more (Playwright's own wait:
    # the routes are served inside its calls).
    deadline = time.monotonic() + 30
    while len(proposals.client_ids) < 3:
        assert time.monotonic() < deadline, "the outbox did not send the proposal again"
        phone.wait_for_timeout(100)
    _until_sent(phone)
    _page_answered(phone)  # the page reloaded with what the outbox stored: the next steps act on that one
    expect(phone.locator(".sh-rate", has_text="Jobcenter Leipzig")).to_have_count(1)
    assert len(set(proposals.client_ids)) == 1
    with read_session(world.engine) as session:
        named = session.exec(select(Stakeholder).where(Stakeholder.name == "Jobcenter Leipzig")).all()
    assert len(named) == 1

    ratings = FlakyServer(["503"])
    phone.route("**/stakeholders/*/rating", ratings)
    _rate(phone, "Jobcenter Leipzig", influence=4, interest=2)
    expect(phone.locator(".sh-rate", has_text="Jobcenter Leipzig")).to_contain_text(
        "Your rating: influence 4, interest 2"
    )
    assert len(ratings.client_ids) == 2 and len(set(ratings.client_ids)) == 1


def test_evaluation_answers_that_meet_a_503_are_kept_and_sent_once(
    browser: Browser,
    server: ThreadServer,
    world: World,
) -> None:
    workshop, _stage_id = _lab_on_evaluation(world)
    projector = browser.new_context(**PROJECTOR).new_page()
    projector.goto(f"{server.url}/s/{workshop.projector_key}")
    phone = browser.new_context(**PHONE).new_page()
    phone.goto(f"{server.url}/j/{workshop.code}")
    phone.get_by_label("Your name or a nickname").fill("Amira")
    phone.get_by_role("button", name="Join the workshop").click()
    expect(phone.locator("#connection")).to_have_attribute("data-state", "online")
    answers = FlakyServer(["503", "lost"])
    phone.route("**/j/*/evaluation/*", answers)
    phone.get_by_role("group", name=re.compile("well organised")).get_by_label("Strongly agree").check()
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.locator("#evaluation-form .form-message")).to_contain_text("will be sent as soon as it can")
    expect(phone.locator("#evaluation-form .form-message")).to_have_text("Sent.")
    assert len(answers.client_ids) == 3 and len(set(answers.client_ids)) == 1
    expect(projector.locator(".eval-total")).to_have_text("1 person has answered.")
