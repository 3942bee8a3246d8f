"""The console on a laptop (issue 14, "The room"): agenda rail, the stage in the middle, the tools beside it.

At 1440×900 and 1366×768 the page never scrolls: the board scrolls inside itself, and the timer's start
button, the next-stage button and the board are on screen together. The frequent acts have keys, which never
fire while someone types; the projector's theme switches live.
"""

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from cowork.domain import participants
from cowork.domain.board.cards import add_card
from cowork.domain.models import Contribution, Event, Workshop
from cowork.domain.program import tables as breakout
from cowork.domain.program.sample import create_sample_workshop
from cowork.domain.workshops import set_current_stage, stages_of
from tests.conftest import ThreadServer, World, run
from tests.test_browser import ARTIFACTS
from tests.test_projector_stages import (
    FULL_MAP,
    FULL_ROOM,
    _crowded_map,
    _overlap,
    names_placed,
    tables_at_work,
)

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


def _console(browser: Browser, server: ThreadServer, room: Room, size: tuple[int, int]) -> Page:
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    page.goto(f"{server.url}/login?next=/f/w/{room.workshop.id}")
    page.get_by_label("Email").fill("fac@example.org")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    return page


@pytest.fixture
def consoles(browser: Browser, server: ThreadServer, room: Room) -> Iterator[dict[tuple[int, int], Page]]:
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


def _projector(browser: Browser, server: ThreadServer, room: Room) -> Page:
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
    browser: Browser,
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
    cluster.locator(":scope > .card-tools > .card-select input").check()
    page.locator("#stage-title").click()
    page.keyboard.press("h")
    expect(page.locator(f"#{cluster_id}")).to_have_class(
        re.compile("card-hidden")
    )  # the cluster, not its first card
    expect(page.locator(f"#{cluster_id} li.card").first).not_to_have_class(re.compile("card-hidden"))


def test_the_theme_switch_turns_the_open_projector_dark_without_a_reload(
    browser: Browser,
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
    browser: Browser,
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


def _four_tables_at_work(world: World, room: Room, tables: int = 4) -> None:
    """Four tables (or as many as asked) of two, four long cards each, and two latecomers not yet seated."""
    people = [
        run(world.engine, participants.join_workshop, code=room.workshop.code, name=f"Person {n}")[0]
        for n in range(2 * tables)
    ]
    _go_to(world, room, "group_work")
    texts = [
        f"Card {n + 1}: what this table found, in a sentence as people write it on their phones."
        for n in range(4 * tables)
    ]
    tables_at_work(world, room.workshop, people, tables, texts)
    for n in range(2):
        run(world.engine, participants.join_workshop, code=room.workshop.code, name=f"Latecomer {n}")


def test_on_a_laptop_the_tables_cards_are_on_the_first_screen_of_the_group_work(
    consoles: dict[tuple[int, int], Page], world: World, room: Room
) -> None:
    """The roles' and seats' forms and a table's empty categories pushed each table's first card below the
    fold at 1440×900: now the first row of tables shows its cards, and the forms are one click away."""
    _four_tables_at_work(world, room)
    page = consoles[(1440, 900)]
    page.reload()
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    tables = page.locator(".console-scroll .breakout-table")
    expect(tables).to_have_count(4)
    first_row = page.evaluate(
        "() => { const t = [...document.querySelectorAll('.console-scroll .breakout-table')];"
        " const top = Math.min(...t.map(e => e.getBoundingClientRect().top));"
        " return t.filter(e => Math.abs(e.getBoundingClientRect().top - top) < 2).map(e => e.id"
        " || e.getAttribute('aria-labelledby')); }"
    )
    assert len(first_row) >= 2, first_row
    for n in range(len(first_row)):
        card = tables.nth(n).locator(".card .card-text").first
        box = card.bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= 900, f"table {n + 1}'s first card {box}"
    assert page.evaluate("[scrollY, document.documentElement.scrollHeight]") == [0, 900]
    page.screenshot(path=str(ARTIFACTS / "console-group-work-1440x900.png"))
    # The forms are folded, not gone: the note-taker is given from the fold.
    roles = tables.first.locator("details.table-roles")
    roles.locator("summary").click()
    expect(roles.get_by_label("Note-taker")).to_be_visible()
    expect(roles.get_by_label("Seat somebody here")).to_be_visible()


def test_on_a_laptop_a_map_of_thirty_shows_every_name_uncovered_as_the_projector_does(
    browser: Browser,
    server: ThreadServer,
    world: World,
) -> None:
    """30 stakeholders on the console's map: names overlapped in a small square (the projector's placement
    widened its plot and stepped its names down, the console's did not). Now the same placement does both on
    the console: no name covers another or a dot, and none is under the console's least size (11 px)."""
    places = random.Random(3)
    spread = [(n, round(places.uniform(1, 5), 1), round(places.uniform(1, 5), 1)) for n in FULL_ROOM]
    workshop = _crowded_map(world, spread)
    for width, height in LAPTOPS:
        page = _console(browser, server, Room(workshop, {}), (width, height))
        names_placed(page)
        seen = page.evaluate(FULL_MAP)
        page.screenshot(path=str(ARTIFACTS / f"console-stakeholder-map-full-{width}x{height}.png"))
        labels, plot = seen["labels"], seen["plot"]
        assert len(labels) == 4 + len(FULL_ROOM), labels
        for label in labels:
            assert label["size"] >= 11, f"at {width}×{height}: {label}"
            for other in labels:
                assert other is label or not _overlap(label, other), (
                    f"at {width}: {label} and {other} overlap"
                )
            for dot in seen["dots"]:
                assert dot["name"] == label["text"] or not _overlap(label, dot), (
                    f"at {width}×{height}: {label['text']} covers the dot of {dot['name']}"
                )
        assert plot["r"] - plot["l"] >= 0.5 * page.evaluate(
            "document.querySelector('.console-scroll').clientWidth"
        ), f"at {width}×{height}: the plot is {plot}"
        # A name set away from its dot is near it: its line back is short beside the plot (the nearest free
        # place is the one whose line is shortest, not whose middle is nearest the dot).
        lines = sorted(seen["leaders"], key=lambda line: -line["length"])
        longest = [(round(line["length"] / (plot["r"] - plot["l"]), 3), line["name"]) for line in lines]
        assert all(line["length"] <= (plot["r"] - plot["l"]) / 4 for line in lines), (
            f"at {width}×{height}: long lines back to the dots {longest[:4]}"
        )
        assert page.evaluate("[scrollY, document.documentElement.scrollHeight]") == [0, height]
        page.context.close()


# Where each card's words break into lines in the narrow columns: the character before each new line. A
# word broken with a hyphen ends its line at a soft or hard hyphen; one broken anywhere ("Wohnungssuc|he")
# ends it at a letter. And each card's own language, as the page says it.
LINE_BREAKS = r"""() => [...document.querySelectorAll('.console-scroll .board .card-text')]
  .filter(t => t.offsetParent).map(t => {
    const node = t.firstChild, range = document.createRange(), ends = [];
    let top = null;
    for (let i = 0; node && i < node.length; i++) {
      range.setStart(node, i); range.setEnd(node, i + 1);
      // the character's own box: after a soft hyphen's line end the next one also holds the drawn hyphen
      const box = [...range.getClientRects()].filter(r => r.width > 0).pop();
      if (!box) continue;
      if (top !== null && box.top > top + 2) ends.push(node.data.slice(0, i).replace(/\s+$/, ' ').slice(-1));
      top = box.top;
    }
    return {text: t.textContent.replaceAll('\u00ad', ''), lang: t.lang, ends};
  })"""


def test_on_a_laptop_a_cards_long_words_break_with_a_hyphen_in_its_own_language(
    consoles: dict[tuple[int, int], Page], world: World, room: Room
) -> None:
    """A card's long word in a narrow column broke at any letter without a hyphen ("Wohnungssuc" / "he"): the
    browser has no dictionaries. The card's text now carries its language and soft hyphens from it, so a word
    breaks at a syllable with a hyphen; the edit box still gets the text as written."""
    _go_to(world, room, "needs")
    for (width, height), page in consoles.items():
        page.reload()
        expect(page.locator("#connection")).to_have_attribute("data-state", "online")
        cards = page.evaluate(LINE_BREAKS)
        german = next(c for c in cards if c["text"].startswith("Die Wohnungssuche"))
        assert german["lang"] == "de", german
        assert german["ends"], f"at {width}×{height}: the German card is on one line {german}"
        broken = [c for c in cards if any(end not in " \u00ad-" for end in c["ends"])]
        assert broken == [], f"at {width}×{height}: words broken without a hyphen {broken[:3]}"
    page = consoles[(1440, 900)]
    card = page.locator(".console-scroll li.card", has_text="Entlassung").first
    card.locator(".card-tools summary").click()
    expect(card.locator("textarea")).to_have_value("Die Wohnungssuche nach der Entlassung dauert Monate.")


# Each card's and cluster's tools on the board as drawn: the tops of its acts (buttons, the edit fold's
# summary), their sizes and the names a screen reader reads for them.
CARD_TOOLS = """() => [...document.querySelectorAll('.console-scroll .card-tools')]
  .filter(t => t.offsetParent).map(t => {
    const acts = [...t.querySelectorAll(':scope > form > button, :scope > details > summary')]
      .map(a => { const r = a.getBoundingClientRect(), name = a.textContent.replace(/\\s+/g, ' ').trim();
        return {top: Math.round(r.top), w: r.width, h: r.height, name}; });
    return {item: t.closest('li').id, rows: new Set(acts.map(a => a.top)).size, acts};
  })"""


@pytest.mark.parametrize("kind", ["needs", "group_work"])
def test_on_a_laptop_a_cards_actions_take_one_line_and_say_what_they_do(
    browser: Browser,
    server: ThreadServer,
    consoles: dict[tuple[int, int], Page],
    world: World,
    room: Room,
    kind: str,
) -> None:
    """In a cluster's ~100 px column Spotlight, Hide and Edit stood on three lines, a card's height doubled:
    now they are icons on one line, each at least 24×24 px (WCAG 2.2 target size), named for a screen reader
    as before, and its word shows beside it while the pointer or the keyboard's focus is on it."""
    if kind == "group_work":
        _four_tables_at_work(world, room)
    else:
        _go_to(world, room, kind)
    small = _console(browser, server, room, (1280, 720))  # the narrowest columns
    for (width, height), page in {**consoles, (1280, 720): small}.items():
        page.reload()
        expect(page.locator("#connection")).to_have_attribute("data-state", "online")
        tools = page.evaluate(CARD_TOOLS)
        assert len(tools) >= 16, tools
        if kind == "needs":  # a table's cards have no spotlight
            assert any(len(t["acts"]) == 3 for t in tools), "no card with Spotlight, Hide and Edit"
        for t in tools:
            what = f"{kind} at {width}×{height}: {t}"
            assert t["rows"] == 1, f"the acts take {t['rows']} lines {what}"
            assert all(a["w"] >= 24 and a["h"] >= 24 for a in t["acts"]), what
            assert all(
                re.match(r"(Spotlight|Hide|Show|Edit|Rename|Approve) (card|cluster) \d+$", a["name"])
                for a in t["acts"]
            ), what
    small.context.close()
    page = consoles[(1440, 900)]
    card = page.locator(".console-scroll li.card:not(.card-hidden)").first
    hide = card.locator(".card-tools button", has_text="Hide")
    expect(hide).to_have_accessible_name(re.compile(r"^Hide card \d+$"))
    word = hide.locator(".tool-word")
    hide.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # the keyboard's focus, drawn
    expect(hide).to_be_focused()
    assert page.evaluate(IN_VIEW, f"#{card.get_attribute('id')} .card-tools button:focus .tool-word") == ""
    expect(word).to_be_visible()
    assert (word.bounding_box() or {"width": 0})["width"] > 20, "the word beside the focused icon"
    page.screenshot(path=str(ARTIFACTS / f"console-card-act-word-{kind}.png"))
    page.keyboard.press("Escape")  # dismissed without moving the focus (WCAG 1.4.13)
    assert (word.bounding_box() or {"width": 0})["width"] <= 1
    page.mouse.move(0, 0)
    page.locator("#stage-title").click()
    edit = card.locator(".card-tools summary")
    edit.hover()
    assert (edit.locator(".tool-word").bounding_box() or {"width": 0})["width"] > 20, "the word on hover"


# Where each table's box and title stand, and where its first card's words begin.
TABLES = """() => [...document.querySelectorAll('.console-scroll .breakout-table')].map(t => {
  const box = t.getBoundingClientRect(), title = t.querySelector('h3').getBoundingClientRect();
  const card = t.querySelector('.card .card-text');
  return {id: t.getAttribute('aria-labelledby'), top: box.top, left: box.left, right: box.right,
    titleBottom: title.bottom, card: card ? card.getBoundingClientRect().top : null};
})"""


@pytest.mark.parametrize("count", [4, 6])
def test_on_a_laptop_every_table_of_the_group_work_is_on_the_first_screen(
    browser: Browser,
    server: ThreadServer,
    world: World,
    room: Room,
    count: int,
) -> None:
    """Tables 3 and 4 stood below the fold at 1440×900 (each table as long as its cards): now the console
    lays a workshop's 4–6 tables out in a grid that fits the middle, each table's cards scrolling inside it,
    so that every table's title and first card are on the first screen and the page does not scroll."""
    _four_tables_at_work(world, room, count)
    for width, height in [*LAPTOPS, (1280, 720), (1920, 1080)]:
        page = _console(browser, server, room, (width, height))
        tables = page.evaluate(TABLES)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"console-{count}-tables-{width}x{height}.png"))
        assert len(tables) == count, tables
        for table in tables:
            what = f"{count} tables at {width}×{height}: {table}"
            assert table["top"] >= 0 and table["titleBottom"] <= height, what
            assert table["card"] is not None and table["card"] <= height - 20, what
            assert table["left"] >= 0 and table["right"] <= width, what
        assert page.evaluate("[scrollY, document.documentElement.scrollHeight]") == [0, height]
        page.context.close()


# Each card's (and cluster's) "Select" box and its acts: the box's middle must fall within the acts' line.
SELECT_BOXES = """() => [...document.querySelectorAll('.console-scroll .card-select input')]
  .filter(box => box.offsetParent).map(box => {
    const item = box.closest('li'), b = box.getBoundingClientRect();
    const acts = [...item.querySelectorAll(
      ':scope > .card-tools > form > button, :scope > .card-tools > details > summary')]
      .map(a => a.getBoundingClientRect());
    const middle = b.top + b.height / 2;
    return {item: item.id, acts: acts.length, inCluster: !!item.closest('.cluster-cards'),
      sameLine: acts.length > 0 && acts.every(a => a.top <= middle && middle <= a.bottom)};
  })"""


@pytest.mark.parametrize("kind", ["needs", "group_work"])
def test_on_a_laptop_a_cards_select_box_sits_on_its_tool_line(
    consoles: dict[tuple[int, int], Page], world: World, room: Room, kind: str
) -> None:
    """The "Select" box (to merge cards into a cluster) took a line of its own above each card's text: now it
    is on the line of the card's acts, still a labelled checkbox that the keyboard ticks."""
    if kind == "group_work":
        _four_tables_at_work(world, room)
    else:
        _go_to(world, room, kind)
    for (width, height), page in consoles.items():
        page.reload()
        expect(page.locator("#connection")).to_have_attribute("data-state", "online")
        boxes = page.evaluate(SELECT_BOXES)
        assert len(boxes) >= 16, boxes
        # At 1366 px a card inside a cluster is 90 px wide inside: four 24 px targets (WCAG 2.2) do not fit,
        # and its box alone goes to the next line, at the right; every other card and cluster keeps it on.
        apart = [b for b in boxes if not b["sameLine"] and not (width < 1440 and b["inCluster"])]
        assert not apart, f"{kind} at {width}×{height}: boxes off their tool line: {apart[:3]}"
        page.screenshot(path=str(ARTIFACTS / f"console-select-on-tool-line-{kind}-{width}x{height}.png"))
    page = consoles[(1440, 900)]
    box = page.locator(".console-scroll li.card .card-select input").first
    expect(box).to_have_accessible_name(re.compile(r"^Select\W+\w"))  # "Select", then which card
    box.focus()
    page.keyboard.press("Space")
    expect(box).to_be_checked()


def test_each_table_of_the_group_work_shows_its_card_count_in_its_title_and_keeps_it_live(
    browser: Browser,
    server: ThreadServer,
    world: World,
    room: Room,
) -> None:
    """A table's title said nothing of how much it had written: now it counts its cards, and a card sent at
    a table counts at once on the console, without a reload."""
    _four_tables_at_work(world, room)  # four cards at each table
    page = _console(browser, server, room, (1440, 900))
    page.evaluate("window.__sameDocument = true")
    titles = page.locator(".console-scroll .breakout-table > h3")
    expect(titles).to_have_count(4)
    for n in range(4):
        expect(titles.nth(n)).to_contain_text(re.compile(rf"^Table {n + 1}\b.*4 cards$"))
    tables = run(world.engine, lambda tx: breakout.describe_tables(tx.session, workshop_id=room.workshop.id))
    first = next(t for t in tables if t["number"] == 1)
    # A latecomer's phone (the API a phone's page uses) sits down at table 1 and writes a card there.
    with httpx.Client(base_url=f"{server.url}/api/v1", timeout=20) as api:
        joined = api.post(f"/join/{room.workshop.code}", json={"name": "Latecomer"}).json()
        phone = {"Authorization": f"Bearer {joined['token']}"}
        api.post(f"/tables/{first['id']}/join", headers=phone).raise_for_status()
        api.post(
            f"/tables/{first['id']}/cards",
            json={"text": "One more, sent while the console looks on."},
            headers=phone,
        ).raise_for_status()
    expect(page.locator(".console-scroll .breakout-table", has_text="One more, sent")).to_have_count(1)
    expect(titles.first).to_contain_text(re.compile(r"5 cards$"))
    expect(titles.nth(1)).to_contain_text(re.compile(r"4 cards$"))
    assert page.evaluate("window.__sameDocument") is True
    page.screenshot(path=str(ARTIFACTS / "console-tables-card-count-1440x900.png"))
    page.context.close()
