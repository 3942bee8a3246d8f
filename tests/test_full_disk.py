"""A real full disk under SQLite: the data folder on a small tmpfs, filled to the brim. Writes answer 503 with
a sentence, reads go on, readiness says the database cannot write; once space is freed writes resume, the
file is whole and the projector holds every stored card. Needs root (mount; `.ci/run` sets REQUIRE_FAULTS,
so there it fails instead of skipping); PostgreSQL's disk is not the test's to fill."""

import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import text

from cowork.db import make_engine
from cowork.migrate import upgrade
from cowork.settings import Settings
from tests.conftest import PG_URL, SECRET, ThreadServer, World, free_port, make_facilitator, patient, run
from tests.test_browser import _projector

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(bool(PG_URL), reason="a full disk under SQLite's file, not PostgreSQL's"),
]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 6 MB tmpfs of its own, unmounted afterwards."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(disk)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        if os.environ.get("REQUIRE_FAULTS"):
            pytest.fail(f"cannot mount a tmpfs for the full-disk test: {mounted.stderr.strip()}")
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=True)


def _fill(path: Path) -> None:
    """Write until the disk says no more."""
    with path.open("wb", buffering=0) as filler:
        try:
            while True:
                filler.write(b"\0" * 4096)
        except OSError as full:
            assert full.errno == errno.ENOSPC


def test_a_full_disk_answers_503_keeps_reads_and_writes_resume_once_space_is_freed(
    browser: Browser,
    tmp_path: Path,
    small_disk: Path,
) -> None:
    from cowork.domain import workshops

    url = f"sqlite:///{small_disk / 'cowork.db'}"
    upgrade(url)
    engine = make_engine(url)
    facilitator, token = make_facilitator(engine)
    workshop = run(engine, workshops.create_workshop, actor=facilitator, title="Co-working lab")
    world = World(engine, facilitator, token, workshop)
    _participant, phone = world.join()
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=url,
        secret_key=SECRET,
        public_base_url=f"http://127.0.0.1:{free_port()}",
        min_free_disk_mb=1,  # a 6 MB disk: what is left after the filler goes is plenty
    )
    cards_url = f"{settings.public_base_url}/api/v1/stages/{world.stage_id}/contributions"

    def post(text_: str) -> httpx.Response:
        return patient.post(cards_url, json={"text": text_}, headers={"Authorization": f"Bearer {phone}"})

    def stored() -> list[str]:
        answer = patient.get(cards_url, headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200, answer.text
        return [card["text"] for card in answer.json()["items"]]

    try:
        with ThreadServer(settings) as server:
            projector = _projector(browser, server, world)
            assert post("Before the disk filled").status_code == 201
            _fill(small_disk / "filler")
            answers = [post(f"card {i} " + "x" * 1900) for i in range(80)]
            refused = [answer for answer in answers if answer.status_code != 201]
            assert refused, "the disk never filled up"
            assert {answer.status_code for answer in refused} == {503}
            assert refused[0].json()["detail"].startswith("The server cannot save anything right now")
            assert refused[0].headers["retry-after"]
            while_full = stored()  # reads keep working, and every 201 is there
            assert len(while_full) == 1 + 80 - len(refused)
            health = patient.get(f"{server.url}/healthz")
            assert health.status_code == 503
            assert health.json()["reason"].startswith("database cannot write (full")

            (small_disk / "filler").unlink()  # space freed
            assert post("After the space was freed").status_code == 201
            assert patient.get(f"{server.url}/healthz").json() == {"status": "ok"}
            assert stored() == [*while_full, "After the space was freed"]
            # The screen is whole: each stored card once (a refused one never showed).
            expect(projector.locator(".card")).to_have_count(len(while_full) + 1)
            expect(projector.locator(".card", has_text="After the space was freed")).to_have_count(1)
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    finally:
        engine.dispose()
