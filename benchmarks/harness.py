"""What the benchmarks share: `cowork serve` as its own process on a free port, the CLI, joining, percentiles.

Run the benchmarks with the project's venv python (`.venv/bin/python benchmarks/<name>.py`): they start the
`cowork` command installed beside it.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

HOST = "127.0.0.1"
PASSWORD = "cowork-bench-pw"  # the benchmark admin's


def logger(name: str) -> Callable[[str], None]:
    def log(message: str) -> None:
        print(f"[{name} {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    return log


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float | None:
    """The nearest-rank percentile (p in 0..100) of the values, None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def cowork_executable() -> str:
    beside = Path(sys.executable).with_name("cowork")
    found = str(beside) if beside.exists() else shutil.which("cowork")
    if not found:
        raise RuntimeError("no `cowork` command: run this with the project's venv python (.venv/bin/python)")
    return found


def start_profiler(pid: int, output: str) -> subprocess.Popen[bytes]:
    """py-spy sampling the server 200 times a second, as collapsed stacks (pyspy_top.py reads them).
    PYSPY_EXTRA adds py-spy options, e.g. `--gil` (only the thread holding the GIL: Python's CPU, without
    the waits of SQLite's fsync, which a plain sample counts as busy)."""
    py_spy = str(Path(sys.executable).with_name("py-spy"))
    cmd = [py_spy, "record", "--pid", str(pid), "--rate", "200", "--format", "raw", "--output", output]
    cmd += ["--nonblocking", *os.environ.get("PYSPY_EXTRA", "").split()]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def cli(cowork: str, *args: str, env: dict[str, str], stdin: str | None = None) -> str:
    done = subprocess.run([cowork, *args], env=env, input=stdin, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"cowork {' '.join(args[:2])} failed: {done.stderr[-1000:]}")
    return done.stdout


@dataclass
class Server:
    """A `cowork serve` process with its own data dir, and an admin's API token."""

    proc: subprocess.Popen[bytes]
    base: str
    api_token: str
    log_file: Path
    env: dict[str, str]
    email: str = ""  # the admin's, whose password is PASSWORD (a browser signs in with them)

    @property
    def staff(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_token}"}

    def tail(self) -> str:
        return self.log_file.read_text(errors="replace")[-2000:]

    async def wait_healthy(self, http: httpx.AsyncClient) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"cowork serve exited: {self.tail()}")
            try:
                if (await http.get(f"{self.base}/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
        raise RuntimeError("cowork serve did not become healthy")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


def start_server(tmp: Path, *, database_url: str | None, extra_env: dict[str, str] | None = None) -> Server:
    """`cowork serve` on a free port, on a fresh SQLite file in tmp unless database_url; an admin's token."""
    port = free_port()
    base = f"http://{HOST}:{port}"
    env = {
        **os.environ,
        "COWORK_DATA_DIR": str(tmp / "data"),
        "COWORK_DATABASE_URL": database_url or f"sqlite:///{tmp / 'cowork.db'}",
        "COWORK_PUBLIC_BASE_URL": base,
        "COWORK_SECRET_KEY": secrets.token_urlsafe(48),
        "COWORK_LOG_LEVEL": "warning",
        **(extra_env or {}),
    }
    cowork = cowork_executable()
    email = f"bench-{secrets.token_hex(4)}@example.org"
    cli(cowork, "users", "create", email, "--admin", "--password-stdin", env=env, stdin=f"{PASSWORD}\n")
    api_token = cli(cowork, "token", "create", email, env=env).strip().splitlines()[-1]
    log_file = tmp / "cowork.log"
    with log_file.open("wb") as out:
        proc = subprocess.Popen(
            [cowork, "serve", "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    return Server(proc, base, api_token, log_file, env, email)


def run_against_server(
    name: str,
    bench: Callable[[Any, Server], Awaitable[dict[str, Any]]],
    args: Any,
    *,
    phones: int,
) -> dict[str, Any]:
    """Start cowork in a temp dir, run bench(args, server), stop it; the report with the run's conditions."""
    load = os.getloadavg()[0]
    tmp = Path(tempfile.mkdtemp(prefix=f"cowork-{name}-"))
    # Benchmarks join hundreds of phones to one code at once; production keeps the default throttle.
    joins = {"COWORK_JOINS_PER_CODE_PER_MINUTE": str(max(2000, 2 * phones))}
    server = start_server(tmp, database_url=args.database_url, extra_env=joins)
    print(f"[{name}] cowork starts on {server.base} (pid {server.proc.pid})", file=sys.stderr, flush=True)
    try:
        report = asyncio.run(bench(args, server))
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return {
        **report,
        "database": (args.database_url or "sqlite").split(":")[0],
        "cpus": os.cpu_count(),
        "load_avg_1m_at_start": round(load, 2),
    }


async def join_all(http: httpx.AsyncClient, base: str, code: str, n: int) -> list[str]:
    """N participants join through the API, 16 at a time; a 429 waits for its Retry-After."""
    tokens: list[str] = [""] * n
    limit = asyncio.Semaphore(16)

    async def join(i: int) -> None:
        async with limit:
            for _attempt in range(30):
                r = await http.post(f"{base}/api/v1/join/{code}", json={"name": f"p{i}"})
                if r.status_code == 201:
                    tokens[i] = r.json()["token"]
                    return
                if r.status_code != 429:
                    raise RuntimeError(f"join answered {r.status_code}: {r.text[:300]}")
                await asyncio.sleep(min(float(r.headers.get("Retry-After", "5")), 10))
            raise RuntimeError("joining took too long (the join throttle?)")

    await asyncio.gather(*(join(i) for i in range(n)))
    return tokens
