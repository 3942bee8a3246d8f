"""In Debian's Chromium: a facilitator changes a board's phases on the console and an open phone's card form
offers the new phase without reload; an action plan's required field is marked on the phone, and a proposal
sent without it is refused with a sentence the phone shows."""

from typing import Any

from playwright.sync_api import Browser, expect

from tests import test_browser
from tests.board.test_needs_board_browser import open_more
from tests.conftest import ThreadServer, World, patient
from tests.program.test_designer_browser import _open_editor, _open_row
from tests.test_accessibility import _report, check
from tests.test_browser import _console, _join_on_phone

pytestmark = test_browser.pytestmark


def test_new_phases_set_on_the_console_show_on_an_open_phones_card_form(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    phone = _join_on_phone(browser, server, world)
    phone.evaluate("window.__sameDocument = true")  # gone if the phone reloads
    expect(phone.get_by_role("group", name="Phase of the pathway (optional)")).to_have_count(0)
    console = _console(browser, server, world.workshop.id)
    console.set_viewport_size({"width": 1440, "height": 900})
    _open_editor(console)
    row = _open_row(console, "Ideas and needs")
    phases = row.locator("form", has=console.get_by_role("button", name="Save the phases"))
    phases.get_by_role("group", name="Add one").get_by_label("English").fill("Profiling")
    phases.get_by_role("group", name="Add one").get_by_label("Deutsch").fill("Profilerstellung")
    phases.get_by_role("button", name="Save the phases").click()
    expect(row.get_by_role("group", name="Profiling (profiling)")).to_be_visible()
    found: dict[str, list[dict[str, Any]]] = {}
    check(console, "console: a board's card kinds and phases", found)

    offered = phone.get_by_role("group", name="Phase of the pathway (optional)")
    open_more(phone)  # the phase waits folded under "More about your card"
    expect(offered.get_by_role("radio", name="Profiling")).to_be_visible()
    assert phone.evaluate("window.__sameDocument") is True

    # Renamed on the console, the phone follows; removing it takes it off the form.
    row = _open_row(console, "Ideas and needs")
    row.get_by_role("group", name="Profiling (profiling)").get_by_label("English").fill("P1 Profiling")
    row.get_by_role("button", name="Save the phases").click()
    expect(offered.get_by_role("radio", name="P1 Profiling")).to_be_visible()
    german = _open_row(console, "Ideas and needs").get_by_role("group", name="P1 Profiling (profiling)")
    expect(german.get_by_label("Deutsch")).to_have_value("Profilerstellung")  # kept beside the new name
    row = _open_row(console, "Ideas and needs")
    row.get_by_role("group", name="P1 Profiling (profiling)").get_by_label("Remove").check()
    row.get_by_role("button", name="Save the phases").click()
    expect(phone.get_by_role("group", name="Phase of the pathway (optional)")).to_have_count(0)
    assert phone.evaluate("window.__sameDocument") is True
    assert not found, _report(found)


def test_a_required_field_is_marked_on_the_phone_and_a_proposal_without_it_is_refused(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    auth = {"Authorization": f"Bearer {world.api_token}"}
    with patient.Client(base_url=server.url, headers=auth) as api:
        plan = api.post(
            f"/api/v1/workshops/{world.workshop.id}/stages",
            json={"kind": "action_plan", "title": "Action plan", "minutes": 20, "position": 1},
        ).json()
    phone = _join_on_phone(browser, server, world)
    console = _console(browser, server, world.workshop.id)
    _open_editor(console)
    row = _open_row(console, "Action plan")
    row.get_by_label("Who is responsible? (organisation or person)").check()
    row.get_by_role("button", name="Save the required fields").click()
    expect(_open_row(console, "Action plan").get_by_label("Who is responsible?")).to_be_checked()
    found: dict[str, list[dict[str, Any]]] = {}
    check(console, "console: an action plan's required fields", found)
    with patient.Client(base_url=server.url, headers=auth) as api:
        api.post(f"/api/v1/workshops/{world.workshop.id}/current-stage", json={"stage_id": plan["id"]})

    owner = phone.get_by_label("Who is responsible? (organisation or person) (required)")
    expect(owner).to_be_visible()  # its part of the form is unfolded
    phone.get_by_label("Title of the proposal").fill("Mentors for newcomers")
    phone.get_by_role("button", name="Send proposal").click()
    assert owner.evaluate("el => el.validity.valueMissing") is True  # the browser asks for it first

    # An old phone's browser that does not check: the server refuses it with a sentence.
    phone.locator("form.proposal-form").evaluate("form => { form.noValidate = true; }")
    phone.get_by_role("button", name="Send proposal").click()
    expect(phone.get_by_text("Please say who is responsible.")).to_be_visible()
    check(phone, "phone: a proposal form with a required field and the refusal", found)
    assert not found, _report(found)
    owner.fill("Job centre Offenbach")
    phone.get_by_role("button", name="Send proposal").click()
    expect(phone.locator(".proposal", has_text="Mentors for newcomers")).to_be_visible()
