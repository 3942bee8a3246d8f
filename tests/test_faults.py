"""Faults of the store: a database that cannot be reached or written answers 503 with a sentence and
Retry-After, never a bare 500; reads go on while only writes fail; readiness says why it is not ready."""

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from cowork.db import UNREACHABLE, store_fault
from cowork.settings import Settings
from tests.conftest import SECRET, ThreadServer, World, free_port, patient


def _serving(tmp_path: Path, db_url: str) -> ThreadServer:
    port = free_port()
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=db_url,
        secret_key=SECRET,
        public_base_url=f"http://127.0.0.1:{port}",
    )
    return ThreadServer(settings)


def _read_only(db_url: str) -> str:
    """The same database opened so that it refuses writes: SQLite's read-only mode, PostgreSQL's
    read-only transactions (what a replica promoted wrongly or a full-disk guard does)."""
    if db_url.startswith("sqlite"):
        return f"sqlite:///file:{make_url(db_url).database}?mode=ro&uri=true"
    return f"{db_url}{quote(' -cdefault_transaction_read_only=on')}"


def _card(server: ThreadServer, world: World, token: str, text: str, **headers: str) -> httpx.Response:
    return patient.post(
        f"{server.url}/api/v1/stages/{world.stage_id}/contributions",
        json={"text": text},
        headers={"Authorization": f"Bearer {token}", **headers},
    )


def _cards(server: ThreadServer, world: World) -> list[str]:
    answer = patient.get(
        f"{server.url}/api/v1/stages/{world.stage_id}/contributions",
        headers={"Authorization": f"Bearer {world.api_token}"},
    )
    assert answer.status_code == 200, answer.text
    return [card["text"] for card in answer.json()["items"]]


def test_a_store_that_refuses_writes_answers_503_with_a_sentence_and_reads_go_on(
    tmp_path: Path, db_url: str, world: World
) -> None:
    _participant, phone = world.join()
    with _serving(tmp_path, db_url) as writable:
        assert _card(writable, world, phone, "Before the fault").status_code == 201
    with _serving(tmp_path, _read_only(db_url)) as server:
        assert patient.get(f"{server.url}/healthz").json() == {"status": "ok"}  # nothing failed yet

        refused = _card(server, world, phone, "During the fault")
        assert refused.status_code == 503
        assert refused.headers["retry-after"] == "5"
        assert refused.json()["detail"].startswith("The server cannot save anything right now")

        german = _card(server, world, phone, "Während der Störung", **{"Accept-Language": "de"})
        assert german.status_code == 503
        assert german.json()["detail"].startswith("Der Server kann gerade nichts speichern")

        # A phone without script posts the plain form: its page comes again with the sentence and the text.
        page = patient.post(
            f"{server.url}/j/{world.workshop.code}/cards",
            data={"stage_id": str(world.stage_id), "text": "From a plain form"},
            cookies={f"cowork_p_{world.workshop.id}": phone},
        )
        assert page.status_code == 503 and page.headers["retry-after"] == "5"
        assert "text/html" in page.headers["content-type"]
        assert "Nothing was saved yet" in page.text
        assert ">From a plain form</textarea>" in page.text

        assert _cards(server, world) == ["Before the fault"]  # reads keep working
        health = patient.get(f"{server.url}/healthz")
        assert health.status_code == 503
        assert health.json()["reason"].startswith("database cannot write (read-only")
        assert patient.get(f"{server.url}/livez").status_code == 200  # alive: no reason to restart it
    with _serving(tmp_path, db_url) as again:
        assert _cards(again, world) == ["Before the fault"]  # nothing half-written


@contextmanager
def _logged() -> Iterator[list[logging.LogRecord]]:
    """What cowork's loggers and uvicorn's error log say meanwhile (cowork's do not propagate to the root)."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    loggers = [logging.getLogger("cowork"), logging.getLogger("uvicorn.error")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield records
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


def test_a_full_sqlite_database_answers_503_until_there_is_room_again(
    tmp_path: Path, db_url: str, world: World
) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("SQLite's own limit on its size stands in for a full disk; PostgreSQL's is a tmpfs away")
    _participant, phone = world.join()
    with _serving(tmp_path, db_url) as server:
        engine = server.server.config.app.other_asgi_app.state.runtime.engine
        size = engine.raw_connection().execute("PRAGMA page_count").fetchone()[0]

        def _no_room(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            dbapi_conn.execute(f"PRAGMA max_page_count = {size}")  # the file may not grow: SQLITE_FULL

        event.listen(engine, "connect", _no_room)
        engine.dispose()
        with _logged() as records:
            answers = [_card(server, world, phone, f"card {i} " + "x" * 1900) for i in range(60)]
        full = [answer for answer in answers if answer.status_code != 201]
        assert len(full) >= 2, "the database never filled up"
        # One line for the whole episode, however many requests failed; no traceback for any of them.
        assert [r.getMessage() for r in records if r.name == "cowork.store"] == ["store fault: full"]
        assert not [r for r in records if r.exc_info]
        assert {answer.status_code for answer in full} == {503}
        assert full[0].json()["detail"].startswith("The server cannot save anything right now")
        stored_while_full = _cards(server, world)
        assert len(stored_while_full) == 60 - len(full)  # reads keep working, each 201 is stored
        health = patient.get(f"{server.url}/healthz")
        assert health.status_code == 503 and health.json()["reason"].startswith("database cannot write (full")

        event.remove(engine, "connect", _no_room)  # room again (space freed)
        engine.dispose()
        with _logged() as records:
            assert _card(server, world, phone, "After the fault").status_code == 201
        assert [r.getMessage() for r in records if r.name == "cowork.store"] == ["store recovered: full"]
        assert patient.get(f"{server.url}/healthz").json() == {"status": "ok"}
        assert _cards(server, world) == [*stored_while_full, "After the fault"]


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_database_that_cannot_be_reached_answers_503_and_readiness_says_why(
    tmp_path: Path, kind: str, world: World
) -> None:
    _participant, phone = world.join()
    gone = (
        f"sqlite:///{tmp_path / 'unmounted' / 'cowork.db'}"
        if kind == "sqlite"
        else f"postgresql+psycopg://127.0.0.1:{free_port()}/test?connect_timeout=2"
    )
    with _serving(tmp_path, gone) as server:
        for answer in (
            _card(server, world, phone, "Lost?"),
            patient.get(
                f"{server.url}/api/v1/stages/{world.stage_id}/contributions",
                headers={"Authorization": f"Bearer {phone}"},
            ),
        ):
            assert answer.status_code == 503
            assert answer.headers["retry-after"] == "5"
            assert answer.json()["detail"].startswith("The server cannot reach its database right now")
        health = patient.get(f"{server.url}/healthz")
        assert health.status_code == 503 and health.json()["reason"].startswith("database unreachable")


def test_readiness_says_when_the_data_disk_is_nearly_full(tmp_path: Path, db_url: str) -> None:
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=db_url,
        secret_key=SECRET,
        public_base_url=f"http://127.0.0.1:{free_port()}",
        min_free_disk_mb=10**9,  # a petabyte: no disk here has that much room left
    )
    with ThreadServer(settings) as server:
        health = patient.get(f"{server.url}/healthz")
    assert health.status_code == 503
    assert health.json()["reason"].startswith("data disk nearly full")


def test_a_lock_timeout_and_an_exhausted_pool_count_as_a_store_that_cannot_work_now() -> None:
    """SQLite's busy timeout (30 s) and the pool's wait are too long to sit through here: what they raise is
    what the 503 handler sees."""
    locked = OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked"))
    assert store_fault(locked) == UNREACHABLE
    assert store_fault(PoolTimeout("QueuePool limit of size 5 overflow 10 reached")) == UNREACHABLE
