"""Reconnect storm: `cowork serve` restarts under a room of connected phones; when is each back and whole?

One run starts `cowork serve` as its own process (a temporary data dir, a fresh SQLite file unless
--database-url), makes a workshop, joins N participants through the API and connects each one's socket
(Engine.IO v4 spoken by hand over a websocket, as in joinstorm.py) from --client-procs processes. It posts
--cards cards and waits until every phone has them, then stops the server with SIGTERM and starts it again
on the same port and database (no card can be posted while it is down), and posts --cards cards as soon as
it answers. Each phone does what static/cowork.js with socket.io-client does:

- after a drop it connects again after socket.io-client's backoff: 1 s, 2 s, then 2.5 s at most (cowork.js's
  `reconnectionDelayMax`, `--delay-max`), each ±50 % at random before that cap, from the drop and after each
  failed attempt; a refusal marked `retry` waits 2–4 s; any other refusal ends its reconnecting (the
  browser's client does not try again);
- it connects with `auth = {workshop_id, token, since: the last seq it applied}`;
- it applies events in seq order, drops the ones it has, and asks `sync` (ack) when it sees a gap; an
  answer with an error is asked again after 3 s, one with `complete: false` at once; `resync` asks too.

A phone is *back* once its socket is connected again after the restart, *whole* once it has applied every
seq up to the last card's. Progress goes to stderr; the last line on stdout is one JSON object.

    .venv/bin/python benchmarks/reconnect.py --phones 1000
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import multiprocessing
import os
import random
import re
import signal
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import joinstorm
from fanout import CHILDREN, cpu_seconds, start_server, stop, stop_children, wait_healthy
from harness import cowork_executable, join_all, logger, ms, percentile, start_profiler
from harness import start_server as first_server

log = logger("reconnect")
ACK = re.compile(r"^43(\d+)(.*)$", re.S)


# static/cowork.js's reconnectionDelayMax (socket.io-client's default is 5000); --delay-max overrides it.
DELAY_MAX_MS = 2500


def backoff(attempts: int, delay_max_ms: int = DELAY_MAX_MS) -> float:
    """socket.io-client's Backoff.duration(): 1 s doubled per attempt, ±50 % jitter, at most delay_max_ms."""
    delay = 1000 * 2**attempts
    r = random.random()
    deviation = math.floor(r * 0.5 * delay)
    delay = delay - deviation if math.floor(r * 10) & 1 == 0 else delay + deviation
    return min(delay, delay_max_ms) / 1000


# --- the phones (child processes) ----------------------------------------------------------------------


def phones_process(spec: dict[str, Any], connected: Any, final: Any, whole: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    reports = asyncio.run(_phones(spec, connected, final, whole))
    with open(spec["result_file"], "w") as f:
        json.dump(reports, f)


class Phone:
    """One phone's socket and what it applied, reconnecting as the browser's client does."""

    def __init__(self, token: str, spec: dict[str, Any], connected: Any) -> None:
        self.token, self.spec, self.connected = token, spec, connected
        self.last = spec["since"]
        self.connects: list[float] = []
        self.applied: dict[int, float] = {}
        self.refused: str | None = None
        self.duplicates = self.syncs = 0
        self.was_connected = False
        self.ws: Any = None
        self.syncing = False
        self.acks = 0

    def report(self) -> dict[str, Any]:
        keys = ("connects", "applied", "refused", "duplicates", "syncs", "last")
        return {k: getattr(self, k) for k in keys}

    async def run(self, session: Any, at: float) -> None:
        import aiohttp

        await asyncio.sleep(max(0.0, at - time.time()))
        attempts = 0
        while True:
            wait, self.was_connected = None, False
            with contextlib.suppress(aiohttp.ClientError, OSError, asyncio.TimeoutError):
                wait = await self._connection(session)
            if self.refused:
                return
            if self.was_connected:  # a drop: socket.io-client's backoff starts again from its first step
                attempts = 0
            if wait is None:
                wait, attempts = backoff(attempts, self.spec["delay_max_ms"]), attempts + 1
            await asyncio.sleep(wait)

    async def _connection(self, session: Any) -> float | None:
        """One socket until it closes: the wait before the next attempt (None: the backoff's)."""
        import aiohttp

        async with session.ws_connect(self.spec["ws_url"], max_msg_size=0, timeout=20) as ws:
            self.ws, self.syncing = ws, False
            opened = await ws.receive_str(timeout=20)
            if not opened.startswith("0"):
                return None
            auth = {"workshop_id": self.spec["workshop_id"], "token": self.token, "since": self.last}
            await ws.send_str("40" + json.dumps(auth))
            async for msg in ws:
                if msg.type is not aiohttp.WSMsgType.TEXT:
                    break
                data = msg.data
                if data == "2":
                    await ws.send_str("3")
                elif data.startswith("40"):
                    self.was_connected = True
                    self.connects.append(time.time())
                    self.connected.value += 1
                elif data.startswith("44"):
                    refusal = json.loads(data[2:])
                    if (refusal.get("data") or {}).get("retry"):
                        return 2 + 2 * random.random()
                    self.refused = refusal.get("message", "refused")
                    return None
                elif data.startswith("42"):
                    name, *args = json.loads(data[2:])
                    if name == "event":
                        await self._apply([args[0]])
                    elif name == "events":
                        await self._apply(args[0])
                    elif name == "resync":
                        await self._sync()
                elif match := ACK.match(data):
                    await self._answered(json.loads(match[2])[0])
            return None

    async def _apply(self, events: list[dict[str, Any]]) -> None:
        for event in events:
            seq = event["seq"]
            if seq <= self.last:
                self.duplicates += 1
            elif seq > self.last + 1:
                await self._sync()
            else:
                self.last = seq
                self.applied[seq] = time.time()

    async def _sync(self) -> None:
        if self.syncing or self.ws is None:
            return
        self.syncing, self.syncs, self.acks = True, self.syncs + 1, self.acks + 1
        with contextlib.suppress(Exception):
            await self.ws.send_str(f"42{self.acks}" + json.dumps(["sync", {"since": self.last}]))

    async def _answered(self, answer: dict[str, Any]) -> None:
        self.syncing = False
        if not answer or answer.get("error"):
            await asyncio.sleep(3)
            await self._sync()
            return
        await self._apply(answer.get("events") or [])
        if answer.get("complete") is False:
            await self._sync()


async def _phones(spec: dict[str, Any], connected: Any, final: Any, whole: Any) -> list[dict[str, Any]]:
    import aiohttp

    phones = [Phone(token, spec, connected) for token in spec["tokens"]]
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        schedule = zip(phones, spec["schedule"], strict=True)
        tasks = [asyncio.create_task(p.run(session, at)) for p, at in schedule]
        while time.time() < spec["deadline"] and final.value >= 0:  # -1: stop
            await asyncio.sleep(0.1)
            whole.value = sum(1 for p in phones if final.value and p.last >= final.value)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return [p.report() for p in phones]


# --- one storm -----------------------------------------------------------------------------------------


class Phones:
    def __init__(self, args: argparse.Namespace, tokens: list[str], spec: dict[str, Any], tmp: Path) -> None:
        ctx = multiprocessing.get_context("spawn")
        procs = max(1, min(args.client_procs, len(tokens)))
        start = time.time() + 2
        schedule = [start + args.connect_within * i / len(tokens) for i in range(len(tokens))]
        self.final = ctx.Value("q", 0, lock=False)  # the seq every phone must reach (0: none yet; -1: stop)
        self.counters: list[tuple[Any, Any]] = []  # each process's (connects, phones whole)
        self.procs: list[tuple[Any, str]] = []
        for p in range(procs):
            mine = {
                **spec,
                "tokens": tokens[p::procs],
                "schedule": schedule[p::procs],
                "result_file": str(tmp / f"phones-{p}.json"),
            }
            counters = (ctx.Value("q", 0, lock=False), ctx.Value("q", 0, lock=False))
            proc = ctx.Process(target=phones_process, args=(mine, counters[0], self.final, counters[1]))
            proc.start()
            self.counters.append(counters)
            CHILDREN.append(proc)
            self.procs.append((proc, mine["result_file"]))

    def connects(self) -> int:
        return sum(c[0].value for c in self.counters)

    def whole(self) -> int:
        return sum(c[1].value for c in self.counters)

    def finish(self) -> list[dict[str, Any]]:
        self.final.value = -1
        results: list[dict[str, Any]] = []
        for proc, result_file in self.procs:
            proc.join(60)
            with contextlib.suppress(FileNotFoundError):
                results += json.loads(Path(result_file).read_text())
            CHILDREN.remove(proc)
        return results


async def until(condition: Any, within: float) -> bool:
    deadline = time.time() + within
    while not condition():
        if time.time() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


async def post_cards(http: httpx.AsyncClient, base: str, stage: int, token: str, n: int, word: str) -> int:
    seq = 0
    for i in range(n):
        r = await http.post(
            f"{base}/api/v1/stages/{stage}/contributions",
            json={"text": f"{word} {i}"},
            headers={"Authorization": f"Bearer {token}"},
        )
        if r.status_code != 201:
            raise RuntimeError(f"a card answered {r.status_code}: {r.text[:300]}")
        seq = r.json()["seq"]
    return seq


async def storm(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    import aiohttp

    load = os.getloadavg()[0]
    joins = {"COWORK_JOINS_PER_CODE_PER_MINUTE": str(max(2000, 2 * args.phones))}
    server = first_server(tmp, database_url=args.database_url, extra_env=joins)
    CHILDREN.append(server.proc)
    port = server.base.rsplit(":", 1)[1]
    phones = None
    try:
        async with httpx.AsyncClient(timeout=60) as http:
            await server.wait_healthy(http)
            body = {"title": "Reconnect storm", "format": "plain"}
            made = (
                await http.post(f"{server.base}/api/v1/workshops", json=body, headers=server.staff)
            ).json()
            tokens = await join_all(http, server.base, made["code"], args.phones)
            stage, card_token = made["current_stage_id"], tokens[0]
            since = await post_cards(http, server.base, stage, card_token, 1, "Before the phones")
            log(f"{args.phones} joined; load {load:.2f}; connecting")
            spec = {
                "ws_url": f"ws://{server.base.split('://', 1)[1]}/socket.io/?EIO=4&transport=websocket",
                "workshop_id": made["id"],
                "since": since,
                "delay_max_ms": args.delay_max,
                "deadline": time.time() + args.connect_within + args.timeout + 120,
            }
            phones = Phones(args, tokens, spec, tmp)
            if not await until(lambda: phones.connects() >= args.phones, args.connect_within + 60):
                raise RuntimeError(f"only {phones.connects()}/{args.phones} phones connected")
            before = await post_cards(http, server.base, stage, card_token, args.cards, "Before the restart")
            phones.final.value = before
            if not await until(lambda: phones.whole() >= args.phones, 30):
                raise RuntimeError(f"only {phones.whole()}/{args.phones} phones got the cards")
            log(f"all connected and whole at seq {before}; restarting cowork")
            phones.final.value = 0
            killed = time.time()
            stop(server.proc)
            stopped = time.time()
            proc = start_server([cowork_executable(), "serve", "--port", port], server.env, server.log_file)
            async with aiohttp.ClientSession() as session:
                await wait_healthy(session, server.base, proc, server.log_file)
            up, cpu_up = time.time(), cpu_seconds(proc.pid)
            profiler = start_profiler(proc.pid, args.profile) if args.profile else None
            last = await post_cards(http, server.base, stage, card_token, args.cards, "After the restart")
            phones.final.value = last
            log(f"cowork back after {up - killed:.1f} s; cards to seq {last}; waiting for the phones")
            await until(lambda: phones.whole() >= args.phones, args.timeout)
            done, cpu_done = time.time(), cpu_seconds(proc.pid)
            if profiler is not None:
                profiler.send_signal(signal.SIGINT)
                profiler.wait(30)
            stop(proc)
    finally:
        results = phones.finish() if phones else []
        stop_children()
    backs = [
        min(t for t in r["connects"] if t > killed) for r in results if any(t > killed for t in r["connects"])
    ]
    wholes = [r["applied"][str(last)] for r in results if str(last) in r["applied"]]
    missed = sum(max(0, last - r["last"]) for r in results)  # what they applied is gapless, in order
    refusals: dict[str, int] = {}
    for r in results:
        if r["refused"]:
            refusals[r["refused"]] = refusals.get(r["refused"], 0) + 1
    return {
        "phones": args.phones,
        "back": len(backs),
        "whole": len(wholes),
        "refused": refusals,
        "missed_events": missed,
        "syncs": sum(r["syncs"] for r in results),
        "duplicates_dropped": sum(r["duplicates"] for r in results),
        "down_s": round(up - killed, 2),
        "shutdown_s": round(stopped - killed, 2),
        "back_p50_ms": ms(percentile([t - killed for t in backs], 50)),
        "back_p95_ms": ms(percentile([t - killed for t in backs], 95)),
        "back_max_ms": ms(max(backs) - killed) if backs else None,
        "back_p95_ms_after_up": ms(percentile([t - up for t in backs], 95)),
        "whole_p95_ms": ms(percentile([t - killed for t in wholes], 95)),
        "whole_max_ms": ms(max(wholes) - killed) if wholes else None,
        "server_cpu_ms_per_phone": round((cpu_done - cpu_up) / args.phones * 1000, 1),
        "server_cpu_startup_s": round(cpu_up, 2),
        "window_s": round(done - up, 2),
        "client_procs": args.client_procs,
        "delay_max_ms": args.delay_max,
        "database": (args.database_url or "sqlite").split(":")[0],
        "cpus": os.cpu_count(),
        "load_avg_1m_at_start": round(load, 2),
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--phones", type=int, default=300, help="connected phones (300)")
    p.add_argument("--cards", type=int, default=3, help="cards posted before and after the restart (3)")
    p.add_argument("--connect-within", type=float, default=10, help="seconds to connect them at first (10)")
    p.add_argument("--database-url", help="cowork's database (default: a fresh SQLite file in a temp dir)")
    p.add_argument("--client-procs", type=int, default=2, help="processes the phones are spread over (2)")
    p.add_argument(
        "--delay-max",
        type=int,
        default=DELAY_MAX_MS,
        help=f"the phones' reconnectionDelayMax in ms ({DELAY_MAX_MS}, as static/cowork.js; 5000 before)",
    )
    p.add_argument("--timeout", type=float, default=60, help="seconds after the restart to give up (60)")
    p.add_argument(
        "--profile", metavar="FILE", help="record the restarted server with py-spy (raw) into FILE"
    )
    args = p.parse_args(argv)
    if args.phones < 1 or args.cards < 1:
        p.error("--phones and --cards must be positive")
    return args


if __name__ == "__main__":
    sys.exit(joinstorm.main(storm, parse_args, "reconnect"))
