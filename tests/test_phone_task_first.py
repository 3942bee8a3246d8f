"""In Debian's Chromium: the phone of someone who may read little, through the sample workshop's stages.

An open vote comes before the stage's own form (on the action plan it would wait under a long proposal
form); each answer of a vote and of the evaluation has a picture beside its words; an information stage
shows the format's text (which the read-aloud button speaks) instead of a title above an empty screen. On a
320 px phone in German nothing runs off the screen's width or under the online dot in its corner: the top
bar is one line, the responsibility matrix a card per activity area. Every field of a form has a picture,
and a page load shows no "connecting" notice unless connecting takes a while.
"""

from itertools import pairwise
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from cowork.commands import run_query
from cowork.db import read_session
from cowork.domain.program.sample import create_sample_workshop
from cowork.domain.stakeholders import matrix
from cowork.domain.workshops import set_current_stage, stages_of
from tests import test_browser
from tests.board.test_phone_room import PHONE
from tests.conftest import ThreadServer, World, patient, run, set_stage_view
from tests.test_accessibility import axe_violations

pytestmark = pytest.mark.browser

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


def _sample_phone(browser: Browser, server: ThreadServer, world: World, kind: str) -> tuple[Any, Page]:
    """The English sample workshop at its first stage of this kind, and a phone joined to it."""
    workshop = run(world.engine, create_sample_workshop, actor=world.facilitator, language="en")
    _stage(world, workshop, kind)
    return workshop, _phone(browser, server, workshop)


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


# What runs off the screen's width (the page then scrolls sideways), and every control that reaches under the
# online dot's column at the right edge (the dot is fixed, so scrolling brings each such control under it).
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
UNDER_DOT = """() => { const dot = document.querySelector('#connection').getBoundingClientRect();
  const controls = 'input, textarea, select, button, summary, label, a[href]'.split(', ');
  return [...document.querySelectorAll(controls.map(c => '#main ' + c).join(', '))]
    .filter(e => e.offsetParent && e.getBoundingClientRect().right > dot.left && !e.closest('.rm-scroll'))
    .map(e => e.outerHTML.slice(0, 80)); }"""
# Every button, fold and choice a finger taps that is smaller than 44×44 px.
SMALL = """() => [...document.querySelectorAll(
    'button, summary, label.choice, .sh-point, .likert-choice'.split(', ').map(c => '#main ' + c).join(', '))]
  .filter(e => e.offsetParent && !e.matches('.visually-hidden, [aria-hidden=true]'))
  .filter(e => { const r = e.getBoundingClientRect(); return r.width < 44 || r.height < 44; })
  .map(e => e.outerHTML.slice(0, 80))"""
# The labels of the writing fields a phone shows first (a card, a proposal) without a picture beside them.
BARE_FIELDS = """() => [...document.querySelectorAll('#card-form label[for], .proposal-new label[for]')]
  .filter(l => l.checkVisibility() && !l.querySelector('.icon')).map(l => l.textContent.trim())"""
# The top bar's height, and what in it is cut off or beside it instead of on its one line.
TOP_BAR = """() => { const bar = document.querySelector('.topbar').getBoundingClientRect();
  const parts = [...document.querySelectorAll('.topbar > *')].map(e => e.getBoundingClientRect());
  const lines = new Set(parts.map(r => Math.round(r.top + r.height / 2))).size;
  return {height: Math.round(bar.height), lines: lines}; }"""
# On the matrix: what is wider than the screen or scrolls sideways inside it, and the areas and lines
# without a picture.
MATRIX_WIDE = """() => [...document.querySelectorAll('#stage .rm *')]
  .filter(e => e.offsetParent && !e.closest('.visually-hidden'))
  .filter(e => e.offsetParent
    && (e.getBoundingClientRect().right > document.documentElement.clientWidth
        || e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible'))
  .map(e => e.outerHTML.slice(0, 80))"""
MATRIX_BARE = """() => [...document.querySelectorAll('#stage .rm-area-name, #stage .rm-lines th')]
  .filter(e => !e.querySelector('.icon')).map(e => e.textContent.trim())"""
# One area's card: where its "Not involved yet" line starts, and each stakeholder's line (its name, its
# middle, whether it has a mark); a "–" standing for no mark is counted too.
AREA_LINES = """(area) => {
  const card = [...document.querySelectorAll('#stage .rm-area')].find(a => a.textContent.includes(area));
  const head = card.querySelector('.rm-none-head');
  const middle = e => { const r = e.getBoundingClientRect(); return Math.round((r.top + r.bottom) / 2); };
  return {
    head: head && head.checkVisibility() ? Math.round(head.getBoundingClientRect().top) : null,
    dashes: [...card.querySelectorAll('.rm-cell')].filter(c => c.checkVisibility()
      && getComputedStyle(c, '::before').content.includes('–')).length,
    lines: [...card.querySelectorAll('.rm-line')].map(l => ({
      name: l.querySelector('th').textContent.trim(), middle: middle(l),
      marked: !l.querySelector('.rm-blank')})),
  };
}"""


def _folded(phone: Page, area: str) -> dict[str, Any]:
    """The card's stakeholders without a mark stand after its marked ones, several to a line."""
    seen = phone.evaluate(AREA_LINES, area)
    marked = [line for line in seen["lines"] if line["marked"]]
    blank = [line for line in seen["lines"] if not line["marked"]]
    assert seen["dashes"] == 0, f"{area}: a line of its own with '–' {seen}"
    if blank:
        assert seen["head"] is not None, f"{area}: no 'Not involved yet' line {seen}"
        assert all(line["middle"] > seen["head"] for line in blank), f"{area}: a name above its line {seen}"
        middles = sorted(line["middle"] for line in blank)
        rows = 1 + sum(1 for a, b in pairwise(middles) if b - a > 8)
        assert rows < len(blank), f"{area}: a line for each name without a mark {seen}"
        assert all(line["middle"] < seen["head"] for line in marked), (
            f"{area}: a mark in the short line {seen}"
        )
    return seen


# Each rating point lies inside its stakeholder's box.
POINTS_OUTSIDE = """() => [...document.querySelectorAll('.sh-rate[open] .sh-point')].filter(p => {
  const box = p.closest('.sh-rate').getBoundingClientRect(), r = p.getBoundingClientRect();
  return r.left < box.left || r.right > box.right; }).map(p => p.textContent.trim())"""


def _german_320_phone(browser: Browser, server: ThreadServer, workshop: Any, name: str) -> Page:
    """A 320x640 phone joined in German."""
    phone = browser.new_context(
        viewport={"width": 320, "height": 640}, is_mobile=True, has_touch=True
    ).new_page()
    phone.goto(f"{server.url}/j/{workshop.code}")
    phone.locator("#name").fill(name)
    phone.locator("#language").select_option("de")
    phone.locator("form[action^='/j/'] button[type=submit]").click()
    expect(phone.locator("#connection")).to_have_attribute("data-state", "online")
    return phone


def test_on_a_320_px_phone_in_german_no_stage_runs_off_the_screen_or_under_the_online_dot(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    workshop = run(world.engine, create_sample_workshop, actor=world.facilitator, language="de")
    with read_session(world.engine) as session:
        stages = [(s.kind, s.id) for s in stages_of(session, workshop_id=workshop.id)]
    phone = _german_320_phone(browser, server, workshop, "Samira Al-Hassan")
    context = phone.context
    shown = []
    # two information stages: "Arbeitsmarktintegration" is in the second's title
    for kind, stage_id in stages:
        for view in ("map", "matrix") if kind == "stakeholders" else ("",):
            if view:
                set_stage_view(world.engine, stage_id, view)
            run(
                world.engine,
                set_current_stage,
                actor=world.facilitator,
                workshop_id=workshop.id,
                stage_id=stage_id,
            )
            phone.reload()
            expect(phone.locator("#connection")).to_have_attribute("data-state", "online")
            title = phone.locator("#stage .stage-title").text_content()
            shown.append(title)
            assert phone.evaluate(SIDEWAYS) == 0, f"{title}: the page scrolls sideways"
            assert phone.evaluate(UNDER_DOT) == [], f"{title}: controls under the online dot"
            assert phone.evaluate(POINTS_OUTSIDE) == [], f"{title}: rating points outside their box"
            assert phone.evaluate(SMALL) == [], f"{title}: targets under 44 px"
            assert phone.evaluate(BARE_FIELDS) == [], f"{title}: fields without a picture"
            if kind == "needs":  # the chosen topic shows from afar, not only by its small radio
                topics = phone.locator("#card-form label.choice")
                topics.nth(1).click()
                colour = "e => getComputedStyle(e).backgroundColor"
                assert topics.nth(1).evaluate(colour) != topics.nth(0).evaluate(colour)
            top = phone.evaluate(TOP_BAR)
            assert top["lines"] == 1 and top["height"] <= 56, f"{title}: the top bar takes two lines {top}"
            if view == "matrix":  # a card per activity area, each stakeholder a line of it, nothing sideways
                assert phone.evaluate(MATRIX_WIDE) == [], f"{title}: the matrix runs sideways"
                expect(phone.locator("#stage .rm-area")).to_have_count(9)
                assert phone.evaluate(MATRIX_BARE) == [], f"{title}: areas or stakeholders without a picture"
    assert any("Arbeitsmarktintegration" in (t or "") for t in shown), shown
    phone.goto(f"{server.url}/j/{workshop.code}/mine")
    assert phone.evaluate(SIDEWAYS) == 0, "my cards: the page scrolls sideways"
    top = phone.evaluate(TOP_BAR)
    assert top["lines"] == 1 and top["height"] <= 56, f"my cards: the top bar takes two lines {top}"
    expect(phone.get_by_role("link", name="Zurück zum Workshop")).to_be_visible()
    context.close()


def test_on_the_matrix_a_phone_shows_a_card_per_area_and_a_cell_set_on_the_console_lands_in_it(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    workshop = run(world.engine, create_sample_workshop, actor=world.facilitator, language="en")
    with read_session(world.engine) as session:
        stage_id = next(s.id for s in stages_of(session, workshop_id=workshop.id) if s.kind == "stakeholders")
    set_stage_view(world.engine, stage_id, "matrix")
    _stage(world, workshop, "stakeholders")
    phone = _phone(browser, server, workshop)
    top = phone.evaluate(TOP_BAR)
    assert top["lines"] == 1 and top["height"] <= 56, f"the top bar takes two lines at 390 px {top}"
    expect(phone.get_by_role("link", name="My cards")).to_be_visible()
    housing = phone.locator("#stage .rm-area", has_text="Housing")
    expect(housing.locator(".rm-area-name .icon-cat-housing")).to_be_visible()
    line = housing.locator("tr", has_text="Jobcenter Offenbach")
    expect(line.locator("th .icon")).to_be_visible()
    expect(housing.locator(".rm-gaps")).to_contain_text("Nobody responsible")
    # Nobody has a mark in Housing yet: the four names fold into one short line instead of four lines of "–".
    expect(housing.locator(".rm-none-head")).to_have_text("Not involved yet:")
    before = _folded(phone, "Housing")
    assert [line["marked"] for line in before["lines"]] == [False] * 4, before
    stakeholder = next(
        s["id"]
        for s in run_query(world.engine, matrix.responsibility_matrix, workshop_id=workshop.id)[
            "stakeholders"
        ]
        if s["name"] == "Jobcenter Offenbach"
    )
    with patient.Client(base_url=server.url, headers={"Authorization": f"Bearer {world.api_token}"}) as api:
        answer = api.put(
            f"/api/v1/workshops/{workshop.id}/responsibilities/cells",
            json={"activity_id": "housing", "stakeholder_id": stakeholder, "mark": "responsible"},
        )
        assert answer.status_code == 200, answer.text
    expect(line.locator(".rm-cell")).to_contain_text("Responsible")  # pushed into the card's line
    expect(housing.locator(".rm-gaps")).to_contain_text("Clear")
    # The pushed mark lifts its stakeholder out of the short line into a line of its own, above it.
    after = _folded(phone, "Housing")
    assert [line["name"] for line in after["lines"] if line["marked"]] == ["Jobcenter Offenbach"], after
    test_browser._shot(phone, "phone-matrix")
    assert axe_violations(phone) == []  # WCAG 2.2 AA: the cards' tables, names and pictures


# The labels and legends of every field a form shows (folds opened), without a picture beside their words.
BARE_FORM_FIELDS = """(form) => [...document.querySelectorAll(form + ' label[for], ' + form + ' legend')]
  .filter(l => l.checkVisibility() && !l.matches('.visually-hidden') && !l.querySelector('.icon'))
  .map(l => l.textContent.trim())"""


def test_every_field_of_the_proposal_and_the_stakeholder_forms_has_a_picture(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    workshop, phone = _sample_phone(browser, server, world, "needs")
    assert phone.evaluate(BARE_FORM_FIELDS, "#card-form") == []
    _stage(world, workshop, "action_plan")
    phone.reload()
    phone.locator(".proposal-new").evaluate("e => e.querySelectorAll('details').forEach(d => d.open = true)")
    expect(phone.locator(".proposal-new label[for$=rationale]")).to_be_visible()
    assert phone.evaluate(BARE_FORM_FIELDS, ".proposal-new") == []
    _stage(world, workshop, "stakeholders")
    phone.reload()
    phone.locator("#sh-propose-fold > summary").click()
    phone.locator("#sh-consent").check()  # the contact person's fields show
    expect(phone.locator("#sh-person")).to_be_visible()
    assert phone.evaluate(BARE_FORM_FIELDS, "#sh-propose") == []


def test_a_page_load_shows_no_connecting_notice_and_a_bar_if_connecting_takes_a_while(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    _workshop, phone = _sample_phone(browser, server, world, "needs")
    # The socket opens but the server never answers, and the page's clock moves only when the test says so.
    phone.route_web_socket("**/socket.io/**", lambda ws: None)
    phone.clock.install()
    phone.reload()
    bar = phone.locator("#connection")
    expect(bar).to_have_attribute("data-state", "connecting")
    phone.clock.run_for(1000)
    expect(bar).to_be_hidden()  # the first second of every page: nothing flickers
    phone.clock.run_for(1500)
    expect(bar).to_be_visible()
    expect(bar).to_contain_text("Connecting")
    width = phone.viewport_size["width"] if phone.viewport_size else 0
    box = bar.bounding_box()
    assert box is not None and box["width"] >= 0.9 * width, "connecting is a small pill, unlike offline"
    test_browser.ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(test_browser.ARTIFACTS / "phone-connecting.png"))


# What the script does when the socket drops (setState in static/cowork.js).
OFFLINE = """() => { const c = document.getElementById('connection');
  c.setAttribute('data-state', 'offline'); c.textContent = c.getAttribute('data-offline'); }"""


def test_offline_the_phone_shows_a_bar_across_the_bottom_that_hides_no_control_for_good(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    _workshop, phone = _sample_phone(browser, server, world, "needs")
    phone.evaluate(OFFLINE)
    bar = phone.locator("#connection")
    expect(bar).to_contain_text("Offline")
    width = phone.viewport_size["width"] if phone.viewport_size else 0
    box = bar.bounding_box()
    assert box is not None and box["width"] >= 0.9 * width, "the offline notice is a small pill, easy to miss"
    # Scrolled to the end, the page's last control stands above the bar, not under it.
    phone.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    last = phone.locator("#main button, #main summary, #main a, #main textarea").last
    target = last.bounding_box()
    box = bar.bounding_box()
    assert target is not None and box is not None
    assert target["y"] + target["height"] <= box["y"], (target, box)
    test_browser.ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(
        path=str(test_browser.ARTIFACTS / "phone-offline.png")
    )  # the viewport: the bar where it is


# How far a finger scrolls on the needs stage: from the card's text box to its send button, and the box's top.
CARD_FORM_REACH = """() => {
  const box = document.querySelector('#card-text').getBoundingClientRect();
  const send = document.querySelector('#card-form button[type=submit]').getBoundingClientRect();
  return {box: box.top + scrollY, toSend: send.bottom - box.bottom};
}"""


def test_on_a_320_px_phone_in_german_the_send_button_is_at_most_a_screen_under_the_card_text(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    """The sample's needs board asks for a topic (five areas with German descriptions), the kind and the
    phase: all open, they put "Karte senden" three screens under the text box. A topic's picture and name
    choose it (its description shows once it is chosen); the kind and phase wait under "Mehr"."""
    workshop = run(world.engine, create_sample_workshop, actor=world.facilitator, language="de")
    _stage(world, workshop, "needs")
    phone = _german_320_phone(browser, server, workshop, "Samira")
    reach = phone.evaluate(CARD_FORM_REACH)
    test_browser._shot(phone, "phone-needs-de-320")
    assert reach["toSend"] <= 640, f"from the text box to the send button: {reach}"
    housing = phone.locator("#card-form label.choice", has_text="Wohnen")
    expect(housing.locator(".category-description")).to_be_hidden()
    expect(housing.locator(".icon")).to_be_visible()
    housing.click()
    expect(housing.locator(".category-description")).to_contain_text("Sozialberatung")  # chosen: it says more
    expect(phone.locator("#card-form .category-description:visible")).to_have_count(1)
    more = phone.locator("#card-more > summary")
    expect(more.locator(".icon")).to_be_visible()
    more.click()
    expect(phone.get_by_role("radio", name="Was fehlt")).to_be_visible()
    expect(phone.get_by_role("radio", name="P1 Profiling: Ressourcen und Interessen")).to_be_visible()
