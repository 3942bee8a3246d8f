"""Numbers in the reader's language: a mean is 3.5 in English and 3,5 in German or Spanish, a share 40% or
40 % (Babel puts a no-break space before the sign), on phones, the projector, the console and in exports."""

import io
from typing import Any

import httpx
import openpyxl
import pytest

from cowork import i18n, numbers
from cowork.domain import workshops
from cowork.domain.errors import Invalid
from tests.conftest import World, run
from tests.stakeholders.test_stakeholders import make_region
from tests.votes.test_polls import _close, _options, _poll, _vote, _voter

# What Babel writes for a mean of 3.5 and a share of 0.4, checked against its output below.
MEAN = {"en": "3.5", "de": "3,5", "es": "3,5"}
SHARE = {"en": "40%", "de": "40\xa0%", "es": "40\xa0%"}
LANGUAGES = ("en", "de", "es")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_babel_writes_means_shares_and_counts_in_each_language(lang: str) -> None:
    with i18n.language(lang):
        assert numbers.decimal(3.5) == MEAN[lang]
        assert numbers.percent(0.4) == SHARE[lang]
        assert numbers.count(1234) == {"en": "1,234", "de": "1.234", "es": "1.234"}[lang]
        assert numbers.decimal(3.456, 1, 2) == {"en": "3.46", "de": "3,46", "es": "3,46"}[lang]
        # A report's table value: numbers by their kind, text as it is.
        assert numbers.number(numbers.Share(0.4)) == SHARE[lang]
        assert numbers.number(3.5) == MEAN[lang] and numbers.number("3.5") == "3.5"
        assert numbers.number(None) == ""


def _plain_workshop(world: World, lang: str) -> World:
    workshop = run(
        world.engine,
        workshops.create_workshop,
        actor=world.facilitator,
        title=f"Numbers {lang}",
        language=lang,
    )
    return World(world.engine, world.facilitator, world.api_token, workshop)


async def _phone(client: httpx.AsyncClient, workshop: Any, lang: str) -> str:
    joined = await client.post(f"/j/{workshop.code}", data={"name": "Ana", "language": lang})
    assert joined.status_code == 200
    return joined.text  # the phone page, in the language chosen on the form


async def _sign_in(client: httpx.AsyncClient) -> None:
    password = "correct horse battery"
    login = await client.post("/login", data={"email": "fac@example.org", "password": password})
    assert login.status_code == 303


async def _console(client: httpx.AsyncClient, workshop: Any, lang: str) -> str:
    """The console in the facilitator's browser language (the language switcher's default)."""
    page = await client.get(f"/f/w/{workshop.id}", headers={"Accept-Language": lang})
    assert f'<html lang="{lang}">' in page.text
    return page.text


async def _export(client: httpx.AsyncClient, world: World, workshop: Any, fmt: str, lang: str) -> bytes:
    export = await client.get(
        f"/api/v1/workshops/{workshop.id}/export",
        params={"format": fmt, "lang": lang},
        headers={"Authorization": f"Bearer {world.api_token}"},
    )
    assert export.status_code == 200
    return export.content


async def _markdown(client: httpx.AsyncClient, world: World, workshop: Any, lang: str) -> str:
    return (await _export(client, world, workshop, "md", lang)).decode()


async def _sheet(client: httpx.AsyncClient, world: World, workshop: Any, name: str) -> Any:
    book = openpyxl.load_workbook(io.BytesIO(await _export(client, world, workshop, "xlsx", "de")))
    return book[name]


def _closed_votes(world: World) -> None:
    """A 1–5 rating with the mean 3.5, and a yes / no vote with a quorum of 40 %."""
    voters = [_voter(world, name) for name in ("Ben", "Cleo")]
    for method, choices, extra in (("scale", (3, 4), {}), ("yes_no_abstain", ("yes", "no"), {"quorum": 0.4})):
        poll = _poll(world, method, labels=("Childcare",), **extra)
        (option,) = _options(world, poll)
        for voter, choice in zip(voters, choices, strict=True):
            _vote(world, voter, poll, {option: choice})
        _close(world, poll)


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_vote_results_show_means_and_shares_in_the_readers_language(
    client: httpx.AsyncClient, world: World, lang: str
) -> None:
    here = _plain_workshop(world, lang)
    workshop = here.workshop
    _closed_votes(here)
    phone = await _phone(client, workshop, lang)
    projector = (await client.get(f"/s/{workshop.projector_key}")).text
    await _sign_in(client)
    console = await _console(client, workshop, lang)
    for page in (phone, projector, console):
        assert f">{MEAN[lang]}</strong>" in page  # the rating's mean
        assert SHARE[lang] in page  # "if at least 40 % of the participants vote"
    assert f"{SHARE[lang]}:" in console  # the quorum beside the ballots
    other = MEAN["de" if lang == "en" else "en"]
    assert f">{other}</strong>" not in phone + projector + console
    report = await _markdown(client, world, workshop, lang)
    assert f" {SHARE[lang]} (" in report  # "quorum 40 % (met: …)"
    rating = next(line for line in report.splitlines() if "| Childcare |" in line)
    assert f" {MEAN[lang]} " in rating  # "mean 3,5 of 2"
    # Spreadsheet cells stay numbers, whatever the language: the quorum is 0.4, shown as a percentage.
    quorums = [row[3] for row in (await _sheet(client, world, workshop, "polls")).iter_rows(min_row=2)]
    assert {(c.value, c.number_format) for c in quorums if not isinstance(c.value, str)} == {(0.4, "0%")}


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_the_stakeholder_grid_shows_means_in_the_readers_language(
    client: httpx.AsyncClient, world: World, lang: str
) -> None:
    region = make_region(world, lang)
    workshop = region.world.workshop
    ben, cleo = region.participant("Ben")[0], region.participant("Cleo")[0]
    jobcenter, _ = region.propose(ben, "Jobcenter")
    region.rate(ben, jobcenter, 3, 3)
    region.rate(cleo, jobcenter, 4, 4)  # the means 3.5, the spread 0.5
    phone = await _phone(client, workshop, lang)
    projector = (await client.get(f"/s/{workshop.projector_key}")).text
    await _sign_in(client)
    console = await _console(client, workshop, lang)
    spread = {"en": "±0.5", "de": "±0,5", "es": "±0,5"}[lang]
    assert f" {MEAN[lang]} (" in phone  # the list beside the grid: "influence 3,5 (from 3 to 4)"
    for page in (projector, console):
        assert f'<td>{MEAN[lang]} <span class="sh-range">{spread} (3–4)</span></td>' in page
    assert f" {MEAN[lang]}, " in console  # the facilitators' line: "Influence 3,5, interest 3,5"
    report = await _markdown(client, world, workshop, lang)
    row = next(line for line in report.splitlines() if "| Jobcenter |" in line)
    assert f"| {MEAN[lang]} | {MEAN[lang]} | 2 |" in row
    sheet = await _sheet(client, world, workshop, "stakeholders")
    assert (sheet["G2"].value, sheet["H2"].value, sheet["I2"].value) == (3.5, 3.5, 2)


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_a_refused_card_gives_its_length_and_the_limit_as_the_reader_writes_numbers(
    client: httpx.AsyncClient, world: World, lang: str
) -> None:
    await client.post(f"/j/{world.workshop.code}", data={"name": "Ana", "language": lang})
    refused = await client.post(
        f"/j/{world.workshop.code}/cards", data={"stage_id": str(world.stage_id), "text": "x" * 2005}
    )
    assert refused.status_code == 422
    written = {"en": ("2,005", "2,000"), "de": ("2.005", "2.000"), "es": ("2.005", "2.000")}[lang]
    assert all(number in refused.text for number in written)


def test_error_fields_that_name_a_thing_or_quote_the_input_keep_their_digits() -> None:
    with i18n.language("de"):
        card = i18n.error_text(Invalid("Card {id} is not part of this workshop.", id=1234))
        typed = i18n.error_text(Invalid("Dots are whole numbers of 0 or more, not {value}.", value=2.555))
    assert "1234" in card and "1.234" not in card
    assert "2.555" in typed  # what was sent, not a rounded 2,56
