"""In Debian's Chromium: a facilitator designs the agenda on the console; a phone and the projector follow."""

import re
from datetime import datetime, timedelta

from playwright.sync_api import Browser, Locator, Page, expect

from cowork.domain.board import cards as board
from tests import test_browser
from tests.conftest import ThreadServer, World, patient, run
from tests.test_accessibility import _report, check
from tests.test_browser import ARTIFACTS, _console, _join_on_phone, _projector, _shot

pytestmark = test_browser.pytestmark


def _open_editor(console: Page) -> None:
    editor = console.locator("#agenda-design")
    if editor.get_attribute("open") is None:
        console.get_by_text("Edit the agenda").click()
    expect(console.get_by_role("button", name="Add the stage")).to_be_visible()


def _add(console: Page, kind: str, title: str, minutes: str, where: str = "at the end") -> None:
    _open_editor(console)
    console.locator(".agenda-add").get_by_label(kind, exact=True).check()
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
    row.get_by_role("button", name="Save", exact=True).click()


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


def _open_row(console: Page, title: str) -> Locator:
    """The agenda row of this stage with its edit forms unfolded."""
    row = console.locator(".agenda-row", has_text=title)
    if row.locator("details.agenda-edit").get_attribute("open") is None:
        row.locator("summary").click()
    return row


def test_a_board_opens_before_the_day_and_the_evaluation_questions_are_edited_on_the_console(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    projector = _projector(browser, server, world)
    console = _console(browser, server, world.workshop.id)
    console.set_viewport_size({"width": 1440, "height": 900})
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    ).new_page()
    phone.goto(f"{server.url}/j/{world.workshop.code}")
    phone.get_by_label("Your name or a nickname").fill("Amira")
    phone.get_by_role("button", name="Join the workshop").click()
    expect(phone.locator("#connection")).to_have_attribute("data-state", "online")
    phone.evaluate("window.__sameDocument = true")

    _add(console, "Needs and gaps", "Before we meet", "20")
    _add(console, "Evaluation", "Feedback", "5")

    # Opened from an hour ago until tomorrow, in the server's time (what a datetime-local field holds).
    now = datetime.now().astimezone()
    row = _open_row(console, "Before we meet")
    row.get_by_label("Closes").fill((now - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    row.get_by_label("Opens").fill((now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    row.get_by_role("button", name="Save the times").click()
    expect(console.locator("#agenda-message")).to_have_text(
        "The closing time must come after the opening time."
    )
    row = _open_row(console, "Before we meet")
    row.get_by_label("Closes").fill((now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    row.get_by_role("button", name="Save the times").click()
    expect(console.locator(".agenda-row", has_text="Before we meet")).to_contain_text("Open for cards now")

    # The phone, on another stage, gets the board live and sends a card that only it sees so far.
    early = phone.locator(".before-day")
    expect(early.get_by_role("heading", name="Before we meet")).to_be_visible()
    assert phone.evaluate("window.__sameDocument") is True
    early.get_by_label("Your card").fill("No childcare in the evenings")
    early.get_by_role("button", name="Send card").click()
    expect(early.locator(".early-mine .card-text")).to_have_text(["No childcare in the evenings"])
    expect(console.locator(".agenda-row", has_text="Before we meet")).to_contain_text(
        "1 card came in before the day"
    )
    _shot(phone, "phone-card-before-the-day")
    assert phone.evaluate("window.__sameDocument") is True
    found: dict = {}
    check(phone, "phone: a board open before the day above the stage on", found)
    assert not found, _report(found)

    # The evaluation questions: one in German, an open question added and moved up by keyboard, one removed.
    row = _open_row(console, "Feedback")
    row.get_by_label("Question 1 (Deutsch)", exact=True).fill("War der Tag gut organisiert?")
    row.get_by_label("Low end (1), question 1 (English)").fill("Not at all")
    row.get_by_label("Kind of the new question").select_option(label="Open question")
    row.get_by_label("New question (English)", exact=True).fill("What should we do next time?")
    row.get_by_role("button", name="Add the question").click()
    count = 9  # the standard questionnaire's eight, and this one
    expect(row.get_by_label(f"Question {count} (English)", exact=True)).to_have_value(
        "What should we do next time?"
    )
    up = console.get_by_role("button", name=f"Move question {count} up")
    up.focus()
    console.keyboard.press("Enter")
    expect(console.get_by_role("button", name=f"Move question {count - 1} up")).to_be_focused()
    console.keyboard.press("Enter")
    expect(console.get_by_role("button", name=f"Move question {count - 2} up")).to_be_focused()
    _open_row(console, "Feedback").get_by_role("button", name="Remove question 2").click()
    # The agenda comes back anew: its rows are read again once the swap has replaced them.
    feedback_row = console.locator(".agenda-row", has_text="Feedback")
    expect(feedback_row.get_by_label(f"Question {count} (English)", exact=True)).to_have_count(0)
    _open_row(console, "Before we meet")
    _shot(console, "console-agenda-window-and-questions")
    console.locator(".agenda-row", has_text="Before we meet").scroll_into_view_if_needed()
    console.evaluate(
        "window.scrollBy(0, document.querySelector('#agenda-design').getBoundingClientRect().top - 8)"
    )
    console.screenshot(path=str(ARTIFACTS / "console-agenda-window-and-questions-1440x900.png"))
    check(console, "console: a board's window and an evaluation stage's questions", found)
    assert not found, _report(found)

    auth = {"Authorization": f"Bearer {world.api_token}"}
    stages = patient.get(f"{server.url}/api/v1/workshops/{world.workshop.id}", headers=auth).json()["stages"]
    feedback = next(s["id"] for s in stages if s["title"].get("en") == "Feedback")
    items = patient.get(f"{server.url}/api/v1/stages/{feedback}/questionnaire?lang=de", headers=auth).json()
    texts = [i["text"] for i in items["items"]]
    english = patient.get(f"{server.url}/api/v1/stages/{feedback}/questionnaire?lang=en", headers=auth).json()
    assert texts[0] == "War der Tag gut organisiert?" and english["items"][0]["labels"][0] == "Not at all"
    assert items["items"][0]["labels"][0] == "Stimme gar nicht zu"  # the other ends as they were
    assert texts[-3] == "What should we do next time?" and len(texts) == count - 1
    assert items["items"][-3]["type"] == "text"

    # The projector shows the early card once the board is on.
    expect(projector.locator(".card", has_text="No childcare")).to_have_count(0)
    console.locator(".stage-nav").get_by_role("button", name=re.compile("Before we meet")).click()
    expect(projector.locator(".card", has_text="No childcare in the evenings")).to_be_visible()
    assert projector.evaluate("window.__sameDocument") is True


def test_each_stage_shows_its_kind_and_minutes_and_the_editor_says_what_changed_and_keeps_the_keyboard(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    console = _console(browser, server, world.workshop.id)
    console.set_viewport_size({"width": 1440, "height": 900})
    _open_editor(console)
    # The kinds to add are tiles with their pictures (a select showed words only).
    expect(console.locator(".agenda-add .kind-option:has(input[type=radio]) .icon")).to_have_count(8)
    _add(console, "Evaluation", "Feedback", "5")

    # Like a list of slides: each row a picture of its kind and its minutes in a column of their own.
    rows = console.locator(".agenda-row")
    expect(rows).to_have_count(3)
    expect(rows.locator(".agenda-kind .icon")).to_have_count(3)
    for title, kind, minutes in [
        ("Ideas and needs", "board", "45 min"),
        ("Wrap-up and next steps", "information", "10 min"),
        ("Feedback", "evaluation", "5 min"),
    ]:
        row = console.locator(".agenda-row", has_text=title)
        expect(row.locator(f".agenda-kind .icon-stage-{kind}")).to_be_visible()
        expect(row.locator(".agenda-minutes")).to_have_text(minutes)
    # Each kind has a picture of its own, not the generic tag a name without one falls back to.
    masks = console.eval_on_selector_all(
        ".agenda-kind .icon", "els => els.map(e => getComputedStyle(e).getPropertyValue('--icon'))"
    )
    assert len(set(masks)) == 3 and not any("tag.svg" in m for m in masks), masks

    # The stage just added says so, and the keyboard is there.
    feedback = console.locator(".agenda-row", has_text="Feedback")
    expect(feedback.locator(".agenda-done")).to_have_text("Added")
    expect(feedback.locator(".agenda-done")).to_be_focused()
    _edit(console, "Feedback", **{"Duration (min)": "12"})
    feedback = console.locator(".agenda-row", has_text="Feedback")
    expect(feedback.locator(".agenda-done")).to_have_text("Saved")
    expect(feedback.locator(".agenda-done")).to_be_focused()
    expect(feedback.locator(".agenda-minutes")).to_have_text("12 min")
    expect(console.locator(".agenda-done")).to_have_count(1)

    # Moved up by keyboard to the top: the focus stays on the stage (its up arrow is off there: the down one).
    console.get_by_role("button", name="Move Feedback up").focus()
    console.keyboard.press("Enter")
    expect(console.get_by_role("button", name="Move Feedback up")).to_be_focused()
    console.keyboard.press("Enter")
    expect(console.locator(".agenda-row").first).to_contain_text("Feedback")
    expect(console.get_by_role("button", name="Move Feedback up")).to_be_disabled()
    expect(console.get_by_role("button", name="Move Feedback down")).to_be_focused()
    console.keyboard.press("Enter")
    expect(console.get_by_role("button", name="Move Feedback down")).to_be_focused()
    expect(console.locator(".agenda-row").nth(1)).to_contain_text("Feedback")
    _shot(console, "console-agenda-editor-kinds")
    found: dict = {}
    check(console, "console: agenda editor with kind pictures and a moved stage", found)
    assert not found, _report(found)
