"""In Debian's Chromium: a vote on the projector is large bars that grow as ballots come in, or, while its
results are hidden until the close, only the number of ballots; both fit 1920x1080 and 1280x720."""

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from cowork.db import read_session
from cowork.domain import participants, workshops
from cowork.domain.votes.polls import open_poll, options_of
from cowork.domain.votes.setup import create_poll
from tests.actions.test_proposals import _go_to, lab  # noqa: F401  (the co-working lab on its action plan)
from tests.conftest import ThreadServer, World, patient, run
from tests.test_accessibility import _report, axe_violations
from tests.test_browser import _shot

pytestmark = pytest.mark.browser
SCREENS = {"1080p": {"width": 1920, "height": 1080}, "720p": {"width": 1280, "height": 720}}
OPTIONS = [
    "One contact person from release to the first job",
    "Evening language courses with childcare",
    "A housing fund for trainees",
    "Mentoring by retired craftspeople",
]

FIT = """() => ({
  overflowX: document.documentElement.scrollWidth - innerWidth,
  overflowY: document.documentElement.scrollHeight - innerHeight,
  hidden: (b => b.scrollHeight - b.clientHeight)(document.querySelector('#stage .stage-body')),
  zoom: parseFloat(document.querySelector('#polls').style.zoom || '1'),
  label: (l => l ? parseFloat(getComputedStyle(l).fontSize) : 0)(
    document.querySelector('.poll-projector .bar-label')),
  count: parseFloat(getComputedStyle(document.querySelector('.poll-projector .poll-state strong')).fontSize),
  title: parseFloat(getComputedStyle(document.querySelector('.poll-projector h3')).fontSize),
})"""


def approval_vote(world: World, hide_results: bool = False) -> tuple[int, list[int]]:
    poll = run(
        world.engine,
        create_poll,
        actor=world.facilitator,
        stage_id=world.workshop.current_stage_id,
        method="approval",
        title="Which measures do we start in spring?",
        options=[{"label": label} for label in OPTIONS],
        hide_results=hide_results,
    )
    run(world.engine, open_poll, actor=world.facilitator, poll_id=poll.id)
    with read_session(world.engine) as session:
        return poll.id, [o.id for o in options_of(session, poll_id=poll.id)]


def voters(world: World, count: int) -> list[str]:
    """Phones that joined: their tokens."""
    return [
        run(world.engine, participants.join_workshop, code=world.workshop.code, name=f"Voter {n}")[1]
        for n in range(count)
    ]


def vote(server: ThreadServer, token: str, poll_id: int, options: list[int], yes: set[int]) -> None:
    """A phone's ballot through the API, so every screen hears of it."""
    choices = {str(option): n in yes for n, option in enumerate(options)}
    sent = patient.post(
        f"{server.url}/api/v1/polls/{poll_id}/ballots",
        json={"choices": choices},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert sent.status_code == 201, sent.text


def close(server: ThreadServer, world: World, poll_id: int) -> None:
    closed = patient.post(
        f"{server.url}/api/v1/polls/{poll_id}/close", headers={"Authorization": f"Bearer {world.api_token}"}
    )
    assert closed.status_code == 200, closed.text


def projector(browser: Browser, server: ThreadServer, world: World, size: str, theme: str = "") -> Page:
    page = browser.new_context(viewport=SCREENS[size]).new_page()
    page.goto(f"{server.url}/s/{world.workshop.projector_key}" + (f"?theme={theme}" if theme else ""))
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    expect(page.locator(".poll-projector")).to_have_count(1)
    return page


def fits(page: Page, what: str) -> dict[str, Any]:
    page.wait_for_function(
        "() => { const b = document.querySelector('#stage .stage-body');"
        " return b.scrollHeight <= b.clientHeight + 1; }"
    )
    seen = page.evaluate(FIT)
    assert seen["overflowX"] <= 0 and seen["overflowY"] <= 0, f"{what}: the page scrolls {seen}"
    assert seen["hidden"] <= 1, f"{what}: cut off {seen}"
    return seen


def bar_widths(page: Page, poll_id: int, options: list[int]) -> list[float]:
    return [float(page.locator(f"#poll-{poll_id}-bar-{o}").get_attribute("width") or 0) for o in options]


def test_the_bars_grow_as_ballots_come_in_and_stay_large_at_both_sizes(
    browser: Browser,
    server: ThreadServer,
    lab: World,  # noqa: F811
) -> None:
    poll_id, options = approval_vote(lab)
    people = voters(lab, 12)
    vote(server, people[0], poll_id, options, {0})
    pages = {size: projector(browser, server, lab, size) for size in SCREENS}
    big = pages["1080p"]
    assert bar_widths(big, poll_id, options) == [100, 0, 0, 0]

    # Ballots come in: the bars of the options they approve grow on the open projector, without a reload.
    for n, person in enumerate(people[1:7]):
        vote(server, person, poll_id, options, {1, n % 4})
    expect(big.locator(f"#poll-{poll_id}-ballots")).to_have_text("7")
    expect(big.locator(f"#poll-{poll_id}-n-{options[1]}")).to_have_text("6")
    big.wait_for_function(
        f"() => parseFloat(document.querySelector('#poll-{poll_id}-bar-{options[2]}')"
        ".getAttribute('width')) > 0"
    )
    widths = bar_widths(big, poll_id, options)
    assert widths[1] == 100 and 0 < widths[2] < 100, widths
    for size, page in pages.items():
        seen = fits(page, f"the open vote at {size}")
        assert seen["zoom"] == 1, f"the vote is shrunk to fit at {size}: {seen}"
        if size == "1080p":
            assert seen["label"] >= 32 and seen["title"] >= 40, f"too small for the back row: {seen}"
        _shot(page, f"projector-vote-bars-during-{size}")

    for person in people[7:]:
        vote(server, person, poll_id, options, {3})
    close(server, lab, poll_id)
    for size, page in pages.items():
        expect(page.locator(".poll-projector .badge")).to_have_text("Vote closed")
        fits(page, f"the closed vote at {size}")
        _shot(page, f"projector-vote-bars-after-{size}")


def test_hidden_results_show_only_the_number_of_ballots_until_the_close(
    browser: Browser,
    server: ThreadServer,
    lab: World,  # noqa: F811
) -> None:
    poll_id, options = approval_vote(lab, hide_results=True)
    people = voters(lab, 5)
    pages = {size: projector(browser, server, lab, size) for size in SCREENS}
    for person in people[:3]:
        vote(server, person, poll_id, options, {0, 2})
    for size, page in pages.items():
        expect(page.locator(f"#poll-{poll_id}-ballots")).to_have_text("3")
        expect(page.locator(".poll-projector .bar")).to_have_count(0)
        expect(page.locator(".poll-projector")).not_to_contain_text(OPTIONS[0])
        seen = fits(page, f"hidden results at {size}")
        if size == "1080p":
            assert seen["count"] >= 80, f"the number of ballots should be large: {seen}"
        _shot(page, f"projector-vote-hidden-{size}")
    close(server, lab, poll_id)
    big = pages["1080p"]
    expect(big.locator(".poll-projector .bar")).to_have_count(len(OPTIONS))
    assert bar_widths(big, poll_id, options)[0] == 100


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_vote_on_the_projector_has_no_axe_violations(
    browser: Browser,
    server: ThreadServer,
    lab: World,  # noqa: F811
    theme: str,
) -> None:
    poll_id, options = approval_vote(lab)
    for n, person in enumerate(voters(lab, 4)):
        vote(server, person, poll_id, options, {n % 4, 1})
    page = projector(browser, server, lab, "1080p", theme)
    violations = axe_violations(page)
    assert violations == [], f"vote {theme}: " + _report({"projector": violations})


# A tie as drawn: its box, its row's place number and bar, and its size.
TIE = """() => [...document.querySelectorAll('.poll-projector .tie')].map(t => {
  const row = t.closest('.bar-row'), box = e => e.getBoundingClientRect();
  const b = box(t), place = box(row.querySelector('.bar-place')), bar = box(row.querySelector('.bar'));
  return {text: t.textContent, size: parseFloat(getComputedStyle(t).fontSize) * (t.currentCSSZoom || 1),
    cut: t.scrollWidth - t.clientWidth, overPlace: b.left < place.right && b.top < place.bottom,
    overBar: b.bottom > bar.top + 1, inRow: b.right <= box(row).right + 1};
})"""


def test_a_tie_in_german_stands_whole_beside_its_option_at_the_rooms_least_size(
    browser: Browser,
    server: ThreadServer,
    world: World,
) -> None:
    """ "gleichauf" does not fit the place's narrow column: it stands with the option's name, whole, on no
    number and no bar, and as large as the room reads (24 px at 1080p, 16 px at 720p)."""
    workshop = run(
        world.engine,
        workshops.create_workshop,
        actor=world.facilitator,
        title="Co-Working Lab",
        format_id="co-working-lab",
        language="de",
    )
    german = World(world.engine, world.facilitator, world.api_token, workshop)
    _go_to(german, "action_plan")
    poll_id, options = approval_vote(german)
    for n, person in enumerate(voters(german, 6)):
        vote(server, person, poll_id, options, {0, 1} if n < 4 else {2})
    for size in SCREENS:
        page = projector(browser, server, german, size)
        expect(page.locator(".poll-projector .tie")).to_have_count(2)
        fits(page, f"a tie at {size}")
        ties = page.evaluate(TIE)
        _shot(page, f"projector-vote-tie-de-{size}")
        for tie in ties:
            assert tie["text"] == "gleichauf" and tie["cut"] <= 0, f"{size}: {tie}"
            assert not tie["overPlace"] and not tie["overBar"] and tie["inRow"], f"{size}: {tie}"
            assert tie["size"] >= (24 if size == "1080p" else 16), f"{size}: {tie}"
        page.context.close()
