"""Text at the edges: what the rules of domain/text.py make of what people and scripts send.

These run on SQLite and, with COWORK_TEST_DATABASE_URL, on PostgreSQL: the answers must be the same.
"""

import json
import unicodedata
from pathlib import Path

import aiohttp
import httpx
import psycopg
import pytest
from psycopg.types.string import StrDumper
from sqlalchemy import Engine
from sqlalchemy import text as sql_text
from sqlalchemy.exc import DataError, StatementError
from sqlmodel import func, select

from cowork.commands import run_query
from cowork.db import read_session
from cowork.domain import workshops
from cowork.domain.board import cards as board
from cowork.domain.errors import Invalid
from cowork.domain.models import Contribution, Event, Workshop
from cowork.domain.stakeholders import registry as stakeholders
from cowork.domain.stakeholders.contacts import clean_contact
from cowork.domain.text import clean_text, one_line
from cowork.exports.pdf import render, report_html
from cowork.exports.report import build_report
from cowork.rendering import direction
from cowork.web.errors import storage_refusal
from tests.conftest import ThreadServer, World, cli, run

UNSTORABLE = "The text contains a character that cannot be stored (position {}).".format
ARTIFACTS = Path(__file__).parent.parent / "test-artifacts"  # renders to look at, as the browser tests'
CONTROL = 'The field "{}" contains a control character (position {}); please remove it.'.format


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _events(world: World) -> int:
    with read_session(world.engine) as session:
        return session.exec(select(func.count()).select_from(Event)).one()


def _cards(world: World) -> list[str]:
    with read_session(world.engine) as session:
        return list(session.exec(select(Contribution.text).where(Contribution.kind == "card")))


# --- the rules ----------------------------------------------------------------------------------------


def test_line_breaks_become_newlines_and_accents_one_character() -> None:
    assert clean_text(" Cafe\u0301\r\nMu\u0308ller\rand\tmore \n", field="text") == "Café\nMüller\nand\tmore"
    assert one_line("  Job\u00a0Center \n Offenbach ", field="name") == "Job Center Offenbach"


def test_a_limit_counts_the_normalised_text() -> None:
    # 200 accented letters typed as letter + combining accent are 400 code points but 200 characters.
    assert clean_text("e\u0301" * 200, field="title", limit=200) == "é" * 200
    with pytest.raises(Invalid) as refused:
        clean_text("é" * 201, field="title", limit=200)
    assert refused.value.message == 'The field "title" is too long: 201 characters, at most 200.'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a\ud800b", UNSTORABLE(2)),
        ("\udfff", UNSTORABLE(1)),
        ("ab\x00c", CONTROL("text", 3)),
        ("bell\x07", CONTROL("text", 5)),
        ("esc\x1b[31m", CONTROL("text", 4)),
        ("del\x7f", CONTROL("text", 4)),
        ("c1\x85", CONTROL("text", 3)),
    ],
)
def test_text_no_database_keeps_alike_is_refused_with_its_position(text: str, message: str) -> None:
    with pytest.raises(Invalid) as refused:
        clean_text(text, field="text")
    assert refused.value.message == message


def test_right_to_left_marks_emoji_and_combining_marks_are_kept() -> None:
    text = "\u200fمرحبا\u200e Hello 👩🏽‍💻 שלום ק\u05b8"
    assert clean_text(text, field="text") == unicodedata.normalize("NFC", text)


# --- through the domain -------------------------------------------------------------------------------


def test_a_name_typed_two_ways_is_one_stakeholder(world: World) -> None:
    workshop = run(
        world.engine,
        workshops.create_workshop,
        actor=world.facilitator,
        title="Region",
        format_id="regional-workshop",
    )
    stages = run_query(world.engine, workshops.stages_of, workshop_id=workshop.id)
    stage = next(s for s in stages if s.kind == "stakeholders")
    composed = "Café Müller"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    made, _ = run(
        world.engine,
        stakeholders.propose_stakeholder,
        actor=world.facilitator,
        stage_id=stage.id,
        name=decomposed,
        family="employer",
    )
    again, duplicate = run(
        world.engine,
        stakeholders.propose_stakeholder,
        actor=world.facilitator,
        stage_id=stage.id,
        name=composed,
        family="employer",
    )
    assert (again.id, duplicate) == (made.id, True)
    assert made.name == composed  # stored composed, whichever way it was typed first


def test_contact_details_follow_the_one_text_rule() -> None:
    person = unicodedata.normalize("NFD", "José  Müller\n")
    kept = clean_contact({"person": person, "email": "j@example.org"}, consent=True)
    assert kept == {"person": "José Müller", "email": "j@example.org", "phone": None}
    with pytest.raises(Invalid) as refused:
        clean_contact({"person": "Ana\x00"}, consent=True)
    assert refused.value.message == CONTROL("contact.person", 4)
    with pytest.raises(Invalid) as refused:
        clean_contact({"person": "Ana", "phone": "+49 \ud800"}, consent=True)
    assert refused.value.message == UNSTORABLE(5)


def test_a_command_refuses_a_lone_surrogate_in_any_argument(world: World) -> None:
    with pytest.raises(Invalid) as refused:
        run(
            world.engine,
            board.add_card,
            actor=world.facilitator,
            stage_id=world.stage_id,
            text="fine",
            client_id="id-\udc80",
        )
    assert refused.value.message == UNSTORABLE(4)
    with pytest.raises(Invalid) as refused:
        run_query(world.engine, workshops.workshop_by_code, code="AB\x00CD")
    assert refused.value.message == CONTROL("code", 3)
    assert _cards(world) == []


# --- through the API and the forms --------------------------------------------------------------------


async def test_the_api_answers_the_same_422_for_text_it_cannot_store(
    client: httpx.AsyncClient, world: World
) -> None:
    before = _events(world)
    url = f"/api/v1/stages/{world.stage_id}/contributions"
    # Bodies written as JSON text, as a script would send them: "\ud800" is valid JSON.
    for body, message in [
        ('{"text": "\\ud800"}', UNSTORABLE(1)),
        ('{"text": "a\\u0000b"}', CONTROL("text", 2)),
        ('{"text": "ok", "client_id": "\\ud83d"}', UNSTORABLE(1)),
    ]:
        answer = await client.post(
            url, content=body, headers={**_auth(world.api_token), "Content-Type": "application/json"}
        )
        assert (answer.status_code, answer.json()) == (422, {"detail": message})
    titled = await client.post(
        "/api/v1/workshops",
        content='{"title": "x\\u0000y"}',
        headers={**_auth(world.api_token), "Content-Type": "application/json"},
    )
    assert (titled.status_code, titled.json()) == (422, {"detail": CONTROL("title", 2)})
    assert _events(world) == before and _cards(world) == []
    with read_session(world.engine) as session:
        assert session.exec(select(func.count()).select_from(Workshop)).one() == 1


async def test_a_card_stored_reads_back_normalised(client: httpx.AsyncClient, world: World) -> None:
    sent = "  Kita\r\nplace\u0301s \u202bمكان للأطفال\u202c  "
    answer = await client.post(
        f"/api/v1/stages/{world.stage_id}/contributions",
        json={"text": sent},
        headers=_auth(world.api_token),
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["text"] == "Kita\nplacés \u202bمكان للأطفال\u202c"
    assert _cards(world) == ["Kita\nplacés \u202bمكان للأطفال\u202c"]


async def test_a_phone_form_with_a_control_character_says_so_and_keeps_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    await client.post(f"/j/{world.workshop.code}", data={"name": "Ana"})
    refused = await client.post(
        f"/j/{world.workshop.code}/cards", data={"stage_id": str(world.stage_id), "text": "Kita\x00plätze"}
    )
    assert refused.status_code == 422
    assert "contains a control character (position 5)" in refused.text
    assert _cards(world) == []


async def test_an_imported_record_with_a_lone_surrogate_is_refused(
    client: httpx.AsyncClient, world: World
) -> None:
    exported = await client.get(
        f"/api/v1/workshops/{world.workshop.id}/export?format=json", headers=_auth(world.api_token)
    )
    assert exported.status_code == 200, exported.text
    record = exported.json()
    record["events"][0]["data"]["title"] = "Lab \ud800"
    answer = await client.post(
        "/api/v1/workshops/import",
        content=json.dumps(record),  # ensure_ascii: the surrogate travels as the escape "\ud800"
        headers=_auth(world.api_token),
    )
    assert (answer.status_code, answer.json()["detail"]) == (422, UNSTORABLE(5))


def test_the_cli_says_what_is_wrong_with_an_address_that_is_not_utf_8(tmp_path: Path, db_url: str) -> None:
    env = {"COWORK_DATA_DIR": str(tmp_path / "data"), "COWORK_DATABASE_URL": db_url}
    # A Latin-1 "ä" in a UTF-8 terminal: Python hands it to cowork as a lone surrogate (\udce4).
    made = cli(
        "users", "create", "j\udce4ger@example.org", "--password-stdin", env=env, stdin="long password!\n"
    )
    assert made.returncode != 0 and "Traceback" not in made.stderr
    assert UNSTORABLE(2) in made.stderr
    token = cli("token", "create", "j\udce4ger@example.org", env=env)
    assert token.returncode != 0 and UNSTORABLE(2) in token.stderr


def test_the_report_writes_out_each_text_s_direction_for_the_pdf(world: World) -> None:
    # WeasyPrint does not resolve dir="auto": the report template says rtl or ltr per cell itself.
    mixed = "دورة اللغة German B1 في مركز التوظيف Offenbach"  # Arabic first, English names inside
    for text in ("نحتاج إلى حضانة للأطفال", mixed, "Childcare (B1 كورس)", "שירות התעסוקה"):
        run(world.engine, board.add_card, actor=world.facilitator, stage_id=world.stage_id, text=text)
    report = run_query(world.engine, build_report, workshop_id=world.workshop.id, language="en")
    html = report_html(report)
    # The PDF itself, to look at (pdftoppm -png): the cards' table on the board's page.
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "rtl-report.pdf").write_bytes(render(report))
    assert '<td dir="rtl">نحتاج إلى حضانة للأطفال</td>' in html
    assert f'<td dir="rtl">{mixed}</td>' in html
    assert '<td dir="ltr">Childcare (B1 كورس)</td>' in html
    assert '<td dir="rtl">שירות התעסוקה</td>' in html
    assert [direction(t) for t in ("", "123 -", "\u200f123 مرحبا", "(1) שלום", "x ب")] == [
        "ltr",
        "ltr",
        "rtl",
        "rtl",
        "ltr",
    ]


async def test_a_socket_token_no_database_keeps_is_refused_with_the_reason(
    server: ThreadServer, world: World
) -> None:
    """Read off the wire: the Socket.IO connect carries the token as JSON, where "\\ud800" is valid."""
    url = f"ws://{server.url.split('://', 1)[1]}/socket.io/?EIO=4&transport=websocket"
    auth = json.dumps({"token": "tok\ud800en", "workshop_id": world.workshop.id})  # ASCII, escaped
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(url, origin=server.url) as ws:
            assert (await ws.receive_str()).startswith("0{")  # Engine.IO open
            await ws.send_str("40" + auth)
            refused = await ws.receive_str()
        assert refused.startswith("44")  # Socket.IO connect error, with its reason
        assert json.loads(refused[2:]) == {"message": UNSTORABLE(4)}
        async with http.get(f"{server.url}/healthz") as health:
            assert health.status == 200


# --- files: a format's TOML and a session record, by the API and the command line ---------------------


FORMAT_FILE = """id = "kita"
title = { en = "Kita\\u0000lab", de = "Kita-Labor", es = "Taller" }
[[stages]]
kind = "board"
title = { en = "Ideas", de = "Ideen", es = "Ideas" }
"""


async def test_a_format_file_with_an_escaped_nul_gets_the_same_answer_by_the_api(
    client: httpx.AsyncClient, world: World
) -> None:
    # TOML writes the NUL as the escape \u0000 (valid TOML), so the parsed title carries it.
    answer = await client.post(
        "/api/v1/formats",
        content=FORMAT_FILE.encode(),
        headers={**_auth(world.api_token), "Content-Type": "application/toml"},
    )
    assert (answer.status_code, answer.json()) == (422, {"detail": CONTROL("title.en", 5)})
    kept = await client.get("/api/v1/formats", headers=_auth(world.api_token))
    assert "kita" not in {f["id"] for f in kept.json()}


def test_the_cli_refuses_the_same_format_file_and_a_record_with_a_nul(
    tmp_path: Path, db_url: str, world: World
) -> None:
    env = {"COWORK_DATA_DIR": str(tmp_path / "data"), "COWORK_DATABASE_URL": db_url}
    toml = tmp_path / "kita.toml"
    toml.write_text(FORMAT_FILE, encoding="utf-8")
    refused = cli("formats", "import", str(toml), env=env)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert f"{toml}: {CONTROL('title.en', 5)}" in refused.stderr

    run(world.engine, board.add_card, actor=world.facilitator, stage_id=world.stage_id, text="Kita")
    record = tmp_path / "record.json"
    exported = cli("export", str(world.workshop.id), "--format", "json", "-o", str(record), env=env)
    assert exported.returncode == 0, exported.stderr
    data = json.loads(record.read_text(encoding="utf-8"))
    added = next(e for e in data["events"] if e["type"] == "card.added")
    added["data"]["text"] = "Kita\x00plätze"
    record.write_text(json.dumps(data), encoding="utf-8")  # the NUL travels as the escape "\u0000"
    events = _events(world)
    imported = cli("import", str(record), env=env)
    assert imported.returncode == 2 and "Traceback" not in imported.stderr
    assert "contains a control character (position 5)" in imported.stderr
    assert _events(world) == events and _cards(world) == ["Kita"]


# --- the net behind the domain: what a database driver still refuses ---------------------------------


def _refusal(engine: Engine, sql: str, value: object) -> str | None:
    with (
        pytest.raises((StatementError, OverflowError, UnicodeEncodeError)) as refused,
        engine.connect() as connection,
    ):
        connection.execute(sql_text(sql), {"v": value})
    return storage_refusal(refused.value)


def test_what_a_database_refuses_is_named_and_a_nul_is_no_number_out_of_range(engine: Engine) -> None:
    """On the test database (SQLite or PostgreSQL): each refusal the database itself makes, mapped."""
    out_of_range = "A number in the request is out of range."
    assert _refusal(engine, "SELECT CAST(:v AS INTEGER)", 10**30) == out_of_range
    assert _refusal(engine, "SELECT CAST(:v AS TEXT)", "ab\ud800") == UNSTORABLE(3)
    # PostgreSQL's driver refuses a NUL as it writes it (SQLite keeps it; domain/text.py refuses it for
    # both before it gets here). The refusal as psycopg makes it, wrapped as SQLAlchemy wraps it:
    with pytest.raises(psycopg.DataError) as nul:
        StrDumper(str).dump("a\x00b")
    wrapped = DataError("INSERT ...", {}, nul.value)
    nul_named = "A text in the request contains a NUL character, which cannot be stored."
    assert storage_refusal(wrapped) == nul_named
