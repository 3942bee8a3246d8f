"""The first five minutes: `cowork serve` with nothing configured serves the room, and the first account
is made in the browser with the one-time link it prints."""

import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import httpx
import pytest
import socketio
from sqlmodel import select

from cowork.app import create_app
from cowork.cli import _greet
from cowork.db import read_session, write_session
from cowork.domain.accounts import create_user
from cowork.domain.models import User
from cowork.network import plan_serving
from cowork.runtime import Runtime
from cowork.settings import Settings
from tests.conftest import (
    PATIENCE,
    SECRET,
    ProcessServer,
    ThreadServer,
    World,
    cli,
    free_port,
    patient,
    runtime_of,
)

LAN = "http://192.168.1.20:8000"
LAPTOP = ["http://127.0.0.1:8000", "http://localhost:8000"]


def _lan_settings(tmp_path: Path, db_url: str, **extra: object) -> Settings:
    """As `cowork serve` hands them to its workers when it chose the LAN address itself."""
    return Settings(
        data_dir=tmp_path / "data",
        database_url=db_url,
        secret_key=SECRET,
        public_base_url=LAN,
        served_origins=LAPTOP,
        **extra,  # type: ignore[arg-type]
    )


# --- origins ----------------------------------------------------------------------------------------------


async def test_forms_are_taken_from_every_address_cowork_serves_under_and_from_no_other(
    tmp_path: Path, db_url: str, world: World
) -> None:
    app = create_app(_lan_settings(tmp_path, db_url))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        await client.post(f"/j/{world.workshop.code}", data={"name": "Ana"})
        card = {"stage_id": str(world.stage_id), "text": "ok"}
        for origin in [LAN, *LAPTOP]:
            sent = await client.post(f"/j/{world.workshop.code}/cards", data=card, headers={"Origin": origin})
            assert sent.status_code == 303, origin
        for origin in ["http://192.168.1.99:8000", "http://localhost:9000", "https://evil.example"]:
            forged = await client.post(
                f"/j/{world.workshop.code}/cards", data=card, headers={"Origin": origin}
            )
            assert forged.status_code == 403, origin
            assert "another website" in forged.json()["detail"]
        page = await client.get("/")
        csp = page.headers["content-security-policy"]
        assert "ws://192.168.1.20:8000" in csp and "ws://localhost:8000" in csp
    runtime_of(app).engine.dispose()


async def _handshake(url: str, origin: str, token: str, workshop_id: int) -> bool:
    async with aiohttp.ClientSession() as http:
        client = socketio.AsyncClient(reconnection=False, http_session=http)
        try:
            await client.connect(
                url,
                auth={"token": token, "workshop_id": workshop_id},
                headers={"Origin": origin},
                transports=["websocket"],
                wait_timeout=PATIENCE,
            )
        except socketio.exceptions.ConnectionError:
            return False
        await client.disconnect()
        return True


async def test_sockets_are_taken_from_every_address_cowork_serves_under_and_from_no_other(
    tmp_path: Path, db_url: str, world: World
) -> None:
    port = free_port()
    lan, laptop = f"http://127.0.0.2:{port}", [f"http://127.0.0.1:{port}", f"http://localhost:{port}"]
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=db_url,
        secret_key=SECRET,
        public_base_url=lan,
        served_origins=laptop,
    )
    _, ana = world.join()
    with ThreadServer(settings):
        url = f"http://127.0.0.1:{port}"  # the thread server listens on 127.0.0.1 only
        for origin in [lan, *laptop]:
            assert await _handshake(url, origin, ana, world.workshop.id), origin
        for origin in [f"http://192.168.1.99:{port}", f"http://127.0.0.1:{port + 1}", "https://evil.example"]:
            assert not await _handshake(url, origin, ana, world.workshop.id), origin


async def test_a_configured_public_url_is_the_only_origin(tmp_path: Path, db_url: str, world: World) -> None:
    """The strict behaviour of a production setting: the laptop's own addresses are not let in."""
    port = free_port()
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=db_url,
        secret_key=SECRET,
        public_base_url=f"http://127.0.0.1:{port}",
    )
    assert settings.allowed_origins == [f"http://127.0.0.1:{port}"]
    _, ana = world.join()
    with ThreadServer(settings) as server:
        assert await _handshake(server.url, server.url, ana, world.workshop.id)
        assert not await _handshake(server.url, f"http://localhost:{port}", ana, world.workshop.id)


# --- the one-time setup link -----------------------------------------------------------------------------


FirstRun = tuple[httpx.AsyncClient, Runtime]


@pytest.fixture
async def first_run(tmp_path: Path, db_url: str) -> AsyncIterator[FirstRun]:
    app = create_app(_lan_settings(tmp_path, db_url, setup_token="the-printed-token-0123456789"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client, runtime_of(app)
    runtime_of(app).engine.dispose()


def _accounts(runtime: Runtime) -> list[User]:
    with read_session(runtime.engine) as session:
        return list(session.exec(select(User)))


NEW = {"email": "Lea@Example.org", "password": "a long enough secret", "repeat": "a long enough secret"}


async def test_the_right_setup_link_makes_the_first_account_an_admin_and_signs_it_in(
    first_run: FirstRun,
) -> None:
    client, runtime = first_run
    login = await client.get("/f", follow_redirects=True)
    assert "No account yet?" in login.text and "First account" in login.text
    page = await client.get("/setup/the-printed-token-0123456789")
    assert page.status_code == 200 and "Create the first account" in page.text
    made = await client.post("/setup/the-printed-token-0123456789", data=NEW)
    assert made.status_code == 303 and made.headers["location"] == "/f"
    dashboard = await client.get("/f")
    assert dashboard.status_code == 200 and "Your workshops" in dashboard.text
    (user,) = _accounts(runtime)
    assert (user.email, user.is_admin) == ("lea@example.org", True)
    await client.post("/logout")
    login = await client.get("/login")
    assert "No account yet?" not in login.text


async def test_a_wrong_setup_link_is_refused_with_a_sentence(first_run: FirstRun) -> None:
    client, runtime = first_run
    page = await client.get("/setup/guessed")
    assert page.status_code == 403 and "This setup link is not right" in page.text
    made = await client.post("/setup/guessed", data=NEW)
    assert made.status_code == 403 and _accounts(runtime) == []


async def test_a_used_setup_link_is_refused_and_makes_no_second_account(first_run: FirstRun) -> None:
    client, runtime = first_run
    assert (await client.post("/setup/the-printed-token-0123456789", data=NEW)).status_code == 303
    again = await client.post(
        "/setup/the-printed-token-0123456789", data={**NEW, "email": "second@example.org"}
    )
    assert again.status_code == 403 and "has been used already" in again.text
    page = await client.get("/setup/the-printed-token-0123456789")
    assert page.status_code == 403
    assert [u.email for u in _accounts(runtime)] == ["lea@example.org"]


async def test_once_an_account_exists_the_setup_page_is_gone(first_run: FirstRun) -> None:
    client, runtime = first_run
    with write_session(runtime.engine) as session:  # as `cowork users create` makes it
        create_user(session, email="cli@example.org", password="made on the command line")
    page = await client.get("/setup/the-printed-token-0123456789")
    assert page.status_code == 404 and "an account exists already" in page.text
    made = await client.post("/setup/the-printed-token-0123456789", data=NEW)
    assert made.status_code == 404
    assert [u.email for u in _accounts(runtime)] == ["cli@example.org"]


async def test_the_setup_page_keeps_the_password_rules_of_the_command_line(first_run: FirstRun) -> None:
    client, runtime = first_run
    short = await client.post(
        "/setup/the-printed-token-0123456789", data={**NEW, "password": "short", "repeat": "short"}
    )
    assert short.status_code == 422 and "at least 10 characters" in short.text
    typo = await client.post(
        "/setup/the-printed-token-0123456789", data={**NEW, "repeat": "a long enough secreT"}
    )
    assert typo.status_code == 422 and "not the same" in typo.text
    bad_email = await client.post("/setup/the-printed-token-0123456789", data={**NEW, "email": "lea"})
    assert bad_email.status_code == 422 and "valid email" in bad_email.text
    assert _accounts(runtime) == []
    # The link still works after a mistake.
    assert (await client.post("/setup/the-printed-token-0123456789", data=NEW)).status_code == 303


# --- `cowork serve` as a newcomer runs it ----------------------------------------------------------------


def test_serve_with_nothing_configured_prints_the_phone_address_its_qr_the_setup_link_and_the_data(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    env = {"COWORK_DATA_DIR": str(data), "COWORK_LAN_ADDRESS": "127.0.0.2", "COWORK_LOG_LEVEL": "warning"}
    with ProcessServer(env, output=tmp_path / "printed.txt", configured=False) as server:
        printed = server.printed()
        lan = f"http://127.0.0.2:{server.port}"
        assert f"cowork serves on every network of this computer, port {server.port}" in printed
        assert "0.0.0.0" not in printed  # not an address anyone can open
        assert f"Phones join at   {lan}" in printed
        assert "█" in printed or "▀" in printed  # the QR code, drawn with block characters
        assert f"On this laptop   http://127.0.0.1:{server.port}" in printed
        assert f"Data is kept in  {data.resolve()}" in printed
        assert "cowork serve --host 127.0.0.1" in printed
        link = re.search(r"First account    (\S+)", printed)
        assert link and link.group(1).startswith(f"{lan}/setup/")
        # It listens where the LAN address reaches it, and the link it printed makes the account.
        with patient.Client() as http:
            assert http.get(f"{lan}/healthz").status_code == 200
            made = http.post(link.group(1), data=NEW, headers={"Origin": lan})
            assert made.status_code == 303
            assert http.get(link.group(1)).status_code == 403  # used


def test_serve_on_loopback_only_keeps_it_on_this_laptop(tmp_path: Path) -> None:
    port = free_port()
    env = {"COWORK_DATA_DIR": str(tmp_path / "data"), "COWORK_LOG_LEVEL": "warning"}
    args = ("--host", "127.0.0.1")
    with ProcessServer(
        env, port=port, output=tmp_path / "printed.txt", configured=False, args=args
    ) as server:
        printed = server.printed()
        assert f"cowork serves on http://127.0.0.1:{port}" in printed
        assert f"Phones cannot use http://127.0.0.1:{port}" in printed
        with pytest.raises(httpx.ConnectError):
            patient.get(f"http://127.0.0.2:{port}/healthz")
        # Its own address on the port it serves is the one origin: the laptop's screens go live.
        handshake = f"http://127.0.0.1:{port}/socket.io/?EIO=4&transport=polling"
        assert patient.get(handshake, headers={"Origin": f"http://127.0.0.1:{port}"}).status_code == 200
        assert patient.get(handshake, headers={"Origin": f"http://localhost:{port}"}).status_code == 400


def test_serve_prints_no_setup_link_once_an_account_exists(tmp_path: Path) -> None:
    env = {
        "COWORK_DATA_DIR": str(tmp_path / "data"),
        "COWORK_LAN_ADDRESS": "127.0.0.2",
        "COWORK_LOG_LEVEL": "warning",
    }
    with ProcessServer(env, output=tmp_path / "first.txt", configured=False):
        pass
    made = cli(
        "users", "create", "cli@example.org", "--password-stdin", env=env, stdin="a long enough secret\n"
    )
    assert made.returncode == 0, made.stderr
    with ProcessServer(env, output=tmp_path / "second.txt", configured=False) as server:
        assert "First account" not in server.printed()


def test_without_a_network_the_terminal_says_phones_cannot_reach_the_laptop(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    serving = plan_serving(host=None, port=8000, configured_url=None, pinned=None, find=lambda: None)
    assert serving.public_base_url
    settings = Settings(
        data_dir=tmp_path / "data", secret_key=SECRET, public_base_url=serving.public_base_url
    )
    _greet(settings, serving, host=serving.host, port=8000, setup_token="the-token")
    printed = capsys.readouterr().out
    assert "No network found: phones cannot reach this laptop. Join the venue's Wi-Fi" in printed
    assert (
        "Phones join at" not in printed and "█" not in printed
    )  # no QR code of an address phones cannot use
    assert "First account    http://127.0.0.1:8000/setup/the-token" in printed
    assert "Anyone on this network" not in printed  # it listens on 127.0.0.1 alone


# --- a join address phones cannot use ---------------------------------------------------------------------


async def _screens(settings: Settings, world: World) -> tuple[str, str]:
    app = create_app(settings)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        signed_in = await client.post(
            "/login", data={"email": "fac@example.org", "password": "correct horse battery"}
        )
        assert signed_in.status_code == 303
        console = (await client.get(f"/f/w/{world.workshop.id}")).text
        projector = (await client.get(f"/s/{world.workshop.projector_key}")).text
    runtime_of(app).engine.dispose()
    return console, projector


@pytest.mark.parametrize(
    "base", ["http://127.0.0.1:8000", "http://localhost:8000", "http://169.254.7.1:8000"]
)
async def test_the_projector_and_console_say_when_phones_cannot_use_the_join_address(
    tmp_path: Path, db_url: str, world: World, base: str
) -> None:
    settings = Settings(data_dir=tmp_path / "d", database_url=db_url, secret_key=SECRET, public_base_url=base)
    console, projector = await _screens(settings, world)
    assert 'id="join-unreachable"' in console and "Connect the computer to the venue" in console
    assert 'id="join-unreachable"' in projector and "Phones cannot open this address" in projector


async def test_a_lan_join_address_needs_no_warning(tmp_path: Path, db_url: str, world: World) -> None:
    console, projector = await _screens(_lan_settings(tmp_path, db_url), world)
    assert f"{LAN}/j/{world.workshop.code}" in console and f"{LAN}/j/{world.workshop.code}" in projector
    assert "join-unreachable" not in console and "join-unreachable" not in projector


def test_a_served_worker_keeps_what_it_built_at_its_start_out_of_the_collectors_walks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`cowork serve`'s factory: what the start built is frozen, young collections rarer (join storms)."""
    import gc

    from cowork.app import GC_YOUNG_THRESHOLD, serve_app

    monkeypatch.setenv("COWORK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COWORK_SECRET_KEY", SECRET)
    threshold = gc.get_threshold()
    try:
        app = serve_app()
        assert isinstance(app, socketio.ASGIApp)
        assert gc.get_freeze_count() > 10_000  # modules, templates' environment, tables: all of the start
        assert gc.get_threshold() == (GC_YOUNG_THRESHOLD, *threshold[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
