"""The console on a laptop (issue 14, "The room"): agenda rail, the stage in the middle, the tools beside it.

At 1440×900 and 1366×768 the page never scrolls: the board scrolls inside itself, and the timer's start
button, the next-stage button and the board are on screen together. The frequent acts have keys, which never
fire while someone types; the projector's theme switches live.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from cowork.domain.board.cards import add_card
from cowork.domain.models import Contribution, Event, Workshop
from cowork.domain.program.sample import create_sample_workshop
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


IN_VIEW = """(selector) => {
  const el = document.querySelector(selector);
  if (!el) return selector + " is missing";
  const box = el.getBoundingClientRect();
  const inside = box.width > 0 && box.height > 0 && box.top >= 0 && box.left >= 0
    && box.bottom <= innerHeight && box.right <= innerWidth;
  return inside ? "" : selector + " is outside the viewport: " + JSON.stringify(box);
}"""


def _events(world: World, workshop_id: int, type_: str) -> int:
    """How many events of this type the workshop's record holds."""

    def count(tx: Any) -> int:
        found = select(Event).where(Event.workshop_id == workshop_id, Event.type == type_)
        return len(tx.session.exec(found).all())

    return run(world.engine, count)


@pytest.mark.parametrize("kind", KINDS)
def test_on_a_laptop_the_page_never_scrolls_and_timer_next_stage_and_board_are_in_view(
    consoles: dict[tuple[int, int], Page], world: World, room: Room, kind: str
) -> None:
    _go_to(world, room, kind)
    ARTIFACTS.mkdir(exist_ok=True)
    for (width, height), page in consoles.items():
        page.reload()
        expect(page.locator("#connection")).to_have_attribute("data-state", "online")
        if kind == "needs":
            assert (
                page.locator(".console-scroll li.card").count() >= 60 - 4
            )  # the sample's clustered cards nest
        size = page.evaluate("[document.documentElement.scrollHeight, document.documentElement.scrollWidth]")
        assert size[0] <= height, f"{kind} at {width}×{height}: the page scrolls ({size[0]} px high)"
        assert size[1] <= width, f"{kind} at {width}×{height}: the page scrolls sideways ({size[1]} px wide)"
        # A board's six columns share the middle (narrow cards run long): the first card's words are in view.
        board = ".console-scroll .board .card .card-text" if kind == "needs" else ".console-scroll > *"
        for selector in [
            "#stage-next",
            ".timer-controls button[value=start]",
            ".console-scroll",  # the stage's box, which scrolls inside itself
            board,  # and the top of what it holds
            ".console-rail [aria-current=step]",
        ]:
            assert page.evaluate(IN_VIEW, selector) == "", f"{kind} at {width}×{height}"
        if kind == "needs":  # the board scrolls inside itself, the page does not
            scroller = page.locator(".console-scroll")
            assert scroller.evaluate("el => el.scrollHeight > el.clientHeight")
            scroller.evaluate("el => el.scrollTo(0, el.scrollHeight)")
            assert page.evaluate("scrollY") == 0
            scroller.evaluate("el => el.scrollTo(0, 0)")
        page.screenshot(path=str(ARTIFACTS / f"console-{kind}-{width}x{height}.png"))


def _projector(browser: Browser, server: ThreadServer, room: Room) -> Page:  # noqa: F811
    page = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    page.goto(f"{server.url}/s/{room.workshop.projector_key}")
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads
    return page


def _type_in_a_field(console: Page, key: str) -> None:
    """The key, small and capital, typed into the selection's title field: it lands there as text."""
    field = console.locator(".selection-form input[name=title]")
    field.click()
    field.press(key)
    field.press(key.upper())
    expect(field).to_have_value(key + key.upper())


def test_n_moves_the_projector_to_the_next_stage_but_not_while_typing_in_a_field(
    browser: Browser,  # noqa: F811
    server: ThreadServer,
    world: World,
    room: Room,
) -> None:
    _go_to(world, room, "needs")
    before = _events(world, room.workshop.id, "stage.changed")
    console = _console(browser, server, room, (1440, 900))
    projector = _projector(browser, server, room)
    current = console.locator("#stage-title").inner_text()
    upcoming = console.locator("#stage-next .step-name").inner_text()
    expect(projector.locator(".stage-title")).to_have_text(current)

    _type_in_a_field(console, "n")
    search = console.locator("textarea").first  # a card's edit box, opened
    console.locator(".card-tools summary").first.click()
    search.press("n")
    expect(console.locator("#stage-title")).to_have_text(current)

    console.locator("#stage-title").click()  # the focus out of the fields
    console.keyboard.press("n")
    expect(console.locator("#stage-title")).to_have_text(upcoming)
    expect(console.locator("#connection")).to_have_attribute("data-state", "online")
    expect(projector.locator(".stage-title")).to_have_text(upcoming)
    assert projector.evaluate("window.__sameDocument") is True
    assert _events(world, room.workshop.id, "stage.changed") == before + 1, (
        "the keys typed in fields moved nothing"
    )
    console.keyboard.press("p")
    expect(projector.locator(".stage-title")).to_have_text(current)


def test_question_mark_lists_the_keys_in_a_dialog_that_escape_closes(
    consoles: dict[tuple[int, int], Page],
) -> None:
    page = consoles[(1366, 768)]
    dialog = page.locator("#shortcuts")
    expect(dialog).to_be_hidden()
    page.keyboard.press("Shift+Slash")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text("Keyboard shortcuts")
    for act in ["Next stage", "Previous stage", "Start the timer", "Hide the selected cards", "Merge"]:
        expect(dialog).to_contain_text(act)
    expect(page.locator("#shortcuts-close")).to_be_focused()
    page.keyboard.press("n")  # the dialog has the keyboard: no stage change behind it
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.locator("#stage-next")).to_have_attribute("aria-keyshortcuts", "N")
    expect(page.locator("#stage-next kbd")).to_have_text("N")


def test_t_starts_the_timer_and_h_hides_the_selected_card(
    consoles: dict[tuple[int, int], Page], world: World, room: Room
) -> None:
    page = consoles[(1440, 900)]
    page.keyboard.press("t")
    expect(page.locator("#timer")).to_have_class(re.compile("timer-running"))
    card = page.locator(".console-scroll li.card:not(.card-hidden)").last
    card_id = card.get_attribute("id")
    card.locator(".card-select input").check()
    page.locator("#stage-title").click()
    page.keyboard.press("h")
    expect(page.locator(f"#{card_id}")).to_have_class(re.compile("card-hidden"))
    cluster = page.locator(".console-scroll li.cluster").first
    cluster_id = cluster.get_attribute("id")
    cluster.locator(":scope > .card-select input").check()
    page.locator("#stage-title").click()
    page.keyboard.press("h")
    expect(page.locator(f"#{cluster_id}")).to_have_class(
        re.compile("card-hidden")
    )  # the cluster, not its first card
    expect(page.locator(f"#{cluster_id} li.card").first).not_to_have_class(re.compile("card-hidden"))


def test_the_theme_switch_turns_the_open_projector_dark_without_a_reload(
    browser: Browser,  # noqa: F811
    server: ThreadServer,
    world: World,
    room: Room,
) -> None:
    _go_to(world, room, "needs")
    console = _console(browser, server, room, (1366, 768))
    projector = _projector(browser, server, room)
    expect(projector.locator("body")).to_have_attribute("data-theme", "light")
    console.locator("#screen-switch button[name=theme][value=dark]").click()
    expect(projector.locator("body")).to_have_attribute("data-theme", "dark")
    expect(console.locator("#screen-switch button[value=dark]")).to_have_attribute("aria-pressed", "true")
    console.locator("#screen-switch button[name=join][value=panel]").click()
    expect(projector.locator(".projector-layout")).to_have_attribute("data-join", "panel")
    assert projector.evaluate("window.__sameDocument") is True
    console.locator("#stage-title").click()
    console.keyboard.press("d")
    expect(projector.locator("body")).to_have_attribute("data-theme", "light")
    # A projector opened afterwards starts as switched.
    projector.reload()
    expect(projector.locator(".projector-layout")).to_have_attribute("data-join", "panel")
    expect(console.locator(".screen-preview iframe")).to_have_attribute("title", "Preview of the projector")


def test_s_puts_the_ticked_card_in_the_spotlight_and_takes_it_back_but_not_while_typing(
    browser: Browser,  # noqa: F811
    server: ThreadServer,
    world: World,
    room: Room,
) -> None:
    _go_to(world, room, "needs")
    before = _events(world, room.workshop.id, "stage.projection_changed")
    console = _console(browser, server, room, (1440, 900))
    projector = _projector(browser, server, room)
    card = console.locator(".console-scroll .column > .cards > li.card:not(.card-hidden)").first
    text = card.locator(".card-text").inner_text()

    _type_in_a_field(console, "s")

    card.locator(".card-select input").check()  # ticked: S acts on it
    console.locator("#stage-title").click()
    console.keyboard.press("s")
    expect(projector.locator("#spotlight .spotlight-text")).to_have_text(text)
    expect(console.locator(".projector-controls [data-spotlight-off]")).to_be_visible()
    console.keyboard.press("s")  # the same card again: back to the board
    expect(projector.locator("#spotlight")).to_have_count(0)
    expect(projector.locator(f"#{card.get_attribute('id')}")).to_be_visible()
    expect(console.locator(".projector-controls [data-spotlight-off]")).to_have_count(0)
    assert _events(world, room.workshop.id, "stage.projection_changed") == before + 2, (
        "the keys typed in the field acted"
    )

    console.keyboard.press("Shift+Slash")
    expect(console.locator("#shortcuts")).to_contain_text("Spotlight the selected card")


def test_the_rail_and_the_tools_keep_their_place_on_a_stage_without_a_board(
    consoles: dict[tuple[int, int], Page], world: World, room: Room
) -> None:
    """The conclusion is a title and nothing else: the console still spans the laptop's width, so the rail
    and the tools do not jump sideways when the stage changes (a flex item with auto margins shrinks)."""

    def last_information(tx: Any) -> int:
        stages = stages_of(tx.session, workshop_id=room.workshop.id)
        return [s.id for s in stages if s.kind == "information"][-1]

    room.stages["conclusion"] = run(world.engine, last_information)
    for (width, height), page in consoles.items():
        places = {}
        for name in ("needs", "conclusion"):
            _go_to(world, room, name)
            page.reload()
            expect(page.locator("#connection")).to_have_attribute("data-state", "online")
            rail = page.locator(".console-rail").bounding_box()
            side = page.locator(".console-side").bounding_box()
            assert rail and side
            places[name] = (round(rail["x"]), round(side["x"] + side["width"]))
        assert places["conclusion"] == places["needs"], f"at {width}×{height}: {places}"
        assert places["needs"][0] < 40 and places["needs"][1] > width - 40, f"at {width}×{height}: {places}"


def test_an_information_stage_shows_its_text_from_the_format_on_the_console(
    consoles: dict[tuple[int, int], Page], world: World, room: Room
) -> None:
    _go_to(world, room, "information")
    page = consoles[(1366, 768)]
    page.reload()
    expect(page.locator(".console-scroll .stage-text")).to_contain_text("Evidence-based decision making")


# Each column of the board as drawn: where it starts and ends across, and where its head stands.
COLUMNS = """() => [...document.querySelectorAll('.console-scroll .board > .column')].map(c => {
  const box = c.getBoundingClientRect(), head = c.querySelector('h3').getBoundingClientRect();
  return {name: c.dataset.category, left: box.left, right: box.right, top: head.top, bottom: head.bottom};
})"""


def test_on_a_laptop_every_column_of_the_board_stands_side_by_side_in_view(
    consoles: dict[tuple[int, int], Page], world: World, room: Room
) -> None:
    """The sample's five categories and "Other": all six heads on the first screen, in one row, nothing to
    scroll sideways, and the Suggest button, the timer and the next stage still there."""
    _go_to(world, room, "needs")
    for (width, height), page in consoles.items():
        page.reload()
        expect(page.locator("#connection")).to_have_attribute("data-state", "online")
        columns = page.evaluate(COLUMNS)
        what = f"at {width}×{height}: {columns}"
        assert len(columns) == 6, what
        assert all(c["left"] >= 0 and c["right"] <= width for c in columns), what
        assert all(c["top"] >= 0 and c["bottom"] <= height for c in columns), what
        assert len({round(c["top"]) for c in columns}) == 1, f"the columns wrap into rows {what}"
        scroller = page.locator(".console-scroll")
        assert scroller.evaluate("el => el.scrollWidth <= el.clientWidth"), (
            f"the board scrolls sideways {what}"
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        for selector in [".suggest-closed button", ".timer-controls button[value=start]", "#stage-next"]:
            assert page.evaluate(IN_VIEW, selector) == "", f"at {width}×{height}"
        # In the narrow columns: no chip cuts or breaks a word ("Qualificatio n"), no button touches its card.
        cramped = page.evaluate(CRAMPED)
        assert cramped["chips"], "no chips on the board"
        assert cramped["cut"] == [], f"at {width}×{height}: chips cut inside a word {cramped}"
        assert cramped["tight"] == [], f"at {width}×{height}: buttons at a card's edge {cramped['tight']}"


# A chip's words: each on one line (a word broken in two has two boxes; a line may end at a hyphen),
# nothing cut at the chip's edge; a card's buttons at least 4 px inside the card.
CRAMPED = r"""() => {
  const chips = [...document.querySelectorAll('.console-scroll .card .tag')].filter(t => t.offsetParent);
  const cut = chips.filter(t => {
    if (t.scrollWidth > t.clientWidth + 1) return true;
    const text = [...t.childNodes].find(n => n.nodeType === 3 && n.textContent.trim());
    if (!text) return false;
    const range = document.createRange();
    // a word, or the part of one up to its hyphen ("Follow-" of "Follow-up" may end a line)
    for (const word of text.textContent.matchAll(/[^\s-]+-?/g)) {
      range.setStart(text, word.index); range.setEnd(text, word.index + word[0].length);
      if (range.getClientRects().length > 1) return true;
    }
    return false;
  }).map(t => t.textContent.trim());
  const tight = [...document.querySelectorAll('.console-scroll .card button')].filter(b => b.offsetParent)
    .filter(b => {
      const card = b.closest('.card').getBoundingClientRect(), r = b.getBoundingClientRect();
      return r.right > card.right - 4 || r.left < card.left + 4;
    }).map(b => b.textContent.trim());
  return {chips: chips.length, cut, tight};
}"""


def test_with_an_open_vote_the_preview_and_the_close_button_stay_in_view(
    consoles: dict[tuple[int, int], Page], world: World, room: Room
) -> None:
    """The sample's vote on two proposals is open: its live results grow under the preview, not over it."""
    _go_to(world, room, "action_plan")
    for (width, height), page in consoles.items():
        page.reload()
        expect(page.locator("#connection")).to_have_attribute("data-state", "online")
        expect(page.locator(".console-side .poll")).to_contain_text("Ballots")
        for selector in [".screen-preview", '.console-side .poll form[action$="/close"] button']:
            assert page.evaluate(IN_VIEW, selector) == "", f"at {width}×{height}"
        assert page.evaluate("scrollY") == 0


def test_the_consoles_edit_folds_are_drawn_as_buttons_and_show_the_keyboard_focus(
    consoles: dict[tuple[int, int], Page], world: World, room: Room
) -> None:
    _go_to(world, room, "needs")
    page = consoles[(1440, 900)]
    page.reload()
    card = page.locator(".console-scroll .column > .cards > li.card").first
    edit = card.locator(".card-tools details > summary")
    look = edit.evaluate(
        "el => { const s = getComputedStyle(el);"
        " return {border: parseFloat(s.borderTopWidth), style: s.borderTopStyle, color: s.borderTopColor,"
        " text: s.color, radius: parseFloat(s.borderTopLeftRadius)}; }"
    )
    assert look["border"] >= 2 and look["style"] == "solid" and look["radius"] > 0, look
    assert look["color"] == look["text"], f"the border and the word are the accent: {look}"
    card.locator(".card-tools button", has_text="Hide").focus()
    page.keyboard.press("Tab")
    expect(edit).to_be_focused()
    ring = edit.evaluate(
        "el => [getComputedStyle(el).outlineStyle, parseFloat(getComputedStyle(el).outlineWidth)]"
    )
    assert ring[0] != "none" and ring[1] >= 2, ring
    page.keyboard.press("Enter")
    expect(card.locator("textarea")).to_be_visible()
