"""How soon a restarted `cowork serve` answers: from exec to the first `/healthz` 200, and its CPU until then.

Each run starts `cowork serve` on a free port and an already migrated SQLite file (a restart: the database
exists, the migrations have nothing to do), polls `/healthz` every 20 ms, reads the process's CPU time at the
first 200, and stops it with SIGTERM. The first start (which migrates) is not counted. The last line on
stdout is one JSON object: the wall and CPU times' median and each run's.

    .venv/bin/python benchmarks/startup.py --runs 7
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
from fanout import cpu_seconds
from harness import HOST, cowork_executable, free_port, logger

log = logger("startup")


def one_start(cowork: str, env: dict[str, str], log_file: Path) -> tuple[float, float]:
    port = free_port()
    url = f"http://{HOST}:{port}/healthz"
    started = time.monotonic()
    with log_file.open("ab") as out:
        proc = subprocess.Popen(
            [cowork, "serve", "--host", HOST, "--port", str(port)], env=env, stdout=out, stderr=out
        )
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"cowork serve exited: {log_file.read_text()[-2000:]}")
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    return time.monotonic() - started, cpu_seconds(proc.pid)
            except httpx.TransportError:
                pass
            time.sleep(0.02)
    finally:
        proc.terminate()
        proc.wait(20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="cowork-startup-") as tmp_dir:
        tmp = Path(tmp_dir)
        env = {
            **os.environ,
            "COWORK_DATA_DIR": str(tmp / "data"),
            "COWORK_DATABASE_URL": f"sqlite:///{tmp / 'cowork.db'}",
            "COWORK_SECRET_KEY": secrets.token_urlsafe(48),
            "COWORK_LOG_LEVEL": "warning",
        }
        cowork = cowork_executable()
        one_start(cowork, env, tmp / "cowork.log")  # migrates the fresh file: not a restart
        walls, cpus = [], []
        for i in range(args.runs):
            wall, cpu = one_start(cowork, env, tmp / "cowork.log")
            walls.append(wall)
            cpus.append(cpu)
            log(f"run {i + 1}: healthz after {wall:.2f} s, {cpu:.2f} s CPU")
    result = {
        "runs": args.runs,
        "healthz_s_median": round(statistics.median(walls), 2),
        "cpu_s_median": round(statistics.median(cpus), 2),
        "healthz_s": [round(w, 2) for w in walls],
        "cpu_s": [round(c, 2) for c in cpus],
        "load_at_start": round(load, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
