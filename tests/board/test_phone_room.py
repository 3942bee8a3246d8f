"""In Debian's Chromium: the phone at a needs board, for someone who may read little, on a small screen.

The card form comes first and the board waits folded under "See all cards (N)"; every target is at least
44x44 CSS px; every category, card kind and phase has an icon beside its words; a "read aloud" button speaks
the stage's question and each card in the page's language, and is not there where the phone has no voice.
"""

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.board.test_needs_board import Lab, open_lab
from tests.conftest import ThreadServer, World
from tests.test_accessibility import _report, axe_violations
from tests.test_browser import _shot

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}

# The phone's own voice, as the page sees it: a stand-in for speechSynthesis that keeps what it was asked
# to say (headless Chromium has no voices). VOICES is replaced by the test.
FAKE_SPEECH = """
window.__spoken = [];
const voices = VOICES;
const synth = {
  getVoices: () => voices, cancel: () => {}, addEventListener: () => {},
  speak: (u) => window.__spoken.push({text: u.text, lang: u.lang}),
};
Object.defineProperty(window, 'speechSynthesis', {value: synth, configurable: true});
window.SpeechSynthesisUtterance = function (text) { this.text = text; this.lang = ''; };
"""

# Every visible thing a finger may tap, with its size (a radio or checkbox counts through its label).
TARGETS = """() => [...document.querySelectorAll(
    'a[href], button, summary, select, textarea, label.choice, '
    + 'input:not([type=hidden]):not([type=radio]):not([type=checkbox])')]
  .filter(el => el.offsetParent !== null && !el.closest('.skip-link'))
  .map(el => { const r = el.getBoundingClientRect();
               return {what: el.outerHTML.slice(0, 80), w: r.width, h: r.height}; })"""


def join(browser: Browser, server: ThreadServer, lab: Lab, voices: str = "[]", locale: str = "en") -> Page:
    context = browser.new_context(**PHONE, locale=locale, extra_http_headers={"Accept-Language": locale})
    context.add_init_script(FAKE_SPEECH.replace("VOICES", voices))
    phone = context.new_page()
    phone.goto(f"{server.url}/j/{lab.workshop.code}")
    phone.locator("#name").fill("Amira")
    phone.locator("form[action^='/j/'] button[type=submit]").click()
    expect(phone.locator("#card-form")).to_be_visible()
    expect(phone.locator("#connection")).to_have_attribute("data-state", "online")
    return phone


def test_the_card_form_comes_first_and_the_board_waits_folded_under_its_live_count(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    lab = open_lab(world)
    ana, _ = lab.join("Ana")
    lab.card(ana, "No childcare during the language course", category="family_support")
    phone = join(browser, server, lab)

    form, fold = phone.locator("#card-form").bounding_box(), phone.locator(".board-fold").bounding_box()
    assert form and fold and form["y"] < fold["y"], "the task comes before the board"
    summary = phone.locator(".board-fold > summary")
    expect(summary).to_have_text("See all cards (1)")
    expect(phone.locator(".board .card").first).to_be_hidden()

    # Another phone sends a card: the count follows live, and the folded board holds it when opened.
    other = join(browser, server, lab)
    other.get_by_label("Your card").fill("Kita hours do not fit shift work")
    other.get_by_role("radio", name="Education").check()
    other.get_by_role("button", name="Send card").click()
    expect(summary).to_have_text("See all cards (2)")
    summary.click()
    expect(phone.locator(f"#col-{lab.stage_id}-education .card")).to_contain_text("Kita hours")
    expect(phone.locator(f"#col-{lab.stage_id}-education .card")).to_be_visible()
    _shot(phone, "phone-needs-board-open")


def test_every_target_is_44_px_and_every_category_kind_and_phase_has_an_icon_beside_its_words(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    lab = open_lab(world)
    phone = join(browser, server, lab, voices='[{"lang": "en-GB"}]')
    phone.locator(".board-fold > summary").click()
    phone.locator("#card-more > summary").click()  # the card's kind and phase wait under "More"
    small = [t for t in phone.evaluate(TARGETS) if t["w"] < 44 or t["h"] < 44]
    assert small == [], f"targets under 44x44 px: {small}"

    chips = phone.locator("#card-form label.choice")
    assert chips.count() == 5 + 2 + 3  # areas, card kinds, phases of the co-working lab
    for n in range(chips.count()):
        chip = chips.nth(n)
        icon = chip.locator(".icon")
        expect(icon).to_have_count(1)
        drawn = icon.evaluate(
            "el => { const s = getComputedStyle(el), r = el.getBoundingClientRect();"
            " return s.maskImage.includes('/static/vendor/icons/') && r.width >= 16 && r.height >= 16; }"
        )
        assert drawn, chip.inner_text()
        assert chip.inner_text().strip(), "an icon never stands alone"
    # The pictures are served from our own origin.
    for name in ("house", "puzzle", "handshake", "volume-2"):
        response = phone.request.get(f"{server.url}/static/vendor/icons/{name}.svg")
        assert response.ok and "<svg" in response.text(), name
    _shot(phone, "phone-needs-form")


def test_read_aloud_speaks_the_question_and_a_card_in_the_page_language_and_is_absent_without_a_voice(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    lab = open_lab(world)
    ana, _ = lab.join("Ana")
    lab.card(ana, "Landlords refuse tenants on benefits", category="housing")

    phone = join(browser, server, lab, voices='[{"lang": "de-DE"}]', locale="de")
    expect(phone.locator("html")).to_have_attribute("lang", "de")
    question = phone.locator("#stage > .read-aloud")
    expect(question).to_have_accessible_name("Vorlesen")
    question.click()
    phone.locator(".board-fold > summary").click()
    phone.locator(".card .read-aloud").first.click()
    spoken = phone.evaluate("window.__spoken")
    assert spoken[0]["lang"] == "de"
    assert spoken[0]["text"].startswith("Runder Tisch 1")
    assert "Lückenanalyse" in spoken[0]["text"]  # the description, the question itself
    assert spoken[1] == {"text": "Landlords refuse tenants on benefits", "lang": "de"}

    # No German voice on this phone: no button that would stay silent.
    mute = join(browser, server, lab, voices='[{"lang": "en-US"}]', locale="de")
    expect(mute.locator(".stage-title")).to_be_visible()
    expect(mute.locator(".read-aloud")).to_have_count(0)


@pytest.mark.parametrize("lang", ["en", "de", "es"])
def test_the_phone_at_a_needs_board_has_no_axe_violations(
    browser: Browser, server: ThreadServer, world: World, lang: str
) -> None:
    lab = open_lab(world)
    ana, _ = lab.join("Ana")
    lab.card(ana, "No childcare during the language course", category="family_support", card_kind="missing")
    phone = join(browser, server, lab, voices=f'[{{"lang": "{lang}"}}]', locale=lang)
    phone.locator(".board-fold > summary").click()
    expect(phone.locator(".card .read-aloud")).to_have_count(1)
    violations = axe_violations(phone)
    _shot(phone, f"phone-needs-{lang}")
    assert violations == [], _report({f"phone {lang}": violations})


# Where the fold's "(" ends and where its count begins.
COUNT_AFTER_BRACKET = """() => {
  const count = document.querySelector('.board-fold > summary [data-card-count]');
  const text = count.previousSibling, range = document.createRange();
  range.setStart(text, text.length - 1);
  range.setEnd(text, text.length);
  const bracket = range.getBoundingClientRect(), number = count.getBoundingClientRect();
  return {gap: number.left - bracket.right, lines: Math.abs(number.top - bracket.top)};
}"""


def test_on_a_320_px_phone_in_spanish_the_folds_count_stands_right_after_its_bracket(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    """ "Ver todas las tarjetas (" wrapped on the left of the fold and "38)" stood alone at its right edge."""
    lab = open_lab(world)
    ana, _ = lab.join("Ana")
    for n in range(12):
        lab.card(ana, f"Tarjeta {n}")
    phone = join(browser, server, lab, locale="es")
    phone.set_viewport_size({"width": 320, "height": 640})
    expect(phone.locator(".board-fold > summary")).to_contain_text("Ver todas las tarjetas (12)")
    seen = phone.evaluate(COUNT_AFTER_BRACKET)
    _shot(phone, "phone-fold-es-320")
    assert abs(seen["gap"]) <= 2 and seen["lines"] <= 2, f"the count stands apart from its bracket {seen}"
