"""In Debian's Chromium: a shared timer counts the same on every screen; a phone answers the questionnaire."""

import re
from typing import Any

from playwright.sync_api import Browser, expect

from cowork.db import read_session
from cowork.domain import participants, workshops
from cowork.domain.program import table_boards
from cowork.domain.program import tables as breakout
from tests import test_browser
from tests.conftest import ThreadServer, World, run
from tests.program.test_breakout import make_lab
from tests.test_accessibility import _report, check, watch_csp
from tests.test_browser import PHONE, PROJECTOR, _console, _join_on_phone, _projector, _shot

pytestmark = test_browser.pytestmark


def _seconds(text: str) -> int:
    match = re.fullmatch(r"\+?(\d+):(\d\d)", text.strip())
    assert match, text
    return int(match[1]) * 60 + int(match[2])


def test_a_one_minute_timer_shows_the_same_time_left_on_the_phone_and_the_projector(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    projector = _projector(browser, server, world)
    phone = _join_on_phone(browser, server, world)
    expect(phone.locator("#timer")).to_be_hidden()
    # The phone's clock is 42 seconds off: it must still count from the server's end time.
    phone.evaluate("() => { const real = Date.now.bind(Date); Date.now = () => real() + 42000; }")
    console = _console(browser, server, world.workshop.id)
    console.get_by_label("Minutes").fill("1")
    console.get_by_role("button", name="Start", exact=True).click()

    phone_clock = phone.locator("#timer [data-clock]")
    projector_clock = projector.locator("#timer [data-clock]")
    expect(phone.locator("#timer")).to_be_visible()
    expect(projector_clock).to_have_text(re.compile(r"^(1:00|0:5\d)$"))
    expect(phone_clock).to_have_text(re.compile(r"^(1:00|0:5\d)$"))
    for _ in range(3):
        # Read both screens as close together as the two pages allow.
        on_projector = _seconds(projector_clock.inner_text())
        on_phone = _seconds(phone_clock.inner_text())
        assert abs(on_projector - on_phone) <= 1, (on_projector, on_phone)
        phone.wait_for_timeout(700)
    assert projector.evaluate("window.__sameDocument") is True
    expect(phone.locator("#timer time[data-local-time]")).to_have_attribute("data-localized", "1")

    console.get_by_role("button", name="Pause").click()
    expect(phone.locator("#timer [data-status]")).to_have_text("Paused")
    paused = _seconds(phone_clock.inner_text())
    phone.wait_for_timeout(1200)
    assert _seconds(phone_clock.inner_text()) == paused  # a paused timer stands still
    _shot(projector, "projector-timer")
    _shot(phone, "phone-timer")


def test_the_signal_at_zero_is_gentle_and_polite(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    phone = _join_on_phone(browser, server, world)
    console = _console(browser, server, world.workshop.id)
    console.get_by_label("Minutes").fill("1")
    console.get_by_role("button", name="Start", exact=True).click()
    expect(phone.locator("#timer")).to_be_visible()
    # Fast-forward this phone's clock past the end instead of waiting a minute.
    phone.evaluate("() => { const real = Date.now.bind(Date); Date.now = () => real() + 61000; }")
    expect(phone.locator("#timer")).to_have_class(re.compile(r"\bis-over\b"))
    expect(phone.locator("#timer [data-status]")).to_have_text("Time is up.")
    expect(phone.locator("#announcer")).to_have_text("Time is up.")
    assert phone.locator("#announcer").get_attribute("aria-live") == "polite"
    assert phone.evaluate("document.querySelectorAll('audio').length") == 0


def _lab_on_evaluation(world: World) -> tuple[Any, int]:
    workshop = run(
        world.engine,
        workshops.create_workshop,
        actor=world.facilitator,
        title="Co-working lab",
        format_id="co-working-lab",
    )
    with read_session(world.engine) as session:
        stage_id = next(
            s.id for s in workshops.stages_of(session, workshop_id=workshop.id) if s.kind == "evaluation"
        )
    run(
        world.engine,
        workshops.set_current_stage,
        actor=world.facilitator,
        workshop_id=workshop.id,
        stage_id=stage_id,
    )
    return workshop, stage_id


def test_a_phone_answers_the_questionnaire_without_reload_and_the_projector_bars_move(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    workshop, _ = _lab_on_evaluation(world)
    projector = browser.new_context(**PROJECTOR).new_page()
    projector.goto(f"{server.url}/s/{workshop.projector_key}")
    expect(projector.locator("#connection")).to_have_attribute("data-state", "online")
    expect(projector.locator(".eval-total")).to_have_text("0 people have answered.")

    phone = browser.new_context(**PHONE).new_page()
    phone.goto(f"{server.url}/j/{workshop.code}")
    phone.get_by_label("Your name or a nickname").fill("Amira")
    phone.get_by_role("button", name="Join the workshop").click()
    expect(phone.get_by_role("heading", name="Evaluation")).to_be_visible()
    expect(phone.locator("#connection")).to_have_attribute("data-state", "online")
    phone.evaluate("window.__sameDocument = true")

    organisation = phone.get_by_role("group", name=re.compile("well organised"))
    choice = organisation.get_by_label("Strongly agree")
    box = choice.locator("xpath=..").bounding_box()
    assert box is not None and box["height"] >= 44
    choice.check()
    phone.get_by_role("group", name=re.compile("would recommend")).get_by_label("Agree", exact=True).check()
    phone.get_by_label(re.compile("most positive aspects")).fill("Working at the tables")
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.locator("#evaluation-form .form-message")).to_contain_text("Sent")
    assert phone.evaluate("window.__sameDocument") is True

    expect(projector.locator(".eval-total")).to_have_text("1 person has answered.")
    first = projector.locator(".eval-item").first
    expect(first.locator(".eval-mean")).to_contain_text("Mean 5.0 of 5")
    expect(first.locator("tr", has_text="Strongly agree").locator(".eval-count")).to_have_text("1")
    expect(projector.locator("body")).not_to_contain_text("Working at the tables")
    _shot(phone, "phone-evaluation")
    _shot(projector, "projector-evaluation")


def test_tables_presentations_and_results_have_no_axe_violations_when_full(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    lab = make_lab(world, people=6)
    run(
        world.engine,
        breakout.split_into_tables,
        actor=world.facilitator,
        workshop_id=lab.workshop.id,
        count=2,
        method="balanced",
        roles="auto",
    )
    lab.go_to("group_work")
    for i, table in enumerate(lab.tables()):
        member = next(j for j in range(6) if lab.pid(j) == table["members"][0]["participant_id"])
        run(
            world.engine,
            table_boards.add_table_card,
            actor=lab.actor(member),
            table_id=table["id"],
            text=f"Idea {i}",
            category="project_idea",
        )
    found: dict[str, list[dict[str, Any]]] = {}
    refused: list[str] = []
    phone = watch_csp(browser.new_context(**PHONE).new_page(), refused)
    phone.goto(f"{server.url}/j/{lab.workshop.code}")
    phone.get_by_label("Your name or a nickname").fill("Amira")
    phone.get_by_role("button", name="Join the workshop").click()
    # each click loads a new page: axe looks at it once the person can see it, not at the one it replaces
    expect(phone.get_by_role("heading", name="Choose your table")).to_be_visible()
    check(phone, "group work: choose a table (phone)", found)
    phone.get_by_role("button", name="Sit at table 2").click()
    expect(phone.get_by_role("heading", name=re.compile("^Your table: Table 2"))).to_be_visible()
    check(phone, "group work: my table (phone)", found)
    projector = watch_csp(browser.new_context(**PROJECTOR).new_page(), refused)
    projector.goto(f"{server.url}/s/{lab.workshop.projector_key}")
    check(projector, "group work (projector)", found)
    console = _console(browser, server, lab.workshop.id)
    watch_csp(console, refused)
    console.get_by_label("Minutes").fill("3")
    console.get_by_role("button", name="Start", exact=True).click()
    expect(console.locator("#timer")).to_have_class(re.compile(r"\btimer-running\b"))
    check(console, "group work with a timer (console)", found)

    lab.go_to("presentations")
    console.reload()
    console.get_by_role("button", name="Start with table 1").click()
    expect(projector.locator(".presenting")).to_be_visible()
    for page, what in ((projector, "projector"), (console, "console"), (phone, "phone")):
        check(page, f"presentation ({what})", found)

    lab.go_to("evaluation")
    phone.reload()
    check(phone, "evaluation form (phone)", found)
    phone.get_by_role("group", name=re.compile("well organised")).get_by_label("Agree", exact=True).check()
    phone.get_by_role("button", name="Send my answers").click()
    expect(projector.locator(".eval-total")).to_have_text("1 person has answered.")
    check(projector, "evaluation results (projector)", found)
    console.reload()
    check(console, "evaluation results (console)", found)
    assert not found, "axe found WCAG 2.2 AA violations:\n" + _report(found)
    assert refused == [], "the CSP refused something:\n" + "\n".join(refused)


def test_the_projector_warns_live_when_the_regional_workshop_passes_25_people(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    workshop = run(
        world.engine,
        workshops.create_workshop,
        actor=world.facilitator,
        title="Regional workshop",
        format_id="regional-workshop",
    )
    for i in range(25):
        run(world.engine, participants.join_workshop, code=workshop.code, name=f"P{i}")
    projector = browser.new_context(**PROJECTOR).new_page()
    projector.goto(f"{server.url}/s/{workshop.projector_key}")
    expect(projector.locator("#connection")).to_have_attribute("data-state", "online")
    expect(projector.locator("#capacity-warning")).to_be_hidden()
    phone = browser.new_context(**PHONE).new_page()
    phone.goto(f"{server.url}/j/{workshop.code}")
    phone.get_by_role("button", name="Join the workshop").click()
    warning = projector.locator("#capacity-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("at most 25 participants")
    expect(warning.locator("[data-capacity-present]")).to_have_text("26")
