"""In Debian's Chromium: the phone of someone who may read little, through the sample workshop's stages.

An open vote comes before the stage's own form (on the action plan it would wait under a long proposal
form); each answer of a vote and of the evaluation has a picture beside its words; an information stage
shows the format's text (which the read-aloud button speaks) instead of a title above an empty screen.
"""

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from cowork.db import read_session
from cowork.domain.program.sample import create_sample_workshop
from cowork.domain.workshops import set_current_stage, stages_of
from tests import test_browser
from tests.board.test_phone_room import PHONE
from tests.conftest import ThreadServer, World, run

pytestmark = pytest.mark.browser
browser = test_browser.browser

# Every choice a finger may tap in a form: a radio's label, and whether an icon stands beside its words.
CHOICES = """(selector) => [...document.querySelectorAll(selector + ' label:has(input[type=radio])')]
  .map(l => ({text: l.textContent.trim(), icon: !!l.querySelector('.icon')}))"""


def _stage(world: World, workshop: Any, kind: str) -> None:
    with read_session(world.engine) as session:
        stage_id = next(s.id for s in stages_of(session, workshop_id=workshop.id) if s.kind == kind)
    run(world.engine, set_current_stage, actor=world.facilitator, workshop_id=workshop.id, stage_id=stage_id)


def _phone(browser: Browser, server: ThreadServer, workshop: Any) -> Page:
    phone = browser.new_context(**PHONE).new_page()
    phone.goto(f"{server.url}/j/{workshop.code}")
    expect(phone.locator("label[for=name] .icon")).to_be_visible()  # the join form's fields have pictures too
    phone.locator("#name").fill("Samira")
    phone.locator("form[action^='/j/'] button[type=submit]").click()
    expect(phone.locator("#connection")).to_have_attribute("data-state", "online")
    return phone


def test_the_phone_puts_an_open_vote_first_and_a_picture_beside_every_answer(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    workshop = run(world.engine, create_sample_workshop, actor=world.facilitator, language="en")
    _stage(world, workshop, "action_plan")  # the sample's vote on two proposals is open
    phone = _phone(browser, server, workshop)
    vote = phone.locator(".poll").first.bounding_box()
    form = phone.locator(".proposal-new").bounding_box()
    assert vote and form and vote["y"] < form["y"], "the open vote waits under the proposal form"
    assert vote["y"] < 844, "the open vote is not on the first screen"
    answers = phone.evaluate(CHOICES, ".poll")
    assert len(answers) == 6 and all(a["icon"] for a in answers), answers

    _stage(world, workshop, "evaluation")
    phone.reload()
    points = phone.evaluate(CHOICES, "#evaluation-form")
    assert len(points) >= 5 and all(p["icon"] for p in points), points

    _stage(world, workshop, "information")
    phone.reload()
    expect(phone.locator("#stage .stage-description")).to_contain_text("Evidence-based decision making")


def test_on_the_stakeholder_stage_the_phone_rates_first_with_pictures_and_folds_the_form_away(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    workshop = run(world.engine, create_sample_workshop, actor=world.facilitator, language="en")
    _stage(world, workshop, "stakeholders")  # the sample has four stakeholders on the map
    phone = _phone(browser, server, workshop)
    rating = phone.locator(".sh-rate").first.bounding_box()
    fold = phone.locator("#sh-propose-fold").bounding_box()
    assert rating and fold and rating["y"] < fold["y"], (
        "the form to add a stakeholder comes before the rating"
    )
    first_point = phone.locator(".sh-rate .sh-point").first.bounding_box()
    assert first_point and first_point["y"] + first_point["height"] < 844, (
        "the rating is not on the first screen"
    )
    points = phone.evaluate(CHOICES, ".sh-rate-list")
    assert len(points) == 4 * 2 * 5 and all(p["icon"] for p in points), points
    expect(phone.locator("#sh-name")).to_be_hidden()  # five fields, folded under their heading
    phone.locator("#sh-propose-fold > summary").click()
    expect(phone.locator("#sh-name")).to_be_visible()
