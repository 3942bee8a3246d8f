"""In Chromium: a phone proposes a stakeholder and rates it; the projector's grid follows without reload."""

import random
import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import ThreadServer, World, patient
from tests.stakeholders.test_stakeholders import make_region
from tests.test_browser import PHONE, _console, _press_page_form, _projector, _shot
from tests.test_projector_stages import _add_stakeholder, _overlap, names_placed, pin_new

pytestmark = pytest.mark.browser
SVG = "http://www.w3.org/2000/svg"


def _join(browser: Browser, server: ThreadServer, code: str, name: str) -> Page:
    phone = browser.new_context(**PHONE).new_page()
    phone.goto(f"{server.url}/j/{code}")
    phone.get_by_label("Your name or a nickname").fill(name)
    phone.get_by_role("button", name="Join the workshop").click()
    expect(phone.get_by_role("heading", name="Stakeholders and their tasks")).to_be_visible()
    expect(phone.locator("#connection")).to_have_attribute("data-state", "online")
    return phone


def _rate(phone: Page, name: str, influence: int, interest: int) -> None:
    form = phone.locator(".sh-rate", has_text=name)
    form.get_by_role("group", name=re.compile("^Influence")).get_by_role("radio", name=str(influence)).check()
    form.get_by_role("group", name=re.compile("^Interest")).get_by_role("radio", name=str(interest)).check()
    _press_page_form(phone, form.get_by_role("button", name=f"Save rating for {name}"))


def _serious_problems(page: Page, server: ThreadServer) -> list[dict[str, Any]]:
    """axe-core's serious and critical WCAG findings (loaded from our origin: the CSP bans inline script)."""
    page.add_script_tag(url=f"{server.url}/static/vendor/axe.min.js")
    found = page.evaluate("axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag22aa']})")
    return [
        {"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in found["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_a_phone_proposes_and_rates_a_stakeholder_and_the_projector_grid_follows(
    browser: Browser,
    server: ThreadServer,
    world: World,
) -> None:
    region = make_region(world)
    projector = _projector(browser, server, region.world)
    phone = _join(browser, server, region.world.workshop.code, "Amira")

    phone.get_by_label("Name of the organisation or service").fill("Jobcenter Leipzig")
    phone.get_by_label("Family").select_option("job_centre")
    phone.get_by_label("Level (optional)").select_option("operational")
    contact = phone.get_by_label("Contact person", exact=True)
    expect(contact).to_be_hidden()  # personal data: asked for only after the consent tick
    phone.get_by_label(re.compile("^Add a contact person")).check()
    expect(contact).to_be_visible()
    contact.fill("Anja Stephan")
    _press_page_form(phone, phone.get_by_role("button", name="Add stakeholder"))

    marker = projector.locator(".sh-marker", has_text="Jobcenter Leipzig")
    row = projector.locator("tr", has_text="Jobcenter Leipzig")
    expect(row).to_contain_text("0")  # on the projector at once, not placed until rated
    expect(phone.locator(".sh-rate", has_text="Jobcenter Leipzig")).to_contain_text("Not rated yet")

    _rate(phone, "Jobcenter Leipzig", influence=4, interest=2)
    expect(phone.locator(".sh-rate", has_text="Jobcenter Leipzig")).to_contain_text(
        "Your rating: influence 4, interest 2"
    )

    # Influence 4, interest 2: a quarter from the left, three quarters up.
    dot = marker.locator(".sh-dot")
    expect(dot).to_have_attribute("data-cx", "224.0")
    expect(dot).to_have_attribute("data-cy", "124.0")
    assert dot.evaluate("el => el.namespaceURI") == SVG  # a pushed marker is real SVG, drawn
    box = dot.bounding_box()
    assert box is not None and box["width"] > 5
    expect(row).to_contain_text("4.0")
    assert projector.evaluate("window.__sameDocument") is True

    # A second phone's rating moves the marker to the new mean, again without a reload.
    other = _join(browser, server, region.world.workshop.code, "Ben")
    _rate(other, "Jobcenter Leipzig", influence=2, interest=4)
    expect(dot).to_have_attribute("data-cx", "352.0")
    expect(dot).to_have_attribute("data-cy", "224.0")
    expect(marker.locator("ellipse")).to_have_count(1)
    expect(phone.locator(".sh-list")).to_contain_text("2 ratings")
    assert projector.evaluate("window.__sameDocument") is True

    # From the back of the room the map is read, whole: inside the screen, nothing to scroll. Its table of
    # numbers (desk-sized type) is there for screen readers only.
    plot = projector.locator(".sh-projector svg").first
    plot_box = plot.bounding_box()
    viewport = projector.viewport_size
    assert plot_box is not None and viewport is not None
    assert plot_box["y"] >= 0 and plot_box["y"] + plot_box["height"] <= viewport["height"], (
        "the map is cut off"
    )
    assert plot_box["x"] >= 0 and plot_box["x"] + plot_box["width"] <= viewport["width"], "the map is cut off"
    assert projector.evaluate("document.documentElement.scrollHeight <= window.innerHeight")
    expect(projector.locator(".sh-table-wrap")).to_contain_text("Jobcenter Leipzig")
    _shot(phone, "stakeholders-phone")
    _shot(projector, "stakeholders-projector")
    assert _serious_problems(phone, server) == []
    assert _serious_problems(projector, server) == []


def _propose(phone: Page, name: str, family: str, *, answered: bool = True) -> None:
    """Propose from the phone; wait for the answer's page (with answered=False: until the outbox has it)."""
    fold = phone.locator("#sh-propose-fold")
    if fold.get_attribute("open") is None:
        fold.locator("summary").click()  # folded under the ratings once someone is on the map
    phone.get_by_label("Name of the organisation or service").fill(name)
    phone.get_by_label("Family").select_option(family)
    _press_page_form(phone, phone.get_by_role("button", name="Add stakeholder"), answered=answered)


def test_a_half_made_rating_stays_when_another_form_is_answered_and_each_stakeholder_is_listed_once(
    browser: Browser,
    server: ThreadServer,
    world: World,
) -> None:
    region = make_region(world)
    phone = _join(browser, server, region.world.workshop.code, "Amira")
    _propose(phone, "Jobcenter Leipzig", "job_centre")
    first = phone.locator(".sh-rate", has_text="Jobcenter Leipzig")
    expect(first).to_contain_text("Not rated yet")

    # Amira has chosen an influence and not yet an interest when her next proposal's page comes back.
    influence = first.get_by_role("group", name=re.compile("^Influence")).get_by_role("radio", name="4")
    influence.check()
    seen = phone.locator("body").get_attribute("data-last-seq")
    _propose(phone, "Caritas Migrationsdienst", "welfare")
    expect(phone.locator(".sh-rate", has_text="Caritas Migrationsdienst")).to_contain_text("Not rated yet")
    expect(phone.locator("body")).not_to_have_attribute("data-last-seq", seen or "")  # the push came too

    expect(influence).to_be_checked()
    name = phone.get_by_label("Name of the organisation or service")
    expect(name).to_have_value("")  # the sent form comes back empty
    expect(phone.locator(".sh-rate")).to_have_count(2)
    expect(phone.locator(".sh-rate", has_text="Caritas Migrationsdienst")).to_have_count(1)
    first.get_by_role("group", name=re.compile("^Interest")).get_by_role("radio", name="2").check()
    first.get_by_role("button", name="Save rating for Jobcenter Leipzig").click()
    expect(first).to_contain_text("Your rating: influence 4, interest 2")


def test_a_phone_rates_one_stakeholder_at_a_time_the_next_opening_after_each(
    browser: Browser,
    server: ThreadServer,
    world: World,
) -> None:
    """21 stakeholders were 21 open rating forms, a page of 11,000 px at 390 px with the map at its end. Now
    the first one not yet rated is open, the others are folded to their name and rating, and each saved
    rating opens the next."""
    region = make_region(world)
    names = [f"Partner {chr(ord('A') + n)}" for n in range(21)]  # A to U
    for name in names:
        _add_stakeholder(world, region.map_stage, name)
    phone = _join(browser, server, region.world.workshop.code, "Amira")
    forms = phone.locator(".sh-rate")
    expect(forms).to_have_count(21)
    assert phone.evaluate("document.documentElement.scrollHeight") < 5000
    for rated, name in enumerate(names[:3]):
        expect(phone.locator(".sh-rate[open]")).to_have_count(1)
        expect(phone.locator(".sh-rate[open]")).to_contain_text(name)
        _rate(phone, name, 2 + rated, 3)
        expect(forms.filter(has_text=name)).to_contain_text(f"Your rating: influence {2 + rated}, interest 3")
    expect(phone.locator(".sh-rate[open]")).to_have_count(1)
    expect(phone.locator(".sh-rate[open]")).to_contain_text("Partner D")
    _shot(phone, "phone-stakeholders-one-at-a-time")
    # A folded one opens with a tap on its name, and is rated the same way.
    later = forms.filter(has_text="Partner T")
    expect(later).to_contain_text("Not rated yet")
    later.locator("summary").click()
    _rate(phone, "Partner T", 5, 5)
    expect(later).to_contain_text("Your rating: influence 5, interest 5")
    assert not _serious_problems(phone, server)


PHONE_MAP = """() => {
  const box = e => {
    const b = e.getBoundingClientRect();
    return {l: b.left, r: b.right, t: b.top, b: b.bottom};
  };
  const svg = document.querySelector('#stage .sh-grid-svg');
  const shown = e => getComputedStyle(e).display !== 'none';
  return {
    numbered: svg.classList.contains('sh-numbered'),
    names: [...svg.querySelectorAll('.sh-label')].filter(shown).map(e => ({
      text: e.textContent.trim(), ...box(e)})),
    numbers: [...svg.querySelectorAll('.sh-num')].filter(shown).map(e => ({
      text: e.textContent, id: e.closest('.sh-marker').id.replace('sh-marker-', 'sh-item-'), ...box(e)})),
    dots: [...svg.querySelectorAll('.sh-dot')].map(e => ({id: e.closest('.sh-marker').id, ...box(e)})),
    list: [...document.querySelectorAll('#stage .sh-list > li')].map(li => li.id),
  };
}"""


def test_a_phones_crowded_map_numbers_its_dots_as_the_list_under_it_and_a_small_one_names_them(
    browser: Browser,
    server: ThreadServer,
    world: World,
) -> None:
    """On a phone the map is a third of its drawn size and its names cannot step down: 21 stakeholders' names
    piled over each other. A map too crowded for its names shows at each dot its number in the list under it;
    a map with room for its names keeps them."""
    region = make_region(world)
    places = random.Random(3)
    for n in range(21):
        spot = round(places.uniform(1, 5), 1), round(places.uniform(1, 5), 1)
        pin_new(world, region.map_stage, f"Organisation number {n + 1}", *spot)
    phone = _join(browser, server, region.world.workshop.code, "Amira")
    phone.locator("#sh-grid-" + str(region.world.workshop.id)).scroll_into_view_if_needed()
    phone.wait_for_function("document.querySelector('#stage .sh-grid-svg').classList.contains('sh-numbered')")
    seen = phone.evaluate(PHONE_MAP)
    assert seen["names"] == [] and len(seen["numbers"]) == 21
    for number in seen["numbers"]:
        assert number["text"] == str(seen["list"].index(number["id"]) + 1), number
        for other in seen["numbers"]:
            assert other is number or not _overlap(number, other), (number, other)
        for dot in seen["dots"]:
            mine = dot["id"].replace("sh-marker-", "sh-item-") == number["id"]
            assert mine or not _overlap(number, dot), (number, dot)
    _shot(phone, "phone-stakeholder-map-numbered")

    small = make_region(world)
    for name, influence, interest in [("Jobcenter", 4.5, 4.5), ("Caritas", 2, 2), ("Kita-Träger", 4.5, 1.5)]:
        pin_new(world, small.map_stage, name, influence, interest)
    phone = _join(browser, server, small.world.workshop.code, "Bilal")
    names_placed(phone)
    seen = phone.evaluate(PHONE_MAP)
    assert not seen["numbered"] and seen["numbers"] == []
    assert sorted(n["text"].rstrip(" ◆") for n in seen["names"]) == ["Caritas", "Jobcenter", "Kita-Träger"]


def test_the_facilitator_fills_the_matrix_and_prints_the_interface_document(
    browser: Browser,
    server: ThreadServer,
    world: World,
) -> None:
    region = make_region(world)
    participant, token = region.participant()
    region.propose(participant, "Jobcenter Leipzig", contact={"person": "Anja Stephan"}, consent=True)
    region.propose(participant, "Ausländerbehörde", family="policy")
    console = _console(browser, server, region.workshop_id)
    expect(console.locator(".sh-staff-item", has_text="Jobcenter Leipzig")).to_contain_text("Anja Stephan")
    # A stakeholder proposed from a phone arrives on the console live: its entry is pushed empty and fetched.
    proposed = patient.post(
        f"{server.url}/api/v1/stages/{region.map_stage}/stakeholders",
        json={
            "name": "Caritas Leipzig",
            "family": "welfare",
            "contact": {"person": "Jana Weber"},
            "consent": True,
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert proposed.status_code == 201, proposed.text
    expect(console.locator(".sh-staff-item", has_text="Caritas Leipzig")).to_contain_text("Jana Weber")
    _shot(console, "stakeholders-console")
    console.locator(".stage-nav").get_by_role("button", name=re.compile("Responsibility matrix")).click()
    expect(console.get_by_role("table", name="Who does what, for which target group")).to_be_visible()

    gaps = console.locator("#rm-gaps-residence")
    expect(gaps).to_contain_text("Nobody responsible")
    mark = console.get_by_role("combobox", name="Residence status and work permits Ausländerbehörde")
    mark.select_option("responsible")
    cell = mark.locator("xpath=ancestor::td")
    cell.get_by_role("checkbox", name=re.compile("Asylum seekers")).check()
    cell.get_by_role("button", name="Save").click()
    expect(gaps).to_contain_text("Clear")
    expect(console.locator(".rm-gap-summary")).to_contain_text("5 activity areas need attention")
    _shot(console, "stakeholders-matrix")
    assert _serious_problems(console, server) == []

    console.get_by_role("link", name="Interface document (printable)").click()
    expect(console.get_by_role("heading", name=re.compile("^Interface document"))).to_be_visible()
    expect(console.locator("body")).to_contain_text("Anja Stephan")
    console.emulate_media(media="print")
    expect(console.locator(".topbar")).to_be_hidden()
    _shot(console, "stakeholders-interface-document")
    pdf = console.pdf(format="A4", prefer_css_page_size=True)
    pages = re.search(rb"/Type\s*/Pages.*?/Count\s+(\d+)", pdf, re.S)
    assert pages is not None and int(pages.group(1)) == 1  # one A4 page


def test_the_console_pins_by_the_named_button_and_merges_by_the_hint(
    browser: Browser,
    server: ThreadServer,
    world: World,
) -> None:
    region = make_region(world)
    participant, _ = region.participant()
    keep, _ = region.propose(participant, "Jobcenter Leipzig")
    drop, _ = region.propose(participant, "Jobcenter Leipzig Nord")
    console = _console(browser, server, region.workshop_id)
    entry = console.locator(f"#sh-staff-{keep.id}")
    # The buttons are named after their stakeholder, written once in the entry (aria-labelledby).
    entry.get_by_label("Influence").fill("4.5")
    entry.get_by_label("Interest").fill("2")
    console.get_by_role("button", name="Pin Jobcenter Leipzig", exact=True).click()
    expect(entry.locator(".sh-staff-numbers")).to_contain_text("Pinned")
    expect(console.get_by_role("button", name="Unpin Jobcenter Leipzig", exact=True)).to_be_visible()
    expect(console.get_by_role("link", name="Edit Jobcenter Leipzig", exact=True)).to_be_visible()
    # One form for the hint; the button pressed says which stakeholder this one goes into.
    console.locator(f"#sh-staff-{drop.id}").get_by_role("button", name="Merge into Jobcenter Leipzig").click()
    expect(console.locator(f"#sh-staff-{drop.id}")).to_have_count(0)
    expect(entry).to_be_visible()
    assert _serious_problems(console, server) == []
