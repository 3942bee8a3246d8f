"""In Debian's Chromium: the needs board on phones and on a projector moderated by keyboard alone."""

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.board.test_needs_board import Lab, open_lab
from tests.conftest import ThreadServer, World
from tests.test_browser import PHONE, PROJECTOR, _console, _shot, _tab_to

pytestmark = pytest.mark.browser
NEEDS_TITLE = "Round table 1: identifying the needs"


def _phone(browser: Browser, server: ThreadServer, lab: Lab, name: str) -> Page:
    phone = browser.new_context(**PHONE).new_page()
    phone.goto(f"{server.url}/j/{lab.workshop.code}")
    phone.get_by_label("Your name or a nickname").fill(name)
    phone.get_by_role("button", name="Join the workshop").click()
    expect(phone.get_by_role("heading", name=NEEDS_TITLE)).to_be_visible()
    expect(phone.locator("#connection")).to_have_attribute("data-state", "online")
    return phone


def open_more(phone: Page) -> None:
    """Unfold the card form's "More about your card", where its kind and phase wait."""
    more = phone.locator("#card-more")
    if not more.evaluate("details => details.open"):
        more.get_by_text("More about your card (optional)").click()


def _send(phone: Page, text: str, area: str, kind: str | None = None, phase: str | None = None) -> None:
    phone.get_by_label("Your card").fill(text)
    phone.get_by_role("radio", name=area).check()
    if kind or phase:
        open_more(phone)
    if kind:
        phone.get_by_role("radio", name=kind).check()
    if phase:
        phone.get_by_role("radio", name=phase).check()
    phone.get_by_role("button", name="Send card").click()
    expect(phone.locator(".form-message")).to_contain_text("Sent")


def _signed_in_projector(browser: Browser, server: ThreadServer, lab: Lab) -> Page:
    page = browser.new_context(**PROJECTOR).new_page()
    page.goto(f"{server.url}/login?next=/s/{lab.workshop.projector_key}")
    page.get_by_label("Email").fill("fac@example.org")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_label("Password").press("Enter")
    expect(page.locator("#join-code")).to_have_text(lab.workshop.code)
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    return page


def test_a_facilitator_merges_two_cards_on_the_projector_by_keyboard_and_the_phone_follows(
    browser: Browser,
    server: ThreadServer,
    world: World,
) -> None:
    lab = open_lab(world)
    amira = _phone(browser, server, lab, "Amira")
    projector = _signed_in_projector(browser, server, lab)
    _send(
        amira,
        "No childcare during the language course",
        "Family support",
        "What is missing",
        "P2 Qualification",
    )
    _send(amira, "Kita hours do not fit shift work", "Education")
    first = projector.locator(".card", has_text="No childcare during the language course")
    second = projector.locator(".card", has_text="Kita hours do not fit shift work")
    expect(first).to_contain_text("What is missing")
    expect(first).to_contain_text("P2 Qualification")
    expect(second).to_be_visible()

    # Keyboard only: Tab to each card's "Select" box, tick it with Space, title the cluster, press Enter.
    projector.locator("body").focus()
    _tab_to(projector, first.get_by_role("checkbox"))
    projector.keyboard.press("Space")
    _tab_to(projector, second.get_by_role("checkbox"))
    projector.keyboard.press("Space")
    expect(second.get_by_role("checkbox")).to_be_checked()
    _tab_to(projector, projector.get_by_label("Cluster title"))
    projector.keyboard.type("Childcare")
    projector.keyboard.press("Enter")

    for screen in (projector, amira):
        cluster = screen.locator(".cluster", has_text="Childcare")
        expect(cluster).to_have_count(1)
        expect(cluster.locator(".cluster-cards .card")).to_have_count(2)
        expect(cluster).to_contain_text("No childcare during the language course")
        expect(cluster).to_contain_text("Kita hours do not fit shift work")
        # The cluster sits in the column of the first selected card in board order.
        expect(screen.locator(f"#col-{lab.stage_id}-education .cluster")).to_have_count(1)
    expect(projector.locator(".selection-form .form-message")).to_contain_text("Merged into the cluster")
    expect(projector.get_by_label("Cluster title")).to_have_value("")
    _shot(projector, "needs-projector-moderated")
    _shot(amira, "needs-phone")

    # Undo, by keyboard too: the cards come back out of the cluster everywhere.
    _tab_to(projector, projector.get_by_role("button", name="Undo the last moderation step"))
    projector.keyboard.press("Enter")
    for screen in (projector, amira):
        expect(screen.locator(".cluster")).to_have_count(0)
        expect(
            screen.locator(f"#col-{lab.stage_id}-family_support .card", has_text="No childcare")
        ).to_have_count(1)


def test_in_approval_mode_a_card_waits_on_its_phone_until_the_console_approves_it(
    browser: Browser,
    server: ThreadServer,
    world: World,
) -> None:
    lab = open_lab(world)
    console = _console(browser, server, lab.workshop.id)
    console.get_by_role("button", name="Switch approval on").click()
    expect(console.get_by_role("button", name="Switch approval off")).to_be_visible()

    plain_projector = browser.new_context(**PROJECTOR).new_page()
    plain_projector.goto(f"{server.url}/s/{lab.workshop.projector_key}")
    expect(plain_projector.locator("#connection")).to_have_attribute("data-state", "online")
    amira = _phone(browser, server, lab, "Amira")
    ben = _phone(browser, server, lab, "Ben")
    _send(amira, "A mentor after the first job day", "Job matching", "What is missing", "P3 Follow-up")
    expect(amira.locator(".card-pending")).to_contain_text("Waiting for approval")

    waiting = console.locator(".card", has_text="A mentor after the first job day")
    expect(waiting).to_contain_text("Waiting for approval")
    expect(plain_projector.locator(".card", has_text="A mentor")).to_have_count(0)
    expect(ben.locator(".card", has_text="A mentor")).to_have_count(0)
    waiting.get_by_role("button", name="Approve").click()

    for screen in (plain_projector, ben, amira):
        expect(screen.locator(f"#col-{lab.stage_id}-job_matching .card", has_text="A mentor")).to_have_count(
            1
        )
    expect(amira.locator(".card-pending")).to_have_count(0)
    _shot(console, "needs-console")


def test_a_needs_card_written_offline_is_sent_once_when_the_connection_returns(
    browser: Browser,
    server: ThreadServer,
    world: World,
) -> None:
    lab = open_lab(world)
    plain_projector = browser.new_context(**PROJECTOR).new_page()
    plain_projector.goto(f"{server.url}/s/{lab.workshop.projector_key}")
    expect(plain_projector.locator("#connection")).to_have_attribute("data-state", "online")
    phone = _phone(browser, server, lab, "Amira")
    phone.context.set_offline(True)
    phone.get_by_label("Your card").fill("Written in the basement")
    phone.get_by_role("radio", name="Housing").check()
    open_more(phone)
    phone.get_by_role("radio", name="How it works now").check()
    phone.get_by_role("button", name="Send card").click()
    expect(phone.locator(".form-message")).to_contain_text("will be sent when the connection is back")
    phone.context.set_offline(False)
    card = plain_projector.locator(f"#col-{lab.stage_id}-housing .card", has_text="Written in the basement")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("How it works now")
    phone.reload()
    expect(phone.locator(".card", has_text="Written in the basement")).to_have_count(1)
