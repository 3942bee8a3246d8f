"""In Debian's Chromium: the workshop's logo and accent colour, set on the console, reach the open projector.

The facilitator uploads a logo and picks a colour in the console's side panel; the projector that is
already open shows both without a reload. With a logo and an accent the projector still fits the screen
and axe-core finds nothing in the light and the dark theme; screenshots at 1920×1080 go to test-artifacts/.
"""

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from cowork.db import read_session
from cowork.domain import workshops
from cowork.domain.program import look
from cowork.domain.program.sample import create_sample_workshop
from tests.conftest import ThreadServer, World, run
from tests.program.test_look import png
from tests.test_accessibility import _report, axe_violations
from tests.test_browser import ARTIFACTS
from tests.test_projector_stages import FIT, go_to, open_stage

pytestmark = pytest.mark.browser
ACCENT = "#c2185b"  # a raspberry red: white text on it
LIGHT_ACCENT = "#ffd23f"  # a sunflower yellow: black text on it

# The logo a workshop might have: a wordmark drawn in SVG (a circle, a path, text).
LOGO = b"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 80">
  <circle cx="40" cy="40" r="32" fill="#c2185b"/>
  <path d="M24 40 l12 12 l22 -26" stroke="#fff" stroke-width="8" fill="none" stroke-linecap="round"/>
  <text x="84" y="36" font-family="sans-serif" font-size="26" font-weight="700"
    fill="#6b0f33">Pro Arbeit</text>
  <text x="84" y="62" font-family="sans-serif" font-size="17" fill="#6b0f33">Co-Working Lab</text>
</svg>"""


def _workshop(world: World) -> tuple[Any, dict[str, int]]:
    workshop = run(world.engine, create_sample_workshop, actor=world.facilitator, language="en")
    with read_session(world.engine) as session:
        stages = {s.kind: s.id for s in reversed(workshops.stages_of(session, workshop_id=workshop.id))}
    return workshop, stages


def _console(browser: Browser, server: ThreadServer, workshop_id: int) -> Page:
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    page.goto(f"{server.url}/login?next=/f/w/{workshop_id}")
    page.get_by_label("Email").fill("fac@example.org")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    return page


def _rgb(colour: str) -> str:
    return "rgb({}, {}, {})".format(*(int(colour[i : i + 2], 16) for i in (1, 3, 5)))


def test_a_logo_and_colour_set_on_the_console_show_on_the_open_projector_without_a_reload(
    browser: Browser,
    server: ThreadServer,
    world: World,
    tmp_path: Path,
) -> None:
    workshop, stages = _workshop(world)
    go_to(world, workshop, stages["needs"])
    projector = open_stage(browser, server, workshop, "1080p")
    projector.evaluate("window.__sameDocument = true")  # gone if the page reloads
    expect(projector.locator(".projector-logo")).to_have_count(0)
    console = _console(browser, server, workshop.id)
    ARTIFACTS.mkdir(exist_ok=True)
    console.locator("#look-details summary").click()
    logo = tmp_path / "logo.svg"
    logo.write_bytes(LOGO)
    console.get_by_label("Logo").set_input_files(str(logo))
    console.get_by_role("button", name="Upload the logo").click()
    expect(console.locator(".look-thumb")).to_be_visible()  # the htmx answer: the form with the new logo
    violations = axe_violations(console)  # the console with the form open
    assert violations == [], _report({"console": violations})
    console.locator("#screen-look").screenshot(path=str(ARTIFACTS / "console-look-form.png"))
    shown = projector.locator(".projector-logo")
    expect(shown).to_be_visible()
    projector.wait_for_function("() => document.querySelector('.projector-logo').naturalWidth > 0")
    assert shown.get_attribute("alt") == "Logo of the workshop"
    assert projector.locator("svg").filter(has_text="Pro Arbeit").count() == 0  # an <img>, never inline

    console.get_by_label("or as text").fill(ACCENT)
    console.get_by_role("button", name="Use this colour").click()
    code = projector.locator("#join-code")
    expect(code).to_have_css("background-color", _rgb(ACCENT))
    expect(code).to_have_css("color", "rgb(255, 255, 255)")
    expect(projector.locator(".agenda .current")).to_have_css("background-color", _rgb(ACCENT))
    assert projector.evaluate("window.__sameDocument") is True

    # A sunflower yellow turns the text on it black; "the theme's colour" takes the accent away again.
    console.get_by_label("or as text").fill(LIGHT_ACCENT)
    console.get_by_role("button", name="Use this colour").click()
    expect(code).to_have_css("color", "rgb(0, 0, 0)")
    console.get_by_role("button", name="The theme's colour").click()
    expect(code).to_have_css("background-color", _rgb("#0b5cad"))
    console.get_by_role("button", name="Remove the logo").click()
    expect(projector.locator(".projector-logo")).to_have_count(0)
    assert projector.evaluate("window.__sameDocument") is True


@pytest.mark.parametrize("kind", ["information", "needs"])  # the full join panel, then the corner badge
def test_with_a_logo_and_accent_the_projector_fits_and_axe_finds_nothing_in_light_and_dark(
    browser: Browser,
    server: ThreadServer,
    world: World,
    kind: str,
) -> None:
    workshop, stages = _workshop(world)
    run(world.engine, look.set_logo, actor=world.facilitator, workshop_id=workshop.id, content=LOGO)
    run(world.engine, look.set_accent, actor=world.facilitator, workshop_id=workshop.id, accent=ACCENT)
    go_to(world, workshop, stages[kind])
    ARTIFACTS.mkdir(exist_ok=True)
    for theme in ("light", "dark"):
        for size in ("1080p", "720p"):
            page = open_stage(browser, server, workshop, size, theme=theme)
            expect(page.locator(".projector-logo")).to_be_visible()
            page.wait_for_function("() => document.querySelector('.projector-logo').naturalWidth > 0")
            seen = page.evaluate(FIT)
            assert seen["overflowX"] <= 0 and seen["overflowY"] <= 0, f"{kind} {theme} {size}: scrolls {seen}"
            assert seen["hidden"] <= 1, f"{kind} {theme} {size}: cut off {seen}"
            box = page.locator(".projector-logo").bounding_box()
            assert box and box["height"] >= 40, f"{kind} {theme} {size}: the logo is {box}"
            if kind == "information":  # the full panel: the logo takes nobody's place
                title = page.locator(".join-panel .projector-title").bounding_box()
                assert title and title["height"] >= 20, f"{theme} {size}: the title is squeezed {title}"
                assert page.evaluate(
                    "(() => { const p = document.querySelector('.join-panel');"
                    " return p.scrollHeight <= p.clientHeight; })()"
                )
            if size == "1080p":
                page.screenshot(path=str(ARTIFACTS / f"projector-look-{kind}-{theme}-1920x1080.png"))
                violations = axe_violations(page)
                assert violations == [], f"{kind} ({theme}): " + _report({"projector": violations})
            page.context.close()


def test_a_png_logo_shows_at_its_own_size_in_the_corner_badge(
    browser: Browser,
    server: ThreadServer,
    world: World,
) -> None:
    workshop, stages = _workshop(world)
    run(world.engine, look.set_logo, actor=world.facilitator, workshop_id=workshop.id, content=png(300, 100))
    go_to(world, workshop, stages["needs"])
    page = open_stage(browser, server, workshop, "1080p")
    page.wait_for_function("() => document.querySelector('.projector-logo').naturalWidth === 300")
    logo, qr = page.locator(".projector-logo").bounding_box(), page.locator(".join-panel .qr").bounding_box()
    assert logo and qr and logo["x"] + logo["width"] <= qr["x"], "the logo stands left of the QR code"
    page.context.close()
