"""In Debian's Chromium: the console's "Suggest" panel, used by keyboard alone, and checked by axe."""

import pytest
from playwright.sync_api import Browser, expect

from cowork.domain.board import embedding
from tests import test_browser
from tests.board.test_needs_board import open_lab
from tests.conftest import ThreadServer, World
from tests.test_accessibility import axe_violations
from tests.test_browser import _shot, _tab_to

pytestmark = pytest.mark.browser
browser = test_browser.browser  # the module's Chromium fixture
CONSOLE = {"viewport": {"width": 1440, "height": 900}}
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
    console = browser.new_context(**CONSOLE).new_page()
    console.goto(f"{server.url}/login?next=/f/w/{lab.workshop.id}")
    console.get_by_label("Email").fill("fac@example.org")
    console.get_by_label("Password").fill("correct horse battery")
    console.get_by_role("button", name="Sign in").click()
    expect(console.locator("#connection")).to_have_attribute("data-state", "online")
    board = console.locator(f"#board-{lab.stage_id}")

    console.locator("body").focus()
    _tab_to(console, console.get_by_role("button", name="Suggest how to sort the cards"), limit=300)
    console.keyboard.press("Enter")
    panel = console.locator(f"#suggest-{lab.stage_id}")
    expect(panel.get_by_role("heading", name="Categories")).to_be_visible(timeout=30_000)
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
