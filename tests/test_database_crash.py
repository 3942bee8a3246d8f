"""PostgreSQL crashes under a burst of cards: every answer is a 201 or a 503 with Retry-After and a sentence,
phones that retry with their client_id lose nothing and store nothing twice, writes come back, and the
projector shows every acknowledged card once."""

import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import ProcessServer, cli, free_port, patient
from tests.test_broker_faults import _projector
from tests.test_browser import _shot

# Runs once, in the SQLite run of `make test` (it brings its own PostgreSQL; the PostgreSQL run leaves out
# browser tests).
pytestmark = pytest.mark.browser


def _initdb() -> Path:
    """Debian keeps PostgreSQL's server programs out of PATH, under /usr/lib/postgresql/<version>/bin."""
    found = shutil.which("initdb") or next(
        iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))), None
    )
    if found is None:
        pytest.fail("this test needs PostgreSQL's initdb and pg_ctl (Debian's postgresql package)")
    return Path(found)


class OwnPostgres:
    """A PostgreSQL cluster of this test's own (initdb into a temporary folder, its own port), to crash with
    `pg_ctl stop -m immediate` and start again. Never the shared server."""

    def __init__(self) -> None:
        self.bin = _initdb().resolve().parent
        self.folder = Path(tempfile.mkdtemp(prefix="cowork-pg-"))
        self.port = free_port()
        # PostgreSQL refuses to run as root: then it runs as the postgres user.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.folder, "postgres")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, capture_output=True, timeout=120)

    def create(self) -> "OwnPostgres":
        self._run(str(self.bin / "initdb"), "-D", str(self.folder / "data"), "-A", "trust", "-U", "postgres")
        return self.start()

    def start(self) -> "OwnPostgres":
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        log = str(self.folder / "log")
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-o", options, "-l", log, "-w", "start"
        )
        return self

    def crash(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "stop")

    def remove(self) -> None:
        subprocess.run(
            [
                *self.as_user,
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.folder / "data"),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def own_postgres() -> Iterator[OwnPostgres]:
    cluster = OwnPostgres().create()
    yield cluster
    cluster.remove()


class Phones:
    """Phones sending cards as an outbox does: each card again (same client_id) until it is answered 201."""

    def __init__(self, url: str, stage_id: int, tokens: list[str]) -> None:
        self.url, self.stage_id, self.tokens = url, stage_id, tokens
        self.acknowledged: list[str] = []
        self.refusals: list[tuple[int, str, str]] = []  # 503s: (status, Retry-After, detail)
        self.odd: list[tuple[int, str]] = []  # any answer that is neither 201 nor a proper 503
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._phone, args=(n, t)) for n, t in enumerate(tokens)]

    def _phone(self, n: int, token: str) -> None:
        with httpx.Client(timeout=10) as http:
            i = 0
            while not self.stop.is_set():
                text = f"phone {n} card {i}"
                while True:
                    try:
                        answer = http.post(
                            f"{self.url}/api/v1/stages/{self.stage_id}/contributions",
                            json={"text": text, "client_id": f"p{n}-{i}"},
                            headers={"Authorization": f"Bearer {token}"},
                        )
                    except httpx.TransportError as exc:
                        with self.lock:
                            self.odd.append((0, repr(exc)))  # a reset or a hang: the server must answer
                        time.sleep(0.1)
                        continue
                    with self.lock:
                        if answer.status_code == 201:
                            self.acknowledged.append(text)
                            break
                        detail = (
                            answer.json().get("detail", "")
                            if "json" in answer.headers.get("content-type", "")
                            else ""
                        )
                        if answer.status_code == 503 and answer.headers.get("retry-after") and detail:
                            self.refusals.append((503, answer.headers["retry-after"], detail))
                        else:
                            self.odd.append((answer.status_code, answer.text[:200]))
                    time.sleep(0.2)  # a phone waits before it sends again (Retry-After, shortened here)
                i += 1

    def __enter__(self) -> "Phones":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(60)

    def count(self) -> tuple[int, int]:
        with self.lock:
            return len(self.acknowledged), len(self.refusals) + len(self.odd)


def _until(check, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 60
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def test_a_postgresql_crash_answers_503s_loses_no_card_and_writes_come_back(
    browser: Browser,
    tmp_path: Path,
    own_postgres: OwnPostgres,
) -> None:
    env = {"COWORK_DATA_DIR": str(tmp_path / "data"), "COWORK_DATABASE_URL": own_postgres.url}
    with ProcessServer(env) as server:
        cli(
            "users",
            "create",
            "a@example.org",
            "--admin",
            "--password-stdin",
            env=env,
            stdin="a long password\n",
        )
        token = cli("token", "create", "a@example.org", env=env).stdout.strip().splitlines()[-1]
        staff = {"Authorization": f"Bearer {token}"}
        workshop = patient.post(
            f"{server.url}/api/v1/workshops", json={"title": "Crash"}, headers=staff
        ).json()
        projector = _projector(browser, server, workshop["projector_url"])
        tokens = [
            patient.post(f"{server.url}/api/v1/join/{workshop['code']}", json={}).json()["token"]
            for _ in range(3)
        ]
        with Phones(server.url, workshop["stages"][0]["id"], tokens) as phones:
            _until(lambda: phones.count()[0] >= 15, "the phones did not get going")
            own_postgres.crash()
            _until(lambda: phones.count()[1] >= 10, "no write was refused while the database was down")
            health = patient.get(f"{server.url}/healthz")
            assert health.status_code == 503 and health.json()["reason"].startswith("database unreachable")
            acknowledged_during = phones.count()[0]
            own_postgres.start()
            _until(lambda: phones.count()[0] >= acknowledged_during + 15, "writes did not come back")
        assert patient.get(f"{server.url}/healthz").json() == {"status": "ok"}
        stored = patient.get(
            f"{server.url}/api/v1/stages/{workshop['stages'][0]['id']}/contributions", headers=staff
        ).json()["items"]
        # The screen is whole: every acknowledged card once, and nothing else.
        expect(projector.locator(".card")).to_have_count(len(phones.acknowledged))
        assert sorted(projector.locator(".card-text").all_inner_texts()) == sorted(phones.acknowledged)
        _shot(projector, "projector-after-postgresql-crash")
    assert phones.odd == []  # never a bare 500, never a reset
    assert {detail for _status, _after, detail in phones.refusals} == {
        "The server cannot reach its database right now. Nothing was saved yet; please try again in a moment."
    }
    assert sorted(card["text"] for card in stored) == sorted(phones.acknowledged)  # none lost, none twice
