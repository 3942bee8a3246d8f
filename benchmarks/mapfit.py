"""Placing the stakeholder map's names in the browser: how long one placement takes on each screen.

    .venv/bin/python benchmarks/mapfit.py                      # 30 stakeholders, 20 placements a screen
    .venv/bin/python benchmarks/mapfit.py --stakeholders 45 --placements 40

The console and the projector place the names of a stakeholder map in the browser (static/cowork.js: each
name beside its dot if it can, else farther out with a line back, a crowded map's names a step smaller). It
runs again in the next animation frame after every live event that touches the map, so on a busy map stage
its time is the screen's stall. One run, all on 127.0.0.1:

1. `cowork serve` (a fresh SQLite file in a temp dir); through the API the German sample workshop, its
   stakeholder stage made current and --stakeholders more stakeholders pinned at seeded random places (the
   room of tests/test_projector_stages.py's crowded map).
2. Debian's Chromium (/usr/bin/chromium, through Playwright): the projector at 1920×1080 and 1280×720 and
   the console at 1440×900, signed in as the benchmark's admin. On each, once the fonts are in, --placements
   placements are asked for as a live event does (`cowork:event`) and timed from inside the animation frame
   that runs them: a frame callback queued before the event and one queued after it run on either side of
   the placement, so the time between them is the placement alone.

The last line on stdout is one JSON object: for each screen `p50_ms`, `p95_ms`, `max_ms` and `names`, and the
conditions (`stakeholders`, `placements`, `cpus`, `load_avg_1m_at_start`). Compare runs of two versions
in alternating pairs on an idle machine (the README's "Map names" section).
"""

from __future__ import annotations

import argparse
import json
import random
from typing import Any

import httpx
from harness import PASSWORD, Server, logger, percentile, run_against_server
from playwright.async_api import Page, async_playwright

log = logger("mapfit")
CHROMIUM = "/usr/bin/chromium"
SCREENS = {
    "projector_1080p": (1920, 1080),
    "projector_720p": (1280, 720),
    "console_1440x900": (1440, 900),
}
NAMES = [
    "Jobcenter Nord", "Agentur für Arbeit", "Kita-Träger", "IHK", "Handwerkskammer Oberbayern",
    "Elternbeirat", "Stadtrat", "Wohnungsamt", "Migrationsberatung der Caritas", "Pflegeheime",
    "Ausländerbehörde", "Sprachschule Nord", "Volkshochschule", "Diakonie", "Arbeiterwohlfahrt",
    "Integrationsbeauftragte", "Bildungsträger Süd", "Gewerkschaft ver.di", "Unternehmerverband",
    "Jugendmigrationsdienst", "Schuldnerberatung", "Frauenhaus", "Sportverein", "Moscheegemeinde",
    "Kirchengemeinde", "Landratsamt", "Berufsschule", "Ehrenamtsnetzwerk", "Psychosoziales Zentrum",
    "Zeitarbeitsfirma", "Krankenkasse", "Rentenversicherung", "Bürgerstiftung", "Tafel",
    "Nachbarschaftshilfe", "Wirtschaftsförderung", "Kreishandwerkerschaft", "Mieterverein", "Seniorenbeirat",
    "Jugendamt", "Gesundheitsamt", "Sozialamt", "Lehrerkollegium", "Studierendenwerk", "Stadtwerke",
]  # fmt: skip
# The placement's time from inside the frame that runs it: `a` is queued before the live event (and so before
# the placement's own frame callback), `b` after it; both run in the same frame, on either side of it.
TIME_ONE = """() => new Promise(done => {
  let a = 0;
  requestAnimationFrame(() => { a = performance.now(); });
  document.dispatchEvent(new CustomEvent('cowork:event'));
  requestAnimationFrame(() => done(performance.now() - a));
})"""
SETTLED = """() => document.fonts.ready.then(() => new Promise(r =>
  requestAnimationFrame(() => requestAnimationFrame(r))))"""


async def crowded_map(http: httpx.AsyncClient, server: Server, count: int) -> dict[str, Any]:
    """The German sample on its stakeholder stage, with `count` more stakeholders pinned at seeded places."""
    made = await http.post(
        f"{server.base}/api/v1/workshops", json={"sample": True, "language": "de"}, headers=server.staff
    )
    made.raise_for_status()
    workshop = made.json()
    stage = next(s for s in workshop["stages"] if s["kind"] == "stakeholders")
    await http.post(
        f"{server.base}/api/v1/workshops/{workshop['id']}/current-stage",
        json={"stage_id": stage["id"]},
        headers=server.staff,
    )
    places = random.Random(3)
    for i in range(count):
        name = NAMES[i % len(NAMES)] + ("" if i < len(NAMES) else f" {i // len(NAMES) + 1}")
        added = await http.post(
            f"{server.base}/api/v1/stages/{stage['id']}/stakeholders",
            json={"name": name, "family": "job_centre"},
            headers=server.staff,
        )
        added.raise_for_status()
        pin = {"influence": round(places.uniform(1, 5), 1), "interest": round(places.uniform(1, 5), 1)}
        pinned = await http.post(
            f"{server.base}/api/v1/stakeholders/{added.json()['id']}/pin", json=pin, headers=server.staff
        )
        pinned.raise_for_status()
    return workshop


async def placements(page: Page, count: int) -> dict[str, Any]:
    await page.wait_for_selector(".sh-grid-svg .sh-label")
    await page.evaluate(SETTLED)
    times = [await page.evaluate(TIME_ONE) for _ in range(count)]
    return {
        "p50_ms": round(percentile(times, 50) or 0, 1),
        "p95_ms": round(percentile(times, 95) or 0, 1),
        "max_ms": round(max(times), 1),
        "names": await page.locator(".sh-grid-svg .sh-label").count(),
    }


async def bench(args: argparse.Namespace, server: Server) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=30) as http:
        await server.wait_healthy(http)
        workshop = await crowded_map(http, server, args.stakeholders)
    report: dict[str, Any] = {"stakeholders": args.stakeholders, "placements": args.placements}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM)
        for screen, (width, height) in SCREENS.items():
            context = await browser.new_context(viewport={"width": width, "height": height})
            page = await context.new_page()
            if screen.startswith("projector"):
                await page.goto(workshop["projector_url"])
            else:
                await page.goto(f"{server.base}/login?next=/f/w/{workshop['id']}")
                await page.get_by_label("Email").fill(server.email)
                await page.get_by_label("Password").fill(PASSWORD)
                await page.get_by_role("button", name="Sign in").click()
            report[screen] = await placements(page, args.placements)
            log(f"{screen}: {report[screen]}")
            await context.close()
        await browser.close()
    return report


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--stakeholders", type=int, default=30, help="stakeholders added to the sample's (30)")
    p.add_argument("--placements", type=int, default=20, help="placements timed on each screen (20)")
    p.add_argument("--database-url", default=None, help=argparse.SUPPRESS)
    args = p.parse_args()
    print(json.dumps(run_against_server("mapfit", bench, args, phones=0)))


if __name__ == "__main__":
    main()
