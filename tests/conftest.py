"""Fixtures that build real things: a migrated database per test, the app, servers on free ports, Chromium."""

import atexit
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import argon2.profiles
import httpx
import pytest
import uvicorn
from argon2 import PasswordHasher
from playwright.sync_api import Browser, expect, sync_playwright
from sqlalchemy import Engine

from cowork.app import create_app
from cowork.commands import run_command
from cowork.db import make_engine, write_session
from cowork.domain import accounts, participants, workshops
from cowork.domain.accounts import create_api_token, create_user
from cowork.domain.actors import Actor
from cowork.live.direct import uvicorn_options
from cowork.migrate import upgrade
from cowork.settings import Settings

PG_URL = os.environ.get("COWORK_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("COWORK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
SECRET = "test-secret-key-that-is-long-enough-0123456789"
CHROMIUM = "/usr/bin/chromium"


# Tests that talk to a real server (ThreadServer, ProcessServer) wait for its answer or its push, they do not
# time it: on CI's loaded two cores a write was once answered after 6 s, past httpx's default 5 s, and failed
# a test that had nothing wrong. PATIENCE is how long a test waits for what must come (a socket's connection,
# an event); `patient.get(...)`, `patient.post(...)`, `patient.request(...)`, `patient.Client(...)` and
# `patient.AsyncClient(...)` are httpx's, with as long to wait (a call may still give a timeout of its own).
PATIENCE = 30.0
patient = SimpleNamespace(
    get=partial(httpx.get, timeout=PATIENCE),
    post=partial(httpx.post, timeout=PATIENCE),
    request=partial(httpx.request, timeout=PATIENCE),
    Client=partial(httpx.Client, timeout=PATIENCE),
    AsyncClient=partial(httpx.AsyncClient, timeout=PATIENCE),
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@cache
def _migrated_template() -> str:
    """The migrations run once per test process; each test then gets a copy of what they built.

    For SQLite the copy is the database file (SQLite's backup API); for PostgreSQL it is pg_dump's SQL of a
    migrated schema, replayed under the test's own schema name. Running every migration for every test took a
    second or more each. Without pg_dump each test runs the migrations itself.
    """
    folder = Path(tempfile.mkdtemp(prefix="cowork-template-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    if not PG_URL:
        upgrade(f"sqlite:///{folder / 'cowork.db'}")
        return str(folder / "cowork.db")
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        return ""
    schema = f"tmpl_{uuid.uuid4().hex[:12]}"
    with _pg_schema(schema) as url:
        upgrade(url)
        dumped = subprocess.run(
            [pg_dump, "--no-owner", "--no-privileges", "--inserts", "--schema", schema, _plain(PG_URL)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    # psql's own commands (pg_dump's \restrict guard) are not SQL; the schema name becomes a placeholder.
    sql = "\n".join(line for line in dumped.splitlines() if not line.startswith("\\"))
    return sql.replace(schema, "{schema}")


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


@contextmanager
def _pg_schema(schema: str, template: str = "") -> Iterator[str]:
    """A schema of its own in the test PostgreSQL, built from the template's SQL if given; dropped after."""
    import psycopg

    with psycopg.connect(_plain(PG_URL or ""), autocommit=True) as conn:
        if template:
            conn.execute(template.replace("{schema}", schema).encode())
        else:
            conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in (PG_URL or "") else "?"
    yield f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}"
    with psycopg.connect(_plain(PG_URL or ""), autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@contextmanager
def migrated_database(folder: Path) -> Iterator[str]:
    """A fresh, migrated database: a SQLite file in folder, or a schema of its own in the test PostgreSQL."""
    template = _migrated_template()
    if not PG_URL:
        with (
            closing(sqlite3.connect(template)) as source,
            closing(sqlite3.connect(folder / "cowork.db")) as target,
        ):
            source.backup(target)
        yield f"sqlite:///{folder / 'cowork.db'}"
        return
    with _pg_schema(f"t_{uuid.uuid4().hex[:12]}", template) as url:
        if not template:
            upgrade(url)
        yield url


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """Argon2id at its cheapest for the accounts tests make in this process: the production cost (a second a
    hash on a busy machine) was most of many tests' setup. Servers started as processes keep the real cost;
    tests/test_cli.py checks it there."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "_hasher", PasswordHasher.from_parameters(argon2.profiles.CHEAPEST))
        yield


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database per test."""
    with migrated_database(tmp_path) as url:
        yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=db_url,
        secret_key=SECRET,
        public_base_url="http://testserver",
    )


def run(engine: Engine, fn: Any, **kwargs: Any) -> Any:
    """Carry out one domain command the way every transport does, returning its result."""
    result, _events = run_command(engine, fn, **kwargs)
    return result


def set_stage_view(engine: Engine, stage_id: int, view: str) -> None:
    """Show a stage in another of its views ("matrix" for the stakeholders), as its format's config says."""
    from cowork.domain.models import Stage

    with write_session(engine) as session:
        stage = session.get(Stage, stage_id)
        assert stage is not None
        stage.config = {**stage.config, "view": view}


@dataclass
class World:
    """A facilitator with an API token and one workshop, made through the services."""

    engine: Engine
    facilitator: Actor
    api_token: str
    workshop: Any

    @property
    def stage_id(self) -> int:
        return self.workshop.current_stage_id

    def join(
        self, name: str | None = "Ana", group: str | None = "employer", language: str | None = None
    ) -> Any:
        participant, token = run(
            self.engine,
            participants.join_workshop,
            code=self.workshop.code,
            name=name,
            group=group,
            language=language,
        )
        return participant, token

    def participant_actor(self, participant: Any) -> Actor:
        return Actor.of_participant(participant)


def make_facilitator(
    engine: Engine, email: str = "fac@example.org", admin: bool = False
) -> tuple[Actor, str]:
    with write_session(engine) as session:
        user = create_user(session, email=email, password="correct horse battery", is_admin=admin)
        token = create_api_token(session, email=email)
    return Actor.of_user(user), token


@pytest.fixture
def world(engine: Engine) -> World:
    facilitator, token = make_facilitator(engine)
    workshop = run(engine, workshops.create_workshop, actor=facilitator, title="Co-working lab")
    return World(engine, facilitator, token, workshop)


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)  # runs no lifespan: the engine is disposed here instead
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    runtime_of(app).engine.dispose()


def runtime_of(app: Any) -> Any:
    return app.other_asgi_app.state.runtime


class ThreadServer:
    """uvicorn serving the app on a free port in a background thread, for real sockets and browsers."""

    def __init__(self, settings: Settings, host: str = "127.0.0.1") -> None:
        self.port = settings.public_base_url.rsplit(":", 1)[1]
        self.url = settings.public_base_url
        config = uvicorn.Config(
            create_app(settings),
            host=host,
            port=int(self.port),
            log_level="warning",
            **uvicorn_options(settings),
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "ThreadServer":
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture
def live_settings(tmp_path: Path, db_url: str) -> Settings:
    port = free_port()
    return Settings(
        data_dir=tmp_path / "data",
        database_url=db_url,
        secret_key=SECRET,
        public_base_url=f"http://127.0.0.1:{port}",
    )


@pytest.fixture
def server(live_settings: Settings) -> Iterator[ThreadServer]:
    with ThreadServer(live_settings) as running:
        yield running


class ProcessServer:
    """`cowork serve` as its own process, as people run it: for restarts, kills and several workers."""

    def __init__(
        self,
        env: dict[str, str],
        port: int | None = None,
        workers: int = 1,
        *,
        output: Path | None = None,
        configured: bool = True,
        args: tuple[str, ...] = (),
    ) -> None:
        """`output`: a file that gets what it prints (stdout and stderr). `configured=False`: serve as with
        nothing configured (no COWORK_PUBLIC_BASE_URL: it finds its address, listens on every interface)."""
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **({"COWORK_PUBLIC_BASE_URL": self.url} if configured else {}), **env}
        if not configured:
            self.env.pop("COWORK_PUBLIC_BASE_URL", None)
        self.workers = workers
        self.output = output
        self.args = args
        self.proc: subprocess.Popen[bytes] | None = None

    def printed(self) -> str:
        return self.output.read_text() if self.output else ""

    def start(self) -> "ProcessServer":
        cmd = [COWORK, "serve", "--port", str(self.port), "--workers", str(self.workers), *self.args]
        # A session of its own: stop() can then end the workers a killed supervisor leaves behind.
        if self.output:
            with self.output.open("wb") as out:
                self.proc = subprocess.Popen(
                    cmd, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
                )
        else:
            self.proc = subprocess.Popen(
                cmd, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
            )
        # Generous: on a busy machine (other test runs, a browser) startup and the first answers are slow.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                said = self.printed() or self.proc.stderr.read().decode()  # type: ignore[union-attr]
                raise RuntimeError(f"cowork serve exited: {said[-2000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=5).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError("cowork serve did not become healthy")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if self.proc:
            self._end_orphans(self.proc.pid)
        if self.proc and self.proc.stderr:
            self.proc.stderr.close()

    @staticmethod
    def _end_orphans(group: int) -> None:
        """Kill what is left of the server's process group once its supervisor is gone (a SIGKILL does not
        reach uvicorn's workers): no worker outlives its test, holding its port or its database."""
        with suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)

    def __enter__(self) -> "ProcessServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


COWORK = str(Path(sys.executable).with_name("cowork"))


def cli(*args: str, env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [COWORK, *args], env={**os.environ, **env}, input=stdin, capture_output=True, text=True, timeout=60
    )


@pytest.fixture(scope="module")
def _chromium() -> Iterator[Browser]:
    """Debian's Chromium, once per test module (Playwright's sync API holds the thread's event loop while it
    runs, so a module's asyncio tests and its browser tests do not share one)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Browser tests need Debian's chromium at {CHROMIUM} (make system-deps installs it)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
                "--disable-quic",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def browser(_chromium: Browser) -> Iterator[Browser]:
    """Debian's Chromium, with no window open at the start of the test, and none left at its end: a page left
    open, its socket reconnecting to a port that another test's server now has, would live into the next."""
    # An expectation waits for what a person would see, never times it: on CI's shared two cores, with two
    # test workers each driving Chromium, a console's socket has once taken over Playwright's default 5 s to
    # connect. 10 s keeps a real fault failing while a slow machine does not.
    expect.set_options(timeout=10_000)
    try:
        yield _chromium
    finally:
        if _chromium.is_connected():
            for context in _chromium.contexts:
                context.close()
