"""In Debian's Chromium: a facilitator saves an edited agenda as a format and starts a workshop from it."""

import re

from playwright.sync_api import Browser, Page, expect

from cowork.domain import workshops
from cowork.domain.program import formats
from cowork.domain.program.sample import create_sample_workshop
from tests import test_browser
from tests.conftest import ThreadServer, World, patient, run
from tests.program.test_designer_browser import LAPTOPS, _add, _edit
from tests.test_accessibility import _report, check
from tests.test_browser import _console, _shot

pytestmark = test_browser.pytestmark
LAPTOP = {"width": 1440, "height": 900}


def _agenda(page: Page) -> list[str]:
    """Each stage on the console's agenda editor: "1. Title Kind N min"."""
    texts = [
        [row.locator(part).inner_text() for part in (".agenda-name", ".agenda-minutes")]
        for row in page.locator(".agenda-row").all()
    ]
    return [" ".join(" ".join(parts).split()) for parts in texts]


def _open_formats(console: Page) -> None:
    if console.locator("#format-panel").get_attribute("open") is None:
        console.locator("#format-panel > summary").click()
    expect(console.get_by_role("button", name="Save as format")).to_be_visible()


def test_an_edited_agenda_saved_as_a_format_starts_a_workshop_with_the_same_stages(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    console = _console(browser, server, world.workshop.id)
    console.set_viewport_size(LAPTOP)
    _add(console, "Stakeholder map", "Who is who", "15", where="before 2. Wrap-up and next steps")
    _edit(console, "Ideas and needs", English="Ideas, needs, questions", **{"Duration (min)": "40"})
    expect(console.locator(".agenda-row .agenda-name").first).to_contain_text("Ideas, needs, questions")
    designed = _agenda(console)
    assert [re.sub(r"^\d+\. ", "", d).split(" ")[0] for d in designed] == ["Ideas,", "Who", "Wrap-up"]

    # The editor's own way to keep the agenda: it opens the format panel, the editor stays open.
    console.get_by_role("link", name="Keep this agenda as a format for next time").click()
    expect(console.get_by_label("Name of the format")).to_be_in_viewport()
    expect(console.locator("#agenda-design")).to_have_attribute("open", "")
    _open_formats(console)
    console.get_by_label("Name of the format").fill("Our open board")
    console.get_by_role("button", name="Save as format").click()
    expect(console.locator(".format-done")).to_contain_text("Saved as a format of your organisation")
    expect(console.locator(".format-row", has_text="Our open board")).to_contain_text("3 stages · 65 min")
    # The keyboard starts at what was done, beside the way onwards; the new format is marked in the list, and
    # the panel has the page's width on a laptop (in the rail's 15 rem its cards were cut off).
    done = console.locator("#format-done")
    expect(done).to_be_focused()
    expect(done.get_by_role("link", name="Start a workshop from it")).to_have_attribute(
        "href", "/f?format=our-open-board#new-workshop"
    )
    expect(console.locator(".format-row.is-changed")).to_contain_text("Our open board")
    panel = console.locator("#format-panel").bounding_box()
    assert panel is not None and panel["width"] > LAPTOP["width"] * 0.6, panel

    # The same name again asks first; replacing keeps one format of that name.
    console.get_by_label("Name of the format").fill("our open board")
    console.get_by_role("button", name="Save as format").click()
    expect(console.locator("#format-confirm")).to_contain_text(
        "There is already a format named “our open board”. Replace it with this agenda?"
    )
    console.get_by_role("button", name="Replace it").click()
    expect(console.locator(".format-done")).to_be_visible()
    expect(console.locator(".format-row")).to_have_count(1)

    # The download is the format's TOML, and a broken file is refused beside the upload form.
    with console.expect_download() as download:
        console.get_by_role("link", name="Download this agenda as a format file (TOML)").click()
    assert "Who is who" in download.value.path().read_text(encoding="utf-8")
    broken = (
        b'id = "broken"\ntitle = { en = "B", de = "B", es = "B" }\n[[stages]]\nkind = "board"\nminutes = -5\n'
    )
    console.locator("#format-file").set_input_files(
        files=[{"name": "broken.toml", "mimeType": "application/toml", "buffer": broken}]
    )
    console.get_by_role("button", name="Import", exact=True).click()
    expect(console.locator("#format-import-message")).to_contain_text(
        "stages[0].minutes: Input should be greater than or equal to 1"
    )
    expect(console.locator("#format-panel")).to_have_attribute("open", "")
    console.locator("#format-panel").scroll_into_view_if_needed()
    _shot(console, "console-formats")
    found: dict = {}
    check(console, "console: format panel with a refused import", found)

    # The new-workshop form offers it beside the built-in formats, marked as the organisation's.
    console.goto(f"{server.url}/f?format=our-open-board#new-workshop")  # the saved message's link
    option = console.locator(".format-option", has_text="Our open board")
    expect(option).to_contain_text("Your organisation's")
    expect(option.get_by_role("radio")).to_be_checked()  # picked already
    expect(console.locator(".format-option", has_text="Open board").first).to_be_visible()
    expect(console.locator(".format-option.is-organisation")).to_have_count(1)
    console.get_by_label("Title", exact=True).fill("Second round")
    option.click()
    console.locator("#new-workshop").scroll_into_view_if_needed()
    _shot(console, "new-workshop-formats")
    check(console, "dashboard: new workshop with an organisation's format", found)
    assert not found, _report(found)
    console.get_by_role("button", name="Create workshop").click()
    expect(console.get_by_role("heading", level=1)).to_have_text("Second round")

    console.get_by_text("Edit the agenda").click()
    assert _agenda(console) == designed
    new_id = int(console.url.rstrip("/").split("/")[-1].split("?")[0])
    made = run(world.engine, lambda tx: workshops.stages_of(tx.session, workshop_id=new_id))
    source = run(world.engine, lambda tx: workshops.stages_of(tx.session, workshop_id=world.workshop.id))
    assert [(s.kind, s.title, s.minutes) for s in made] == [
        (s.kind, {lang: s.title.get(lang) or s.title["en"] for lang in ("en", "de", "es")}, s.minutes)
        for s in source
    ]
    assert made[0].config["categories"] == source[0].config["categories"]
    format_id = run(world.engine, lambda tx: workshops.get_workshop(tx.session, workshop_id=new_id).format_id)
    assert format_id == "our-open-board"
    listed = patient.get(
        f"{server.url}/api/v1/formats", headers={"Authorization": f"Bearer {world.api_token}"}
    ).json()
    assert {f["id"]: f["source"] for f in listed}["our-open-board"] == "organisation"


def test_deleting_a_format_from_its_more_menu_names_it_in_the_facilitators_language(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    """ "The format was deleted." left open which one: now the message names it, in each language."""

    def save(name: str) -> None:
        run(
            world.engine,
            formats.save_workshop_as_format,
            actor=world.facilitator,
            workshop_id=world.workshop.id,
            title=name,
        )

    save("Our open board")
    save("Second round")
    console = _console(browser, server, world.workshop.id)
    console.set_viewport_size(LAPTOP)
    expected = {
        "en": "The format “Our open board” was deleted.",
        "de": "Das Format „Our open board“ wurde gelöscht.",
        "es": "Se ha eliminado el formato «Our open board».",
    }
    for lang, words in expected.items():
        if lang != "en":
            console.goto(f"{server.url}/f/w/{world.workshop.id}")
            console.locator("#language-choice").select_option(lang)
            console.locator(".language-form button").click()
            save("Our open board")  # again, to be deleted in this language
        console.goto(f"{server.url}/f/w/{world.workshop.id}?formats=1")
        row = console.locator(".format-row", has_text="Our open board")
        delete = row.locator("details.more-menu button.danger")
        expect(delete).to_be_hidden()  # behind "More", with the download
        expect(row.locator("details.more-menu a[download]")).to_be_hidden()
        row.locator("details.more-menu > summary").click()
        delete.click()
        expect(console.locator("#format-done")).to_have_text(words)
        expect(console.locator("#format-done")).to_be_focused()
        expect(console.locator(".format-row", has_text="Our open board")).to_have_count(0)
        expect(console.locator(".format-row", has_text="Second round")).to_have_count(1)
        if lang == "en":
            _shot(console, "console-format-deleted")


def test_the_open_format_panel_is_on_the_first_screen_and_the_agenda_shows_once(
    browser: Browser, server: ThreadServer, world: World
) -> None:
    """Opened, the format panel stood below the rail's agenda (page-wide: nine stages, the links and the
    warnings), its forms below the fold at 1440×900. Now it takes the agenda's place, as the editor does."""
    sample = run(world.engine, create_sample_workshop, actor=world.facilitator, language="en")
    console = _console(browser, server, sample.id)
    for width, height in LAPTOPS:
        console.set_viewport_size({"width": width, "height": height})
        console.goto(f"{server.url}/f/w/{sample.id}")
        _open_formats(console)
        for part in [
            console.get_by_label("Name of the format"),
            console.get_by_role("button", name="Save as format"),
            console.get_by_role("button", name="Import", exact=True),
            console.get_by_role("heading", name="Your organisation's formats"),
        ]:
            expect(part).to_be_in_viewport(ratio=1)
        assert console.evaluate("scrollY") == 0
        expect(console.locator("#agenda-rail")).to_be_hidden()
        console.locator("#format-panel > summary").click()  # closed: the live run's agenda is back
        expect(console.locator(".rail-stage").filter(visible=True)).to_have_count(9)
