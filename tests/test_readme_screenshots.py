"""The README's screenshots of the room, taken as a venue's LAN serves them: the server listens on this
machine's LAN address (the default route's, as `cowork serve` finds it), so the QR and the console name an
address phones can reach and no "phones cannot open this address" warning shows.

Written to test-artifacts/readme/ (`make screenshots` copies them to docs/screenshots/): the projector with 12
cards in the light and the dark theme, 200 cards paging, the word cloud, a vote's bars, a card in the
spotlight, the console's live run at 1440x900 and the phone at 390x844. Each shot first checks that what it
shows is there, so a broken view never lands in the README.
"""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from cowork.db import read_session
from cowork.domain.board import projection
from cowork.domain.votes.polls import open_poll, options_of
from cowork.domain.votes.setup import create_poll
from cowork.domain.workshops import set_current_stage, stages_of
from cowork.network import lan_address
from cowork.settings import Settings
from tests.board.test_needs_board import AREAS, Lab, open_lab
from tests.board.test_phone_room import join
from tests.board.test_projector_fit import TEXTS, fill_board
from tests.conftest import ThreadServer, World, free_port, run
from tests.votes.test_projector_bars import OPTIONS, vote

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "readme"
PROJECTOR = {"width": 1280, "height": 720}
PEOPLE = [
    ("Amira", "beneficiary"),
    ("Jonas", "job_centre"),
    ("Lucía", "training"),
    ("Mehmet", "employer"),
    ("Sandra", "welfare"),
    ("Tomasz", "guidance"),
]
# A board whose words recur as a room's do: some in many cards, most in a few.
CLOUD = [
    "Childcare during the language course",
    "No childcare for shift work",
    "Language course in the evening, with childcare",
    "Childcare places for parents in training",
    "The job centre letters need plain language",
    "One contact person at the job centre",
    "The job centre and the employers do not talk",
    "Mentors for the first weeks at work",
    "A mentor from the same trade",
    "Employers need to know the wage subsidies",
    "Employers want German at B2 before training",
    "Housing for trainees near the training place",
    "Housing is lost during the training",
    "Recognition of diplomas takes a year",
    "Nobody knows which office handles recognition",
    "Debt counselling before the first job",
    "Trauma support in Arabic and Dari",
    "Training allowance ends before the exam",
    "Part-time training for parents",
    "Bank account after prison",
    "Work permit questions answered in one place",
    "Language course and work at the same time",
]


@pytest.fixture
def lan_server(live_settings: Settings) -> Iterator[ThreadServer]:
    address = lan_address()
    if address is None:
        pytest.fail("The README's screenshots need a LAN address: this machine has no default route")
    url = f"http://{address}:{free_port()}"
    with ThreadServer(live_settings.model_copy(update={"public_base_url": url}), host=address) as running:
        yield running


def keep(page: Page, name: str) -> None:
    """The viewport as the room sees it, in 256 colours (a fraction of the bytes; text loses nothing)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    with Image.open(path) as shot:
        small = shot.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def projector(browser: Browser, server: ThreadServer, lab: Lab, theme: str = "light") -> Page:
    page = browser.new_context(viewport=PROJECTOR).new_page()
    page.goto(f"{server.url}/s/{lab.workshop.projector_key}?theme={theme}")
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    expect(page.locator(".join-url")).to_contain_text(server.url)
    expect(page.locator("#join-unreachable")).to_have_count(0)
    return page


def fitted(page: Page) -> Page:
    expect(page.locator("#stage .board")).to_have_attribute("data-pages", re.compile(r"^\d+$"))
    return page


def fill(lab: Lab, texts: list[str]) -> None:
    """The cards of six people of the seeds' stakeholder groups, in the board's areas and without one."""
    people = [lab.join(name, group)[0] for name, group in PEOPLE]
    for n, text in enumerate(texts):
        area = None if n % 4 == 3 else AREAS[n % len(AREAS)]
        lab.card(people[n % len(people)], text, category=area)


def go_to(world: World, lab: Lab, kind: str) -> int:
    def find(tx: Any) -> int:
        return next(s.id for s in stages_of(tx.session, workshop_id=lab.workshop.id) if s.kind == kind)

    stage_id = run(world.engine, find)
    run(
        world.engine,
        set_current_stage,
        actor=world.facilitator,
        workshop_id=lab.workshop.id,
        stage_id=stage_id,
    )
    return stage_id


def test_the_readme_screenshots_of_the_room(
    browser: Browser,
    lan_server: ThreadServer,
    world: World,
) -> None:
    small = open_lab(world)
    fill(small, TEXTS)
    for theme in ("light", "dark"):
        page = fitted(projector(browser, lan_server, small, theme))
        expect(page.locator("#stage .card")).to_have_count(12)
        expect(page.locator("body")).to_have_attribute("data-theme", theme)
        keep(page, f"projector-12-cards-{theme}")
        page.context.close()

    large = open_lab(world, title="Regional workshop Leipzig")
    fill_board(large, 200)
    page = fitted(projector(browser, lan_server, large))
    expect(page.locator(".board-pager")).to_contain_text("Page 1 of")
    keep(page, "projector-200-cards-paged")
    page.context.close()

    cloud = open_lab(world, title="Job centre Offenbach: co-production lab")
    fill(cloud, CLOUD)
    run(world.engine, projection.show_word_cloud, actor=world.facilitator, stage_id=cloud.stage_id, on=True)
    page = projector(browser, lan_server, cloud)
    expect(page.locator(".cloud-word").first).to_be_visible()
    keep(page, "projector-word-cloud")
    page.context.close()

    card = small.seen_by(world.facilitator)[4]
    run(
        world.engine,
        projection.spotlight_card,
        actor=world.facilitator,
        stage_id=small.stage_id,
        card_id=card["id"],
    )
    page = projector(browser, lan_server, small, "dark")
    expect(page.locator("#spotlight")).to_contain_text(card["text"])
    keep(page, "projector-spotlight")
    page.context.close()
    run(
        world.engine,
        projection.spotlight_card,
        actor=world.facilitator,
        stage_id=small.stage_id,
        card_id=None,
    )

    console = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    console.goto(f"{lan_server.url}/login?next=/f/w/{small.workshop.id}")
    console.get_by_label("Email").fill("fac@example.org")
    console.get_by_label("Password").fill("correct horse battery")
    console.get_by_role("button", name="Sign in").click()
    expect(console.locator("#connection")).to_have_attribute("data-state", "online")
    expect(console.locator(".console-scroll .card")).to_have_count(12)
    preview = console.frame_locator(".screen-preview iframe")
    expect(preview.locator("#stage .card")).to_have_count(12)
    console.locator(".timer-controls button[value=start]").click()
    expect(console.locator("#timer")).to_have_class(re.compile("timer-running"))
    keep(console, "console-live-run")
    console.context.close()

    phone = join(browser, lan_server, small, voices='[{"lang": "en-GB"}]')  # a phone with a voice
    phone.set_viewport_size({"width": 390, "height": 844})
    expect(phone.locator("#stage .read-aloud").first).to_be_visible()
    keep(phone, "phone-needs-board")
    phone.context.close()

    stage_id = go_to(world, small, "action_plan")
    poll = run(
        world.engine,
        create_poll,
        actor=world.facilitator,
        stage_id=stage_id,
        method="approval",
        title="Which measures do we start in spring?",
        options=[{"label": label} for label in OPTIONS],
    )
    run(world.engine, open_poll, actor=world.facilitator, poll_id=poll.id)
    with read_session(world.engine) as session:
        options = [o.id for o in options_of(session, poll_id=poll.id)]
    for n in range(14):
        _, token = small.join(f"Voter {n}")
        vote(lan_server, token, poll.id, options, {k for k in range(4) if (n + k) % (k + 2) == 0})
    page = projector(browser, lan_server, small)
    expect(page.locator(".poll-projector .bar-label").first).to_be_visible()
    keep(page, "projector-vote-bars")
    page.context.close()
