"""In Debian's Chromium: a facilitator designs the agenda on the console; a phone and the projector follow."""

import re
from datetime import datetime, timedelta

from playwright.sync_api import Browser, Locator, Page, expect

from cowork.domain.board import cards as board
from cowork.domain.program.sample import create_sample_workshop
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


def _editor(browser: Browser, server: ThreadServer, world: World) -> Page:
    """The console on a laptop (1440x900) with the agenda editor open."""
    console = _console(browser, server, world.workshop.id)
    console.set_viewport_size({"width": 1440, "height": 900})
    _open_editor(console)
    return console


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
    row.locator("details.agenda-edit > summary").click()
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
    console.locator("#agenda-design > summary").click()  # the editor closed: the rail's agenda is back
    console.locator(".stage-nav").get_by_role("button", name=re.compile("Tables")).click()
    _open_editor(console)
    _more(console, "Ideas, needs, questions").get_by_role(
        "button", name="Remove Ideas, needs, questions"
    ).click()
    expect(console.locator("#agenda-message")).to_contain_text("cards: 1")
    expect(console.locator("#agenda-message")).to_contain_text("archive it instead")
    _shot(console, "console-agenda-editor-refused")
    console.locator(".agenda-row", has_text="Gaps").locator("details.agenda-edit > summary").click()
    found: dict = {}
    check(console, "console: agenda editor with a refusal and an open edit form", found)
    assert not found, _report(found)
    _more(console, "Ideas, needs, questions").get_by_role(
        "button", name="Archive Ideas, needs, questions"
    ).click()
    expect(console.locator(".agenda-archived")).to_contain_text("Ideas, needs, questions")
    expect(projector.locator("ol.agenda li").first).to_have_text("Tables 30′")
    expect(phone.get_by_role("heading", name="Tables")).to_be_visible()


def _more(console: Page, title: str) -> Locator:
    """The agenda row's "More" menu (Archive, Remove), opened."""
    menu = console.locator(".agenda-row", has_text=title).locator("details.more-menu")
    if menu.get_attribute("open") is None:
        menu.locator("summary").click()
    return menu


def _open_row(console: Page, title: str) -> Locator:
    """The agenda row of this stage with its edit forms unfolded."""
    row = console.locator(".agenda-row", has_text=title)
    if row.locator("details.agenda-edit").get_attribute("open") is None:
        row.locator("details.agenda-edit > summary").click()
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
    console.locator("#agenda-design > summary").click()  # the editor closed: the rail's agenda is back
    console.locator(".stage-nav").get_by_role("button", name=re.compile("Before we meet")).click()
    expect(projector.locator(".card", has_text="No childcare in the evenings")).to_be_visible()
    assert projector.evaluate("window.__sameDocument") is True


def test_each_stage_shows_its_kind_and_minutes_and_the_editor_says_what_changed_and_keeps_the_keyboard(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    console = _editor(browser, server, world)
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


LAPTOPS = [(1440, 900), (1366, 768)]


def test_the_open_agenda_editor_is_on_the_first_screen_and_the_agenda_shows_once(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    """The editor opened below the rail's agenda, the links and the warnings: at 1440×900 its first row stood
    below the fold, and every stage was listed twice. Now it takes the rail's agenda's place, in view."""
    sample = run(world.engine, create_sample_workshop, actor=world.facilitator, language="en")
    console = _console(browser, server, sample.id)
    for width, height in LAPTOPS:
        console.set_viewport_size({"width": width, "height": height})
        console.goto(f"{server.url}/f/w/{sample.id}")
        summary = console.locator("#agenda-design > summary")
        summary.click()
        rows = console.locator(".agenda-row")
        expect(rows).to_have_count(9)
        expect(summary).to_be_focused()  # the keyboard is where it was, and that is on the first screen
        for part in [summary, rows.first, rows.last, console.get_by_role("button", name="Add the stage")]:
            expect(part).to_be_in_viewport(ratio=1)
        assert console.evaluate("scrollY") == 0
        # The agenda once: the editor's rows, not the rail's list beside or above them.
        expect(console.locator(".rail-stage").filter(visible=True)).to_have_count(0)
        expect(console.locator("#agenda-rail")).to_be_hidden()
        console.screenshot(path=str(ARTIFACTS / f"console-agenda-editor-{width}x{height}.png"))
        summary.click()  # closed again: the live run's rail and its agenda are back
        expect(console.locator(".rail-stage").filter(visible=True)).to_have_count(9)


def test_archive_and_remove_wait_in_a_more_menu_that_the_keyboard_opens_and_escape_closes(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    """Edit, Archive and Remove stood on every row: the rare and destructive two are in a "More" menu."""
    console = _editor(browser, server, world)
    row = console.locator(".agenda-row", has_text="Wrap-up and next steps")
    archive = row.get_by_role("button", name="Archive Wrap-up and next steps")
    remove = row.get_by_role("button", name="Remove Wrap-up and next steps")
    expect(row.locator("details.agenda-edit > summary")).to_be_visible()
    expect(archive).to_be_hidden()
    expect(remove).to_be_hidden()
    more = row.locator("details.more-menu > summary")
    expect(more).to_have_accessible_name("More Wrap-up and next steps")
    menu = row.locator("details.more-menu")
    expect(menu).not_to_have_attribute("open", "")

    # By keyboard: Enter opens it, Tab reaches its acts, Escape closes it and gives the focus back.
    more.focus()
    console.keyboard.press("Enter")
    expect(archive).to_be_visible()
    expect(menu).to_have_attribute("open", "")
    console.keyboard.press("Tab")
    expect(archive).to_be_focused()
    ring = archive.evaluate(
        "el => [getComputedStyle(el).outlineStyle, parseFloat(getComputedStyle(el).outlineWidth)]"
    )
    assert ring[0] != "none" and ring[1] >= 2, ring
    _shot(console, "console-agenda-more-menu")
    found: dict = {}
    check(console, "console: agenda editor with a row's More menu open", found)
    assert not found, _report(found)
    console.keyboard.press("Escape")
    expect(archive).to_be_hidden()
    expect(more).to_be_focused()
    expect(menu).not_to_have_attribute("open", "")

    # And by pointer: the menu's Remove removes the stage.
    more.click()
    remove.click()
    expect(console.locator(".agenda-row", has_text="Wrap-up and next steps")).to_have_count(0)
    expect(console.locator(".agenda-row")).to_have_count(1)
