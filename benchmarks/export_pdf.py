"""Benchmark (by hand, not in the test suite): the PDF export of a workshop with 2,000 contributions.

    .venv/bin/python benchmarks/export_pdf.py [--cards 2000] [--clients 20]

Builds a workshop on a temporary SQLite database, serves cowork on a free local port, connects socket.io
clients to ANOTHER workshop and has them ping the server every 50 ms while the PDF is exported over HTTP.
Reports the export time and the p50 / p95 / max round trip of those pings during the export: a blocked
event loop would show as pings of seconds. Everything runs on 127.0.0.1 and stops by itself.
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import socketio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import SECRET, ThreadServer, free_port  # noqa: E402

from cowork.commands import run_command  # noqa: E402
from cowork.db import make_engine, write_session  # noqa: E402
from cowork.domain import board, participants, workshops  # noqa: E402
from cowork.domain.accounts import create_api_token, create_user  # noqa: E402
from cowork.domain.actors import Actor  # noqa: E402
from cowork.migrate import upgrade  # noqa: E402
from cowork.settings import Settings  # noqa: E402


def build(url: str, cards: int) -> tuple[int, int, str, str]:
    upgrade(url)
    engine = make_engine(url)
    with write_session(engine) as session:
        user = create_user(session, email="bench@example.org", password="a long benchmark password")
        token = create_api_token(session, email="bench@example.org")
    facilitator = Actor.of_user(user)
    big = run_command(engine, workshops.create_workshop, actor=facilitator, title="Big workshop")[0]
    other = run_command(engine, workshops.create_workshop, actor=facilitator, title="Another workshop")[0]
    groups = ["employer", "job_centre", "training", "guidance", "policy", "welfare", "beneficiary"]
    people = [
        Actor.of_participant(
            run_command(engine, participants.join_workshop, code=big.code, name=f"P{i}", group=groups[i % 7])[
                0
            ][0]
        )
        for i in range(60)
    ]
    categories = ["idea", "need", "question"]
    for i in range(cards):
        run_command(
            engine,
            board.add_card,
            actor=people[i % len(people)],
            stage_id=big.current_stage_id,
            text=f"Contribution {i}: better access to language courses and childcare near the job centre",
            category=categories[i % 3],
        )
    _, viewer_token = run_command(engine, participants.join_workshop, code=other.code, name="Viewer")[0]
    engine.dispose()
    return big.id, other.id, token, viewer_token


async def pinger(
    url: str, workshop_id: int, token: str, rtts: list[tuple[float, float]], stop: asyncio.Event
) -> None:
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(url, auth={"workshop_id": workshop_id, "token": token}, transports=["websocket"])
    try:
        while not stop.is_set():
            started = time.perf_counter()
            await client.call("sync", {"since": 10**9}, timeout=30)
            rtts.append((started, time.perf_counter() - started))
            await asyncio.sleep(0.05)
    finally:
        await client.disconnect()


async def measure(url: str, big: int, other: int, token: str, viewer: str, clients: int) -> None:
    rtts: list[tuple[float, float]] = []
    stop = asyncio.Event()
    tasks = [asyncio.create_task(pinger(url, other, viewer, rtts, stop)) for _ in range(clients)]
    await asyncio.sleep(1.0)
    async with httpx.AsyncClient(timeout=600) as http:
        started = time.perf_counter()
        response = await http.get(
            f"{url}/api/v1/workshops/{big}/export",
            params={"format": "pdf"},
            headers={"Authorization": f"Bearer {token}"},
        )
        took = time.perf_counter() - started
    stop.set()
    await asyncio.gather(*tasks)
    assert response.status_code == 200, response.text
    during = sorted(rtt for at, rtt in rtts if started <= at <= started + took)
    print(f"PDF export: {took:.2f} s, {len(response.content) / 1e6:.2f} MB")
    if during:
        p95 = during[min(len(during) - 1, int(0.95 * len(during)))]
        print(
            f"socket pings during the export ({clients} clients, {len(during)} pings): "
            f"p50 {statistics.median(during) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
            f"max {during[-1] * 1000:.0f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        started = time.perf_counter()
        big, other, token, viewer = build(url, args.cards)
        print(f"built a workshop with {args.cards} contributions in {time.perf_counter() - started:.1f} s")
        port = free_port()
        settings = Settings(
            data_dir=Path(tmp) / "data",
            database_url=url,
            secret_key=SECRET,
            public_base_url=f"http://127.0.0.1:{port}",
        )
        with ThreadServer(settings) as server:
            asyncio.run(measure(server.url, big, other, token, viewer, args.clients))


if __name__ == "__main__":
    main()
