"""Nothing acknowledged is lost: SIGKILL in the middle of a burst of writes; a backup taken while serving."""

import signal
import sqlite3
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import ProcessServer, cli, patient


def _env(tmp_path: Path, db_url: str) -> dict[str, str]:
    return {"COWORK_DATA_DIR": str(tmp_path / "data"), "COWORK_DATABASE_URL": db_url}


def _setup(server: ProcessServer, env: dict[str, str]) -> tuple[str, dict, list[str]]:
    cli("users", "create", "a@example.org", "--admin", "--password-stdin", env=env, stdin="a long password\n")
    token = cli("token", "create", "a@example.org", env=env).stdout.strip().splitlines()[-1]
    workshop = patient.post(
        f"{server.url}/api/v1/workshops",
        json={"title": "Burst"},
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    phones = [
        patient.post(f"{server.url}/api/v1/join/{workshop['code']}", json={}).json()["token"]
        for _ in range(4)
    ]
    return token, workshop, phones


def _burst(server: ProcessServer, stage_id: int, phones: list[str], stop: threading.Event) -> list[str]:
    """Phones send cards as fast as they can; returns the texts the server acknowledged (201)."""
    acknowledged: list[str] = []
    lock = threading.Lock()

    def phone(token: str, n: int) -> None:
        with httpx.Client(timeout=5) as http:
            i = 0
            while not stop.is_set():
                text = f"phone {n} card {i}"
                try:
                    response = http.post(
                        f"{server.url}/api/v1/stages/{stage_id}/contributions",
                        json={"text": text},
                        headers={"Authorization": f"Bearer {token}"},
                    )
                except httpx.TransportError:
                    return  # the server died mid-request: not acknowledged
                if response.status_code == 201:
                    with lock:
                        acknowledged.append(text)
                i += 1

    threads = [threading.Thread(target=phone, args=(t, n)) for n, t in enumerate(phones)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return acknowledged


def test_every_acknowledged_card_survives_a_sigkill_during_a_burst(tmp_path: Path, db_url: str) -> None:
    env = _env(tmp_path, db_url)
    server = ProcessServer(env).start()
    try:
        token, workshop, phones = _setup(server, env)
        stage_id = workshop["stages"][0]["id"]
        stop = threading.Event()
        result: list[list[str]] = []
        sender = threading.Thread(target=lambda: result.append(_burst(server, stage_id, phones, stop)))
        sender.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(_count(server, stage_id, token)) < 30:
            time.sleep(0.05)
        server.stop(signal.SIGKILL)
        stop.set()
        sender.join(30)
    finally:
        server.stop()
    acknowledged = result[0]
    assert len(acknowledged) >= 30
    with ProcessServer(env, port=server.port) as again:
        stored = set(_count(again, stage_id, token))
    assert set(acknowledged) <= stored
    if db_url.startswith("sqlite"):
        with sqlite3.connect(make_url(db_url).database) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _count(server: ProcessServer, stage_id: int, token: str) -> list[str]:
    response = patient.get(
        f"{server.url}/api/v1/stages/{stage_id}/contributions", headers={"Authorization": f"Bearer {token}"}
    )
    return [c["text"] for c in response.json()["items"]]


def test_a_backup_taken_while_serving_restores_every_card(tmp_path: Path, db_url: str) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("cowork backup copies SQLite; PostgreSQL uses pg_dump (documented in the README)")
    env = _env(tmp_path, db_url)
    with ProcessServer(env) as server:
        token, workshop, phones = _setup(server, env)
        stage_id = workshop["stages"][0]["id"]
        for i in range(20):
            patient.post(
                f"{server.url}/api/v1/stages/{stage_id}/contributions",
                json={"text": f"kept {i}"},
                headers={"Authorization": f"Bearer {phones[0]}"},
            ).raise_for_status()
        made = cli("backup", str(tmp_path / "backup.db"), env=env)
        assert made.returncode == 0, made.stderr
        assert cli("backup", str(tmp_path / "backup.db"), env=env).returncode == 2  # never overwrites
        port = server.port
    database = Path(make_url(db_url).database)
    database.unlink()
    restored = cli("restore", str(tmp_path / "backup.db"), env=env)
    assert restored.returncode == 0, restored.stderr
    with ProcessServer(env, port=port) as server:
        assert _count(server, stage_id, token) == [f"kept {i}" for i in range(20)]
    refused = cli("restore", str(tmp_path / "backup.db"), env=env)
    assert refused.returncode == 2 and "--force" in refused.stderr


def test_backup_explains_what_to_do_on_postgresql(tmp_path: Path) -> None:
    result = cli(
        "backup",
        str(tmp_path / "x.db"),
        env={"COWORK_DATA_DIR": str(tmp_path), "COWORK_DATABASE_URL": "postgresql+psycopg://h/db"},
    )
    assert result.returncode == 2 and "pg_dump" in result.stderr
