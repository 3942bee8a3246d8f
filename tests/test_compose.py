"""docker-compose.yml's health check for cowork polls readiness (/healthz): run as it is written, against a
real server, it passes while the server is ready and fails while /healthz answers 503."""

import json
import subprocess
import sys
from pathlib import Path

from cowork.settings import Settings
from tests.conftest import SECRET, ThreadServer, free_port

COMPOSE = Path(__file__).parents[1] / "docker-compose.yml"


def _health_check(port: int) -> list[str]:
    line = next(
        line
        for line in COMPOSE.read_text().splitlines()
        if line.strip().startswith("test:") and "/healthz" in line
    )
    command = json.loads(line.split("test:", 1)[1])
    assert command[:2] == ["CMD", "python"]
    return [sys.executable, *(part.replace("127.0.0.1:8000", f"127.0.0.1:{port}") for part in command[2:])]


def _serving(tmp_path: Path, db_url: str, **more: object) -> ThreadServer:
    port = free_port()
    return ThreadServer(
        Settings(
            data_dir=tmp_path / "data",
            database_url=db_url,
            secret_key=SECRET,
            public_base_url=f"http://127.0.0.1:{port}",
            **more,  # type: ignore[arg-type]
        )
    )


def test_the_compose_health_check_passes_when_ready_and_fails_when_not(tmp_path: Path, db_url: str) -> None:
    with _serving(tmp_path, db_url) as ready:
        assert subprocess.run(_health_check(int(ready.port)), capture_output=True).returncode == 0
    with _serving(tmp_path, db_url, min_free_disk_mb=10**9) as not_ready:  # /healthz: data disk nearly full
        assert subprocess.run(_health_check(int(not_ready.port)), capture_output=True).returncode != 0
