"""In Debian's Chromium: a facilitator designs the agenda on the console; a phone and the projector follow."""

import re

from playwright.sync_api import Browser, Page, expect

from cowork.domain.board import cards as board
from tests import test_browser
from tests.conftest import ThreadServer, World, run
from tests.test_accessibility import _report, check
from tests.test_browser import _console, _join_on_phone, _projector, _shot

browser = test_browser.browser  # the Chromium fixture, shared
pytestmark = test_browser.pytestmark


def _open_editor(console: Page) -> None:
    editor = console.locator("#agenda-design")
    if editor.get_attribute("open") is None:
        console.get_by_text("Edit the agenda").click()
    expect(console.get_by_role("button", name="Add the stage")).to_be_visible()


def _add(console: Page, kind: str, title: str, minutes: str, where: str = "at the end") -> None:
    _open_editor(console)
    console.get_by_label("Kind").select_option(label=kind)
    console.get_by_label("Title", exact=True).fill(title)
    console.locator("#new-stage-minutes").fill(minutes)
    console.get_by_label("Where").select_option(label=where)
    console.get_by_role("button", name="Add the stage").click()
    expect(console.locator(".agenda-row", has_text=title)).to_be_visible()


def _edit(console: Page, title: str, **fields: str) -> None:
    row = console.locator(".agenda-row", has_text=title)
    row.locator("summary").click()
    for label, value in fields.items():
        row.get_by_label(label, exact=True).fill(value)
    row.get_by_role("button", name="Save").click()


def test_a_facilitator_builds_a_workshop_from_plain_and_phone_and_projector_follow(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    projector = _projector(browser, server, world)
    phone = _join_on_phone(browser, server, world)
    phone.evaluate("window.__sameDocument = true")  # gone if the phone reloads
    console = _console(browser, server, world.workshop.id)
    console.set_viewport_size({"width": 1440, "height": 900})

    _add(console, "Needs and gaps", "Gaps", "20")
    _add(console, "Stakeholder map", "Who is who", "15")
    _add(console, "Evaluation", "Feedback", "5")
    _add(console, "Group work", "Tables", "30", where="after the current stage")
    _edit(console, "Who is who", Deutsch="Wer ist wer")
    _edit(console, "Gaps", **{"Duration (min)": "25"})

    # Reorder by keyboard: the move button keeps the focus after each (plain) post.
    up = console.get_by_role("button", name="Move Feedback up")
    up.focus()
    console.keyboard.press("Enter")
    expect(console.get_by_role("button", name="Move Feedback up")).to_be_focused()
    console.keyboard.press("Enter")
    expect(console.get_by_role("button", name="Move Feedback up")).to_be_focused()

    order = ["Ideas and needs", "Tables", "Wrap-up and next steps", "Feedback", "Gaps", "Who is who"]
    expect(console.locator(".agenda-row .agenda-name")).to_have_text(
        [re.compile(re.escape(t)) for t in order]
    )
    expect(projector.locator("ol.agenda li")).to_have_text(
        [
            "Ideas and needs 45′",
            "Tables 30′",
            "Wrap-up and next steps 10′",
            "Feedback 5′",
            "Gaps 25′",
            "Who is who 15′",
        ]
    )
    assert projector.evaluate("window.__sameDocument") is True  # it followed without a reload

    # The stage on now, renamed: the phone shows it live.
    _edit(console, "Ideas and needs", English="Ideas, needs, questions")
    expect(phone.get_by_role("heading", name="Ideas, needs, questions")).to_be_visible()
    assert phone.evaluate("window.__sameDocument") is True
    _shot(console, "console-agenda-editor")

    # A stage with cards cannot be removed; the console says why and offers to archive it.
    run(world.engine, board.add_card, actor=world.facilitator, stage_id=world.stage_id, text="Childcare")
    console.locator(".stage-nav").get_by_role("button", name=re.compile("Tables")).click()
    _open_editor(console)
    console.get_by_role("button", name="Remove Ideas, needs, questions").click()
    expect(console.locator("#agenda-message")).to_contain_text("cards: 1")
    expect(console.locator("#agenda-message")).to_contain_text("archive it instead")
    _shot(console, "console-agenda-editor-refused")
    console.locator(".agenda-row", has_text="Gaps").locator("summary").click()
    found: dict = {}
    check(console, "console: agenda editor with a refusal and an open edit form", found)
    assert not found, _report(found)
    console.get_by_role("button", name="Archive Ideas, needs, questions").click()
    expect(console.locator(".agenda-archived")).to_contain_text("Ideas, needs, questions")
    expect(projector.locator("ol.agenda li").first).to_have_text("Tables 30′")
    expect(phone.get_by_role("heading", name="Tables")).to_be_visible()
