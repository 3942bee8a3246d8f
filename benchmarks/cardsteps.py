"""Server CPU of one card's own handling, without the fan-out: what `fanout.py` at 5/s pays per card.

Starts `cowork serve` as joinstorm.py does (fresh SQLite unless --database-url, default settings), lets
--senders participants join through the API and connects --phones sockets (one by default, so that the
card is rendered and pushed to a public room as in a live workshop), then posts --cards cards through
`POST /api/v1/stages/{id}/contributions`, one at a time, --rate a second, each answer waited for.

The server's CPU (every thread, from /proc/PID/task/*/schedstat, in ns) is summed from just before each
request until 20 ms after its answer (the push and the access log), and split into the event loop's
thread and the others (the database's worker threads). The last line on stdout is one JSON object:
`ms_per_card`, `loop_ms_per_card`, `threads_ms_per_card`, `cards`, `phones`, `request_p50_ms`,
`load_avg_1m_at_start`, and `livez_ms` / `livez_loop_ms`: as many `GET /livez` measured alike first, the
floor any request pays (uvicorn, the middlewares, routing; no database). `--phones 0` leaves the push out
(nobody in the room: nothing rendered). `--profile FILE` records the server with py-spy over the posts only
(benchmarks/pyspy_top.py summarises it).

    .venv/bin/python benchmarks/cardsteps.py --cards 300 --rate 5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from fanout import join_all, stop, wait_healthy
from harness import logger, percentile, start_profiler
from joinsteps import cpu_seconds
from joinstorm import start_cowork

log = logger("cardsteps")


def loop_seconds(pid: int) -> float:
    """On-CPU time of the event loop's thread (the process's main thread), in seconds."""
    with open(f"/proc/{pid}/task/{pid}/schedstat") as f:
        return int(f.read().split()[0]) / 1e9


async def run(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    import aiohttp

    load = os.getloadavg()[0]
    proc, base, token, log_file = start_cowork(tmp, args.database_url)
    ws_url = f"ws://{base.split('://', 1)[1]}/socket.io/?EIO=4&transport=websocket"
    took: list[float] = []
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
            await wait_healthy(http, base, proc, log_file)
            headers = {"Authorization": f"Bearer {token}"}
            body = {"title": "Card steps", "format": "plain"}
            async with http.post(f"{base}/api/v1/workshops", json=body, headers=headers) as r:
                workshop = await r.json()
            tokens = await join_all(http, base, workshop["code"], max(args.senders, args.phones))
            url = f"{base}/api/v1/stages/{workshop['current_stage_id']}/contributions"
            authors = [{"Authorization": f"Bearer {t}"} for t in tokens[: args.senders]]
            sockets = [await connect(http, ws_url, base, workshop["id"], t) for t in tokens[: args.phones]]
            readers = [asyncio.create_task(drain(ws)) for ws in sockets]
            log(f"cowork on {base} (pid {proc.pid}); {args.cards} cards at {args.rate}/s; load {load:.2f}")

            async def post(n: int) -> None:
                card = {
                    "text": f"Card steps bench-{n}: childcare during language courses",
                    "category": "idea",
                }
                async with http.post(url, json=card, headers=authors[n % len(authors)]) as r:
                    await r.read()
                    if r.status != 201:
                        raise RuntimeError(f"card {n} answered {r.status}")

            async def livez(n: int) -> None:
                async with http.get(f"{base}/livez") as r:
                    await r.read()

            for n in range(args.warmup):
                await post(n)
                await livez(n)
            # The floor of any request (uvicorn, the middlewares, routing; no database), measured alike.
            floor, floor_loop = await measured(proc.pid, livez, args.warmup, args.cards, args.rate, [])
            profiler = start_profiler(proc.pid, args.profile) if args.profile else None
            total, loop = await measured(proc.pid, post, args.warmup, args.cards, args.rate, took)
            if profiler is not None:
                profiler.send_signal(signal.SIGINT)
                profiler.wait(30)
            for task in readers:
                task.cancel()
            for ws in sockets:
                await ws.close()
    finally:
        stop(proc)
    return {
        "cards": args.cards,
        "phones": args.phones,
        "ms_per_card": round(total * 1000 / args.cards, 3),
        "loop_ms_per_card": round(loop * 1000 / args.cards, 3),
        "threads_ms_per_card": round((total - loop) * 1000 / args.cards, 3),
        "livez_ms": round(floor * 1000 / args.cards, 3),
        "livez_loop_ms": round(floor_loop * 1000 / args.cards, 3),
        "request_p50_ms": round((percentile(took, 50) or 0) * 1000, 2),
        "database": "postgresql" if args.database_url else "sqlite",
        "load_avg_1m_at_start": round(load, 2),
    }


async def measured(
    pid: int, request: Any, first: int, count: int, rate: float, took: list[float]
) -> tuple[float, float]:
    """Server CPU (all threads, the event loop's) over `count` requests made one at a time, in seconds."""
    total = loop = 0.0
    for n in range(first, first + count):
        started = time.monotonic()
        before, loop_before = cpu_seconds(pid), loop_seconds(pid)
        await request(n)
        took.append(time.monotonic() - started)
        await asyncio.sleep(0.02)  # the push and the access log, just after the answer
        total += cpu_seconds(pid) - before
        loop += loop_seconds(pid) - loop_before
        await asyncio.sleep(max(0.0, 1 / rate - (time.monotonic() - started)))
    return total, loop


async def connect(http: Any, ws_url: str, base: str, workshop_id: int, token: str) -> Any:
    ws = await http.ws_connect(ws_url, origin=base, max_msg_size=0)
    await ws.receive_str()
    await ws.send_str("40" + json.dumps({"workshop_id": workshop_id, "token": token}))
    while not (await ws.receive_str()).startswith("40"):
        pass
    return ws


async def drain(ws: Any) -> None:
    import aiohttp

    async for msg in ws:
        if msg.type is aiohttp.WSMsgType.TEXT and msg.data == "2":
            await ws.send_str("3")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=300, help="cards measured (300)")
    parser.add_argument("--warmup", type=int, default=20, help="cards posted before measuring (20)")
    parser.add_argument("--rate", type=float, default=5, help="cards a second at most (5)")
    parser.add_argument("--phones", type=int, default=1, help="sockets connected to the room (1)")
    parser.add_argument("--senders", type=int, default=4, help="participants whose tokens post (4)")
    parser.add_argument("--database-url")
    parser.add_argument("--profile", help="py-spy's raw profile of the server to this file")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cowork-cardsteps-"))
    try:
        print(json.dumps(asyncio.run(run(args, tmp))))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
