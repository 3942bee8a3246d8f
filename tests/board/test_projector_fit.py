"""In Debian's Chromium: the projector's needs board fits the screen at every size of board.

A projector cannot scroll. For 1, 12, 60 and 200 cards at 1920x1080 and 1280x720: the page never overflows,
every card on the current page lies inside the viewport, the cards' type follows the room's rule (at least
32 px at 1080p for a dozen cards or fewer, never under 20 px), and a board too big for one screen pages
visibly ("Page 2 of 3") so that no card is silently left out.
"""

import re
from collections.abc import Iterator
from typing import Any

import pytest
import qrcode
from playwright.sync_api import Browser, Page, expect

from cowork.db import read_session
from cowork.domain import workshops
from cowork.settings import Settings
from tests import test_browser
from tests.board.test_needs_board import AREAS, Lab, open_lab
from tests.conftest import ThreadServer, World, patient, run
from tests.test_accessibility import _report, axe_violations
from tests.test_browser import _shot

pytestmark = pytest.mark.browser
SCREENS = {"1080p": {"width": 1920, "height": 1080}, "720p": {"width": 1280, "height": 720}}

# What people write at a needs board: short and long, in the seeds' words.
TEXTS = [
    "No childcare during the language course",
    "Kita hours do not fit shift work",
    "Landlords refuse tenants on benefits",
    "A mentor after the first job day would keep people in work",
    "Recognition of foreign diplomas takes more than a year, and nobody tells you which office is in charge",
    "Job centre letters are only in German",
    "Employers do not know the wage subsidies",
    "Debt counselling has a waiting list of four months",
    "Trauma support in Arabic and Dari",
    "After prison: no bank account, so no job",
    "Training allowance ends before the exam",
    "One contact person instead of five offices",
]


def fill_board(lab: Lab, count: int) -> None:
    """`count` cards from ten people, a third of them without a category (the old "Other" pile)."""
    people = [lab.join(f"P{n}")[0] for n in range(min(count, 10))]
    for n in range(count):
        area = None if n % 3 == 2 else AREAS[n % len(AREAS)]
        text = TEXTS[n % len(TEXTS)] + (f" ({n + 1})" if n >= len(TEXTS) else "")
        lab.card(people[n % len(people)], text, category=area)


# Everything the room must be able to read, measured in the page: overflow, cards off screen, type sizes.
MEASURE = """() => {
  const doc = document.documentElement, board = document.querySelector('#stage .board');
  const page = board.getAttribute('data-page'), pages = board.getAttribute('data-pages');
  const cards = [...board.querySelectorAll('.column > .cards > .card, .column > .cards > .cluster')];
  const inView = r => r.left >= 0 && r.top >= 0
    && r.right <= innerWidth + 0.5 && r.bottom <= innerHeight + 0.5;
  const boardBox = board.getBoundingClientRect();
  const onPage = cards.filter(c => c.getAttribute('data-page') === page);
  return {
    overflowX: doc.scrollWidth - innerWidth, overflowY: doc.scrollHeight - innerHeight,
    cards: cards.length, page: Number(page), pages: Number(pages),
    unpaged: cards.filter(c => !c.hasAttribute('data-page')).length,
    pagesUsed: [...new Set(cards.map(c => Number(c.getAttribute('data-page'))))].sort((a, b) => a - b),
    onPage: onPage.length,
    outside: onPage.filter(c => !inView(c.getBoundingClientRect())).map(c => c.id),
    cutByBoard: onPage.filter(c => {
      const r = c.getBoundingClientRect();
      return r.bottom > boardBox.bottom + 0.5 || r.right > boardBox.right + 0.5;
    }).map(c => c.id),
    fontSizes: [...board.querySelectorAll('.card-text')].map(t => parseFloat(getComputedStyle(t).fontSize)),
    title: parseFloat(getComputedStyle(document.querySelector('.stage-title')).fontSize),
    pager: (() => { const p = document.querySelector('.board-pager');
                    return p.hidden ? null : p.textContent; })(),
    pagerInView: (() => { const p = document.querySelector('.board-pager');
                          return !p.hidden && inView(p.getBoundingClientRect()); })(),
  };
}"""


def open_projector(browser: Browser, server: ThreadServer, lab: Lab, size: str, theme: str = "") -> Page:
    page = browser.new_context(viewport=SCREENS[size]).new_page()
    page.goto(f"{server.url}/s/{lab.workshop.projector_key}" + (f"?theme={theme}" if theme else ""))
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    expect(page.locator("#stage .board")).to_have_attribute("data-pages", re.compile(r"\d+"))  # fitted
    return page


def measure(page: Page) -> dict[str, Any]:
    return page.evaluate(MEASURE)


@pytest.fixture
def lan_server(live_settings: Settings) -> Iterator[ThreadServer]:
    """The server as `cowork serve` runs it on a venue's Wi-Fi: the QR names a LAN address (192.0.2.10
    stands for it), the projector's browser opens it on this machine (127.0.0.1, a served origin)."""
    port = live_settings.public_base_url.rsplit(":", 1)[1]
    here = f"http://127.0.0.1:{port}"
    settings = live_settings.model_copy(
        update={"public_base_url": f"http://192.0.2.10:{port}", "served_origins": [here]}
    )
    with ThreadServer(settings) as running:
        running.url = here
        yield running


def check_fit(browser: Browser, server: ThreadServer, lab: Lab, count: int, shot: str) -> None:
    for size in SCREENS:
        page = open_projector(browser, server, lab, size)
        seen = measure(page)
        _shot(page, f"{shot}-{size}")
        what = f"{count} cards at {size} ({shot})"
        assert seen["cards"] == count, what
        assert seen["overflowX"] <= 0 and seen["overflowY"] <= 0, f"{what}: the page scrolls {seen}"
        assert seen["outside"] == [] and seen["cutByBoard"] == [], f"{what}: cards off the screen {seen}"
        assert seen["onPage"] > 0, what
        assert min(seen["fontSizes"]) >= 20, f"{what}: card text under 20 px {seen['fontSizes'][:5]}"
        if size == "1080p":
            assert seen["title"] >= 48, f"{what}: the stage title is {seen['title']} px"
            if count <= 12:
                assert min(seen["fontSizes"]) >= 32, f"{what}: card text {min(seen['fontSizes'])} px"
        # Nothing silently hidden: every card is on one of the pages, and more than one page says so.
        assert seen["unpaged"] == 0, what
        assert seen["pagesUsed"] == list(range(1, seen["pages"] + 1)), f"{what}: {seen}"
        if seen["pages"] > 1:
            assert seen["pager"] == f"Page {seen['page']} of {seen['pages']}", f"{what}: {seen}"
            assert seen["pagerInView"], what
        else:
            assert seen["pager"] is None, f"{what}: a pager on a board that fits"
        if count <= 12:
            assert seen["pages"] == 1, f"{what}: a dozen cards should fit one screen"
        page.context.close()


@pytest.mark.parametrize("count", [1, 12, 60, 200])
def test_the_projector_board_fits_the_screen_and_pages_what_does_not_fit(
    browser: Browser, server: ThreadServer, world: World, count: int
) -> None:
    """On 127.0.0.1 phones cannot join: the projector says so on a line of its own; the board still fits."""
    lab = open_lab(world)
    fill_board(lab, count)
    page = browser.new_context(viewport=SCREENS["720p"]).new_page()
    page.goto(f"{server.url}/s/{lab.workshop.projector_key}")
    warning = page.locator("#join-unreachable")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Phones cannot open this address")
    assert page.locator(".join-panel #join-unreachable").count() == 0, "the warning widens the badge"
    page.context.close()
    check_fit(browser, server, lab, count, f"projector-{count}-cards")


@pytest.mark.parametrize("count", [12, 200])
def test_on_a_lan_address_there_is_no_warning_and_the_board_fits_the_same(
    browser: Browser, lan_server: ThreadServer, world: World, count: int
) -> None:
    lab = open_lab(world)
    fill_board(lab, count)
    page = browser.new_context(viewport=SCREENS["1080p"]).new_page()
    page.goto(f"{lan_server.url}/s/{lab.workshop.projector_key}")
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    expect(page.locator(".join-url")).to_have_text(
        f"http://192.0.2.10:{lan_server.port}/j/{lab.workshop.code}"
    )
    expect(page.locator("#join-unreachable")).to_have_count(0)
    page.context.close()
    check_fit(browser, lan_server, lab, count, f"projector-lan-{count}-cards")


def qr_modules(svg: str) -> set[tuple[int, int]]:
    """The dark modules of the projector's QR code, read from its SVG path (one square per module)."""
    return {(int(x), int(y)) for x, y in re.findall(r"M(\d+),(\d+)H", svg)}


def expected_modules(url: str) -> set[tuple[int, int]]:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(url)
    code.make(fit=True)
    return {(x, y) for y, row in enumerate(code.get_matrix()) for x, dark in enumerate(row) if dark}


def box(page: Page, selector: str) -> dict[str, float]:
    return page.locator(selector).first.evaluate(
        "el => { const r = el.getBoundingClientRect();"
        " return {x: r.left, y: r.top, w: r.width, h: r.height}; }"
    )


def test_the_join_panel_is_full_while_people_join_then_a_corner_badge_whose_qr_still_is_the_join_url(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    lab = open_lab(world)
    with read_session(lab.engine) as session:
        first, second = workshops.stages_of(session, workshop_id=lab.workshop.id)[:2]
    run(
        lab.engine,
        workshops.set_current_stage,
        actor=lab.facilitator,
        workshop_id=lab.workshop.id,
        stage_id=first.id,
    )
    page = browser.new_context(viewport=SCREENS["1080p"]).new_page()
    page.goto(f"{server.url}/s/{lab.workshop.projector_key}")
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")

    # While people join: a third of the screen, a QR code of at least 400 px, the code and the address.
    panel, qr = box(page, ".join-panel"), box(page, ".join-panel .qr")
    assert panel["w"] >= 1920 * 0.3 and qr["w"] >= 400, (panel, qr)
    expect(page.locator(".join-howto li").first).to_be_visible()
    _shot(page, "projector-join-full")

    # The workshop moves on (from the console's API): the page turns the panel into a badge in the corner.
    moved = patient.post(
        f"{server.url}/api/v1/workshops/{lab.workshop.id}/current-stage",
        json={"stage_id": second.id},
        headers={"Authorization": f"Bearer {world.api_token}"},
    )
    assert moved.status_code == 200, moved.text
    expect(page.locator(".stage-title")).to_have_text(second.title["en"])
    page.wait_for_function("document.querySelector('.join-panel').getBoundingClientRect().height < 400")
    assert box(page, ".join-howto")["w"] <= 1  # left to screen readers
    panel, qr = box(page, ".join-panel"), box(page, ".join-panel .qr")
    assert panel["x"] + panel["w"] >= 1920 - 60 and panel["y"] <= 60, f"not in the corner: {panel}"
    # A corner badge: at most about a fourteenth of the screen. Its width follows the join address, whose
    # length varies with the port and the code's letters (about 560-575 px wide, 218 px high at 1080p).
    assert panel["w"] * panel["h"] <= 1920 * 1080 * 0.07, f"the badge takes too much room: {panel}"
    # Scannable from 3 m: at least 160 px (about 17 cm on a 2 m wide screen), the code beside it.
    assert qr["w"] >= 160, qr
    expect(page.locator("#join-code")).to_be_visible()
    expect(page.locator("#join-code")).to_have_text(lab.workshop.code)

    # The QR on screen encodes the join URL that is printed beside it.
    join_url = page.locator(".join-url").inner_text()
    assert join_url == f"{server.url}/j/{lab.workshop.code}"
    svg = page.request.get(server.url + (page.locator(".join-panel .qr").get_attribute("src") or "")).text()
    assert qr_modules(svg) == expected_modules(join_url)
    _shot(page, "projector-join-badge")


@pytest.mark.parametrize("lang", ["en", "de", "es"])
def test_the_fitted_projector_has_no_axe_violations_in_light_and_dark(
    browser: Browser, server: ThreadServer, world: World, lang: str
) -> None:
    workshop = run(
        world.engine,
        workshops.create_workshop,
        actor=world.facilitator,
        title="Co-Working Lab",
        format_id="co-working-lab",
        language=lang,
    )
    with read_session(world.engine) as session:
        needs = next(s for s in workshops.stages_of(session, workshop_id=workshop.id) if s.kind == "needs")
    run(
        world.engine,
        workshops.set_current_stage,
        actor=world.facilitator,
        workshop_id=workshop.id,
        stage_id=needs.id,
    )
    lab = Lab(world, workshop, needs.id)
    fill_board(lab, 60)  # paged: the pager is checked too
    for theme in ("light", "dark"):
        page = open_projector(browser, server, lab, "1080p", theme)
        expect(page.locator("body")).to_have_attribute("data-theme", theme)
        expect(page.locator(".board-pager")).to_be_visible()
        violations = axe_violations(page)
        _shot(page, f"projector-60-cards-{theme}-{lang}")
        assert violations == [], f"{lang} {theme}: " + _report({"projector": violations})
        page.context.close()


def test_live_cards_land_in_their_column_the_type_shrinks_and_the_pages_turn_on_their_own(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    lab = open_lab(world)
    fill_board(lab, 4)
    page = browser.new_context(viewport=SCREENS["1080p"]).new_page()
    page.goto(f"{server.url}/s/{lab.workshop.projector_key}?page_seconds=3")
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    board = page.locator("#stage .board")
    expect(board).to_have_attribute("data-density", "xl")

    # Cards pushed over the socket (sent through the API) go to their column; the board refits as they come.
    with patient.Client(base_url=server.url, headers={"Authorization": f"Bearer {world.api_token}"}) as api:
        for n in range(56):
            area = None if n % 3 == 2 else AREAS[n % len(AREAS)]
            sent = api.post(
                f"/api/v1/stages/{lab.stage_id}/contributions",
                json={"text": f"{TEXTS[n % len(TEXTS)]} [{n}]", "category": area},
            )
            assert sent.status_code == 201, sent.text
    expect(page.locator(f"#col-{lab.stage_id}-housing .card", has_text="[55]")).to_have_count(1)
    expect(page.locator(f"#col-{lab.stage_id}-none .card", has_text="[2]")).to_have_count(1)
    expect(board).to_have_attribute("data-density", "s")
    pager = page.locator(".board-pager")
    expect(pager).to_have_text(re.compile(r"^Page \d of [2-9]$"))  # it may have turned already
    # The board refits a moment after the last push: then every card is on a page.
    page.wait_for_function(
        "() => document.querySelectorAll('#stage .board .card').length === 60"
        " && !document.querySelector('#stage .column > .cards > .card:not([data-page])')"
    )
    seen = measure(page)
    assert seen["cards"] == 60 and seen["unpaged"] == 0, seen
    assert seen["outside"] == [] and seen["overflowX"] <= 0 and seen["overflowY"] <= 0, seen

    # The pages turn by themselves (every 3 s here), and the cards of the new page are the ones on screen.
    expect(pager).not_to_have_text(f"Page {seen['page']} of {seen['pages']}", timeout=10_000)
    turned = measure(page)
    assert turned["page"] != seen["page"] and turned["onPage"] > 0 and turned["outside"] == [], turned
    _shot(page, "projector-live-turned")


def test_the_console_switches_the_projector_to_the_dark_theme_and_an_unknown_theme_keeps_the_switched_one(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    lab = open_lab(world)
    console = test_browser._console(browser, server, lab.workshop.id)
    with console.expect_popup() as opened:
        console.locator("#projector-link").click()
    projector = opened.value
    expect(projector.locator("body")).to_have_attribute("data-theme", "light")
    console.get_by_role("button", name="Dark").click()
    expect(projector.locator("body")).to_have_attribute("data-theme", "dark")
    colours = projector.evaluate(
        "[getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color]"
    )
    assert colours == ["rgb(16, 21, 27)", "rgb(241, 244, 248)"], colours
    projector.goto(f"{server.url}/s/{lab.workshop.projector_key}?theme=neon")
    expect(projector.locator("body")).to_have_attribute("data-theme", "dark")
    projector.goto(f"{server.url}/s/{lab.workshop.projector_key}?theme=light")
    expect(projector.locator("body")).to_have_attribute("data-theme", "light")
    refused = patient.get(f"{server.url}/s/{lab.workshop.projector_key}?page_seconds=1")
    assert refused.status_code == 422 and "page_seconds" in refused.text, refused.text


# An evaluation stage's results and a long text: no board to page, so the type gets smaller to fit.
BODY = """() => {
  const body = document.querySelector('#stage .stage-body');
  const inView = r => r.left >= 0 && r.top >= 0
    && r.right <= innerWidth + 0.5 && r.bottom <= innerHeight + 0.5;
  return {
    overflowX: document.documentElement.scrollWidth - innerWidth,
    overflowY: document.documentElement.scrollHeight - innerHeight,
    hidden: body.scrollHeight - body.clientHeight,
    scrolls: ['auto', 'scroll'].includes(getComputedStyle(body).overflowY),
    items: document.querySelectorAll('.eval-item').length,
    outside: [...document.querySelectorAll('.eval-item h3, .eval-bars th')]
      .filter(e => !inView(e.getBoundingClientRect())).map(e => e.textContent),
    // a question wider than its column runs into the next one
    runOn: [...document.querySelectorAll('.eval-item h3')]
      .filter(h => h.scrollWidth > h.clientWidth + 1).map(h => h.textContent),
    // the smallest text as drawn: its CSS size times the zoom that made the results fit
    text: Math.min(...[...document.querySelectorAll(
        '.eval-results :is(p, h3, .eval-bars tbody th, .eval-count)')]
      .filter(t => t.getClientRects().length)
      .map(t => parseFloat(getComputedStyle(t).fontSize) * (t.currentCSSZoom || 1))),
  };
}"""


@pytest.mark.parametrize("lang", ["es", "de"])
def test_an_evaluation_stage_on_the_projector_fits_without_a_scroll_region(
    browser: Browser, server: ThreadServer, world: World, lang: str
) -> None:
    workshop = run(
        world.engine,
        workshops.create_workshop,
        actor=world.facilitator,
        title="Laboratorio de co-trabajo",
        format_id="co-working-lab",
        language=lang,
    )
    with read_session(world.engine) as session:
        stage = next(
            s for s in workshops.stages_of(session, workshop_id=workshop.id) if s.kind == "evaluation"
        )
    run(
        world.engine,
        workshops.set_current_stage,
        actor=world.facilitator,
        workshop_id=workshop.id,
        stage_id=stage.id,
    )
    for size in SCREENS:
        page = browser.new_context(viewport=SCREENS[size]).new_page()
        page.goto(f"{server.url}/s/{workshop.projector_key}")
        expect(page.locator("#connection")).to_have_attribute("data-state", "online")
        expect(page.locator(".eval-item").first).to_be_visible()
        page.wait_for_function(
            "() => { const b = document.querySelector('#stage .stage-body');"
            " return b.scrollHeight <= b.clientHeight + 1; }"
        )
        seen = page.evaluate(BODY)
        _shot(page, f"projector-evaluation-{lang}-{size}")
        what = f"evaluation ({lang}) at {size}"
        assert seen["items"] >= 5 and not seen["scrolls"], f"{what}: {seen}"
        assert seen["hidden"] <= 1 and seen["outside"] == [], f"{what}: cut off {seen}"
        assert seen["runOn"] == [], f"{what}: a question runs into the next column {seen}"
        assert 20 <= seen["text"] < 1000, f"{what}: text under 20 px {seen}"
        assert seen["overflowX"] <= 0 and seen["overflowY"] <= 0, f"{what}: the page scrolls {seen}"
        violations = axe_violations(page)
        assert violations == [], f"{what}: " + _report({"projector": violations})
        page.context.close()


CARD_TEXT_SIZES = """() => [...document.querySelectorAll('#stage .board .card-text')]
  .filter(el => el.getClientRects().length > 0)
  .map(el => ({text: el.textContent.trim(), px: parseFloat(getComputedStyle(el).fontSize),
               inCluster: !!el.closest('.cluster-cards')}))"""


def test_cards_inside_a_cluster_are_as_legible_as_the_cards_beside_it(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    """A cluster's cards are read from the back row too: never under 20 px, whatever size of screen."""
    lab = open_lab(world)
    fill_board(lab, 8)
    ids = [card["id"] for card in lab.seen_by(lab.facilitator)][:3]
    lab.merge(ids, title="Childcare and language course")
    for size in SCREENS:
        page = open_projector(browser, server, lab, size)
        sizes = page.evaluate(CARD_TEXT_SIZES)
        _shot(page, f"projector-cluster-{size}")
        in_cluster = [s for s in sizes if s["inCluster"]]
        assert len(in_cluster) == 3, sizes
        assert min(s["px"] for s in sizes) >= 20, f"{size}: {sizes}"
        seen = measure(page)
        assert seen["overflowX"] <= 0 and seen["overflowY"] <= 0, f"{size}: the page scrolls {seen}"
        page.context.close()
