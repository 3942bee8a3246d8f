"""In Debian's Chromium: the console's "Suggest" panel, used by keyboard alone, and checked by axe.

On a laptop the open panel is a drawer over the agenda rail, left of the board: the page does not scroll, the
board keeps the width it had (its cards' buttons stay on their rows), the next stage and the timer stay in
view, and the panel and the board each scroll inside themselves.
"""

import csv
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from cowork.db import read_session
from cowork.domain.board import embedding
from cowork.domain.models import Contribution, Event
from tests import test_browser
from tests.board.test_needs_board import Lab, open_lab
from tests.conftest import ThreadServer, World
from tests.test_accessibility import axe_violations
from tests.test_browser import _shot, _tab_to
from tests.test_console_layout import IN_VIEW, LAPTOPS

pytestmark = pytest.mark.browser
CONSOLE = {"viewport": {"width": 1440, "height": 900}}
SET = Path(__file__).parent.parent / "data" / "suggestions.csv"  # labelled cards in five languages
TEXTS = [
    "Childcare during the language course",
    "Kinderbetreuung während des Sprachkurses",
    "Cuidado de los niños durante el curso de idiomas",
    "There are not enough affordable flats for families",
    "A job fair where employers meet refugees directly",
]


def test_a_facilitator_accepts_edits_a_title_and_dismisses_suggestions_by_keyboard(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    embedding.encoder()  # the server's worker shares this process: its first ask finds the model loaded
    lab = open_lab(world)
    ana, _ = lab.join("Ana")
    for text in TEXTS:
        lab.card(ana, text)
    console = _console(browser, server, lab.workshop.id)
    board = console.locator(f"#board-{lab.stage_id}")

    console.locator("body").focus()
    _tab_to(console, console.get_by_role("button", name="Suggest how to sort the cards"), limit=300)
    console.keyboard.press("Enter")
    panel = console.locator(f"#suggest-{lab.stage_id}")
    expect(panel.get_by_role("heading", name="Categories")).to_be_visible(timeout=30_000)
    expect(panel.get_by_role("heading", name="Suggest")).to_be_focused()
    assert axe_violations(console) == []
    _shot(console, "suggest-panel-console-1440x900")

    # Accept one category: the card moves on the board, as one moderation step everyone sees.
    console.locator("body").focus()
    _tab_to(
        console,
        panel.get_by_role("button", name="Accept: There are not enough affordable flats"),
        limit=300,
    )
    console.keyboard.press("Enter")
    expect(panel.locator(".form-message")).to_contain_text("Moved.")
    # The keyboard's place is kept: the focus lands on the new panel's heading, not the top of the page.
    expect(panel.get_by_role("heading", name="Suggest")).to_be_focused()
    expect(board.locator(f"#col-{lab.stage_id}-housing")).to_contain_text(TEXTS[3])

    # Edit the proposed title of the same card in three languages, then merge.
    title = panel.get_by_label("Cluster title").first
    console.locator("body").focus()
    _tab_to(console, title, limit=300)
    console.keyboard.press("Control+A")
    console.keyboard.type("Kinderbetreuung im Sprachkurs")
    console.keyboard.press("Enter")
    expect(panel.locator(".form-message")).to_contain_text("Merged into the cluster")
    cluster = console.locator(".cluster", has_text="Kinderbetreuung im Sprachkurs")
    expect(cluster).to_have_count(1)
    expect(cluster.locator(".cluster-cards .card")).to_have_count(3)

    # Dismiss one: it goes, and does not come back when the panel is asked again.
    dismiss = panel.get_by_role("button", name="Dismiss: A job fair")
    console.locator("body").focus()
    _tab_to(console, dismiss, limit=300)
    console.keyboard.press("Enter")
    expect(panel.locator(".form-message")).to_contain_text("Dismissed.")
    expect(panel).not_to_contain_text(TEXTS[4])
    console.goto(f"{server.url}/f/stages/{lab.stage_id}/suggestions")  # the panel's own page, without htmx
    expect(console.get_by_role("heading", name="Suggest")).to_be_visible()
    expect(console.locator("main")).not_to_contain_text(TEXTS[4])
    assert axe_violations(console) == []


def test_cowork_asks_where_a_few_cards_go_and_a_category_button_moves_one_by_keyboard(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    embedding.encoder()
    lab = open_lab(world)
    ana, _ = lab.join("Ana")
    for text in TEXTS:
        lab.card(ana, text)
    console = _console(browser, server, lab.workshop.id)
    console.locator("body").focus()
    _tab_to(console, console.get_by_role("button", name="Suggest how to sort the cards"), limit=300)
    console.keyboard.press("Enter")
    panel = console.locator(f"#suggest-{lab.stage_id}")
    asked = panel.locator(".question")
    expect(panel.get_by_role("heading", name="Where do these go?")).to_be_visible(timeout=30_000)
    expect(asked.first).to_be_visible()
    assert axe_violations(console) == []
    _shot(console, "suggest-ask-console-1440x900")

    # The first asked card's second likeliest category (its first is the suggestion anyway), by keyboard.
    question = asked.first
    text = question.locator("q").inner_text()
    answer = question.get_by_role("button").nth(1)
    category = answer.get_attribute("value")
    label = answer.inner_text().strip()
    assert answer.get_attribute("aria-label") == f"{label}: {text}"  # the card, for a screen reader
    console.locator("body").focus()
    _tab_to(console, answer, limit=300)
    console.keyboard.press("Enter")
    expect(panel.locator(".form-message")).to_contain_text("Moved.")
    expect(panel.get_by_role("heading", name="Suggest")).to_be_focused()
    expect(console.locator(f"#col-{lab.stage_id}-{category}")).to_contain_text(text)
    expect(panel.locator(".question q", has_text=text)).to_have_count(0)  # placed: not asked again

    # One moderation step in the record: the card moved to the chosen column.
    with read_session(lab.engine) as session:
        card = session.exec(
            select(Contribution).where(Contribution.stage_id == lab.stage_id, Contribution.text == text)
        ).one()
        last = session.exec(
            select(Event).where(Event.workshop_id == lab.workshop.id).order_by(Event.seq.desc())  # type: ignore[attr-defined]
        ).first()
    assert card.category == category
    assert last is not None and last.type == "cards.moved" and last.data["card_ids"] == [card.id]


def _console(browser: Browser, server: ThreadServer, workshop_id: int) -> Page:
    console = test_browser._console(browser, server, workshop_id)
    console.set_viewport_size(CONSOLE["viewport"])
    return console


BESIDE = """([panel, board]) => {
  const p = document.querySelector(panel).getBoundingClientRect();
  const b = document.querySelector(board).getBoundingClientRect();
  return {panel: [p.left, p.top, p.right, p.bottom], board: [b.left, b.top, b.right, b.bottom]};
}"""


def _sixty_cards(lab: Lab) -> None:
    """Sixty cards of the labelled set, twelve per area in five languages: two per area placed."""
    with SET.open(encoding="utf-8") as lines:
        rows = list(csv.DictReader(lines))
    ana, _ = lab.join("Ana")
    for area in sorted({r["category"] for r in rows}):
        for n, row in enumerate([r for r in rows if r["category"] == area][:12]):
            lab.card(ana, row["text"], category=area if n < 2 else None)


# The board's columns' widths, and on how many rows each card's buttons stand (a squeezed board stacks them).
BOARD_ROWS = """() => ({
  columns: [...document.querySelectorAll('.console-scroll .board > .column')]
    .map(c => Math.round(c.getBoundingClientRect().width)),
  rows: [...document.querySelectorAll('.console-scroll .board .card-tools')].filter(t => t.offsetParent)
    .map(t => new Set([...t.querySelectorAll('button, summary')].filter(b => b.offsetParent)
      .map(b => Math.round(b.getBoundingClientRect().top))).size),
})"""


def test_on_a_laptop_the_open_panel_is_a_drawer_left_of_the_board_and_escape_folds_it(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    embedding.encoder()
    lab = open_lab(world)
    _sixty_cards(lab)
    console = _console(browser, server, lab.workshop.id)
    opener = console.get_by_role("button", name="Suggest how to sort the cards")
    closed = console.evaluate(BOARD_ROWS)
    console.locator("body").focus()
    _tab_to(console, opener, limit=40)  # above the board: not behind sixty cards' tools
    console.keyboard.press("Enter")
    panel = console.locator(f"#suggest-{lab.stage_id}")
    expect(panel.get_by_role("heading", name="Suggest")).to_be_focused(timeout=30_000)
    expect(panel.get_by_role("heading", name="Categories")).to_be_visible()

    for width, height in LAPTOPS:
        console.set_viewport_size({"width": width, "height": height})
        where = f"at {width}×{height}"
        size = console.evaluate(
            "[document.documentElement.scrollHeight, document.documentElement.scrollWidth]"
        )
        assert size[0] <= height and size[1] <= width, f"{where} the page scrolls: {size}"
        box = console.evaluate(BESIDE, [f"#suggest-{lab.stage_id}", ".console-scroll"])
        assert box["panel"][2] <= box["board"][0], f"{where} the panel covers the board: {box}"
        assert box["panel"][1] < box["board"][3] and box["board"][1] < box["panel"][3], f"{where} not beside"
        if (width, height) == (CONSOLE["viewport"]["width"], CONSOLE["viewport"]["height"]):
            # The board as wide as with the panel closed: no column narrower, no card's buttons stacked more.
            opened = console.evaluate(BOARD_ROWS)
            assert opened["columns"] == closed["columns"], f"{where} the board is squeezed: {closed} {opened}"
            assert opened["rows"] == closed["rows"] and closed["rows"], f"{where}: {closed} {opened}"
        for selector in [
            f"#suggest-{lab.stage_id}",
            ".console-scroll",  # the board's own scroll box
            f"#board-{lab.stage_id} .card",  # and its first card
            f"#suggest-{lab.stage_id} .suggest-head",
            f"#suggest-{lab.stage_id} .suggestion",
            "#stage-next",
            ".timer-controls button[value=start]",
        ]:
            assert console.evaluate(IN_VIEW, selector) == "", where
        _shot(console, f"suggest-beside-board-60-cards-{width}x{height}")

    # Each scrolls inside itself: the long list of suggestions moves neither the board nor the page.
    assert panel.evaluate("el => el.scrollHeight > el.clientHeight")
    panel.evaluate("el => el.scrollTo(0, el.scrollHeight)")
    assert console.evaluate("[scrollY, document.querySelector('.console-scroll').scrollTop]") == [0, 0]
    expect(panel.locator(".suggest-head")).to_be_in_viewport()  # Close and "Accept all" stay at hand
    assert axe_violations(console) == []

    # Escape (the keyboard being in the panel) folds it back; the focus returns to its button.
    panel.get_by_role("heading", name="Suggest").focus()
    console.keyboard.press("Escape")
    expect(panel.get_by_role("heading", name="Categories")).to_have_count(0)
    expect(opener).to_be_focused()
    _shot(console, "suggest-closed-60-cards-1366x768")
    # And the Close button does the same, by keyboard.
    console.keyboard.press("Enter")
    close = panel.get_by_role("button", name="Close the suggestions")
    expect(close).to_be_visible(timeout=30_000)
    close.focus()
    console.keyboard.press("Enter")
    expect(opener).to_be_focused()


def test_the_phone_shows_what_belongs_under_each_category(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    lab = open_lab(world)
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    ).new_page()
    phone.goto(f"{server.url}/j/{lab.workshop.code}")
    phone.get_by_label("Your name or a nickname").fill("Amira")
    phone.get_by_role("button", name="Join the workshop").click()
    housing = phone.get_by_role("radio", name="Housing")
    expect(housing).to_be_visible()
    choice = phone.locator("label.choice", has=housing)
    expect(choice).to_contain_text("Social counselling; a hotel or an apartment from the district")
    _shot(phone, "suggest-phone-categories-390x844")
    assert axe_violations(phone) == []
