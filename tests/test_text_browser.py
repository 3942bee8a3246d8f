"""In Chromium: right-to-left cards read right to left on the phone, the projector and the console."""

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import ThreadServer, World, patient
from tests.test_browser import _console, _join_on_phone, _projector, _shot

pytestmark = pytest.mark.browser

ARABIC = "نحتاج إلى حضانة للأطفال أثناء دورة اللغة"  # "we need childcare during the language course"
MIXED = "دورة اللغة German B1 في مركز التوظيف Offenbach"  # Arabic first, with English names inside
ENGLISH = "Childcare during the language course (B1 كورس)"  # English first, an Arabic word inside
HEBREW_NAME = "שירות התעסוקה"  # the employment service


def _direction(page: Page, selector: str) -> str:
    return page.locator(selector).evaluate("el => getComputedStyle(el).direction")


def _send(phone: Page, text: str) -> None:
    phone.get_by_label("Your card").fill(text)
    phone.get_by_role("radio", name="Need").check()
    phone.get_by_role("button", name="Send card").click()
    expect(phone.get_by_label("Your card")).to_have_value("")


def _card(page: Page, stage_id: int, text: str) -> str:
    """The selector of the card's text element that shows `text`."""
    card = page.locator(f"#col-{stage_id}-need .card-text", has_text=text)
    expect(card).to_have_count(1)
    return f"#{card.get_attribute('id')}"


def test_arabic_cards_read_right_to_left_and_english_ones_left_to_right(
    browser: Browser,
    server: ThreadServer,
    world: World,
) -> None:
    projector = _projector(browser, server, world)
    phone = _join_on_phone(browser, server, world, name="أمل")
    # The phone's own textarea follows what is typed into it.
    phone.get_by_label("Your card").fill(ARABIC)
    assert _direction(phone, "#card-text") == "rtl"
    for text in (ARABIC, MIXED, ENGLISH):
        _send(phone, text)

    for page in (phone, projector):
        expected = {ARABIC: "rtl", MIXED: "rtl", ENGLISH: "ltr"}
        seen = {text: _direction(page, _card(page, world.stage_id, text)) for text in expected}
        assert seen == expected
        # The author's Arabic name sits beside the group's English label, each in its own direction.
        author = page.locator(f"#col-{world.stage_id}-need .card-author bdi").first
        expect(author).to_have_text("أمل")
        assert author.evaluate("el => getComputedStyle(el).direction") == "rtl"
        # The page itself stays left to right: only the user's text turns.
        assert page.evaluate("getComputedStyle(document.body).direction") == "ltr"

    # Right-to-left text aligns to the card's right edge, inside the card.
    box = projector.locator(_card(projector, world.stage_id, ARABIC)).evaluate(
        """el => { const r = document.createRange(); r.selectNodeContents(el);
                   const t = r.getBoundingClientRect(), c = el.getBoundingClientRect();
                   return {left: t.left - c.left, right: c.right - t.right, width: c.width}; }"""
    )
    assert box["right"] < 2 and box["left"] >= 0, box

    phone.set_viewport_size({"width": 390, "height": 844})
    # The board is folded on the phone: open it, so the shot shows the cards as a participant reads them.
    phone.get_by_text("See all cards").click()
    expect(phone.locator(_card(phone, world.stage_id, MIXED))).to_be_visible()
    _shot(phone, "rtl-phone-390x844")
    for width, height in ((1920, 1080), (1280, 720)):
        projector.set_viewport_size({"width": width, "height": height})
        _shot(projector, f"rtl-projector-{width}x{height}")
    console = _console(browser, server, world.workshop.id)
    console.set_viewport_size({"width": 1440, "height": 900})
    console.goto(f"{server.url}/f/w/{world.workshop.id}")
    assert _direction(console, _card(console, world.stage_id, MIXED)) == "rtl"
    assert _direction(console, _card(console, world.stage_id, ENGLISH)) == "ltr"
    _shot(console, "rtl-console-1440x900")


def test_a_hebrew_stakeholder_and_an_arabic_cluster_title_read_right_to_left(
    browser: Browser,
    server: ThreadServer,
    world: World,
) -> None:
    auth = {"Authorization": f"Bearer {world.api_token}"}
    api = f"{server.url}/api/v1"
    cards = [
        patient.post(f"{api}/stages/{world.stage_id}/contributions", json={"text": t}, headers=auth).json()
        for t in (ARABIC, ENGLISH)
    ]
    cluster = patient.post(
        f"{api}/stages/{world.stage_id}/clusters",
        json={"card_ids": [c["id"] for c in cards], "title": "رعاية الأطفال"},
        headers=auth,
    )
    assert cluster.status_code == 201, cluster.text
    projector = _projector(browser, server, world)
    title = projector.locator(".cluster-title bdi")
    expect(title).to_have_text("رعاية الأطفال")
    assert title.evaluate("el => getComputedStyle(el).direction") == "rtl"
    expect(projector.locator(".cluster-label")).to_have_text("Cluster:")

    lab = patient.post(
        f"{api}/workshops", json={"title": "مختبر العمل المشترك", "format": "co-working-lab"}, headers=auth
    ).json()
    stage = next(s for s in lab["stages"] if s["kind"] == "stakeholders")
    patient.post(f"{api}/workshops/{lab['id']}/current-stage", json={"stage_id": stage["id"]}, headers=auth)
    made = patient.post(
        f"{api}/stages/{stage['id']}/stakeholders",
        json={"name": HEBREW_NAME, "family": "job_centre"},
        headers=auth,
    )
    assert made.status_code == 201, made.text
    screen = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    screen.goto(lab["projector_url"])
    assert _direction(screen, ".projector-title") == "rtl"
    name = screen.get_by_text(HEBREW_NAME).first
    expect(name).to_be_visible()
    assert name.evaluate("el => getComputedStyle(el).direction") == "rtl"
    _shot(screen, "rtl-projector-stakeholders-1920x1080")

    # On the grid: the Hebrew name is laid out right to left and stands beside its dot, not on it; one at
    # the right edge too (drawn to the left of its dot, unless that covers another name: then where free).
    for interest in (2.0, 5.0):
        other = patient.post(
            f"{api}/stages/{stage['id']}/stakeholders",
            json={"name": f"{HEBREW_NAME} {int(interest)}", "family": "employer"},
            headers=auth,
        ).json()
        pinned = patient.post(
            f"{api}/stakeholders/{other['id']}/pin",
            json={"influence": 3.0, "interest": interest},
            headers=auth,
        )
        assert pinned.status_code == 200, pinned.text
        label = screen.locator(f"#sh-marker-{other['id']} .sh-label")
        expect(label).to_contain_text(HEBREW_NAME)
        assert label.evaluate("el => getComputedStyle(el).direction") == "rtl"
        box = label.bounding_box()
        dot = screen.locator(f"#sh-marker-{other['id']} .sh-dot").bounding_box()
        assert box is not None and dot is not None
        centre = dot["x"] + dot["width"] / 2
        if interest < 4:
            assert box["x"] > centre, (box, dot)  # the whole name to the right of the dot
        else:  # the whole name to the left of the dot, or clear of it on its right
            assert box["x"] + box["width"] < centre or box["x"] > centre, (box, dot)
            assert box["x"] + box["width"] <= 1920, (box, dot)  # and on the screen
    _shot(screen, "rtl-projector-stakeholder-grid-1920x1080")
