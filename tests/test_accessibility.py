"""Accessible to all: axe-core finds no WCAG 2.2 AA violation on any page type, in English, German, Spanish.

axe-core comes from npm (static/vendor, copied by `make setup`) and is loaded from the page's own origin,
so the strict CSP stays on while it runs. Each test walks every stage of the co-working-lab format (it uses
every stage kind) and looks at it as a participant, on the projector and in the facilitator console.
"""

from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page

from tests.conftest import ThreadServer, World, patient
from tests.test_browser import ARTIFACTS, PHONE, PROJECTOR

pytestmark = pytest.mark.browser
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
LANGUAGES = ["en", "de", "es"]


def axe_violations(page: Page) -> list[dict[str, Any]]:
    page.add_script_tag(url="/static/vendor/axe.min.js")
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 4).map(n => n.target.join(' ') + ' :: ' + n.failureSummary),
            }));
        }""",
        TAGS,
    )


def watch_csp(page: Page, refused: list[str]) -> Page:
    """Collects what the browser refused under the CSP (an inline script or style would show up here)."""
    page.on(
        "console", lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    return page


def check(page: Page, what: str, found: dict[str, list[dict[str, Any]]]) -> None:
    violations = axe_violations(page)
    if violations:
        found[what] = violations
    lang = page.evaluate("document.documentElement.lang")
    assert lang, f"{what}: <html> has no lang"


def _api(server: ThreadServer, token: str) -> httpx.Client:
    return patient.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"})


def _report(found: dict[str, list[dict[str, Any]]]) -> str:
    lines = []
    for what, violations in found.items():
        for v in violations:
            lines.append(f"{what}: {v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"]))
    return "\n".join(lines)


def _sign_in(page: Page, server: ThreadServer, next_path: str) -> None:
    page.goto(f"{server.url}/login?next={next_path}")
    page.locator("#email").fill("fac@example.org")
    page.locator("#password").fill("correct horse battery")
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_type_has_no_axe_violations(
    browser: Browser,
    server: ThreadServer,
    world: World,
    lang: str,
) -> None:
    found: dict[str, list[dict[str, Any]]] = {}
    refused: list[str] = []
    headers = {"Accept-Language": lang}
    with _api(server, world.api_token) as api:
        workshop = api.post(
            "/api/v1/workshops", json={"title": "Lab", "format": "co-working-lab", "language": lang}
        )
        assert workshop.status_code == 201, workshop.text
        workshop = workshop.json()

    public = browser.new_context(**PROJECTOR, locale=lang, extra_http_headers=headers)
    start = watch_csp(public.new_page(), refused)
    for path, what in [("/", "home"), ("/login", "sign-in"), ("/j/NOSUCH", "unknown code")]:
        start.goto(server.url + path)
        check(start, what, found)

    phone = watch_csp(
        browser.new_context(**PHONE, locale=lang, extra_http_headers=headers).new_page(), refused
    )
    phone.goto(f"{server.url}/j/{workshop['code']}")
    check(phone, "join", found)
    phone.locator("#name").fill("Amira")
    phone.locator("#group").select_option("beneficiary")
    phone.locator("form[action^='/j/'] button[type=submit]").click()
    phone.wait_for_load_state()

    phone.goto(f"{server.url}/j/{workshop['code']}/mine")
    check(phone, "my cards", found)
    projector = watch_csp(public.new_page(), refused)
    projector.goto(workshop["projector_url"])
    console = watch_csp(
        browser.new_context(**PROJECTOR, locale=lang, extra_http_headers=headers).new_page(), refused
    )
    _sign_in(console, server, "/f")
    check(console, "dashboard", found)

    with _api(server, world.api_token) as api:
        for stage in workshop["stages"]:
            moved = api.post(
                f"/api/v1/workshops/{workshop['id']}/current-stage", json={"stage_id": stage["id"]}
            )
            assert moved.status_code == 200
            name = f"{stage['kind']} stage"
            for page, role in [(phone, "participant"), (projector, "projector"), (console, "console")]:
                page.goto(
                    {
                        "participant": f"{server.url}/j/{workshop['code']}/stage",
                        "projector": workshop["projector_url"],
                        "console": f"{server.url}/f/w/{workshop['id']}",
                    }[role]
                )
                check(page, f"{name} ({role})", found)
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / f"a11y-last-stage-phone-{lang}.png"), full_page=True)
    assert not found, "axe found WCAG 2.2 AA violations:\n" + _report(found)
    assert refused == [], "the CSP refused something:\n" + "\n".join(refused)
