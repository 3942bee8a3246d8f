"""What the room sees after a participant erased a card that a closed vote was about: the vote's bars and its
groups keep the card's place and counts as "an erased card", and its words show on no screen."""

import pytest
from playwright.sync_api import Browser, Page, expect

from cowork.db import read_session
from cowork.domain.board.view import list_cards
from cowork.domain.votes import ballots, closing, polls
from cowork.domain.votes import setup as poll_setup
from tests.conftest import ThreadServer, World, run
from tests.test_accessibility import axe_violations
from tests.test_browser import _shot

pytestmark = pytest.mark.browser

WORDS = "Quokkadebt with the landlord"
SIZES = {
    "phone": (390, 844),
    "console": (1440, 900),
    "projector": (1920, 1080),
    "projector-small": (1280, 720),
}


def _size(name: str) -> dict[str, object]:
    width, height = SIZES[name]
    touch = {"is_mobile": True, "has_touch": True} if name == "phone" else {}
    return {"viewport": {"width": width, "height": height}, **touch}


def test_an_erased_card_shows_as_an_erased_card_in_a_closed_vote_on_every_screen(
    browser: Browser,
    server: ThreadServer,
    world: World,
) -> None:
    phone = browser.new_context(**_size("phone")).new_page()
    phone.goto(f"{server.url}/j/{world.workshop.code}")
    phone.get_by_label("Your name or a nickname").fill("Amira")
    phone.get_by_role("button", name="Join the workshop").click()
    phone.get_by_label("Your card").fill(WORDS)
    phone.get_by_role("button", name="Send card").click()
    phone.get_by_text("See all cards").click()  # the board waits folded under the phone's task
    expect(phone.locator(".card-text", has_text=WORDS)).to_be_visible()

    ben, _ = world.join(name="Ben", group="employer")
    cleo, _ = world.join(name="Cleo", group="job_centre")
    with read_session(world.engine) as session:
        card = next(c for c in list_cards(session, stage_id=world.stage_id, include_hidden=True))
    poll = run(world.engine, poll_setup.create_poll, actor=world.facilitator, stage_id=world.stage_id,
               method="approval", title="Which needs first?",
               options=[{"contribution_id": card["id"]}, {"label": "Childcare at night"}])  # fmt: skip
    run(world.engine, polls.open_poll, actor=world.facilitator, poll_id=poll.id)
    first, second = (
        o.id for o in run(world.engine, lambda tx, **kw: polls.options_of(tx.session, **kw), poll_id=poll.id)
    )
    for voter, choices in ((ben, {first: True, second: False}), (cleo, {first: False, second: True})):
        run(
            world.engine,
            ballots.cast_ballot,
            actor=world.participant_actor(voter),
            poll_id=poll.id,
            choices=choices,
        )
    run(world.engine, closing.close_poll, actor=world.facilitator, poll_id=poll.id)

    watching = browser.new_context(**_size("projector")).new_page()
    watching.goto(f"{server.url}/s/{world.workshop.projector_key}")
    expect(watching.locator("#connection")).to_have_attribute("data-state", "online")
    expect(watching.locator(f"#poll-{poll.id}-bars").get_by_text(WORDS)).to_be_visible()
    watching.evaluate("window.__sameDocument = true")  # gone if the page reloads

    phone.goto(f"{server.url}/j/{world.workshop.code}/mine")
    phone.get_by_text("Erase this card").click()
    phone.get_by_role("button", name="Yes, erase it").click()
    expect(phone.get_by_text("You have no cards (any more).")).to_be_visible()
    # The projector that showed the vote learns it live: its bars come again without the words.
    expect(watching.locator(f"#poll-{poll.id}-bars").get_by_text("an erased card")).to_be_visible()
    assert "Quokkadebt" not in watching.content() and watching.evaluate("window.__sameDocument")

    screens = {"phone": phone}
    phone.goto(f"{server.url}/j/{world.workshop.code}/stage")
    for name in ("projector", "projector-small"):
        screens[name] = browser.new_context(**_size(name)).new_page()
        screens[name].goto(f"{server.url}/s/{world.workshop.projector_key}")
    console = browser.new_context(**_size("console")).new_page()
    console.goto(f"{server.url}/login?next=/f/w/{world.workshop.id}")
    console.get_by_label("Email").fill("fac@example.org")
    console.get_by_label("Password").fill("correct horse battery")
    console.get_by_role("button", name="Sign in").click()
    screens["console"] = console
    for name, page in screens.items():
        expect(page.locator("#connection")).to_have_attribute("data-state", "online")
        _shot(page, f"erase-{name}")
        expect(page.get_by_text("an erased card").first).to_be_visible()
        assert "Quokkadebt" not in page.content(), name


# Every visible thing a finger taps on the page that is under 44x44 px.
SMALL = """() => [...document.querySelectorAll('#main :is(a[href], button, summary)')]
  .filter(e => e.offsetParent && !e.closest('.skip-link'))
  .filter(e => { const r = e.getBoundingClientRect(); return r.width < 44 || r.height < 44; })
  .map(e => e.outerHTML.slice(0, 80))"""


def _my_cards(browser: Browser, server: ThreadServer, world: World, *texts: str) -> Page:
    phone = browser.new_context(**_size("phone")).new_page()
    phone.goto(f"{server.url}/j/{world.workshop.code}")
    phone.get_by_label("Your name or a nickname").fill("Amira")
    phone.get_by_role("button", name="Join the workshop").click()
    # Its scripts are in (a tap before them is a plain post, which reloads the page and says nothing).
    expect(phone.locator("#connection")).to_have_attribute("data-state", "online")
    for text in texts:
        phone.get_by_label("Your card").fill(text)
        phone.get_by_role("button", name="Send card").click()
        expect(phone.locator("#card-form .form-message")).to_contain_text("Sent")
    phone.goto(f"{server.url}/j/{world.workshop.code}/mine")
    return phone


def test_erasing_a_card_on_the_phone_asks_first_then_says_the_card_is_erased(
    browser: Browser,
    server: ThreadServer,
    world: World,
) -> None:
    """Erasing is for good, and a finger slips: the first tap only asks, with pictures on every choice; "No,
    keep it" keeps the card; "Yes, erase it" erases it, and the page says so instead of just showing less."""
    phone = _my_cards(browser, server, world, WORDS, "Childcare at night")
    mine = phone.locator(".card", has_text=WORDS)
    mine.get_by_text("Erase this card").click()
    expect(mine.locator(".card-text")).to_have_text(WORDS)  # asked, not erased
    yes = mine.get_by_role("button", name="Yes, erase it")
    keep = mine.get_by_role("link", name="No, keep it")
    expect(yes).to_be_visible()
    expect(mine).to_contain_text("Nobody can bring it back")
    for choice in (mine.locator("summary"), yes, keep, mine.locator(".erase-ask p")):
        expect(choice.locator(".icon")).to_be_visible()
    assert phone.evaluate(SMALL) == [], "a target under 44 px"
    assert axe_violations(phone) == [], "the question to erase, read by a screen reader"
    _shot(phone, "erase-phone-asks")

    keep.click()
    expect(phone.locator(".card-text", has_text=WORDS)).to_be_visible()
    expect(phone.get_by_role("button", name="Yes, erase it")).to_have_count(0)  # folded again
    expect(phone.get_by_role("status")).not_to_contain_text("erased")

    mine.get_by_text("Erase this card").click()
    mine.get_by_role("button", name="Yes, erase it").click()
    expect(phone.get_by_role("status")).to_have_text("The card is erased.")
    tick = "el => getComputedStyle(el.firstElementChild, '::before').maskImage"
    assert "circle-check.svg" in phone.get_by_role("status").evaluate(tick)  # and shows its tick
    expect(phone.locator(".card-text", has_text=WORDS)).to_have_count(0)
    expect(phone.locator(".card-text", has_text="Childcare at night")).to_be_visible()  # only that one
    _shot(phone, "erase-phone-erased")
