"""Join storm: a room of phones scans the QR code at once; what each phone waits and what the server spends.

One run starts `cowork serve` as its own process (a temporary data dir, a fresh SQLite file unless
--database-url, the default join budget), makes a workshop through the API, then plays N phones spread
evenly over --within seconds from --client-procs processes (so that the clients do not starve the server).
Each phone does what a browser does after scanning the code, with its own cookies and connections:

1. `GET /j/CODE` (the join page; the server hands out a device cookie),
2. `POST /j/CODE` with a name (the join form, with the participant cookie in its answer), whose answer is
   the phone page (its `<body data-last-seq>` is the record's seq it shows); a server that answers 303
   instead (cowork before 2026-12-07's sixth session) is followed to `GET /j/CODE/stage`, as a browser
   does; with --statics the stylesheet and scripts the page names (a first visit; cached after),
4. a Socket.IO connection over a websocket (Engine.IO v4 spoken by hand, as in fanout.py) with the
   participant cookie and `auth = {workshop_id, since: data-last-seq}` (or `since: 0`, --since-zero),
   held until the end, recording when each `seq` arrives.

A phone is *caught up* once it holds every seq from its page's up to the last one committed before its
socket connected (known afterwards from every phone's page seq and the time it arrived). With --live N,
N phones of the workshop are connected before the storm and get a card every 1/--card-rate s from before
it to its end; how long each card takes to reach them, before the storm and during it (livescreens.py).
Progress goes to stderr; the last line on stdout is one JSON object (see benchmarks/README.md).

    .venv/bin/python benchmarks/joinstorm.py --phones 300 --within 10 [--live 50 --card-rate 2]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import re
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from fanout import CHILDREN, cpu_seconds, start_server, stop, stop_children, tail, wait_healthy
from harness import HOST, cli, cowork_executable, free_port, logger, ms, percentile, start_profiler
from livescreens import LiveScreens

log = logger("joinstorm")
SEQ = re.compile(r'"seq":\s*(\d+)')
LAST_SEQ = re.compile(r'data-last-seq="(\d+)"')
WORKSHOP_ID = re.compile(r'data-workshop-id="(\d+)"')
# What a phone's first page loads besides itself (--statics); a browser caches them after that.
STATICS = ("/static/cowork.css", "/static/cowork.js", "/static/vendor/socket.io.min.js")


# --- the phones (child processes) ----------------------------------------------------------------------


def phones_process(conn: Any, spec: dict[str, Any], *counters: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(ImportError):
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    asyncio.run(_phones(conn, spec, *counters))


async def _phones(conn: Any, spec: dict[str, Any], paged: Any, connected: Any, failed: Any) -> None:
    import aiohttp

    loop = asyncio.get_running_loop()
    stop_event = asyncio.Event()

    def on_parent_message() -> None:
        loop.remove_reader(conn.fileno())
        stop_event.set()

    loop.add_reader(conn.fileno(), on_parent_message)
    base, code = spec["base"], spec["code"]
    results: list[dict[str, Any]] = []

    async def phone(index: int, at: float) -> None:
        await asyncio.sleep(max(0.0, at - time.time()))
        result: dict[str, Any] = {"index": index, "start": time.time(), "status": None, "seqs": {}}
        results.append(result)
        jar = aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1 (an address, not a name)
        timeout = aiohttp.ClientTimeout(total=60)
        async with aiohttp.ClientSession(cookie_jar=jar, timeout=timeout) as session:
            try:
                async with session.get(f"{base}/j/{code}") as r:
                    await r.read()
                    if r.status != 200:
                        raise Failed(r.status)
                async with session.post(
                    f"{base}/j/{code}", data={"name": f"Phone {index}"}, headers={"Origin": base}
                ) as r:  # the phone page (or a 303 to it, followed)
                    page = await r.text()
                    if r.status != 200 or LAST_SEQ.search(page) is None:
                        raise Failed(r.status)
                result["page"] = time.time()
                result["page_seq"] = int(LAST_SEQ.search(page)[1])  # type: ignore[index]
                workshop_id = int(WORKSHOP_ID.search(page)[1])  # type: ignore[index]
                paged.value += 1
                for path in STATICS if spec["statics"] else ():
                    async with session.get(f"{base}{path}", headers={"Accept-Encoding": "gzip"}) as r:
                        await r.read()
                since = 0 if spec["since_zero"] else result["page_seq"]
                ws = await session.ws_connect(spec["ws_url"], origin=base, max_msg_size=0)
                opened = await ws.receive_str()
                if not opened.startswith("0"):
                    raise Failed("no Engine.IO open packet")
                await ws.send_str("40" + json.dumps({"workshop_id": workshop_id, "since": since}))
            except Failed as exc:
                result["status"] = exc.args[0]
                failed.value += 1
                return
            except Exception as exc:
                result["status"] = repr(exc)[:200]
                failed.value += 1
                return
            seqs: dict[int, float] = result["seqs"]
            async for msg in ws:
                if msg.type is not aiohttp.WSMsgType.TEXT:
                    break
                t, data = time.time(), msg.data
                if data == "2":
                    await ws.send_str("3")
                elif data.startswith("40"):
                    result["connected"] = t
                    connected.value += 1
                elif data.startswith("44"):
                    result["status"] = f"refused: {data[2:200]}"
                    failed.value += 1
                    break
                elif data.startswith("42"):
                    for found in SEQ.findall(data):
                        seqs.setdefault(int(found), t)

    async def watchdog() -> None:
        while not stop_event.is_set():
            if time.time() > spec["deadline"]:
                stop_event.set()
            await asyncio.sleep(0.5)

    tasks = [asyncio.create_task(phone(i, at)) for i, at in spec["schedule"]]
    guard = asyncio.create_task(watchdog())
    await stop_event.wait()
    for task in [*tasks, guard]:
        task.cancel()
    await asyncio.gather(*tasks, guard, return_exceptions=True)
    save(spec["result_file"], results)
    with contextlib.suppress(OSError, EOFError):
        if conn.poll():
            conn.recv()
        conn.send("done")


def save(path: str, results: list[dict[str, Any]]) -> None:
    with open(path, "w") as f:
        json.dump(results, f)


class Failed(Exception):
    """A phone's step answered with something other than what a browser would go on with."""


class Phones:
    def __init__(self, args: argparse.Namespace, base: str, code: str, start: float) -> None:
        ctx = multiprocessing.get_context("spawn")
        n, procs = args.phones, max(1, min(args.client_procs, args.phones))
        schedule = [(i, start + args.within * i / n) for i in range(n)]
        self.workers: list[tuple[Any, ...]] = []
        for p in range(procs):
            parent_end, child_end = ctx.Pipe()
            counters = [ctx.Value("q", 0, lock=False) for _ in range(3)]
            spec = {
                "base": base,
                "code": code,
                "ws_url": f"ws://{base.split('://', 1)[1]}/socket.io/?EIO=4&transport=websocket",
                "schedule": schedule[p::procs],
                "since_zero": args.since_zero,
                "statics": getattr(args, "statics", False),
                "deadline": start + args.within + args.timeout + 30,
                "result_file": os.path.join(tempfile.gettempdir(), f"joinstorm-{os.getpid()}-{p}.json"),
            }
            proc = ctx.Process(target=phones_process, args=(child_end, spec, *counters), daemon=True)
            proc.start()
            child_end.close()
            CHILDREN.append(proc)
            self.workers.append((proc, parent_end, spec["result_file"], *counters))

    def count(self, which: int) -> int:  # 0 on their page, 1 connected, 2 failed
        return sum(w[3 + which].value for w in self.workers)

    def cpu(self) -> float:
        return sum(cpu_seconds(w[0].pid) for w in self.workers if w[0].is_alive())

    def finish(self) -> list[dict[str, Any]]:
        results: list[dict[str, Any]] = []
        for _proc, conn, *_ in self.workers:
            with contextlib.suppress(OSError):
                conn.send("stop")
        for proc, conn, result_file, *_ in self.workers:
            with contextlib.suppress(OSError, EOFError):
                conn.poll(60) and conn.recv()
            with contextlib.suppress(FileNotFoundError):
                with open(result_file) as f:
                    results.extend(json.load(f))
                os.unlink(result_file)
            proc.join(10)
            if proc.is_alive():
                proc.kill()
            CHILDREN.remove(proc)
        return results


# --- one storm -----------------------------------------------------------------------------------------


def caught_up(results: list[dict[str, Any]]) -> None:
    """Set each connected phone's `caught_up` time (or `missed`): when it held every seq from its page's
    to the last one committed before it connected. A seq was committed by the time a page showing it
    arrived, so the pages seen before a phone connected bound what it must catch up on from below."""
    pages = sorted((r["page"], r["page_seq"]) for r in results if "page" in r)
    for r in results:
        if "connected" not in r:
            continue
        known = max([seq for t, seq in pages if t <= r["connected"]] + [r["page_seq"]])
        needed = range(r["page_seq"] + 1, known + 1)
        seqs = {int(k): v for k, v in r["seqs"].items()}
        missing = [s for s in needed if s not in seqs]
        if missing:
            r["missed"] = len(missing)
        else:
            r["caught_up"] = max([r["connected"], *(seqs[s] for s in needed)])


def start_cowork(tmp: Path, database_url: str | None) -> tuple[Any, str, str, Path]:
    """`cowork serve` on a free port with an admin's API token: (process, base URL, token, its log)."""
    port = free_port()
    base = f"http://{HOST}:{port}"
    env = {
        **os.environ,
        "COWORK_DATA_DIR": str(tmp / "data"),
        "COWORK_DATABASE_URL": database_url or f"sqlite:///{tmp / 'cowork.db'}",
        "COWORK_PUBLIC_BASE_URL": base,
        "COWORK_SECRET_KEY": os.urandom(32).hex(),
        "COWORK_LOG_LEVEL": "warning",
    }
    cowork = cowork_executable()
    email = "storm@example.org"
    cli(cowork, "users", "create", email, "--admin", "--password-stdin", env=env, stdin="joinstorm-pw\n")
    api_token = cli(cowork, "token", "create", email, env=env).strip().splitlines()[-1]
    log_file = tmp / "cowork.log"
    return start_server([cowork, "serve", "--port", str(port)], env, log_file), base, api_token, log_file


async def storm(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    import aiohttp

    load = os.getloadavg()[0]
    proc, base, api_token, log_file = start_cowork(tmp, args.database_url)
    profiler, live = None, None
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
            await wait_healthy(http, base, proc, log_file)
            headers = {"Authorization": f"Bearer {api_token}"}
            body = {"title": "Join storm", "format": "plain"}
            async with http.post(f"{base}/api/v1/workshops", json=body, headers=headers) as r:
                if r.status != 201:
                    raise RuntimeError(f"creating the workshop answered {r.status}: {await r.text()}")
                workshop = await r.json()
                code = workshop["code"]
        log(
            f"cowork on {base} (pid {proc.pid}); {args.phones} phones within {args.within} s; load {load:.2f}"
        )
        live = await LiveScreens.connect(args, base, workshop) if args.live else None
        await asyncio.sleep(1)
        start = time.time() + (live.lead(args) if live else 2)  # the client processes need a moment
        phones = Phones(args, base, code, start)
        if live:
            live.post_cards(args.card_rate)
        await asyncio.sleep(max(0.0, start - time.time()))
        if args.profile:
            profiler = start_profiler(proc.pid, args.profile)
        cpu0, clients0, wall0 = cpu_seconds(proc.pid), phones.cpu(), time.time()
        samples: list[tuple[int, float]] = []
        deadline = start + args.within + args.timeout
        while time.time() < deadline and phones.count(1) + phones.count(2) < args.phones:
            samples.append((phones.count(1), cpu_seconds(proc.pid) - cpu0))
            if proc.poll() is not None:
                raise RuntimeError(f"cowork exited: {tail(log_file)}")
            await asyncio.sleep(0.1)
        await asyncio.sleep(args.settle)  # the last catch-up pushes
        samples.append((phones.count(1), cpu_seconds(proc.pid) - cpu0))
        cpu1, clients1, wall1 = cpu_seconds(proc.pid), phones.cpu(), time.time()
        if profiler is not None:
            profiler.send_signal(signal.SIGINT)
            profiler.wait(30)
        screens = await live.finish() if live else []  # the last cards arrive, on the joining phones too
        results = phones.finish()
    except BaseException:
        if proc.poll() is not None:
            log(f"cowork exited ({proc.returncode}); its log:\n{tail(log_file)}")
        raise
    finally:
        if profiler is not None and profiler.poll() is None:
            profiler.kill()
        if live:
            await live.close()
        stop(proc)

    caught_up(results)
    joined = [r for r in results if "page" in r]
    refused = [r for r in results if r["status"] == 429]
    pages = [r["page"] - r["start"] for r in joined]
    sockets = [r["caught_up"] - r["page"] for r in joined if "caught_up" in r]
    totals = [r["caught_up"] - r["start"] for r in joined if "caught_up" in r]
    statuses: dict[str, int] = {}
    for r in results:
        if r["status"] is not None:
            statuses[str(r["status"])] = statuses.get(str(r["status"]), 0) + 1
    cpu = cpu1 - cpu0
    connected = sum(1 for r in results if "connected" in r)
    report = {
        "phones": args.phones,
        "within_s": args.within,
        "joined": len(joined),
        "refused": len(refused),
        "connected": connected,
        "caught_up": len(sockets),
        "missed_events": sum(r.get("missed", 0) for r in results),
        "failures": statuses,
        "page_p50_ms": ms(percentile(pages, 50)),
        "page_p95_ms": ms(percentile(pages, 95)),
        "page_max_ms": ms(max(pages, default=None)) if pages else None,
        "socket_p50_ms": ms(percentile(sockets, 50)),
        "socket_p95_ms": ms(percentile(sockets, 95)),
        "socket_max_ms": ms(max(sockets)) if sockets else None,
        "total_p95_ms": ms(percentile(totals, 95)),
        "server_cpu_ms_per_phone": round(cpu / len(joined) * 1000, 1) if joined else None,
        "server_cpu_ms_per_phone_by_quarter": by_quarter(samples, args.phones),
        "server_cpu_percent": round(cpu / (wall1 - wall0) * 100, 1),
        "clients_cpu_percent": round((clients1 - clients0) / (wall1 - wall0) * 100, 1),
        "window_s": round(wall1 - wall0, 2),
        "since_zero": args.since_zero,
        "statics": args.statics,
        "client_procs": args.client_procs,
        "database": (args.database_url or "sqlite").split(":")[0],
        "cpus": os.cpu_count(),
        "load_avg_1m_at_start": round(load, 2),
    }
    if live:
        report.update(live.report(screens, start, args.live_before, results))
    log(
        f"joined {report['joined']}/{args.phones} (refused {report['refused']}), page p95 "
        f"{report['page_p95_ms']} ms, socket p95 {report['socket_p95_ms']} ms, "
        f"{report['server_cpu_ms_per_phone']} ms server CPU per phone"
    )
    return report


def by_quarter(samples: list[tuple[int, float]], n: int) -> list[float | None]:
    """Server CPU per phone connected in each quarter of the storm (flat when cost does not grow)."""
    out: list[float | None] = []
    previous = (0, 0.0)
    for q in (1, 2, 3, 4):
        reached = next((s for s in samples if s[0] >= q * n // 4), None)
        if reached is None or reached[0] == previous[0]:
            out.append(None)
            continue
        out.append(round((reached[1] - previous[1]) / (reached[0] - previous[0]) * 1000, 1))
        previous = reached
    return out


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--phones", type=int, default=300, help="phones that scan the code (300)")
    p.add_argument("--within", type=float, default=10, help="seconds over which they arrive, evenly (10)")
    p.add_argument("--database-url", help="cowork's database (default: a fresh SQLite file in a temp dir)")
    p.add_argument("--client-procs", type=int, default=2, help="processes the phones are spread over (2)")
    p.add_argument("--since-zero", action="store_true", help="sockets ask for everything (an old page)")
    p.add_argument(
        "--statics", action="store_true", help="each phone loads the page's stylesheet and scripts"
    )
    p.add_argument("--timeout", type=float, default=60, help="seconds after the last arrival to give up (60)")
    p.add_argument("--settle", type=float, default=1, help="seconds after the last connect for catch-up (1)")
    p.add_argument("--profile", metavar="FILE", help="record the server with py-spy (raw format) into FILE")
    LiveScreens.add_arguments(p)
    args = p.parse_args(argv)
    if args.phones < 1 or args.within < 0 or args.live < 0 or args.card_rate <= 0 or args.live_before < 0:
        p.error("--phones and --card-rate must be positive, --within, --live and --live-before not negative")
    return args


def main(run: Any = None, parse: Any = parse_args, name: str = "joinstorm") -> int:
    """Parse, run one storm in a temporary dir (reconnect.py's too), print its JSON line."""
    args = parse()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    run = run or storm
    tmp = Path(tempfile.mkdtemp(prefix=f"cowork-{name}-"))
    try:
        report = asyncio.run(run(args, tmp))
    except KeyboardInterrupt:
        return 130
    finally:
        stop_children()
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
