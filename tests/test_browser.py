"""In Debian's Chromium: a phone joins by the QR link and sends a card; the projector shows it live."""

import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, Route, expect
from sqlmodel import Session

from cowork.domain.workshops import participant_count
from cowork.settings import Settings
from tests.conftest import ThreadServer, World, patient

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).parent.parent / "test-artifacts"
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
PROJECTOR = {"viewport": {"width": 1600, "height": 900}}


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _projector(browser: Browser, server: ThreadServer, world: World) -> Page:
    page = browser.new_context(**PROJECTOR).new_page()
    page.goto(f"{server.url}/s/{world.workshop.projector_key}")
    expect(page.locator("#join-code")).to_have_text(world.workshop.code)
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads
    return page


def _console(browser: Browser, server: ThreadServer, workshop_id: int) -> Page:
    console = browser.new_context(**PROJECTOR).new_page()
    console.goto(f"{server.url}/login?next=/f/w/{workshop_id}")
    console.get_by_label("Email").fill("fac@example.org")
    console.get_by_label("Password").fill("correct horse battery")
    console.get_by_role("button", name="Sign in").click()
    expect(console.locator("#connection")).to_have_attribute("data-state", "online")
    return console


# Where the keyboard is must show: an outline of at least 2 px, inside the viewport, and nothing fixed on
# top of it (the connection badge floats at the bottom right).
FOCUS_SHOWN = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "";  // between the page's last element and its first
  const box = el.getBoundingClientRect(), style = getComputedStyle(el);
  const x = box.left + box.width / 2, y = box.top + box.height / 2;
  const top = document.elementFromPoint(x, y);
  const shown = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2
    && y >= 0 && y < innerHeight && !!top && (top === el || el.contains(top) || top.contains(el));
  return shown ? "" : el.outerHTML.slice(0, 200);
}"""


def _tab_to(page: Page, target: Locator, limit: int = 150) -> None:
    """Press Tab until the target has the focus; every element passed on the way shows that it has it."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        hidden = page.evaluate(FOCUS_SHOWN)
        assert not hidden, f"the focus does not show on {hidden}"
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError("Tab never reached the element")


def _press_page_form(page: Page, button: Locator, *, answered: bool = True) -> None:
    """Press a page form's button (a vote, a rating, a stakeholder proposal) and wait until its answer is in:
    the answer's page has replaced this <main> and no form in it is still being sent. The socket's push of the
    same change often comes first and shows part of it; a step that waited only for that part could act on
    the <main> about to be replaced, and be lost. With answered=False: until the form is no longer being sent
    (its answer did not come, and the outbox keeps it); _page_answered then waits for the page it brings."""
    page.locator("main").evaluate("main => { main.__pressed = true; }")  # gone with this <main>
    button.click()
    if answered:
        _page_answered(page)
    else:
        expect(page.locator("main form[aria-busy=true]")).to_have_count(0)


def _page_answered(page: Page) -> None:
    """Until the <main> a page form was pressed in (by _press_page_form) has been replaced by an answer's page
    (or a reload), and no form in the new one is being sent."""
    expect(page.locator("main")).not_to_have_js_property("__pressed", True)
    expect(page.locator("main form[aria-busy=true]")).to_have_count(0)


def _join_on_phone(
    browser: Browser, server: ThreadServer, world: World, name: str = "Amira", phone: Page | None = None
) -> Page:
    phone = phone or browser.new_context(**PHONE).new_page()
    phone.goto(f"{server.url}/j/{world.workshop.code}")
    phone.get_by_label("Your name or a nickname").fill(name)
    phone.get_by_label("You are here as").select_option("beneficiary")
    phone.get_by_role("button", name="Join the workshop").click()
    expect(phone.get_by_role("heading", name="Ideas and needs")).to_be_visible()
    expect(phone.locator("#connection")).to_have_attribute("data-state", "online")
    return phone


def test_the_joined_phone_is_at_its_pages_address_and_a_reload_or_back_and_forth_never_joins_again(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    """The join's POST answers with the phone page itself; the address bar shows the page's own address."""
    phone = _join_on_phone(browser, server, world)
    stage = f"{server.url}/j/{world.workshop.code}/stage"
    assert phone.url == stage
    asked: list[tuple[str, str]] = []
    phone.on("request", lambda r: asked.append((r.method, r.url)) if r.is_navigation_request() else None)
    phone.get_by_label("Your card").fill("Kept in the outbox's own place")
    phone.reload()  # a POST's page would be sent again here, after the browser's "Confirm resubmission"
    expect(phone.get_by_role("heading", name="Ideas and needs")).to_be_visible()
    expect(phone.locator(".topbar-name")).to_have_text("Amira")
    expect(phone.get_by_label("Your card")).to_have_value("Kept in the outbox's own place")  # its draft
    phone.go_back()  # the join link: a joined phone is sent on to its page
    phone.go_forward()
    expect(phone.locator("#connection")).to_have_attribute("data-state", "online")
    assert phone.url == stage
    assert asked[0] == ("GET", stage) and all(method == "GET" for method, _url in asked), asked
    with Session(world.engine) as session:
        assert participant_count(session, workshop_id=world.workshop.id) == 1


@pytest.mark.parametrize("allowed", [False, True])
def test_chromium_asks_for_compression_and_gets_it_only_when_the_setting_allows_and_goes_live_either_way(
    browser: Browser, live_settings: Settings, world: World, allowed: bool
) -> None:
    phone = browser.new_context(**PHONE).new_page()
    handshakes: dict[str, list[dict[str, str]]] = {"asked": [], "answered": []}
    network = phone.context.new_cdp_session(phone)  # the socket's handshake headers, as Chromium saw them
    network.on(
        "Network.webSocketWillSendHandshakeRequest",
        lambda e: handshakes["asked"].append(e["request"]["headers"]),
    )
    network.on(
        "Network.webSocketHandshakeResponseReceived",
        lambda e: handshakes["answered"].append(e["response"]["headers"]),
    )
    network.send("Network.enable")
    with ThreadServer(live_settings.model_copy(update={"websocket_compression": allowed})) as server:
        _join_on_phone(browser, server, world, phone=phone)  # online: the live socket is up
    asked = [h.get("Sec-WebSocket-Extensions", "") for h in handshakes["asked"]]
    answered = [h.get("Sec-WebSocket-Extensions", "") for h in handshakes["answered"]]
    assert asked and all("permessage-deflate" in a for a in asked)
    assert answered and all(("permessage-deflate" in a) is allowed for a in answered)


def test_a_phone_joins_sends_a_card_and_the_projector_shows_it_without_reload(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    projector = _projector(browser, server, world)
    expect(projector.locator("#present-count")).to_have_text("0")
    phone = _join_on_phone(browser, server, world)
    expect(projector.locator("#present-count")).to_have_text("1")

    phone.get_by_label("Your card").fill("Childcare during the language course")
    phone.get_by_role("radio", name="Need").check()
    phone.get_by_role("button", name="Send card").click()
    expect(phone.locator(".form-message")).to_contain_text("Sent")
    expect(phone.get_by_label("Your card")).to_have_value("")

    card = projector.locator(f"#col-{world.stage_id}-need .card")
    expect(card).to_contain_text("Childcare during the language course")
    expect(card).to_contain_text("Amira · Beneficiaries")
    assert projector.evaluate("window.__sameDocument") is True
    expect(phone.locator(f"#col-{world.stage_id}-need .card")).to_have_count(1)
    _shot(phone, "participant-stage-phone")
    _shot(projector, "projector")


def test_a_card_being_sent_says_so_until_its_answer_comes(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    """While its answer is awaited the card's form is aria-busy (for screen readers; the button shows it)."""
    phone = _join_on_phone(browser, server, world)
    held: list[Route] = []
    phone.route("**/j/*/cards", lambda route: held.append(route))  # the answer waits for the test
    form = phone.locator("#card-form")
    phone.get_by_label("Your card").fill("Childcare during the language course")
    phone.get_by_role("button", name="Send card").click()
    expect(form).to_have_attribute("aria-busy", "true")
    expect(phone.get_by_role("button", name="Send card")).to_be_disabled()
    deadline = time.monotonic() + 30
    while not held:  # Playwright serves the route inside its own calls
        assert time.monotonic() < deadline, "the card never left the phone"
        phone.wait_for_timeout(50)
    held[0].continue_()
    expect(phone.locator(".form-message")).to_have_text("Sent.")
    expect(form).not_to_have_attribute("aria-busy", "true")
    expect(phone.get_by_role("button", name="Send card")).to_be_enabled()


def test_cards_coalesced_into_one_frame_each_show_once_in_order_on_the_projector(
    browser: Browser, live_settings: Settings, world: World
) -> None:
    # A long push interval, so that the cards after the first surely share one `events` frame.
    with ThreadServer(live_settings.model_copy(update={"push_interval_ms": 3000})) as server:
        projector = _projector(browser, server, world)
        frames: list[str] = []
        projector.on("websocket", lambda ws: ws.on("framereceived", lambda frame: frames.append(frame)))
        projector.reload()  # the socket opens again, now watched
        expect(projector.locator("#connection")).to_have_attribute("data-state", "online")
        _, token = world.join(name="Ana")
        texts = [f"Coalesced card {i}" for i in range(4)]
        for text in texts:
            response = patient.post(
                f"{server.url}/api/v1/stages/{world.stage_id}/contributions",
                json={"text": text, "category": "need"},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert response.status_code == 201, response.text
        cards = projector.locator(f"#col-{world.stage_id}-need .card")
        expect(cards).to_have_count(4)
        for i, text in enumerate(texts):
            expect(cards.nth(i)).to_contain_text(text)
        assert any(frame.startswith('42["events"') for frame in frames if isinstance(frame, str))
        last_seq = projector.locator("body").get_attribute("data-last-seq")
        assert last_seq == str(response.json()["seq"])


def test_an_error_is_shown_on_the_phone_and_the_text_stays(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    phone = _join_on_phone(browser, server, world)
    phone.get_by_label("Your card").evaluate("el => el.removeAttribute('maxlength')")
    phone.get_by_label("Your card").fill("x" * 2100)
    phone.get_by_role("button", name="Send card").click()
    expect(phone.locator(".form-message")).to_contain_text("The card is too long")
    expect(phone.get_by_label("Your card")).to_have_value("x" * 2100)


def test_a_card_written_offline_is_sent_once_when_the_connection_returns(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    projector = _projector(browser, server, world)
    phone = _join_on_phone(browser, server, world)
    phone.context.set_offline(True)
    phone.get_by_label("Your card").fill("Written in the basement")
    phone.get_by_role("button", name="Send card").click()
    expect(phone.locator(".form-message")).to_contain_text("will be sent when the connection is back")
    phone.context.set_offline(False)
    expect(projector.locator(".card", has_text="Written in the basement")).to_have_count(1)
    phone.reload()
    expect(phone.locator(".card", has_text="Written in the basement")).to_have_count(1)


def test_half_typed_text_survives_a_reload(browser: Browser, server: ThreadServer, world: World) -> None:
    phone = _join_on_phone(browser, server, world)
    phone.get_by_label("Your card").press_sequentially("Half a thought")
    phone.reload()
    expect(phone.get_by_label("Your card")).to_have_value("Half a thought")


def test_the_facilitator_hides_a_card_and_it_leaves_the_projector(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    projector = _projector(browser, server, world)
    phone = _join_on_phone(browser, server, world)
    phone.get_by_label("Your card").fill("Off-topic remark")
    phone.get_by_role("button", name="Send card").click()
    expect(projector.locator(".card", has_text="Off-topic remark")).to_have_count(1)

    console = _console(browser, server, world.workshop.id)
    card = console.locator(".card", has_text="Off-topic remark")
    card.get_by_role("button", name="Hide").click()
    expect(card).to_contain_text("Hidden from participants")
    expect(projector.locator(".card", has_text="Off-topic remark")).to_have_count(0)
    expect(phone.locator(".card", has_text="Off-topic remark")).to_have_count(0)
    _shot(console, "facilitator-console")


def test_the_facilitator_edits_a_card_that_arrived_live(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    """A pushed card's edit box comes empty (it would carry the text a third time) and fills when opened."""
    console = _console(browser, server, world.workshop.id)
    phone = _join_on_phone(browser, server, world)
    phone.get_by_label("Your card").fill("Kinderbetreung\nfür Mütter")
    phone.get_by_role("button", name="Send card").click()
    card = console.locator(".card", has_text="Kinderbetreung")
    card.locator("summary", has_text="Edit").click()  # the pencil; its word shows on hover
    box = card.get_by_label("Text")
    expect(box).to_have_value("Kinderbetreung\nfür Mütter")
    box.fill("Kinderbetreuung für Mütter")
    card.get_by_role("button", name="Save").click()
    expect(phone.locator(".card-text", has_text="Kinderbetreuung für Mütter")).to_have_count(1)


def test_moving_to_the_next_stage_changes_every_phone(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    phone = _join_on_phone(browser, server, world)
    console = browser.new_context(**PROJECTOR).new_page()
    console.goto(f"{server.url}/login?next=/f/w/{world.workshop.id}")
    console.get_by_label("Email").fill("fac@example.org")
    console.get_by_label("Password").fill("correct horse battery")
    console.get_by_role("button", name="Sign in").click()
    console.get_by_role("button", name="2. Wrap-up and next steps").click()
    expect(phone.get_by_role("heading", name="Wrap-up and next steps")).to_be_visible()
    expect(phone.get_by_label("Your card")).to_have_count(0)


FIRST_LOAD_BUDGET = 75 * 1024


def _transferred(page: Page) -> int:
    """Bytes over the wire for the document and everything it loaded (resource timing's transferSize)."""
    return page.evaluate(
        """() => performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
                 .reduce((sum, e) => sum + (e.transferSize || 0), 0)"""
    )


def test_the_join_and_participant_pages_load_within_75_kb(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    context = browser.new_context(**PHONE)
    join = context.new_page()
    join.goto(f"{server.url}/j/{world.workshop.code}", wait_until="networkidle")
    join_bytes = _transferred(join)
    join.get_by_label("Your name or a nickname").fill("Amira")
    join.get_by_role("button", name="Join the workshop").click()
    expect(join.locator("#connection")).to_have_attribute("data-state", "online")
    fresh = browser.new_context(**PHONE, storage_state=context.storage_state()).new_page()
    fresh.goto(f"{server.url}/j/{world.workshop.code}/stage", wait_until="networkidle")
    stage_bytes = _transferred(fresh)
    print(f"first load transferred: join {join_bytes / 1024:.1f} KB, participant {stage_bytes / 1024:.1f} KB")
    assert 0 < join_bytes <= FIRST_LOAD_BUDGET
    assert 0 < stage_bytes <= FIRST_LOAD_BUDGET


def test_the_facilitator_runs_the_timer_and_the_stages_by_keyboard_alone(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    console = _console(browser, server, world.workshop.id)
    expect(console.locator("#timer")).to_contain_text("Not running")
    _tab_to(console, console.get_by_role("button", name="Start", exact=True))
    console.keyboard.press("Enter")
    expect(console.locator("#timer")).to_contain_text("Ends at")
    _tab_to(console, console.get_by_role("button", name="2. Wrap-up and next steps"))
    console.keyboard.press("Enter")
    expect(console.get_by_role("heading", name="Wrap-up and next steps", level=2)).to_be_visible()


def test_the_participant_page_fits_a_320_px_phone(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    phone = browser.new_context(viewport={"width": 320, "height": 640}, is_mobile=True).new_page()
    phone.goto(f"{server.url}/j/{world.workshop.code}")
    phone.get_by_role("button", name="Join the workshop").click()
    phone.get_by_label("Your card").fill(
        "A card from a small phone with a rather long word: Arbeitsmarktintegration"
    )
    phone.get_by_role("button", name="Send card").click()
    expect(phone.locator(".card")).to_have_count(1)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 320
    _shot(phone, "participant-320px")


def test_with_javascript_off_a_phone_still_joins_and_sends_a_card(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    context = browser.new_context(java_script_enabled=False, **PHONE)
    phone = context.new_page()
    phone.goto(f"{server.url}/j/{world.workshop.code}")
    phone.get_by_label("Your name or a nickname").fill("Amira")
    phone.get_by_role("button", name="Join the workshop").click()
    expect(phone.get_by_role("heading", name="Ideas and needs")).to_be_visible()
    phone.get_by_label("Your card").fill("A course in the evening")
    phone.get_by_role("radio", name="Need").check()
    phone.get_by_role("button", name="Send card").click()  # a plain form post, answered by a redirect
    expect(phone.locator(".card", has_text="A course in the evening")).to_be_visible()
    projector = browser.new_context(java_script_enabled=False, **PROJECTOR).new_page()
    projector.goto(f"{server.url}/s/{world.workshop.projector_key}")
    expect(projector.locator(f"#col-{world.stage_id}-need .card")).to_contain_text("A course in the evening")
    context.close()
    projector.context.close()
