"""The console on a laptop (issue 14, "The room"): agenda rail, the stage in the middle, the tools beside it.

At 1440×900 and 1366×768 the page never scrolls: the board scrolls inside itself, and the timer's start
button, the next-stage button and the board are on screen together. The frequent acts have keys, which never
fire while someone types; the projector's theme switches live.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from cowork.domain.board.cards import add_card
from cowork.domain.models import Contribution, Workshop
from cowork.domain.sample import create_sample_workshop
from cowork.domain.workshops import set_current_stage, stages_of
from tests.conftest import ThreadServer, World, run
from tests.test_browser import ARTIFACTS, browser  # noqa: F401  (the Chromium fixture)

pytestmark = pytest.mark.browser
LAPTOPS = [(1440, 900), (1366, 768)]
KINDS = ["needs", "action_plan", "stakeholders"]  # a board, a vote, a stakeholder map


@dataclass
class Room:
    workshop: Workshop
    stages: dict[str, int]  # kind -> stage id


@pytest.fixture
def room(world: World) -> Room:
    """The sample workshop with 60 cards on its needs board."""
    workshop = run(world.engine, create_sample_workshop, actor=world.facilitator, language="en")

    def fill(tx: Any) -> dict[str, int]:
        stages = {s.kind: s.id for s in reversed(stages_of(tx.session, workshop_id=workshop.id))}
        have = len([c for c in tx.session.exec(_cards_of(stages["needs"]))])
        for n in range(60 - have):
            add_card(
                tx,
                actor=world.facilitator,
                stage_id=stages["needs"],
                text=f"Need number {n + 1}: a longer sentence, as people write them on their phones.",
                category=("housing", "education", "job_matching", "family_support", "legal_psychological")[
                    n % 5
                ],
            )
        return stages

    return Room(workshop, run(world.engine, fill))


def _cards_of(stage_id: int) -> Any:
    return select(Contribution).where(Contribution.stage_id == stage_id, Contribution.kind == "card")


def _go_to(world: World, room: Room, kind: str) -> None:
    run(
        world.engine,
        set_current_stage,
        actor=world.facilitator,
        workshop_id=room.workshop.id,
        stage_id=room.stages[kind],
    )


def _console(browser: Browser, server: ThreadServer, room: Room, size: tuple[int, int]) -> Page:  # noqa: F811
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    page.goto(f"{server.url}/login?next=/f/w/{room.workshop.id}")
    page.get_by_label("Email").fill("fac@example.org")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    return page


@pytest.fixture
def consoles(browser: Browser, server: ThreadServer, room: Room) -> Iterator[dict[tuple[int, int], Page]]:  # noqa: F811
    pages = {size: _console(browser, server, room, size) for size in LAPTOPS}
    yield pages
    for page in pages.values():
        page.context.close()


@pytest.mark.parametrize("kind", KINDS)
def test_screenshots_of_the_console(
    consoles: dict[tuple[int, int], Page], world: World, room: Room, kind: str
) -> None:
    _go_to(world, room, kind)
    ARTIFACTS.mkdir(exist_ok=True)
    for (width, height), page in consoles.items():
        page.reload()
        expect(page.locator("#connection")).to_have_attribute("data-state", "online")
        page.screenshot(path=str(ARTIFACTS / f"console-{kind}-{width}x{height}.png"))
