"""The console's data page without script: the organiser types the venue and the follow-up date, saves with a
plain form post, and the report's Markdown tells both."""

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import ThreadServer, World, patient
from tests.test_accessibility import _report, axe_violations
from tests.test_browser import PROJECTOR, _shot

pytestmark = pytest.mark.browser


def _signed_in(browser: Browser, server: ThreadServer, world: World, script: bool) -> Page:
    page = browser.new_context(**PROJECTOR, java_script_enabled=script).new_page()
    page.goto(f"{server.url}/login?next=/f/w/{world.workshop.id}/data")
    page.get_by_label("Email").fill("fac@example.org")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    return page


def test_the_venue_and_follow_up_date_are_saved_without_script_and_reach_the_report(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    page = _signed_in(browser, server, world, script=False)
    page.get_by_label("Venue").fill("Stadthalle Offenbach")
    page.get_by_label("Follow-up meeting (date)").fill("2027-03-16")
    page.locator("form[action$='/details'] button").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(page.get_by_label("Venue")).to_have_value("Stadthalle Offenbach")
    expect(page.get_by_label("Follow-up meeting (date)")).to_have_value("2027-03-16")
    _shot(page, "console-data-report-details")
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    markdown = patient.get(
        f"{server.url}/f/w/{world.workshop.id}/export", params={"format": "md"}, cookies=cookies
    ).text
    assert "Venue: Stadthalle Offenbach" in markdown
    assert "Follow-up meeting on March 16, 2027." in markdown
    scripted = _signed_in(browser, server, world, script=True)
    found = axe_violations(scripted)
    assert not found, _report({"data page": found})
