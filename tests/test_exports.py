"""Exports as organisers open them: the PDF, Word file, workbook, CSV tables, Markdown and the record."""

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
import httpx
import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import Engine

from cowork.commands import run_query
from cowork.domain import participants as joining
from cowork.domain import retention, workshops
from cowork.domain.board import cards as board
from cowork.domain.votes import ballots
from cowork.exports import FORMATS
from cowork.exports.cells import inert
from cowork.exports.csv import table_csv
from cowork.exports.document import Table
from cowork.exports.report import build_report
from cowork.exports.xlsx import render as render_xlsx
from tests.conftest import World, cli, run

FORMULAS = ["=1+1", "+cmd", "-2", "@SUM(A1:A9)"]


@dataclass
class Filled:
    world: World
    hidden_text: str = "A hidden remark about someone"

    @property
    def id(self) -> int:
        return self.world.workshop.id

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.world.api_token}"}


def fill(world: World) -> Filled:
    """Two named participants from two groups, cards (some that look like formulas), one hidden card."""
    ana, _ = world.join(name="Ana Secretname", group="employer")
    ben, _ = world.join(name="Ben Hiddenname", group="job_centre")
    for text, who in [("Housing near the job centre", ana), ("Childcare during courses", ben)]:
        run(
            world.engine,
            board.add_card,
            actor=world.participant_actor(who),
            stage_id=world.stage_id,
            text=text,
        )
    for text in FORMULAS:
        run(
            world.engine,
            board.add_card,
            actor=world.participant_actor(ana),
            stage_id=world.stage_id,
            text=text,
        )
    hidden = run(
        world.engine,
        board.add_card,
        actor=world.participant_actor(ben),
        stage_id=world.stage_id,
        text=Filled.hidden_text,
    )
    run(world.engine, board.update_card, actor=world.facilitator, card_id=hidden.id, hidden=True)
    return Filled(world)


@pytest.fixture
def filled(world: World) -> Filled:
    return fill(world)


async def export(client: httpx.AsyncClient, filled: Filled, fmt: str, **params: str) -> httpx.Response:
    response = await client.get(
        f"/api/v1/workshops/{filled.id}/export", params={"format": fmt, **params}, headers=filled.auth
    )
    assert response.status_code == 200, response.text
    return response


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


async def test_the_pdf_report_has_the_title_agenda_cards_and_the_action_plan_table(
    client: httpx.AsyncClient, filled: Filled
) -> None:
    response = await export(client, filled, "pdf")
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith('attachment; filename="cowork-')
    assert "-co-working-lab.pdf\"; filename*=UTF-8''cowork-" in response.headers["content-disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    text = pdf_text(response.content)
    assert "Co-working lab" in text  # the title
    assert "Agenda" in text and "Ideas and needs" in text  # the agenda and its item
    assert "Housing near the job centre" in text
    for header in ("What", "Who", "By when", "Indicators", "Status"):
        assert header in text
    assert "Participants by stakeholder group" in text
    # Tagged for accessibility, in the document's language.
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "en"
    assert "/StructTreeRoot" in catalog and catalog["/MarkInfo"]["/Marked"]


async def test_the_word_document_has_real_headings_and_tables(
    client: httpx.AsyncClient, filled: Filled
) -> None:
    response = await export(client, filled, "docx")
    document = docx.Document(io.BytesIO(response.content))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Agenda" in headings and "Needs and ideas" in headings and "Action plan" in headings
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "Housing near the job centre" in cells
    assert {"What", "Who", "By when", "Indicators", "Status"} <= set(cells)
    assert document.core_properties.title == "Co-working lab"


async def test_the_workbook_has_one_filtered_sheet_per_table(
    client: httpx.AsyncClient, filled: Filled
) -> None:
    response = await export(client, filled, "xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    for name in ("needs", "stakeholders", "responsibilities", "actions", "polls", "evaluation"):
        assert name in book.sheetnames
        assert book[name].auto_filter.ref, f"{name} has no filter"
    needs = book["needs"]
    assert needs.auto_filter.ref == f"A1:F{needs.max_row}"
    texts = [row[1] for row in needs.iter_rows(min_row=2, values_only=True)]
    assert "Housing near the job centre" in texts
    assert book["actions"]["A1"].value == "What"


async def test_the_csv_export_is_a_zip_of_tables_in_utf8_with_a_bom(
    client: httpx.AsyncClient, filled: Filled
) -> None:
    response = await export(client, filled, "csv")
    assert response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    for name in ("needs", "stakeholders", "responsibilities", "actions", "polls", "evaluation"):
        assert f"{name}.csv" in names
    raw = archive.read("needs.csv")
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Place", "Card"]
    assert any(row[1] == "Housing near the job centre" for row in rows[1:])


async def test_cells_that_look_like_formulas_are_made_inert_in_csv_and_xlsx(
    client: httpx.AsyncClient, filled: Filled
) -> None:
    csv_zip = zipfile.ZipFile(io.BytesIO((await export(client, filled, "csv")).content))
    rows = list(csv.reader(io.StringIO(csv_zip.read("needs.csv").decode("utf-8-sig"))))
    cards = {row[1] for row in rows[1:]}
    book = openpyxl.load_workbook(io.BytesIO((await export(client, filled, "xlsx")).content))
    cells = {row[1] for row in book["needs"].iter_rows(min_row=2, values_only=True)}
    for formula in FORMULAS:
        assert "'" + formula in cards and formula not in cards
        assert "'" + formula in cells and formula not in cells
    # Tab and carriage return cannot start a card (texts are trimmed), but any other text could carry them.
    for start in ("\tcmd", "\rcmd"):
        assert inert(start) == "'" + start
        parsed = list(csv.reader(io.StringIO(table_csv(["Text"], [[start]]).decode("utf-8-sig"), newline="")))
        assert parsed[1] == ["'" + start]
    assert inert(-2) == -2 and inert(3.5) == 3.5  # numbers stay numbers


def test_the_workbook_writer_makes_tab_and_cr_cells_inert(engine: Engine, filled: Filled) -> None:
    report = run_query(engine, build_report, workshop_id=filled.id, language="en")
    report.sections[0].sheets.append(Table("odd", "Odd", ["Text"], [["\tcmd"], ["\rcmd"], ["=2*3"]]))
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(report)))
    assert [row[0] for row in book["odd"].iter_rows(min_row=2, values_only=True)] == [
        "'\tcmd",
        "'\rcmd",
        "'=2*3",
    ]


async def test_exports_show_groups_not_names_unless_the_workshop_is_named_and_leave_hidden_cards_out(
    client: httpx.AsyncClient, filled: Filled
) -> None:
    for fmt in ("md", "json"):
        body = (await export(client, filled, fmt)).text
        assert "Ana Secretname" not in body and "Ben Hiddenname" not in body
    markdown = (await export(client, filled, "md")).text
    assert "Employers (companies, public and non-governmental)" in markdown
    assert filled.hidden_text not in markdown
    assert filled.hidden_text not in pdf_text((await export(client, filled, "pdf")).content)
    book = openpyxl.load_workbook(io.BytesIO((await export(client, filled, "xlsx")).content))
    assert filled.hidden_text not in {row[1] for row in book["needs"].iter_rows(values_only=True)}

    run(
        filled.world.engine,
        retention.change_privacy,
        actor=filled.world.facilitator,
        workshop_id=filled.id,
        named=True,
        retention_days=None,
    )
    named = (await export(client, filled, "md")).text
    assert "Ana Secretname (Employers (companies, public and non-governmental))" in named
    assert "Ana Secretname" in (await export(client, filled, "json")).text
    assert filled.hidden_text not in named


async def test_an_export_works_while_the_workshop_runs_and_in_another_language(
    client: httpx.AsyncClient, filled: Filled
) -> None:
    assert filled.world.workshop.status == "open"
    german = (await export(client, filled, "md", lang="de")).text
    assert "Ideen und Bedarfe" in german  # the stage's German title, from the format
    assert "Housing near the job centre" in german
    english = (await export(client, filled, "md")).text
    assert "Ideas and needs" in english
    wrong = await client.get(
        f"/api/v1/workshops/{filled.id}/export", params={"format": "md", "lang": "fr"}, headers=filled.auth
    )
    assert wrong.status_code == 422 and "fr" in wrong.json()["detail"]


async def test_an_unknown_format_is_refused_with_the_list_of_formats(
    client: httpx.AsyncClient, filled: Filled
) -> None:
    response = await client.get(
        f"/api/v1/workshops/{filled.id}/export", params={"format": "odt"}, headers=filled.auth
    )
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "odt" in detail and all(name in detail for name in FORMATS)


async def test_only_the_workshops_facilitators_may_export(client: httpx.AsyncClient, filled: Filled) -> None:
    _participant, token = filled.world.join(name="Cleo")
    response = await client.get(
        f"/api/v1/workshops/{filled.id}/export",
        params={"format": "json"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 403
    anonymous = await client.get(f"/api/v1/workshops/{filled.id}/export", params={"format": "json"})
    assert anonymous.status_code == 401


async def test_the_zip_holds_every_format(client: httpx.AsyncClient, filled: Filled) -> None:
    archive = zipfile.ZipFile(io.BytesIO((await export(client, filled, "zip")).content))
    extensions = {name.split(".", 1)[1] for name in archive.namelist()}
    assert extensions == {"pdf", "docx", "xlsx", "csv.zip", "md", "json"}
    record = json.loads(next(archive.read(n) for n in archive.namelist() if n.endswith(".json")))
    assert record["schema_version"] == 1


async def test_without_pango_the_pdf_is_refused_with_a_reason_and_the_app_keeps_running(
    client: httpx.AsyncClient, filled: Filled, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Files render in a worker process started for this test's event loop with this process's sys.path:
    # it finds this weasyprint first, which fails the way WeasyPrint does when Pango is missing.
    (tmp_path / "weasyprint.py").write_text("raise OSError(\"cannot load library 'libpango-1.0-0'\")\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    response = await client.get(
        f"/api/v1/workshops/{filled.id}/export", params={"format": "pdf"}, headers=filled.auth
    )
    assert response.status_code == 503
    assert response.json()["detail"].startswith("PDF export needs Pango")
    assert (await export(client, filled, "md")).status_code == 200


def test_the_json_record_carries_every_event_and_the_workshop(engine: Engine, filled: Filled) -> None:
    report = run_query(engine, build_report, workshop_id=filled.id, language="en")
    record: dict[str, Any] = json.loads(FORMATS["json"].render(report))
    assert record["schema_version"] == 1
    assert [e["seq"] for e in record["events"]] == list(range(1, len(record["events"]) + 1))
    assert record["events"][0]["type"] == "workshop.created"
    assert record["workshop"]["title"] == "Co-working lab"
    assert record["workshop"]["stages"][0]["config"]["categories"]
    info = run_query(
        engine, workshops.describe_workshop, actor=filled.world.facilitator, workshop_id=filled.id
    )
    assert len(record["events"]) == info["last_seq"]


def test_the_cli_writes_an_export_file(tmp_path: Any, db_url: str, filled: Filled) -> None:
    env = {"COWORK_DATA_DIR": str(tmp_path / "data"), "COWORK_DATABASE_URL": db_url}
    target = tmp_path / "report.docx"
    done = cli("export", str(filled.id), "--format", "docx", "-o", str(target), "--lang", "de", env=env)
    assert done.returncode == 0, done.stderr
    cells = {
        cell.text for table in docx.Document(str(target)).tables for row in table.rows for cell in row.cells
    }
    assert "Ideen und Bedarfe" in cells
    wrong = cli("export", str(filled.id), "--format", "odt", env=env)
    assert wrong.returncode == 2 and "pdf, docx" in wrong.stderr


def fill_every_feature(world: World) -> dict[str, Any]:
    """A co-working lab with dots on needs, a stakeholder map with a consented contact, a matrix, proposals
    decided by a yes / no / abstain vote, commitments and evaluation answers: every part of the report."""
    from cowork.db import read_session
    from cowork.domain.actions import commitments, proposals
    from cowork.domain.program import evaluation
    from cowork.domain.stakeholders import matrix as responsibilities
    from cowork.domain.stakeholders import ratings as stakeholder_ratings
    from cowork.domain.stakeholders import registry as stakeholders
    from cowork.domain.votes import closing, polls
    from cowork.domain.votes import setup as poll_setup

    engine, fac = world.engine, world.facilitator
    lab = run(
        engine,
        workshops.create_workshop,
        actor=fac,
        title="Co-working lab Offenbach",
        format_id="co-working-lab",
    )
    stages = {s.kind: s for s in run_query(engine, workshops.stages_of, workshop_id=lab.id)}
    people = [
        run(engine, joining.join_workshop, code=lab.code, name=name, group=group)[0]
        for name, group in [("Ana Secretname", "employer"), ("Ben", "job_centre"), ("Cem", "welfare")]
    ]
    actors = [world.participant_actor(p) for p in people]

    def on(kind: str) -> int:
        run(engine, workshops.set_current_stage, actor=fac, workshop_id=lab.id, stage_id=stages[kind].id)
        return stages[kind].id

    needs = on("needs")
    cards = [
        run(engine, board.add_card, actor=actors[i], stage_id=needs, text=text)
        for i, text in enumerate(["Housing near the job centre", "Childcare during courses"])
    ]
    dots = run(
        engine,
        poll_setup.create_poll,
        actor=fac,
        stage_id=needs,
        method="dots",
        budget=3,
        options=[{"contribution_id": c.id} for c in cards],
    )
    run(engine, polls.open_poll, actor=fac, poll_id=dots.id)
    first, second = (o.id for o in run_query(engine, polls.options_of, poll_id=dots.id))
    run(engine, ballots.cast_ballot, actor=actors[0], poll_id=dots.id, choices={first: 1, second: 2})
    run(engine, ballots.cast_ballot, actor=actors[1], poll_id=dots.id, choices={second: 3})
    run(engine, closing.close_poll, actor=fac, poll_id=dots.id)

    mapping = on("stakeholders")
    centre, _ = run(
        engine,
        stakeholders.propose_stakeholder,
        actor=fac,
        stage_id=mapping,
        name="Jobcenter Offenbach",
        family="job_centre",
        tasks="Job matching",
        consent=True,
        contact={"person": "Dora Contact", "email": "dora@example.org", "phone": "+49 69 1234"},
    )
    run(
        engine,
        stakeholders.propose_stakeholder,
        actor=actors[0],
        stage_id=mapping,
        name="Volkshochschule",
        family="training",
    )
    for actor in actors:
        run(
            engine,
            stakeholder_ratings.rate_stakeholder,
            actor=actor,
            stakeholder_id=centre.id,
            influence=5,
            interest=4,
        )
    with read_session(engine) as session:
        rows = responsibilities.activity_rows(session, workshop_id=lab.id)
    run(
        engine,
        responsibilities.set_cell,
        actor=fac,
        workshop_id=lab.id,
        activity_id=rows[0]["id"],
        stakeholder_id=centre.id,
        mark="responsible",
    )

    plan = on("action_plan")
    adopted = run(
        engine,
        proposals.draft_proposal,
        actor=fac,
        stage_id=plan,
        title="Shared intake form",
        owner="Jobcenter Offenbach",
        due="2027-03-01",
        indicators={"success": ["100 forms used"], "failure": []},
    )
    rejected = run(
        engine, proposals.draft_proposal, actor=actors[1], stage_id=plan, title="Monthly round table"
    )
    vote = run(
        engine,
        poll_setup.create_poll,
        actor=fac,
        stage_id=plan,
        method="yes_no_abstain",
        quorum=0.5,
        title="Recommendations for action",
        options=[{"proposal_id": adopted.id}, {"proposal_id": rejected.id}],
    )
    run(engine, polls.open_poll, actor=fac, poll_id=vote.id)
    yes_option, no_option = (o.id for o in run_query(engine, polls.options_of, poll_id=vote.id))
    for actor in actors[:2]:
        run(
            engine,
            ballots.cast_ballot,
            actor=actor,
            poll_id=vote.id,
            choices={yes_option: "yes", no_option: "no"},
        )
    run(engine, closing.close_poll, actor=fac, poll_id=vote.id)
    run(engine, commitments.commit_poll, actor=fac, poll_id=vote.id)

    review = on("evaluation")
    with read_session(engine) as session:
        items = evaluation.spec_of(workshops.get_stage(session, stage_id=review)).items
    for i, actor in enumerate(actors):
        answers = {item.id: 4 + i % 2 if item.type == "likert" else f"Open answer {i}" for item in items}
        run(engine, evaluation.answer, actor=actor, stage_id=review, answers=answers)
    return {"id": lab.id}


async def test_the_report_brings_every_feature_together(client: httpx.AsyncClient, world: World) -> None:
    lab = fill_every_feature(world)
    headers = {"Authorization": f"Bearer {world.api_token}"}
    url = f"/api/v1/workshops/{lab['id']}/export"
    markdown = (await client.get(url, params={"format": "md"}, headers=headers)).text
    for expected in (
        "| 1 | Childcare during courses | 5 |",  # needs ranked by their dots (no categories: no column)
        "Jobcenter Offenbach",  # the stakeholder map
        "● Responsible",  # the responsibility matrix
        "| Jobcenter Offenbach | Dora Contact | dora@example.org |",  # a contact given with consent
        "| Shared intake form | Jobcenter Offenbach | March 1, 2027 | Success: 100 forms used | Open |",
        "Recommendations for action: Yes / no / abstain, 2 of 3 voted, quorum 50% (met: yes).",
        "yes 2, no 0, abstain 0 – adopted",
        "Open answer 1",
    ):
        assert expected in markdown, expected
    assert "Monthly round table" not in markdown.split("## Action plan")[1].split("## Votes")[0]
    text = pdf_text((await client.get(url, params={"format": "pdf"}, headers=headers)).content)
    assert "Where the group placed the stakeholders" in text and "Dora Contact" in text
    book = openpyxl.load_workbook(
        io.BytesIO((await client.get(url, params={"format": "xlsx"}, headers=headers)).content)
    )
    assert book["stakeholders"]["B2"].value == "Jobcenter Offenbach"
    assert book["responsibilities"]["C2"].value == "Responsible"
    assert book["polls"].max_row > 4 and book["evaluation"]["B2"].value == 3


async def test_files_render_in_a_worker_process_not_in_the_server(
    client: httpx.AsyncClient, filled: Filled, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big PDF holds a core for seconds: in the server's process it would stall every live socket."""

    def in_the_server(self: Any, report: Any) -> bytes:
        raise AssertionError("rendered in the server's process")

    monkeypatch.setattr("cowork.exports.ExportFormat.render", in_the_server)
    response = await export(client, filled, "pdf")
    assert "Housing near the job centre" in pdf_text(response.content)


def structure_elements(node: Any) -> list[Any]:
    """Every element of a PDF's structure tree below node, depth first."""
    node = node.get_object()
    if isinstance(node, list):
        return [element for child in node for element in structure_elements(child)]
    if not isinstance(node, dict) or "/K" not in node:
        return [node] if isinstance(node, dict) and "/S" in node else []
    return ([node] if "/S" in node else []) + structure_elements(node["/K"])


async def test_the_pdf_declares_pdf_ua_and_carries_what_it_requires(
    client: httpx.AsyncClient, world: World
) -> None:
    """The checks of PDF/UA-1 that a PDF library can read (no validator such as veraPDF runs here): the
    identification, the title shown, tab order by structure, headings, tables with header cells, and alt
    text on every figure."""
    lab = fill_every_feature(world)
    response = await client.get(
        f"/api/v1/workshops/{lab['id']}/export",
        params={"format": "pdf", "lang": "de"},
        headers={"Authorization": f"Bearer {world.api_token}"},
    )
    reader = PdfReader(io.BytesIO(response.content))
    catalog = reader.trailer["/Root"]
    metadata = catalog["/Metadata"].get_object().get_data().decode("utf-8")
    assert 'pdfuaid:part="1"' in metadata and "<dc:title>" in metadata
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"] and catalog["/Lang"] == "de"
    assert all(page["/Tabs"] == "/S" for page in reader.pages)
    elements = structure_elements(catalog["/StructTreeRoot"])
    kinds = [element["/S"] for element in elements]
    assert kinds.count("/H1") == 1 and "/H2" in kinds
    assert "/Table" in kinds and "/TH" in kinds and "/Caption" in kinds
    figures = [element for element in elements if element["/S"] == "/Figure"]
    assert figures and all(str(figure.get("/Alt", "")).strip() for figure in figures)
