"""The report an organiser sends round (issue 25): read as the partners receive it, for a large workshop.

One workshop with every field a report shows (tests/report_workshop.py) is filled once through the JSON API
and rendered once per format: every value appears in the PDF, the Word file, the workbook and the Markdown;
no text of the PDF is drawn outside its page; the adopted commitments are on page 1; the PDF stays tagged.
"""

import asyncio
import fcntl
import io
import os
import pickle
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
import httpx
import openpyxl
import pytest
from babel.dates import format_date
from docx.oxml.ns import qn
from pypdf import PdfReader

from cowork.app import create_app
from cowork.commands import run_query
from cowork.db import make_engine
from cowork.exports import FORMATS
from cowork.exports.report import build_report
from cowork.settings import Settings
from tests.conftest import SECRET, World, cli, make_facilitator, migrated_database, runtime_of
from tests.report_workshop import Api, Filled, fill_large, fill_small


@dataclass
class Rendered:
    filled: Filled
    files: dict[str, bytes]


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """The large workshop, filled through the API and rendered once (filling and 50 PDF pages take time).

    Once per run: under pytest-xdist the first test process to need it builds it and leaves it (pickled) in
    the run's temporary folder, which all processes share; the others wait for it and read it there, instead
    of each filling and rendering its own on the same two cores."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return render_large(tmp_path_factory.mktemp("report"))
    kept = tmp_path_factory.getbasetemp().parent / "report-large.pickle"
    with open(f"{kept}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        if not kept.exists():
            kept.write_bytes(pickle.dumps(render_large(tmp_path_factory.mktemp("report"))))
        return pickle.loads(kept.read_bytes())


def render_large(folder: Path) -> Rendered:
    with migrated_database(folder) as url:
        engine = make_engine(url)
        _facilitator, token = make_facilitator(engine)
        settings = Settings(
            data_dir=folder / "data", database_url=url, secret_key=SECRET, public_base_url="http://testserver"
        )
        filled = asyncio.run(through_the_api(settings, token, fill_large))
        report = run_query(engine, build_report, workshop_id=filled.id, language="en")
        files = {fmt: FORMATS[fmt].render(report) for fmt in ("pdf", "docx", "xlsx", "md")}
        engine.dispose()
        return Rendered(filled, files)


async def through_the_api(settings: Settings, token: str, fill: Callable[[Api], Awaitable[Filled]]) -> Filled:
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        filled = await fill(Api(client, token))
    runtime_of(app).engine.dispose()
    return filled


def squeezed(text: str) -> str:
    """Text without any white space: lines wrapped in a cell or a page read as one."""
    return re.sub(r"\s+", "", text)


def shows(value: str, found: str) -> bool:
    """The value is in the text; a right-to-left one in its own order, its number where the line puts it.

    A PDF gives its lines in the order they are seen: "ליווי אישי לצעירים 4" (the number written last in
    a Hebrew line) is drawn at its left end, and read back as "4 ליווי אישי לצעירים"."""
    if squeezed(value) in found:
        return True
    words, number = value.rsplit(" ", 1)
    return bool(RTL.search(value)) and number.isdigit() and squeezed(f"{number} {words}") in found


RTL = re.compile("[\u0590-\u08ff]")


def pdf_pages(body: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(body)).pages]


def docx_text(body: bytes) -> str:
    document = docx.Document(io.BytesIO(body))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def xlsx_text(body: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(body))
    return "\n".join(
        str(value) for sheet in book for row in sheet.iter_rows(values_only=True) for value in row if value
    )


def md_text(body: bytes) -> str:
    return body.decode("utf-8").replace("\\|", "|").replace("<br>", "\n")


def test_every_value_of_the_workshop_is_in_every_document(large: Rendered) -> None:
    texts = {
        "pdf": "\n".join(pdf_pages(large.files["pdf"])),
        "docx": docx_text(large.files["docx"]),
        "xlsx": xlsx_text(large.files["xlsx"]),
        "md": md_text(large.files["md"]),
    }
    assert len(large.filled.values) > 400 and large.filled.hebrew and len(large.filled.dates) > 30
    for fmt, text in texts.items():
        found = squeezed(text)
        # Documents write a date as their reader does ("March 16, 2027"); the workbook keeps ISO.
        dates = [
            d.isoformat() if fmt == "xlsx" else format_date(d, "long", locale="en")
            for d in large.filled.dates
        ]
        missing = [value for value in [*large.filled.values, *dates] if not shows(value, found)]
        assert not missing, f"{fmt} lacks {len(missing)} values, such as {missing[:3]}"


def test_no_text_of_the_pdf_is_drawn_outside_its_page(large: Rendered) -> None:
    reader = PdfReader(io.BytesIO(large.files["pdf"]))
    outside: list[tuple[int, str]] = []
    landscape = 0
    for number, page in enumerate(reader.pages, start=1):
        box = page.mediabox
        landscape += box.width > box.height

        def visit(
            text: str, cm: Any, tm: Any, font: Any, size: Any, number: int = number, box: Any = box
        ) -> None:
            if not text.strip():
                return
            # Where the text starts: its matrix's origin, in the page's space (rotation does not move it).
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            if not (box.left <= x < box.right and box.bottom <= y <= box.top):
                outside.append((number, text))

        page.extract_text(visitor_text=visit)
    assert not outside, f"{len(outside)} texts drawn outside their page, such as {outside[:3]}"
    assert landscape, "the vote by stakeholder group gets a page turned sideways"


def test_the_pdf_opens_with_the_outcome_and_stays_tagged_in_its_language(large: Rendered) -> None:
    reader = PdfReader(io.BytesIO(large.files["pdf"]))
    first = squeezed(reader.pages[0].extract_text())
    assert large.filled.committed and len(large.filled.committed) < 20  # the vote refused some
    for title in large.filled.committed:
        assert squeezed(title) in first, title
    for words in ("Outcome", "21 people took part.", "The needs with the most dots", "What happens next"):
        assert squeezed(words) in first, words
    assert "Session record" not in reader.pages[0].extract_text()
    assert "Contents" not in reader.pages[0].extract_text()  # page 1 is the outcome alone
    second = squeezed(reader.pages[1].extract_text())  # the contents, and the plan under them: no empty page
    assert "Contents" in second and squeezed("Action plan What Who By when") in second
    assert squeezed(large.filled.committed[0]) in second
    last = reader.pages[-1].extract_text()
    assert "card.added" in last or "evaluation.answered" in last  # the record comes last, as the appendix
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "en"
    assert "/StructTreeRoot" in catalog and catalog["/MarkInfo"]["/Marked"]
    metadata = catalog["/Metadata"].get_object().get_data().decode("utf-8")
    assert 'pdfuaid:part="1"' in metadata and "Co-working lab Offenbach" in metadata


def test_the_workbook_has_every_field_of_an_action_as_a_column_and_the_work_plan_as_a_sheet(
    large: Rendered,
) -> None:
    book = openpyxl.load_workbook(io.BytesIO(large.files["xlsx"]))
    actions = book["actions"]
    header = [cell.value for cell in actions[1]]
    for column in (
        "What",
        "Who",
        "By when",
        "Intended impact",
        "Means-end reasoning",
        "Indicators of success",
        "Indicators of failure",
        "Milestones",
        "Resources",
        "Needs it answers",
        "Vote",
    ):
        assert column in header, column
    rows = {
        row[0]: dict(zip(header, row, strict=True)) for row in actions.iter_rows(min_row=2, values_only=True)
    }
    first = rows["Proposal 1: shared intake for newcomers in district 1"]
    assert first["Impact" if "Impact" in first else "Intended impact"].startswith("Impact 1:")
    assert first["Vote"].startswith("Recommendations for action: yes")
    assert first["Needs it answers"] == "Card 0: Housing near the centre"
    plan = book["workplan"]
    assert [c.value for c in plan[1]] == ["Date", "Milestone", "Action", "Who"]
    dates = [row[0] for row in plan.iter_rows(min_row=2, values_only=True) if row[0]]
    assert dates == sorted(dates) and "2027-01-15" in dates
    assert plan.max_row - 1 > 3 * len(large.filled.committed)  # three milestones and a deadline each


def test_the_word_document_has_real_headings_and_every_table_fits_its_page(large: Rendered) -> None:
    document = docx.Document(io.BytesIO(large.files["docx"]))
    headings = {p.style.name: p.text for p in document.paragraphs if p.style.name.startswith("Heading")}
    assert {"Heading 1", "Heading 2", "Heading 3"} <= set(headings)
    titles = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert titles[:2] == ["Outcome", "Action plan"] and titles[-1] == "Session record"
    sections = document.sections
    index, turned, tables = 0, 0, 0
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:tbl"):
            tables += 1
            page = sections[index]
            usable = (page.page_width - page.left_margin - page.right_margin) / 635  # EMU to twentieths of pt
            widths = sum(int(col.get(qn("w:w"))) for col in child.iter(qn("w:gridCol")))
            assert widths <= usable + 1, f"table {tables} is {widths} wide on a page of {usable}"
            turned += page.page_width > page.page_height
        elif child.tag == qn("w:p") and child.find(".//" + qn("w:sectPr")) is not None:
            index += 1
    assert turned, "the vote by stakeholder group is on a page turned sideways"
    hebrew = [
        paragraph
        for table in document.tables
        for row in table.rows
        for cell in row.cells
        for paragraph in cell.paragraphs
        if paragraph.text in large.filled.hebrew
    ]
    assert hebrew and all(p._p.pPr.find(qn("w:bidi")) is not None for p in hebrew)  # read from the right


async def test_the_interface_document_and_the_action_plan_export_on_their_own(
    client: httpx.AsyncClient, world: World
) -> None:
    small = await fill_small(Api(client, world.api_token))
    headers = {"Authorization": f"Bearer {world.api_token}"}
    url = f"/api/v1/workshops/{small.id}/export"

    handout = await client.get(url, params={"format": "md", "part": "interface"}, headers=headers)
    assert handout.status_code == 200
    assert "-interface.md" in handout.headers["content-disposition"]
    text = handout.text
    assert (
        "*Interface document*" in text and "| Jobcenter Offenbach | Dora Contact | dora@example.org |" in text
    )
    assert "## Responsibility matrix" in text
    assert "## Action plan" not in text and "## Needs and ideas" not in text and "Session record" not in text

    plan = await client.get(url, params={"format": "pdf", "part": "actions"}, headers=headers)
    pages = pdf_pages(plan.content)
    assert "Outcome" in pages[0] and "Adopted commitments" in pages[0]
    whole = squeezed("\n".join(pages))
    assert squeezed("Means-end reasoning") in whole and squeezed("Work plan") in whole
    assert squeezed("Needs and ideas") not in whole and squeezed("Session record") not in whole

    without = (await client.get(url, params={"format": "md", "appendix": "false"}, headers=headers)).text
    assert "## Votes" in without and "## Session record" not in without
    assert "## Session record" in (await client.get(url, params={"format": "md"}, headers=headers)).text

    wrong = await client.get(url, params={"format": "md", "part": "minutes"}, headers=headers)
    assert wrong.status_code == 422
    assert wrong.json()["detail"] == (
        "Unknown part minutes; cowork exports these parts on their own: actions, interface."
    )


async def test_the_command_line_exports_a_part_and_leaves_the_appendix_out(
    client: httpx.AsyncClient, tmp_path: Path, db_url: str, world: World
) -> None:
    small = await fill_small(Api(client, world.api_token))
    env = {"COWORK_DATA_DIR": str(tmp_path / "data"), "COWORK_DATABASE_URL": db_url}
    target = tmp_path / "plan.md"
    done = cli("export", str(small.id), "-f", "md", "--part", "actions", "-o", str(target), env=env)
    assert done.returncode == 0, done.stderr
    assert "## Action plan" in target.read_text() and "## Votes" not in target.read_text()
    done = cli("export", str(small.id), "-f", "md", "--no-appendix", "-o", str(target), env=env)
    assert done.returncode == 0, done.stderr
    assert "## Votes" in target.read_text() and "## Session record" not in target.read_text()


async def test_a_board_shows_its_categories_and_a_board_without_any_no_empty_column(
    client: httpx.AsyncClient, world: World
) -> None:
    api = Api(client, world.api_token)
    stage = world.stage_id
    url = f"/api/v1/workshops/{world.workshop.id}/export"
    headers = {"Authorization": f"Bearer {world.api_token}"}
    phone = (await api.post(f"/join/{world.workshop.code}", {"name": "Ana", "group": "employer"}))["token"]
    await api.post(f"/stages/{stage}/contributions", {"text": "Childcare in the evening"}, phone)
    plain = (await client.get(url, params={"format": "md"}, headers=headers)).text
    assert "| Card | Written by |" in plain and "Category" not in plain.split("## Needs and ideas")[1]

    housing = {"key": "housing", "label": {"en": "Housing", "de": "Wohnen"}}
    await api.call("PUT", f"/stages/{stage}/categories", {"categories": [housing]})
    await api.post(
        f"/stages/{stage}/contributions", {"text": "A flat near the course", "category": "housing"}, phone
    )
    german = (await client.get(url, params={"format": "md", "lang": "de"}, headers=headers)).text
    assert "| Karte | Kategorie | Geschrieben von |" in german
    assert "| A flat near the course | Wohnen |" in german


def test_open_answers_stand_under_their_question_in_documents_and_beside_it_in_the_workbook(
    large: Rendered,
) -> None:
    """21 answers to "What were the most positive aspects?" repeated the question on every row of one table;
    the reader of a document gets the question once with its answers under it, the workbook a row each."""
    question = "What were the most positive aspects?"
    answers = [f"Open answer {i} to positive" for i in range(21)]
    for fmt, text in [("pdf", "\n".join(pdf_pages(large.files["pdf"]))), ("md", md_text(large.files["md"]))]:
        assert text.count(question) == 1, fmt
        after = text[text.index(question) :]
        assert all(answer in after for answer in answers), fmt
    document = docx.Document(io.BytesIO(large.files["docx"]))
    assert sum(p.text.count(question) for p in document.paragraphs) == 1
    assert not [c for t in document.tables for r in t.rows for c in r.cells if c.text == question]
    sheet = openpyxl.load_workbook(io.BytesIO(large.files["xlsx"]))["answers"]
    rows = [row for row in sheet.iter_rows(values_only=True) if row[0] == question]
    assert sorted(row[1] for row in rows) == sorted(answers)


def test_the_stakeholder_table_leaves_out_the_level_and_role_nobody_gave_and_keeps_its_caption(
    large: Rendered,
) -> None:
    """No stakeholder of the large workshop has a level or a role: the documents' table had two empty
    columns, and its caption stood alone at the foot of the map's page. The workbook keeps every column."""
    header = next(line for line in md_text(large.files["md"]).splitlines() if line.startswith("| No. |"))
    assert "Stakeholder group" in header and "Level" not in header and "Role" not in header
    sheet = openpyxl.load_workbook(io.BytesIO(large.files["xlsx"]))["stakeholders"]
    assert {"Level", "Role"} <= {cell.value for cell in sheet[1]}
    page = next(text for text in pdf_pages(large.files["pdf"]) if "Ratings" in text and "Tasks" in text)
    assert "Stakeholders" in page[: page.index("Ratings")]


def test_the_first_page_tells_the_place_and_opens_what_happens_next_with_the_follow_up_meeting(
    large: Rendered,
) -> None:
    place, follow_up = large.filled.place, "Follow-up meeting on March 16, 2027."
    first = squeezed(pdf_pages(large.files["pdf"])[0])
    assert squeezed(f"Venue {place}") in first
    # The follow-up opens "What happens next", the coming milestones (in words) after it.
    assert squeezed(f"What happens next – {follow_up} Date Milestone Action January 15, 2027") in first
    word = docx_text(large.files["docx"])
    assert f"Venue: {place}" in word and f"What happens next – {follow_up}" in word
    markdown = md_text(large.files["md"])
    assert f"Venue: {place}" in markdown
    assert f"**What happens next – {follow_up}**\n\n| Date | Milestone | Action |\n" in markdown
    assert "| January 15, 2027 | Partners agreed on step 1 |" in markdown
    overview = openpyxl.load_workbook(io.BytesIO(large.files["xlsx"]))["overview"]
    fields = dict(overview.iter_rows(min_row=2, values_only=True))
    assert fields["Venue"] == place and fields["Follow-up meeting"] == "2027-03-16"


async def test_a_german_report_writes_its_dates_in_german_and_the_json_record_keeps_iso(
    client: httpx.AsyncClient, world: World
) -> None:
    small = await fill_small(Api(client, world.api_token))
    url, headers = f"/api/v1/workshops/{small.id}/export", {"Authorization": f"Bearer {world.api_token}"}
    german = (await client.get(url, params={"format": "md", "lang": "de"}, headers=headers)).text
    assert "Folgetreffen am 16. März 2027." in german
    assert "15. Januar 2027 – Partners agreed on step 1" in german  # the first milestone
    assert "2027-01-15" not in german and "2027-03-16" not in german
    spanish = (await client.get(url, params={"format": "md", "lang": "es"}, headers=headers)).text
    assert "16 de marzo de 2027" in spanish
    record = (await client.get(url, params={"format": "json"}, headers=headers)).json()
    assert record["workshop"]["follow_up_on"] == "2027-03-16"
    assert record["workshop"]["place"] == "Haus der Wirtschaft, Small lab"


async def test_cards_without_dots_have_no_place_in_the_needs_table(
    client: httpx.AsyncClient, world: World
) -> None:
    small = await fill_small(Api(client, world.api_token))
    url, headers = f"/api/v1/workshops/{small.id}/export", {"Authorization": f"Bearer {world.api_token}"}
    markdown = (await client.get(url, params={"format": "md"}, headers=headers)).text
    needs = markdown.split("## Needs and ideas")[1].split("\n## ")[0]
    rows = [line.split(" | ") for line in needs.splitlines() if line.startswith("| ") and "---" not in line][
        1:
    ]
    places = [row[0].strip("| ") for row in rows]
    dots = [row[2].strip() for row in rows]
    assert "0" in dots  # the dot vote left some cards without a dot
    assert all((place == "") == (dot in ("0", "")) for place, dot in zip(places, dots, strict=True))
    ranked = [int(p) for p in places if p]
    assert ranked == sorted(ranked) and ranked[0] == 1
