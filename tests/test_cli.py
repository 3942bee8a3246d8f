"""The `cowork` command as an organiser runs it, and a restart that keeps everything."""

import signal
import tomllib
from pathlib import Path

import httpx
from sqlmodel import select

from cowork.db import make_engine, read_session
from cowork.domain.models import User
from tests.conftest import ProcessServer, cli, patient


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
    engine = make_engine(db_url)
    with read_session(engine) as session:
        password_hash = session.exec(select(User)).one().password_hash
    engine.dispose()
    # The real cost (RFC 9106's second choice), not the cheap one the in-process tests use.
    assert password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
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
        workshop = patient.post(
            f"{server.url}/api/v1/workshops", json={"title": "Persist"}, headers=auth
        ).json()
        joined = patient.post(f"{server.url}/api/v1/join/{workshop['code']}", json={"name": "Ana"}).json()
        phone = {"Authorization": f"Bearer {joined['token']}"}
        stage = workshop["stages"][0]["id"]
        for i in range(5):
            sent = patient.post(
                f"{server.url}/api/v1/stages/{stage}/contributions", json={"text": f"card {i}"}, headers=phone
            )
            assert sent.status_code == 201
        port = server.port
    with ProcessServer(env, port=port) as server:
        record = patient.get(f"{server.url}/api/v1/workshops/{workshop['id']}/events", headers=auth).json()
        assert [e["seq"] for e in record["events"]] == list(range(1, 8))
        sent = patient.post(
            f"{server.url}/api/v1/stages/{stage}/contributions", json={"text": "card 5"}, headers=phone
        )
        assert sent.status_code == 201
        server.stop(signal.SIGKILL)
    with ProcessServer(env, port=port) as server:
        cards = patient.get(f"{server.url}/api/v1/stages/{stage}/contributions", headers=phone).json()[
            "items"
        ]
        assert [c["text"] for c in cards] == [f"card {i}" for i in range(6)]


def _export(env: dict[str, str], key: str, target: Path) -> bytes:
    exported = cli("formats", "export", key, "--output", str(target), env=env)
    assert exported.returncode == 0, exported.stderr
    return target.read_bytes()


def test_a_format_exported_imported_and_exported_again_is_the_same_bytes(tmp_path: Path, db_url: str) -> None:
    env = _env(tmp_path, db_url)
    # A built-in format: its export, under an id of the organisation's own (a built-in id is refused).
    first = cli("formats", "export", "co-working-lab", env=env)
    assert first.returncode == 0 and first.stdout.startswith('id = "co-working-lab"\n')
    builtin = tmp_path / "lab.toml"
    builtin.write_bytes(first.stdout.encode())
    refused = cli("formats", "import", str(builtin), env=env)
    assert refused.returncode != 0 and "co-working-lab is a built-in format" in refused.stderr
    ours = tmp_path / "our-lab.toml"
    ours.write_bytes(builtin.read_bytes().replace(b'id = "co-working-lab"', b'id = "our-lab"', 1))
    imported = cli("formats", "import", str(ours), env=env)
    assert imported.returncode == 0 and "imported the format our-lab" in imported.stdout, imported.stderr
    assert _export(env, "our-lab", tmp_path / "our-lab-again.toml") == ours.read_bytes()
    listed = cli("formats", "list", env=env)
    assert "our-lab\tCo-Working Lab" in listed.stdout and listed.stdout.rstrip().endswith("organisation")

    # A format saved from a workshop edited from "plain": a stage added, one renamed.
    token = _admin_token(env)
    auth = {"Authorization": f"Bearer {token}"}
    with ProcessServer(env) as server:
        api = f"{server.url}/api/v1"
        workshop = patient.post(f"{api}/workshops", json={"title": "Edited", "format": "plain"}, headers=auth)
        wid = workshop.json()["id"]
        added = patient.post(
            f"{api}/workshops/{wid}/stages",
            json={"kind": "stakeholders", "title": {"de": "Wer mit wem"}, "minutes": 12, "position": 1},
            headers=auth,
        )
        assert added.status_code == 201, added.text
        first_stage = workshop.json()["stages"][0]["id"]
        renamed = httpx.patch(f"{api}/stages/{first_stage}", json={"title": "Ideas first"}, headers=auth)
        assert renamed.status_code == 200, renamed.text
        saved = patient.post(f"{api}/workshops/{wid}/format", json={"title": "Edited plain"}, headers=auth)
        assert saved.status_code == 201, saved.text
    once = _export(env, "edited-plain", tmp_path / "edited.toml")
    assert b'title = { en = "Wer mit wem", de = "Wer mit wem", es = "Wer mit wem" }' in once
    again = cli("formats", "import", str(tmp_path / "edited.toml"), "--replace", env=env)
    assert again.returncode == 0, again.stderr
    assert _export(env, "edited-plain", tmp_path / "edited-again.toml") == once
    stages = [(s["kind"], s["title"]["en"], s["minutes"]) for s in tomllib.loads(once.decode())["stages"]]
    assert stages == [
        ("board", "Ideas first", 45),
        ("stakeholders", "Wer mit wem", 12),
        ("information", "Wrap-up and next steps", 10),
    ]


def test_a_file_that_is_not_a_format_is_refused_with_its_line_or_field(tmp_path: Path, db_url: str) -> None:
    env = _env(tmp_path, db_url)
    broken = tmp_path / "broken.toml"
    broken.write_text('id = "x"\ntitle = { en = "X", de = "X", es = "X" }\n[[stages]]\nkind = \n')
    syntax = cli("formats", "import", str(broken), env=env)
    assert (
        syntax.returncode == 2
        and "broken.toml: This is not a valid format: not valid TOML: line 4" in syntax.stderr
    )
    wrong = tmp_path / "wrong.toml"
    wrong.write_text(
        'id = "x"\ntitle = { en = "X", de = "X", es = "X" }\n[[stages]]\nkind = "board"\nminutes = 0\n'
    )
    field = cli("formats", "import", str(wrong), env=env)
    assert field.returncode == 2 and "stages[0].title: Field required" in field.stderr
    assert "stages[0].minutes: Input should be greater than or equal to 1" in field.stderr
    missing = cli("formats", "export", "nothing-here", env=env)
    assert missing.returncode == 2 and "There is no format nothing-here." in missing.stderr
