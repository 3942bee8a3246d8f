"""In Debian's Chromium: on a phone at 390×844, every stage of the sample workshop (with tables at work, a
presentation on and an open vote) gives each choice a picture beside its words (the roles at a table too),
a finger's room (44×44 px) to every button, fold and choice, and offers read-aloud.

Someone who reads little finds a button, an answer, a rating point, a vote option or a fold by its picture,
and can have the stage's question, a form's questions with their answers, and a vote with its options read
out. The phone here has a voice (a stand-in speechSynthesis that records what it is asked to say).
"""

import io

import pytest
from PIL import Image
from playwright.sync_api import Browser, Locator, Page, expect

from tests import test_browser
from tests.board.test_phone_room import PHONE
from tests.conftest import ThreadServer, World
from tests.test_phone_task_first import SMALL
from tests.test_projector_stages import KINDS, go_to, lab_with_everything

pytestmark = pytest.mark.browser

# A device with an English voice; what it is asked to say is kept in window.spoken.
VOICE = """
window.spoken = [];
Object.defineProperty(window, 'speechSynthesis', {configurable: true, value: {
  getVoices: () => [{lang: 'en-GB'}], speak: u => window.spoken.push(u.text), cancel: () => {},
  addEventListener: () => {}}});
window.SpeechSynthesisUtterance = function (text) { this.text = text; };
"""

# Every control a finger may tap on the stage, and those without a picture beside their words.
BARE = """() => [...document.querySelectorAll(
    '#stage button:not(.read-aloud), #stage summary, #stage label:has(input[type=radio]),'
    + ' #stage label:has(input[type=checkbox])')]
  .filter(e => e.offsetParent && e.getAttribute('aria-hidden') !== 'true')
  .map(e => ({text: e.textContent.trim().slice(0, 40), icon: !!e.querySelector('.icon')}))"""


def test_every_phone_stage_has_a_picture_beside_each_choice_and_read_aloud(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    workshop, stages = lab_with_everything(world)
    context = browser.new_context(**PHONE)
    context.add_init_script(VOICE)
    phone = context.new_page()
    phone.goto(f"{server.url}/j/{workshop.code}")
    phone.locator("#name").fill("Samira")
    phone.locator("form[action^='/j/'] button[type=submit]").click()
    expect(phone.locator("#connection")).to_have_attribute("data-state", "online")
    for kind in KINDS:
        go_to(world, workshop, stages[kind])
        phone.reload()
        expect(phone.locator("#connection")).to_have_attribute("data-state", "online")
        if kind == "group_work":  # seated at a table, the phone offers the roles too
            phone.locator("#stage .choose-table form button").first.click()
            expect(phone.locator("#stage .role-form button[name=role]")).to_have_count(3)
            # The table's own board shows the columns its cards are in, not a heading per empty category.
            columns = phone.locator("#stage .table-board .column")
            shown = [c.is_visible() for c in columns.all()]
            filled = [c.locator(".cards > li").count() > 0 for c in columns.all()]
            assert any(filled) and shown == filled, (shown, filled)
            expect(phone.locator("#stage .table-board-empty")).to_be_hidden()
            # A table with no card yet says so (the cards taken off this page; the next stage reloads it).
            phone.evaluate(
                "document.querySelectorAll('#stage .table-board .cards > li').forEach(e => e.remove())"
            )
            expect(phone.locator("#stage .table-board-empty")).to_be_visible()
            expect(columns.first).to_be_hidden()
        expect(phone.locator("#stage .read-aloud").first).to_be_visible()
        controls = phone.evaluate(BARE)
        assert controls or kind in ("information", "presentations"), f"{kind}: nothing to tap"
        bare = [c["text"] for c in controls if not c["icon"]]
        assert bare == [], f"{kind}: choices without a picture {bare}"
        assert phone.evaluate(SMALL) == [], f"{kind}: targets under 44 px"
        test_browser._shot(phone, f"phone-icons-{kind}")

    # A form's question is read with its answers: the evaluation's first question and its five points.
    go_to(world, workshop, stages["evaluation"])
    phone.reload()
    expect(phone.locator("#connection")).to_have_attribute("data-state", "online")
    question = phone.locator("#evaluation-form fieldset").first
    question.locator(".read-aloud").click()
    said = phone.evaluate("window.spoken[window.spoken.length - 1]")
    answers = [t.strip() for t in question.locator("label").all_text_contents()]
    assert len(answers) >= 5 and all(a in said for a in answers), said
    assert "Read aloud" not in said, said

    # An open question is a label over a text field: it has a picture and is read too.
    open_question = phone.locator("#evaluation-form label[for^=answer-]").first
    expect(open_question.locator(".icon")).to_be_visible()
    phone.locator("#evaluation-form .read-aloud + label[for^=answer-]").first.evaluate(
        "l => l.previousElementSibling.click()"
    )
    said = phone.evaluate("window.spoken[window.spoken.length - 1]")
    assert said == " ".join(open_question.text_content().split()), said
    button = phone.locator("#evaluation-form .read-aloud:has(+ label[for^=answer-])").first.bounding_box()
    field = phone.locator("#evaluation-form textarea").first.bounding_box()
    assert button and field and button["width"] < 100, "the read-aloud button is stretched across the form"
    assert button["x"] + button["width"] >= field["x"] + field["width"] - 2, (
        "read-aloud stands apart, at the left"
    )

    # A vote is read with its options.
    go_to(world, workshop, stages["action_plan"])
    phone.reload()
    expect(phone.locator("#connection")).to_have_attribute("data-state", "online")
    poll = phone.locator(".poll").first
    poll.locator(".read-aloud").first.click()
    said = phone.evaluate("window.spoken[window.spoken.length - 1]")
    options = [" ".join(t.split()) for t in poll.locator(".ballot label").all_text_contents() if t.strip()]
    assert options and all(o in said for o in options), (said, options)
    context.close()


def test_the_join_page_and_my_cards_read_aloud_and_the_erase_button_has_a_picture(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    workshop, stages = lab_with_everything(world)
    go_to(world, workshop, stages["needs"])
    context = browser.new_context(**PHONE)
    context.add_init_script(VOICE)
    phone = context.new_page()
    phone.goto(f"{server.url}/j/{workshop.code}")
    # Before joining, the first screen's title and welcome can be heard.
    phone.locator(".read-aloud").click()
    said = phone.evaluate("window.spoken[window.spoken.length - 1]")
    assert workshop.title in said and "You do not need an account" in said, said
    phone.locator("#name").fill("Samira")
    phone.locator("form[action^='/j/'] button[type=submit]").click()
    expect(phone.locator("#connection")).to_have_attribute("data-state", "online")
    phone.locator("#card-text").fill("No childcare during the language course")
    phone.locator("#card-form button[type=submit]").click()
    expect(phone.locator("#card-form .form-message")).not_to_be_empty()

    phone.goto(f"{server.url}/j/{workshop.code}/mine")
    card = phone.locator(".card", has_text="No childcare")
    card.locator(".read-aloud").click()
    assert (
        phone.evaluate("window.spoken[window.spoken.length - 1]") == "No childcare during the language course"
    )
    erase = card.locator("summary", has_text="Erase this card")  # it asks first: a fold
    expect(erase.locator(".icon")).to_be_visible()
    box = erase.bounding_box()
    assert box and box["height"] >= 44, box
    context.close()


# The picture a form's message shows before its words (drawn by the stylesheet, so every message has it).
MESSAGE_PICTURE = """el => { const s = getComputedStyle(el, '::before');
  return s.content !== 'none' && parseFloat(s.width) >= 16 ? s.maskImage : ''; }"""


def _inked(phone: Page, element: Locator) -> int:
    """How many pixels the picture drawn before the element's words (its ::before) colours: the element as
    shown, against the same element with that picture made invisible (its place kept)."""
    shown = Image.open(io.BytesIO(element.screenshot())).convert("L")
    element.evaluate(  # the page's own stylesheet (its policy refuses a style of the test's)
        "el => { el.classList.add('no-picture-for-test'); document.styleSheets[0].insertRule("
        "'.no-picture-for-test::before { visibility: hidden !important; }'); }"
    )
    bare = Image.open(io.BytesIO(element.screenshot())).convert("L")
    element.evaluate("el => el.classList.remove('no-picture-for-test')")
    pairs = zip(shown.get_flattened_data(), bare.get_flattened_data(), strict=True)
    return sum(1 for a, b in pairs if abs(a - b) > 60)


def test_a_cards_message_has_a_picture_sent_and_waiting_to_be_sent(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    """ "Sent." and "No connection. Your card is kept…" were words alone: someone who reads little sees a tick
    when the card is in and a clock while it waits, as in the vote's "Your vote is saved"."""
    phone = test_browser._join_on_phone(browser, server, world)
    message = phone.locator("#card-form .form-message > span")
    phone.get_by_label("Your card").fill("Childcare during the course")
    phone.get_by_role("button", name="Send card").click()
    expect(message).to_have_text("Sent.")
    assert "circle-check.svg" in message.evaluate(MESSAGE_PICTURE)

    phone.context.set_offline(True)
    phone.get_by_label("Your card").fill("Written in the basement")
    phone.get_by_role("button", name="Send card").click()
    expect(message).to_contain_text("will be sent when the connection is back")
    assert "clock.svg" in message.evaluate(MESSAGE_PICTURE)
    bar = phone.locator("#connection")
    expect(bar).to_have_attribute("data-state", "offline")
    test_browser._shot(phone, "phone-card-waiting")
    # Drawn, not only asked for: a picture first fetched offline never came (the bar's showed nothing).
    assert _inked(phone, message) > 20, "the clock before the waiting message is not drawn"
    assert _inked(phone, bar) > 20, "the offline bar's picture is not drawn"
    phone.context.set_offline(False)
    expect(message).to_have_text("Sent.")  # the outbox sent it: the tick again
    assert "circle-check.svg" in message.evaluate(MESSAGE_PICTURE)
