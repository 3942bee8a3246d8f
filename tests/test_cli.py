"""The `cowork` command as an organiser runs it, and a restart that keeps everything."""

import signal
from pathlib import Path

import httpx

from tests.conftest import ProcessServer, cli


def _env(tmp_path: Path, db_url: str) -> dict[str, str]:
    return {"COWORK_DATA_DIR": str(tmp_path / "data"), "COWORK_DATABASE_URL": db_url}


def _admin_token(env: dict[str, str]) -> str:
    created = cli(
        "users",
        "create",
        "admin@example.org",
        "--admin",
        "--password-stdin",
        env=env,
        stdin="a long enough password\n",
    )
    assert created.returncode == 0, created.stderr
    token = cli("token", "create", "admin@example.org", env=env)
    assert token.returncode == 0, token.stderr
    return token.stdout.strip().splitlines()[-1]


def test_users_and_tokens_are_made_from_the_cli(tmp_path: Path, db_url: str) -> None:
    env = _env(tmp_path, db_url)
    token = _admin_token(env)
    assert len(token) >= 43 and " " not in token
    again = cli(
        "users", "create", "admin@example.org", "--password-stdin", env=env, stdin="another password!\n"
    )
    assert again.returncode != 0 and "already an account" in again.stderr
    short = cli("users", "create", "x@example.org", "--password-stdin", env=env, stdin="short\n")
    assert short.returncode != 0 and "at least 10 characters" in short.stderr
    nobody = cli("token", "create", "nobody@example.org", env=env)
    assert nobody.returncode != 0 and "no account" in nobody.stderr


def test_a_secret_key_is_made_and_kept_in_the_data_dir(tmp_path: Path, db_url: str) -> None:
    env = _env(tmp_path, db_url)
    _admin_token(env)
    key_file = tmp_path / "data" / "secret_key"
    assert len(key_file.read_text()) >= 32
    assert key_file.stat().st_mode & 0o077 == 0


def test_several_workers_without_redis_are_refused_with_a_reason(tmp_path: Path, db_url: str) -> None:
    result = cli("serve", "--workers", "2", env={**_env(tmp_path, db_url), "COWORK_REDIS_URL": ""})
    assert result.returncode == 2
    assert "COWORK_REDIS_URL" in result.stderr


def test_formats_are_listed(tmp_path: Path, db_url: str) -> None:
    result = cli("formats", "list", env=_env(tmp_path, db_url))
    assert result.returncode == 0 and "plain" in result.stdout


def test_everything_acknowledged_is_there_after_a_restart_and_after_a_kill(
    tmp_path: Path, db_url: str
) -> None:
    env = _env(tmp_path, db_url)
    token = _admin_token(env)
    auth = {"Authorization": f"Bearer {token}"}
    with ProcessServer(env) as server:
        workshop = httpx.post(
            f"{server.url}/api/v1/workshops", json={"title": "Persist"}, headers=auth
        ).json()
        joined = httpx.post(f"{server.url}/api/v1/join/{workshop['code']}", json={"name": "Ana"}).json()
        phone = {"Authorization": f"Bearer {joined['token']}"}
        stage = workshop["stages"][0]["id"]
        for i in range(5):
            sent = httpx.post(
                f"{server.url}/api/v1/stages/{stage}/contributions", json={"text": f"card {i}"}, headers=phone
            )
            assert sent.status_code == 201
        port = server.port
    with ProcessServer(env, port=port) as server:
        record = httpx.get(f"{server.url}/api/v1/workshops/{workshop['id']}/events", headers=auth).json()
        assert [e["seq"] for e in record["events"]] == list(range(1, 8))
        sent = httpx.post(
            f"{server.url}/api/v1/stages/{stage}/contributions", json={"text": "card 5"}, headers=phone
        )
        assert sent.status_code == 201
        server.stop(signal.SIGKILL)
    with ProcessServer(env, port=port) as server:
        cards = httpx.get(f"{server.url}/api/v1/stages/{stage}/contributions", headers=phone).json()["items"]
        assert [c["text"] for c in cards] == [f"card {i}" for i in range(6)]
