"""Server CPU per step of a phone's join, one phone after another: where joinstorm.py's ms per phone go.

Starts `cowork serve` as joinstorm.py does (fresh SQLite unless --database-url, default settings), then
plays --phones phones in turn, each with its own cookies, each step waited for before the next:

1. `GET /j/CODE` (the join page, the device cookie),
2. `POST /j/CODE` with a name (its answer the phone page; a 303 not followed),
3. `GET /j/CODE/stage` (the phone page) where the POST answered 303 (cowork before 2026-12-07's sixth
   session), as a browser does; nothing otherwise,
4. the Socket.IO connection over a websocket, until the connect packet's answer (the handshake and
   the catch-up).

Each step's server CPU (user + system of the process, from /proc) is summed over the phones; the sockets
stay open, as in a storm, so a step's figure includes what the server spends on earlier phones meanwhile
(the joins' quiet frames). The last line on stdout is one JSON object: `ms_per_phone` by step and in all,
`requests_per_phone` (HTTP requests and the websocket), `phones`, `load_avg_1m_at_start`. `--profile
FILE` records the server with py-spy (benchmarks/pyspy_top.py summarises it).

    .venv/bin/python benchmarks/joinsteps.py --phones 300
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

from fanout import stop, wait_healthy
from harness import logger, start_profiler
from joinstorm import start_cowork

log = logger("joinsteps")
WORKSHOP_ID = re.compile(r'data-workshop-id="(\d+)"')
LAST_SEQ = re.compile(r'data-last-seq="(\d+)"')
STEPS = ("join_page", "join_post", "phone_page", "socket")


def cpu_seconds(pid: int) -> float:
    """On-CPU time of every thread of the process, in ns (schedstat): /proc/PID/stat counts 10 ms ticks,
    too coarse for one request."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                total += int(f.read().split()[0])
        except FileNotFoundError:  # a thread that ended meanwhile
            continue
    return total / 1e9


async def run(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    import aiohttp

    load = os.getloadavg()[0]
    proc, base, token, log_file = start_cowork(tmp, args.database_url)
    spent = dict.fromkeys(STEPS, 0.0)
    sockets: list[Any] = []
    readers: list[asyncio.Task[None]] = []
    ws_url = f"ws://{base.split('://', 1)[1]}/socket.io/?EIO=4&transport=websocket"
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
            await wait_healthy(http, base, proc, log_file)
            body = {"title": "Join steps", "format": "plain"}
            headers = {"Authorization": f"Bearer {token}"}
            async with http.post(f"{base}/api/v1/workshops", json=body, headers=headers) as r:
                code = (await r.json())["code"]
        log(f"cowork on {base} (pid {proc.pid}); {args.phones} phones in turn; load {load:.2f}")
        profiler = start_profiler(proc.pid, args.profile) if args.profile else None

        async def drain(ws: Any) -> None:
            async for msg in ws:
                if msg.type is aiohttp.WSMsgType.TEXT and msg.data == "2":
                    await ws.send_str("3")

        async def step(name: str, coro: Any) -> Any:
            before = cpu_seconds(proc.pid)
            result = await coro
            await asyncio.sleep(0.01)  # what the server does just after answering (the access log)
            spent[name] += cpu_seconds(proc.pid) - before
            return result

        requests = 0

        async def fetch(session: Any, method: str, url: str, **kw: Any) -> tuple[str, str | None]:
            nonlocal requests
            requests += 1
            async with session.request(method, url, allow_redirects=False, **kw) as r:
                text = await r.text()
                if r.status >= 400:
                    raise RuntimeError(f"{method} {url}: {r.status}")
                return text, r.headers.get("Location") if r.status == 303 else None

        async def connect(session: Any, workshop_id: int, since: int) -> Any:
            ws = await session.ws_connect(ws_url, origin=base, max_msg_size=0)
            await ws.receive_str()
            await ws.send_str("40" + json.dumps({"workshop_id": workshop_id, "since": since}))
            while not (await ws.receive_str()).startswith("40"):
                pass
            return ws

        for i in range(args.phones):
            session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
            await step("join_page", fetch(session, "GET", f"{base}/j/{code}"))
            form = {"name": f"Phone {i}"}
            page, location = await step(
                "join_post", fetch(session, "POST", f"{base}/j/{code}", data=form, headers={"Origin": base})
            )
            if location is not None:
                page, _ = await step("phone_page", fetch(session, "GET", f"{base}{location}"))
            workshop_id, since = int(WORKSHOP_ID.search(page)[1]), int(LAST_SEQ.search(page)[1])  # type: ignore[index]
            ws = await step("socket", connect(session, workshop_id, since))
            requests += 1
            sockets.append((session, ws))
            readers.append(asyncio.create_task(drain(ws)))
        if profiler is not None:
            profiler.send_signal(signal.SIGINT)
            profiler.wait(30)
        for task in readers:
            task.cancel()
        for session, ws in sockets:
            await ws.close()
            await session.close()
    finally:
        stop(proc)
    per_phone = {name: round(s * 1000 / args.phones, 2) for name, s in spent.items()}
    return {
        "phones": args.phones,
        "ms_per_phone": per_phone,
        "ms_per_phone_total": round(sum(per_phone.values()), 2),
        "requests_per_phone": round(requests / args.phones, 2),
        "database": "postgresql" if args.database_url else "sqlite",
        "load_avg_1m_at_start": round(load, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=300)
    parser.add_argument("--database-url")
    parser.add_argument("--profile", help="py-spy's raw profile of the server to this file")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cowork-joinsteps-"))
    try:
        report = asyncio.run(run(args, tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
