"""Redis lost under several workers: writes go on, and once it is back every screen on every worker holds
every acknowledged card, though no later card shows the screens a gap."""

import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import ProcessServer, free_port, patient
from tests.test_browser import _shot
from tests.test_workers import _workers_env

pytestmark = [pytest.mark.browser]


class OwnRedis:
    """A redis-server of this test's own on a free port, to kill and start again (never the shared one)."""

    def __init__(self, tmp_path: Path) -> None:
        self.port, self.dir = free_port(), tmp_path
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> "OwnRedis":
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("this test needs redis-server (Debian's redis-server package)")
        args = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.proc = subprocess.Popen([binary, *args, "--dir", str(self.dir)], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while (
            subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True).stdout
            != b"PONG\n"
        ):
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
        return self

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    redis = OwnRedis(tmp_path).start()
    yield redis
    redis.kill()


def _ready(url: str) -> tuple[int, str]:
    answer = patient.get(f"{url}/healthz")
    return answer.status_code, answer.json().get("reason", "")


def _wait_until(check, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 20
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def _projector(browser: Browser, server: ProcessServer, projector_url: str) -> Page:
    page = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    page.goto(server.url + urlsplit(projector_url).path)
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    return page


def test_every_screen_holds_every_acknowledged_card_once_redis_is_back(
    browser: Browser,
    tmp_path: Path,
    db_url: str,
    own_redis: OwnRedis,
) -> None:
    env, token = _workers_env(tmp_path, db_url, own_redis.url)
    with ProcessServer(env) as one, ProcessServer(env) as two:
        staff = {"Authorization": f"Bearer {token}"}
        workshop = patient.post(f"{one.url}/api/v1/workshops", json={"title": "Broker"}, headers=staff).json()
        phone = patient.post(f"{one.url}/api/v1/join/{workshop['code']}", json={}).json()["token"]
        stage_id = workshop["stages"][0]["id"]
        screens = [_projector(browser, server, workshop["projector_url"]) for server in (one, two)]

        def send(server: ProcessServer, text: str) -> None:
            answer = patient.post(
                f"{server.url}/api/v1/stages/{stage_id}/contributions",
                json={"text": text, "client_id": text},
                headers={"Authorization": f"Bearer {phone}"},
            )
            assert answer.status_code == 201, answer.text  # writes go on without Redis
            acknowledged.append(text)

        acknowledged: list[str] = []
        send(two, "Before the outage")
        for screen in screens:
            expect(screen.locator(".card", has_text="Before the outage")).to_have_count(1)

        own_redis.kill()
        # Only worker one takes cards: its own screen gets them, worker two's gets nothing, so no gap in seq
        # ever tells that screen it is behind. Readiness says why the workers are not whole.
        for i in range(8):
            send(one, f"During the outage {i}")
        for server in (one, two):
            _wait_until(
                lambda s=server: _ready(s.url)[1].startswith("redis unreachable"), "readiness missed it"
            )
        expect(screens[0].locator(".card")).to_have_count(9)
        assert screens[1].locator(".card").count() == 1  # the broadcasts of the outage are lost

        own_redis.start()  # on the same port
        for server in (one, two):
            _wait_until(lambda s=server: _ready(s.url)[0] == 200, "readiness did not come back")
        for screen in screens:
            expect(screen.locator(".card")).to_have_count(len(acknowledged), timeout=15_000)
            for text in acknowledged:
                expect(screen.locator(".card", has_text=text)).to_have_count(1)
        _shot(screens[1], "projector-after-redis-returned")

        send(two, "After the outage")  # and the live path works again across workers
        for screen in screens:
            expect(screen.locator(".card", has_text="After the outage")).to_have_count(1)
