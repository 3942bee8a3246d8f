"""In Debian's Chromium: the console puts one card full screen on the projector and back, or the board's words
as a cloud; every open projector follows live, and both fit 1920x1080 and 1280x720 without scrolling."""

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from cowork.domain.board import cards as board
from cowork.domain.board import projection
from tests import test_browser
from tests.board.test_needs_board import Lab, open_lab
from tests.board.test_projector_fit import SCREENS, fill_board
from tests.conftest import ThreadServer, World, patient, run
from tests.test_accessibility import _report, axe_violations
from tests.test_browser import _shot

pytestmark = pytest.mark.browser

# A card at the 2,000-character limit, in words people write (no single endless word).
LONG = (
    "After release from prison nobody helps with the flat search, the job centre letters come only in "
    "German, and the training allowance ends before the exam. "
) * 14
LONG = LONG[:2000]

SPOT = """() => {
  const s = document.querySelector('#spotlight'), r = s.getBoundingClientRect();
  const texts = [...s.querySelectorAll('.spotlight-text, .spotlight-cards li, .spotlight-title')];
  return {
    overflowX: document.documentElement.scrollWidth - innerWidth,
    overflowY: document.documentElement.scrollHeight - innerHeight,
    cut: s.scrollHeight - s.clientHeight, cutX: s.scrollWidth - s.clientWidth,
    full: r.left <= 0 && r.top <= 0 && r.right >= innerWidth - 1 && r.bottom >= innerHeight - 1,
    sizes: texts.map(t => parseFloat(getComputedStyle(t).fontSize)),
    text: s.textContent,
  };
}"""

CLOUD = """() => {
  const words = [...document.querySelectorAll('#stage .cloud-word')];
  const boxes = words.map(w => w.getBoundingClientRect());
  let overlaps = 0;
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    if (a.left < b.right - 1 && b.left < a.right - 1
        && a.top < b.bottom - 1 && b.top < a.bottom - 1) overlaps++;
  }
  return {
    overflowX: document.documentElement.scrollWidth - innerWidth,
    overflowY: document.documentElement.scrollHeight - innerHeight,
    words: words.map(w => w.firstChild.textContent.toLowerCase()),
    outside: boxes.filter(r => r.left < 0 || r.top < 0
      || r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5).length,
    overlaps,
    smallest: Math.min(...words.map(w => parseFloat(getComputedStyle(w).fontSize)
      * (parseFloat(getComputedStyle(w.closest('.word-cloud')).zoom) || 1))),
    largest: Math.max(...words.map(w => parseFloat(getComputedStyle(w).fontSize))),
  };
}"""


def projector(browser: Browser, server: ThreadServer, lab: Lab, size: str, theme: str = "") -> Page:
    page = browser.new_context(viewport=SCREENS[size]).new_page()
    page.goto(f"{server.url}/s/{lab.workshop.projector_key}" + (f"?theme={theme}" if theme else ""))
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    return page


def spotlight_fits(page: Page, what: str) -> dict[str, Any]:
    page.wait_for_function(
        "() => { const s = document.querySelector('#spotlight');"
        " return s && s.scrollHeight <= s.clientHeight + 1; }"
    )
    seen = page.evaluate(SPOT)
    assert seen["overflowX"] <= 0 and seen["overflowY"] <= 0, f"{what}: the page scrolls {seen['sizes']}"
    assert seen["cut"] <= 1 and seen["cutX"] <= 1, f"{what}: the spotlight is cut off"
    assert seen["full"], f"{what}: the spotlight does not fill the screen"
    assert min(seen["sizes"]) >= 24, f"{what}: type under 24 px {seen['sizes']}"
    return seen


def test_the_console_spotlights_a_card_every_projector_follows_and_a_long_card_fits(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    lab = open_lab(world)
    fill_board(lab, 6)
    person = lab.join("Amira")[0]
    short = lab.card(person, "One contact person instead of five offices", category="job_matching")
    long = lab.card(person, LONG, category="housing")
    assert len(long.text) == 2000
    big, small = projector(browser, server, lab, "1080p"), projector(browser, server, lab, "720p")
    console = test_browser._console(browser, server, lab.workshop.id)
    controls = console.locator(f"#projector-view-{lab.stage_id}")
    expect(controls).to_contain_text("The projector shows the cards.")

    console.locator(f"#card-{short.id}").get_by_role("button", name="Spotlight").click()
    expect(controls).to_contain_text("The projector shows one card in the spotlight.")
    for page in (big, small):
        expect(page.locator("#spotlight")).to_have_attribute("data-card", str(short.id))
        expect(page.locator("#stage .board")).to_have_count(0)
    seen = spotlight_fits(big, "a short card at 1080p")
    assert min(seen["sizes"]) >= 48, f"a short card should be big: {seen['sizes']}"
    spotlight_fits(small, "a short card at 720p")
    _shot(big, "projector-spotlight-short-1080p")

    console.locator(f"#card-{long.id}").get_by_role("button", name="Spotlight").click()
    for page, size in ((big, "1080p"), (small, "720p")):
        expect(page.locator("#spotlight")).to_have_attribute("data-card", str(long.id))
        seen = spotlight_fits(page, f"a 2,000-character card at {size}")
        assert " ".join(seen["text"].split()).startswith(" ".join(LONG.split())), "the card is cut"
        _shot(page, f"projector-spotlight-long-{size}")

    # Hiding the card takes it off the big screen at once: the board comes back.
    hidden = console.locator(f"#card-{long.id}")
    hidden.get_by_role("button", name="Hide").click()
    expect(big.locator("#spotlight")).to_have_count(0)
    expect(big.locator("#stage .board")).to_have_count(1)

    console.locator(f"#card-{short.id}").get_by_role("button", name="Spotlight").click()
    expect(big.locator("#spotlight")).to_have_attribute("data-card", str(short.id))
    console.get_by_role("button", name="Back to the board").click()
    for page in (big, small):
        expect(page.locator("#spotlight")).to_have_count(0)
        expect(page.locator("#stage .board")).to_have_attribute("data-pages", "1")
    expect(controls).to_contain_text("The projector shows the cards.")


def test_a_cluster_goes_in_the_spotlight_without_its_hidden_cards(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    lab = open_lab(world)
    person = lab.join("Jonas")[0]
    kept = [
        lab.card(person, text) for text in ("Kita hours do not fit shift work", "No childcare in courses")
    ]
    secret = lab.card(person, "Secret staff note about a person")
    cluster, _ = lab.merge([c.id for c in [*kept, secret]], title="Childcare")
    run(lab.engine, board.update_card, actor=lab.facilitator, card_id=secret.id, hidden=True)
    page = projector(browser, server, lab, "1080p")
    staff = {"Authorization": f"Bearer {world.api_token}"}
    answer = patient.post(
        f"{server.url}/f/stages/{lab.stage_id}/spotlight",
        data={"card_id": str(cluster.id)},
        headers=staff,
        follow_redirects=False,
    )
    assert (
        answer.status_code in (401, 403, 303) and "Secret" not in answer.text
    )  # pages need the console's sign-in
    console = test_browser._console(browser, server, lab.workshop.id)
    console.locator(f"#card-{cluster.id} > .card-tools").get_by_role("button", name="Spotlight").click()
    spot = page.locator("#spotlight")
    expect(spot).to_have_attribute("data-card", str(cluster.id))
    expect(spot.locator(".spotlight-title")).to_have_text("Childcare")
    expect(spot.locator(".spotlight-cards li")).to_have_count(2)
    expect(spot).not_to_contain_text("Secret")
    spotlight_fits(page, "a cluster at 1080p")
    _shot(page, "projector-spotlight-cluster-1080p")


CLOUD_CARDS = [
    ("Kinderbetreuung fehlt während des Sprachkurses", "de"),
    ("Die Kinderbetreuung endet um 14 Uhr", "de"),
    ("Childcare during the language course is missing", "en"),
    ("The childcare places are full", "en"),
    ("Faltan plazas de guardería para las madres", "es"),
    ("Mentoring after the first job day", "en"),
    ("Landlords refuse tenants with benefits", "en"),
]


def cloud_fits(page: Page, what: str) -> dict[str, Any]:
    page.wait_for_function(
        "() => { const b = document.querySelector('#stage .stage-body');"
        " return document.querySelector('#stage .cloud-word') && b.scrollHeight <= b.clientHeight + 1; }"
    )
    seen = page.evaluate(CLOUD)
    assert seen["overflowX"] <= 0 and seen["overflowY"] <= 0, f"{what}: the page scrolls {seen}"
    assert seen["outside"] == 0 and seen["overlaps"] == 0, f"{what}: words off screen or on top of each other"
    assert seen["smallest"] >= 20, f"{what}: words under 20 px {seen}"
    return seen


def test_the_word_cloud_counts_the_visible_cards_words_without_stop_words_and_follows_new_cards(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    lab = open_lab(world)
    people = [lab.join(name)[0] for name in ("Amira", "Jonas", "Lucía")]
    for n, (text, language) in enumerate(CLOUD_CARDS):
        lab.card(people[n % 3], text, language=language)
    hidden = lab.card(people[0], "Zeppelinhangar rumours about a colleague")
    run(lab.engine, board.update_card, actor=lab.facilitator, card_id=hidden.id, hidden=True)
    big, small = projector(browser, server, lab, "1080p"), projector(browser, server, lab, "720p")
    console = test_browser._console(browser, server, lab.workshop.id)
    console.get_by_role("button", name="Show the word cloud").click()
    expect(console.locator(f"#projector-view-{lab.stage_id}")).to_contain_text("word cloud")

    for page, size in ((big, "1080p"), (small, "720p")):
        expect(page.locator("#stage .word-cloud")).to_be_visible()
        seen = cloud_fits(page, f"the cloud at {size}")
        words = seen["words"]
        assert {"childcare", "kinderbetreuung", "landlords", "guardería"} <= set(words), words
        assert not {"the", "die", "des", "las", "para", "during", "um"} & set(words), words
        assert "zeppelinhangar" not in words, "a hidden card's word is on the projector"
        # The word of two cards is bigger than a word of one.
        sizes = page.evaluate(
            "() => Object.fromEntries([...document.querySelectorAll('#stage .cloud-word')]"
            ".map(w => [w.firstChild.textContent.toLowerCase(), parseFloat(getComputedStyle(w).fontSize)]))"
        )
        assert sizes["childcare"] > sizes["landlords"], sizes
        _shot(page, f"projector-word-cloud-{size}")

    # A phone sends a card: its words join the cloud on every projector without a reload.
    phone_token = lab.join("Mehmet")[1]
    sent = patient.post(
        f"{server.url}/api/v1/stages/{lab.stage_id}/contributions",
        json={"text": "Quokkaprojekt for the childcare of shift workers"},
        headers={"Authorization": f"Bearer {phone_token}"},
    )
    assert sent.status_code == 201, sent.text
    for page in (big, small):
        expect(page.locator("#stage .cloud-word", has_text="Quokkaprojekt")).to_have_count(1)
    cloud_fits(big, "the cloud after a new card")

    console.get_by_role("button", name="Show the cards").click()
    expect(big.locator("#stage .word-cloud")).to_have_count(0)
    expect(big.locator("#stage .board")).to_have_attribute("data-pages", "1")


def test_a_full_word_cloud_still_fits_both_screens(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    lab = open_lab(world)
    fill_board(lab, 200)
    run(lab.engine, projection.show_word_cloud, actor=lab.facilitator, stage_id=lab.stage_id, on=True)
    for size in SCREENS:
        page = projector(browser, server, lab, size)
        seen = cloud_fits(page, f"a cloud of 200 cards at {size}")
        assert len(seen["words"]) >= 30, seen["words"]
        _shot(page, f"projector-word-cloud-200-cards-{size}")
        page.context.close()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_spotlight_and_the_word_cloud_have_no_axe_violations(
    browser: Browser, server: ThreadServer, world: World, theme: str
) -> None:
    lab = open_lab(world)
    person = lab.join("Amira")[0]
    for text, language in CLOUD_CARDS:
        lab.card(person, text, language=language)
    console = test_browser._console(browser, server, lab.workshop.id)
    console.get_by_role("button", name="Show the word cloud").click()
    page = projector(browser, server, lab, "1080p", theme)
    expect(page.locator("#stage .cloud-word").first).to_be_visible()
    violations = axe_violations(page)
    _shot(page, f"projector-word-cloud-{theme}")
    assert violations == [], f"cloud {theme}: " + _report({"projector": violations})

    card = lab.card(person, "One contact person instead of five offices")
    console.reload()
    console.locator(f"#card-{card.id}").get_by_role("button", name="Spotlight").click()
    expect(page.locator("#spotlight")).to_have_attribute("data-card", str(card.id))
    violations = axe_violations(page)
    _shot(page, f"projector-spotlight-{theme}")
    assert violations == [], f"spotlight {theme}: " + _report({"projector": violations})
    # The console with its new controls, too.
    violations = axe_violations(console)
    assert violations == [], f"console {theme}: " + _report({"console": violations})
