"""In Debian's Chromium: every kind of stage on the projector, with a room's content, fits the screen.

A projector cannot scroll. The sample Co-Working Lab (cards in three languages, clusters, stakeholders, two
proposals under an open vote), with tables at work, a presentation running and evaluation answers: at
1920x1080 and 1280x720 each stage's page does not overflow, nothing in it is cut off by a scroll region,
the stage title is at least 48 px at 1080p, no text is under 24 px at 1080p (16 px at 720p), and the
evaluation's results are never under 20 px.
"""

import random
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from cowork.db import read_session
from cowork.domain import participants, workshops
from cowork.domain.actors import Actor
from cowork.domain.program import evaluation, presentations, table_boards
from cowork.domain.program import tables as breakout
from cowork.domain.program.sample import create_sample_workshop
from cowork.domain.stakeholders.models import Stakeholder
from cowork.domain.stakeholders.ratings import pin_stakeholder
from cowork.domain.stakeholders.registry import propose_stakeholder
from tests import test_browser
from tests.conftest import ThreadServer, World, run
from tests.test_accessibility import _report, axe_violations
from tests.test_browser import _shot

pytestmark = pytest.mark.browser
browser = test_browser.browser
SCREENS = {"1080p": {"width": 1920, "height": 1080}, "720p": {"width": 1280, "height": 720}}

TABLE_CARDS = [
    "Survey among care homes about night shifts",
    "One contact person at the job centre for each family",
    "Kita places reserved for language course weeks",
    "Mentoring by retired craftspeople",
    "Wohnungsbörse für Azubis mit Wohnberechtigungsschein",
    "Formación dual con horarios compatibles con el cuidado de niños",
]
OPEN_ANSWERS = [
    "Meeting the employers face to face",
    "Die Gruppenarbeit war sehr konkret",
    "Más tiempo para las presentaciones",
]

# What the room sees, measured in the page: overflow, things cut off by a scroll region, the title's size.
FIT = """() => {
  const doc = document.documentElement;
  const body = document.querySelector('#stage .stage-body');
  const scrolled = [...document.querySelectorAll('#stage *')].filter(e => {
    const s = getComputedStyle(e);
    return ['auto', 'scroll'].includes(s.overflowY) && e.scrollHeight > e.clientHeight + 1;
  }).map(e => e.className);
  return {
    overflowX: doc.scrollWidth - innerWidth, overflowY: doc.scrollHeight - innerHeight,
    hidden: body ? body.scrollHeight - body.clientHeight : 0,
    scrolled,
    title: parseFloat(getComputedStyle(document.querySelector('.stage-title')).fontSize),
    // a cluster that runs on into the next column of the board has more than one box
    split: [...document.querySelectorAll('#stage .cluster')]
      .filter(c => c.getClientRects().length > 1).length,
    clusterText: Math.min(...[...document.querySelectorAll('#stage .cluster .card-text')]
      .filter(t => t.offsetParent).map(t => parseFloat(getComputedStyle(t).fontSize))),
    // the evaluation's results as drawn: the CSS size times any zoom cowork.js gave them to fit
    evalText: Math.min(...[...document.querySelectorAll(
        '#stage .eval-results :is(p, h3, .eval-bars tbody th, .eval-count)')]
      .filter(t => t.offsetParent && t.getClientRects().length)
      .map(t => parseFloat(getComputedStyle(t).fontSize) * (t.currentCSSZoom || 1))),
    // the agenda's status line: its size, and how far above the foot of the stage it ends
    status: parseFloat(getComputedStyle(document.querySelector('#stage .agenda-status')).fontSize),
    statusAbove: body.getBoundingClientRect().bottom
      - document.querySelector('#stage .programme-bar').getBoundingClientRect().bottom,
    // a card's kind and phase chips, as drawn (a projector's card is read from the back of the room)
    chips: Math.min(...[...document.querySelectorAll('#stage .card .tag')].filter(t => t.offsetParent)
      .map(t => parseFloat(getComputedStyle(t).fontSize) * (t.currentCSSZoom || 1))),
    // the format's text of a stage without a board (an information stage), as drawn
    // the smallest words of the stage, as drawn (a screen reader's hidden text and the map's drawing aside;
    // the agenda line above the title is wayfinding, a card's chips and author are measured above as chips)
    smallest: [...document.querySelectorAll('#stage *')]
      .filter(e => e.offsetParent
        && !e.closest('svg, .visually-hidden, .sh-table-wrap, .agenda, .tag, .card-author')
        && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
      .map(e => ({size: parseFloat(getComputedStyle(e).fontSize) * (e.currentCSSZoom || 1),
        what: e.tagName + '.' + e.className + ' ' + e.textContent.trim().slice(0, 30)}))
      .sort((a, b) => a.size - b.size)[0] || {size: 1000, what: ''},
    stageText: [...document.querySelectorAll('#stage .stage-text')]
      .map(t => parseFloat(getComputedStyle(t).fontSize) * (t.currentCSSZoom || 1))[0] || 0,
  };
}"""


def lab_with_everything(world: World) -> tuple[Any, dict[str, int]]:
    """The sample workshop, then tables at work, a presentation on and the evaluation answered."""
    workshop = run(world.engine, create_sample_workshop, actor=world.facilitator)
    with read_session(world.engine) as session:
        stages = {s.kind: s.id for s in reversed(workshops.stages_of(session, workshop_id=workshop.id))}
    people = [
        run(world.engine, participants.join_workshop, code=workshop.code, name=f"Person {n}")[0]
        for n in range(8)
    ]
    go_to(world, workshop, stages["group_work"])
    tables = run(
        world.engine,
        breakout.split_into_tables,
        actor=world.facilitator,
        workshop_id=workshop.id,
        count=3,
        method="random",
        rng=random.Random(7),
    )
    for n, text in enumerate(TABLE_CARDS):
        table = tables[n % len(tables)]
        author = next(p for p in people if p.id in [m["participant_id"] for m in table["members"]])
        run(
            world.engine,
            table_boards.add_table_card,
            actor=Actor.of_participant(author),
            table_id=table["id"],
            text=text,
        )
    go_to(world, workshop, stages["presentations"])
    run(
        world.engine,
        presentations.next_presentation,
        actor=world.facilitator,
        stage_id=stages["presentations"],
    )
    go_to(world, workshop, stages["evaluation"])
    with read_session(world.engine) as session:
        items = evaluation.read_questionnaire(
            session, actor=world.facilitator, stage_id=stages["evaluation"], lang="en"
        )["items"]
    for n, person in enumerate(people):
        answers = {
            i["id"]: (1 + (n + k) % 5 if i["type"] == "likert" else OPEN_ANSWERS[n % len(OPEN_ANSWERS)])
            for k, i in enumerate(items)
        }
        run(
            world.engine,
            evaluation.answer,
            actor=Actor.of_participant(person),
            stage_id=stages["evaluation"],
            answers=answers,
        )
    return workshop, stages


def go_to(world: World, workshop: Any, stage_id: int) -> None:
    run(
        world.engine,
        workshops.set_current_stage,
        actor=world.facilitator,
        workshop_id=workshop.id,
        stage_id=stage_id,
    )


def open_stage(browser: Browser, server: ThreadServer, workshop: Any, size: str, theme: str = "") -> Page:
    page = browser.new_context(viewport=SCREENS[size]).new_page()
    page.goto(f"{server.url}/s/{workshop.projector_key}" + (f"?theme={theme}" if theme else ""))
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    # Fitted: a board has counted its pages; any other stage's body holds what it has.
    page.wait_for_function(
        "() => { const b = document.querySelector('#stage .board');"
        " if (b) return b.hasAttribute('data-pages');"
        " const s = document.querySelector('#stage .stage-body');"
        " return !s || s.scrollHeight <= s.clientHeight + 1; }"
    )
    return page


KINDS = ["information", "needs", "stakeholders", "group_work", "presentations", "action_plan", "evaluation"]


def test_every_kind_of_stage_fits_the_projector_at_both_sizes(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    workshop, stages = lab_with_everything(world)
    for kind in KINDS:
        go_to(world, workshop, stages[kind])
        for size in SCREENS:
            page = open_stage(browser, server, workshop, size)
            seen = page.evaluate(FIT)
            _shot(page, f"projector-stage-{kind}-{size}")
            what = f"{kind} at {size}"
            assert seen["overflowX"] <= 0 and seen["overflowY"] <= 0, f"{what}: the page scrolls {seen}"
            assert seen["hidden"] <= 1 and seen["scrolled"] == [], f"{what}: cut off {seen}"
            assert seen["split"] == 0, f"{what}: a cluster runs on into the next column"
            assert seen["clusterText"] >= 20, f"{what}: a cluster's cards under 20 px {seen}"
            if kind == "evaluation":  # read from the back of the room, at 720p too
                assert 20 <= seen["evalText"] < 1000, f"{what}: results' text {seen['evalText']} px"
            # The status line is read from the back and stands at the foot of every stage, after a vote too.
            assert seen["status"] >= 18 and abs(seen["statusAbove"]) <= 2, f"{what}: status line {seen}"
            assert seen["chips"] >= 16, f"{what}: a card's chips are {seen['chips']} px"
            if kind == "information":  # the format's text, not a title above an empty screen
                assert seen["stageText"] >= (32 if size == "1080p" else 22), f"{what}: its text {seen}"
            # Nothing on the screen under 24 px at 1080p (16 px at 720p): read from the back of the room.
            smallest = seen["smallest"]
            assert smallest["size"] >= (24 if size == "1080p" else 16), f"{what}: text at {smallest}"
            if size == "1080p":
                assert seen["title"] >= 48, f"{what}: the stage title is {seen['title']} px"
            page.context.close()
        # The dark room's theme, read by a screen reader too: no axe violations.
        page = open_stage(browser, server, workshop, "1080p", theme="dark")
        violations = axe_violations(page)
        _shot(page, f"projector-stage-{kind}-dark")
        assert violations == [], f"{kind} (dark): " + _report({"projector": violations})
        page.context.close()


# The map's names as drawn: their boxes, the plot's, the quadrants' names'; and what each name says.
MAP_LABELS = """() => {
  const box = e => {
    const b = e.getBoundingClientRect();
    return {l: b.left, r: b.right, t: b.top, b: b.bottom};
  };
  return {
    svg: box(document.querySelector('#stage .sh-grid-svg')),
    labels: [...document.querySelectorAll('#stage .sh-label')].map(e => ({text: e.textContent, ...box(e),
      size: parseFloat(getComputedStyle(e).fontSize) * e.getScreenCTM().a})),
    quadrants: [...document.querySelectorAll('#stage .sh-quadrant')].map(box),
    dots: [...document.querySelectorAll('#stage .sh-marker')].map(m => ({
      name: m.querySelector('.sh-label').textContent, ...box(m.querySelector('.sh-dot'))})),
  };
}"""


def _sample_stage(world: World, language: str, kind: str) -> tuple[Any, Any]:
    """A new sample workshop in this language and its first stage of this kind."""
    workshop = run(world.engine, create_sample_workshop, actor=world.facilitator, language=language)
    with read_session(world.engine) as session:
        stages = workshops.stages_of(session, workshop_id=workshop.id)
        return workshop, next(s for s in stages if s.kind == kind)


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return a["l"] < b["r"] and b["l"] < a["r"] and a["t"] < b["b"] and b["t"] < a["b"]


def test_the_stakeholder_map_shows_every_name_whole_and_uncovered_at_both_sizes(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    workshop, stage = _sample_stage(world, "en", "stakeholders")
    with read_session(world.engine) as session:
        names = sorted(
            s.name for s in session.exec(select(Stakeholder).where(Stakeholder.stage_id == stage.id))
        )
    go_to(world, workshop, stage.id)
    assert any(len(n) > 24 for n in names), "the sample has a long name (cut at 24 letters before)"
    for size in SCREENS:
        page = open_stage(browser, server, workshop, size)
        seen = page.evaluate(MAP_LABELS)
        _shot(page, f"projector-stakeholder-map-{size}")
        labels = seen["labels"]
        assert sorted(" ".join(label["text"].split()) for label in labels) == names, f"{size}: {labels}"
        svg = seen["svg"]
        for label in labels:
            inside = svg["l"] <= label["l"] and label["r"] <= svg["r"] and svg["t"] <= label["t"]
            assert inside and label["b"] <= svg["b"], f"{size}: {label['text']} runs out of the map"
            assert label["size"] >= 16, f"{size}: {label['text']} is drawn at {label['size']} px"
            assert not any(_overlap(label, q) for q in seen["quadrants"]), (
                f"{size}: {label['text']} on a quadrant"
            )
        for n, label in enumerate(labels):
            for other in labels[n + 1 :]:
                assert not _overlap(label, other), f"{size}: {label['text']} and {other['text']} overlap"
        page.context.close()


def test_a_long_german_column_name_is_hyphenated_inside_its_column(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    """ "ARBEITSVERMITTLUNG" in the projector's capitals is wider than a column at 720p: it breaks at a
    syllable, with a hyphen, instead of running over the column's edge."""
    workshop, stage = _sample_stage(world, "de", "needs")
    go_to(world, workshop, stage.id)
    for size in SCREENS:
        page = open_stage(browser, server, workshop, size)
        assert page.evaluate("document.documentElement.lang") == "de"
        heads = page.evaluate(
            "() => [...document.querySelectorAll('#stage .column h3')]"
            " .filter(h => h.offsetParent).map(h => ({"
            " text: h.textContent.replaceAll('\\u00ad', '').trim(), over: h.scrollWidth - h.clientWidth,"
            " right: h.querySelector('.column-name').getBoundingClientRect().right,"
            " edge: h.getBoundingClientRect().right}))"
        )
        _shot(page, f"projector-board-de-{size}")
        assert "Arbeitsvermittlung" in [h["text"] for h in heads], heads
        for head in heads:
            assert head["over"] <= 0 and head["right"] <= head["edge"] + 1, f"{size}: {head}"
        page.context.close()


# Twelve more stakeholders, pinned at the same or neighbouring places: four in the top right corner, two at
# the bottom left, three around the middle.
CROWD = [
    ("Jobcenter Nord", 5, 5),
    ("Agentur für Arbeit", 5, 5),
    ("Kita-Träger", 5, 4.5),
    ("IHK", 4.5, 5),
    ("Handwerkskammer Oberbayern", 1, 1),
    ("Elternbeirat", 1, 1.2),
    ("Stadtrat", 3, 3),
    ("Wohnungsamt", 3, 3.2),
    ("Migrationsberatung der Caritas", 3.2, 3),
    ("Pflegeheime", 1, 5),
    ("Ausländerbehörde", 5, 1),
    ("Sprachschule Nord", 4.8, 1),
]


def test_a_crowded_map_fills_the_screen_with_large_names_that_cover_no_name_and_no_dot(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    workshop, stage = _sample_stage(world, "de", "stakeholders")
    go_to(world, workshop, stage.id)
    for name, influence, interest in CROWD:
        added, _ = run(
            world.engine,
            propose_stakeholder,
            actor=world.facilitator,
            stage_id=stage.id,
            name=name,
            family="job_centre",
        )
        run(
            world.engine,
            pin_stakeholder,
            actor=world.facilitator,
            stakeholder_id=added.id,
            influence=influence,
            interest=interest,
        )
    for size, screen in SCREENS.items():
        page = open_stage(browser, server, workshop, size)
        page.wait_for_function("document.fonts.status === 'loaded'")
        page.wait_for_timeout(300)  # the names are placed in the frame after the fonts are in
        seen = page.evaluate(MAP_LABELS)
        _shot(page, f"projector-stakeholder-map-crowded-{size}")
        labels, svg = seen["labels"], seen["svg"]
        assert len(labels) == 4 + len(CROWD), labels
        # the map is the stage's content: as wide as the screen less its margins
        assert svg["r"] - svg["l"] >= 0.9 * screen["width"], f"{size}: the map is {svg}"
        for label in labels:
            assert label["size"] >= (28 if size == "1080p" else 18), f"{size}: {label['text']} {label}"
            inside = label["l"] >= 0 and label["r"] <= screen["width"] and label["t"] >= 0
            assert inside and label["b"] <= screen["height"], f"{size}: {label['text']} is off the screen"
            assert not any(_overlap(label, q) for q in seen["quadrants"]), f"{size}: {label['text']}"
            for dot in seen["dots"]:
                if dot["name"] != label["text"]:
                    assert not _overlap(label, dot), (
                        f"{size}: {label['text']} covers the dot of {dot['name']}"
                    )
        for n, label in enumerate(labels):
            for other in labels[n + 1 :]:
                assert not _overlap(label, other), f"{size}: {label['text']} and {other['text']} overlap"
        page.context.close()
