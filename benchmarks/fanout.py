"""Fan-out benchmark: how fast, how completely and at what CPU cost cowork pushes a new card to N phones.

One run starts, one after the other, two servers as their own processes on free loopback ports:

1. cowork (`cowork serve`, a temporary data dir, a fresh SQLite file unless --database-url): an admin and
   an API token from the CLI, one workshop from the API, N participants from `POST /api/v1/join/{code}`;
2. a bare python-socketio server on uvicorn (this file with `--serve-bare PORT`) whose clients all join
   one room and which broadcasts a payload as large as cowork's `card.added` frame on `POST /broadcast`.

Against each it connects N lightweight Engine.IO v4 websocket clients (aiohttp's websocket client speaking
Engine.IO/Socket.IO by hand, spread over a few client processes), sends cards at --rate per second (cowork:
through the real API with a few participants' tokens; bare: POST /broadcast), and measures for every
(message, client) pair the time from just before the request to the frame's arrival. Every process reads
the same clock, `time.time()` (CLOCK_REALTIME, one clock for the whole machine). Server CPU (user + system
from /proc/<pid>/stat) is counted from the first measured send until every delivery arrived (or --grace ran
out) and divided by the events delivered (one event = one card delivered to every client).

Progress goes to stderr; the last line on stdout is one JSON object (see benchmarks/README.md).

    .venv/bin/python benchmarks/fanout.py --clients 500 --rate 20 --duration 20
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import multiprocessing
import os
import pickle
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from harness import cli, cowork_executable, free_port, logger
from rawserver import serve_raw

HOST = "127.0.0.1"  # all traffic stays on the loopback interface
# Carried by every card text; found in the raw frame, never parsed. A frame may carry several cards
# (cowork coalesces the events of 50 ms into one `events` frame) and names each card more than once.
MARKER = re.compile(r"bench-(\d+)")
CARD_TEXT = "bench-{n}: an idea from the fanout benchmark, about as long as a typical card on the wall."
CLOCK = "time.time (CLOCK_REALTIME, shared by all processes on this machine)"
THIS_FILE = Path(__file__).resolve()
CHILDREN: list[Any] = []  # subprocess.Popen and multiprocessing.Process objects to stop on exit


log = logger("fanout")


# --- the server processes, as the kernel sees them ---------------------------------------------------


def cpu_seconds(pid: int, thread: int | None = None) -> float:
    """User + system CPU time of a process and all its threads (or of one of its threads)."""
    path = f"/proc/{pid}/task/{thread}/stat" if thread else f"/proc/{pid}/stat"
    with open(path) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _die_with_parent() -> None:
    """Linux: the child gets SIGTERM when this benchmark dies, even by SIGKILL."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def start_server(cmd: list[str], env: dict[str, str], log_file: Path) -> subprocess.Popen[bytes]:
    with open(log_file, "wb") as out:
        proc = subprocess.Popen(
            cmd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches us only; we stop the server ourselves
            preexec_fn=_die_with_parent,
        )
    CHILDREN.append(proc)
    return proc


def stop_children() -> None:
    for child in reversed(CHILDREN):
        if isinstance(child, subprocess.Popen):
            if child.poll() is None:
                child.terminate()
                try:
                    child.wait(10)
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait(5)
        elif child.is_alive():
            child.terminate()
            child.join(5)
            if child.is_alive():
                child.kill()
                child.join(5)
    CHILDREN.clear()


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    if proc in CHILDREN:
        CHILDREN.remove(proc)


def tail(path: Path, chars: int = 2000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return ""


async def wait_healthy(session: Any, base: str, proc: subprocess.Popen[bytes], log_file: Path) -> None:
    import aiohttp

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited ({proc.returncode}):\n{tail(log_file)}")
        with contextlib.suppress(aiohttp.ClientError, asyncio.TimeoutError):
            async with session.get(f"{base}/healthz", timeout=aiohttp.ClientTimeout(total=2)) as r:
                if r.status == 200:
                    return
        await asyncio.sleep(0.1)
    raise RuntimeError(f"the server did not become healthy in 60 s:\n{tail(log_file)}")


# --- the bare python-socketio server (a child process: `fanout.py --serve-bare PORT`) -------------------


def bare_payload(n: int, size: int) -> dict[str, Any]:
    """A card.added-shaped event whose Socket.IO frame is `size` characters long, like cowork's."""
    body: dict[str, Any] = {"seq": n, "type": "card.added", "at": "2026-01-01T00:00:00.000000Z"}
    body["data"] = {"id": n, "text": CARD_TEXT.format(n=n)}
    frame = len('42["event",' + json.dumps(body, separators=(",", ":")) + "]")
    body["data"]["text"] += "x" * max(0, size - frame)
    return body


def serve_bare(port: int) -> None:
    import socketio
    import uvicorn

    sio = socketio.AsyncServer(  # configured like cowork's (src/cowork/live/hub.py)
        async_mode="asgi",
        cors_allowed_origins=[f"http://{HOST}:{port}"],
        transports=["polling", "websocket"],
        max_http_buffer_size=16_384,
        ping_interval=20,
        ping_timeout=20,
    )
    sio_app = socketio.ASGIApp(sio)

    async def connect(sid: str, environ: dict[str, Any], auth: Any) -> None:
        await sio.enter_room(sid, "workshop")

    sio.on("connect", connect)

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] not in ("/broadcast", "/healthz"):
            await sio_app(scope, receive, send)
            return
        body, more = b"", True
        while more:
            message = await receive()
            body, more = body + message.get("body", b""), message.get("more_body", False)
        status = 200
        if scope["path"] == "/broadcast" and scope["method"] == "POST":
            asked = json.loads(body)
            await sio.emit("event", bare_payload(int(asked["n"]), int(asked["size"])), room="workshop")
            status = 201
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"status":"ok"}'})

    uvicorn.run(app, host=HOST, port=port, log_level="warning", access_log=False, ws="websockets-sansio")


# --- the clients (child processes) --------------------------------------------------------------------


def client_process(conn: Any, spec: dict[str, Any], *counters: Any) -> None:
    """Hold spec["auths"] Socket.IO connections; count and timestamp every bench frame until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we stop
    with contextlib.suppress(ImportError):
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    asyncio.run(_clients(conn, spec, *counters))


async def _engineio_connect(session: Any, spec: dict[str, Any], target: dict[str, Any]) -> Any:
    """Engine.IO v4 over a websocket: open packet `0{...}`, then Socket.IO connect `40{auth}` → `40{...}`."""
    import aiohttp

    ws = await session.ws_connect(
        target["url"], origin=target["origin"], compress=15 if spec["deflate"] else 0, max_msg_size=0
    )
    auth = target["auth"]
    try:
        opened = await ws.receive_str()
        if not opened.startswith("0"):
            raise RuntimeError(f"expected the Engine.IO open packet, got {opened[:80]!r}")
        await ws.send_str("40" + json.dumps(auth))
        while True:
            answer = await ws.receive_str()
            if answer.startswith("40"):
                return ws
            if answer == "2":
                await ws.send_str("3")
            elif answer.startswith("44"):
                raise RuntimeError(f"connection refused: {answer[2:200]}")
    except (Exception, asyncio.CancelledError):
        with contextlib.suppress(Exception, aiohttp.ClientError):
            await ws.close()
        raise


async def _clients(
    conn: Any, spec: dict[str, Any], connected: Any, failed: Any, warm: Any, received: Any
) -> None:
    import aiohttp

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()

    def on_parent_message() -> None:  # any message from the parent means: stop and report
        loop.remove_reader(conn.fileno())
        stop.set()

    loop.add_reader(conn.fileno(), on_parent_message)
    parent = os.getppid()
    measure_from: int = spec["measure_from"]
    receipts: dict[int, list[float]] = {}
    state: dict[str, Any] = {"frame_bytes": 0, "frames": 0, "disconnects": 0, "compressed": 0, "errors": []}
    limit = asyncio.Semaphore(spec["connect_concurrency"])
    findall, now = MARKER.findall, time.time

    async def one(auth: dict[str, Any]) -> None:
        async with limit:
            try:
                ws = await asyncio.wait_for(_engineio_connect(session, spec, auth), 30)
            except Exception as exc:
                failed.value += 1
                if len(state["errors"]) < 3:
                    state["errors"].append(repr(exc)[:200])
                return
        connected.value += 1
        state["compressed"] += bool(ws.compress)  # permessage-deflate negotiated (window bits, or 0)
        try:
            async for msg in ws:
                if msg.type is not aiohttp.WSMsgType.TEXT:
                    continue
                t, data = now(), msg.data
                if data == "2":  # Engine.IO ping
                    await ws.send_str("3")
                    continue
                cards = set(findall(data))
                if not cards:
                    continue
                state["frames"] += 1
                if len(cards) == 1 and len(data) > state["frame_bytes"]:
                    state["frame_bytes"] = len(data)  # one card's frame: the bare server's size
                for found in cards:
                    n = int(found)
                    if n >= measure_from:
                        received.value += 1
                    else:
                        warm.value += 1
                    times = receipts.get(n)
                    if times is None:
                        receipts[n] = [t]
                    else:
                        times.append(t)
        finally:
            if not stop.is_set():
                state["disconnects"] += 1

    async def watchdog() -> None:
        while not stop.is_set():
            if os.getppid() != parent or time.time() > spec["deadline"]:
                stop.set()
            await asyncio.sleep(0.5)

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0, force_close=True)) as session:
        tasks = [asyncio.create_task(one(auth)) for auth in spec["auths"]]
        guard = asyncio.create_task(watchdog())
        await stop.wait()
        for task in [*tasks, guard]:
            task.cancel()
        await asyncio.gather(*tasks, guard, return_exceptions=True)
    if os.getppid() == parent:
        with contextlib.suppress(OSError, EOFError):  # the parent may be gone (Ctrl-C)
            if conn.poll():
                conn.recv()
            save_result(spec["result_file"], {"receipts": receipts, **state})
            conn.send("done")


def save_result(path: str, result: dict[str, Any]) -> None:
    with open(path, "wb") as f:
        pickle.dump(result, f)


def load_result(path: str) -> dict[str, Any]:
    """A client process's receipts, read once and removed."""
    try:
        with open(path, "rb") as f:
            return pickle.load(f)
    except FileNotFoundError:
        return {"receipts": {}, "lost_worker": True}
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


class Clients:
    """N Socket.IO clients spread over a few processes, with shared counters the parent can poll."""

    def __init__(self, auths: list[dict[str, Any]], args: argparse.Namespace, warmup_count: int):
        """auths: one per client, {"url": its server's websocket URL, "origin": …, "auth": the connect's}."""
        ctx = multiprocessing.get_context("spawn")
        procs = max(1, min(args.client_procs, len(auths)))
        deadline = time.time() + 120 + len(auths) / 5 + args.warmup + args.duration + args.grace
        self.workers: list[tuple[Any, ...]] = []
        for i in range(procs):
            parent_end, child_end = ctx.Pipe()
            counters = [ctx.Value("q", 0, lock=False) for _ in range(4)]  # see count()
            spec = {
                "auths": auths[i::procs],
                "deflate": args.deflate,
                "measure_from": warmup_count,
                "connect_concurrency": 25,
                "deadline": deadline,
                # Receipts can run to megabytes: they travel through a file, the pipe only says "done".
                "result_file": os.path.join(tempfile.gettempdir(), f"fanout-{os.getpid()}-{i}.pickle"),
            }
            proc = ctx.Process(
                target=client_process,
                args=(child_end, spec, *counters),
                daemon=True,
                name=f"fanout-clients-{i}",
            )
            proc.start()
            child_end.close()
            CHILDREN.append(proc)
            self.workers.append((proc, parent_end, spec["result_file"], *counters))

    def count(self, which: int) -> int:  # 0 connected, 1 failed, 2 warm-up receipts, 3 measured receipts
        return sum(w[3 + which].value for w in self.workers)

    def cpu(self) -> float:
        return sum(cpu_seconds(w[0].pid) for w in self.workers if w[0].is_alive())

    def alive(self) -> bool:
        return all(w[0].is_alive() for w in self.workers)

    async def finish(self) -> list[dict[str, Any]]:
        results = []
        for _proc, conn, *_ in self.workers:
            with contextlib.suppress(OSError):
                conn.send("stop")
        for proc, conn, result_file, *_ in self.workers:
            await wait_until(lambda c=conn, p=proc: c.poll() or not p.is_alive(), 60, lambda: True)
            done = False
            with contextlib.suppress(OSError, EOFError):
                done = conn.poll() and conn.recv() == "done"
            results.append(load_result(result_file) if done else {"receipts": {}, "lost_worker": True})
            proc.join(10)
            if proc.is_alive():
                proc.kill()
            if proc in CHILDREN:
                CHILDREN.remove(proc)
        return results


# --- one measurement (the same for cowork and the bare server) ------------------------------------------

Sender = Callable[[int], Awaitable[bool]]


def target(base: str, auth: dict[str, Any]) -> dict[str, Any]:
    """Where one client connects, and with what."""
    url = f"ws://{base.split('://', 1)[1]}/socket.io/?EIO=4&transport=websocket"
    return {"url": url, "origin": base, "auth": auth}


def cards_per_frame(results: list[dict[str, Any]]) -> float | None:
    """Deliveries per frame received, warm-up included (above 1: the server coalesced)."""
    frames = sum(result.get("frames", 0) for result in results)
    deliveries = sum(len(times) for result in results for times in result["receipts"].values())
    return round(deliveries / frames, 2) if frames else None


def percentile(ordered: list[float], p: float) -> float | None:
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 1)


async def send_at_rate(
    first: int, count: int, rate: float, send_one: Sender
) -> dict[int, tuple[float, bool, float]]:
    """Start send_one(n) on a fixed schedule, not waiting for answers: {n: (sent at, ok, request took)}."""
    sent: dict[int, tuple[float, bool, float]] = {}

    async def timed(n: int) -> None:
        t = time.time()  # just before the request
        try:
            ok = await send_one(n)
        except Exception as exc:
            log(f"send {n} failed: {exc!r}")
            ok = False
        sent[n] = (t, ok, time.time() - t)

    loop = asyncio.get_running_loop()
    start = loop.time() + 0.05
    tasks = []
    for i in range(count):
        delay = start + i / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(timed(first + i)))
    await asyncio.gather(*tasks)
    return sent


async def wait_until(predicate: Callable[[], bool], seconds: float, alive: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline or not alive():
            return False
        await asyncio.sleep(0.02)
    return True


async def measure(
    name: str,
    servers: list[subprocess.Popen[bytes]],
    auths: list[dict[str, Any]],
    send_one: Sender,
    args: Any,
    redis_pid: int | None = None,
) -> dict[str, Any]:
    """servers: the server's process, or each worker's (CPU and memory are their sums, and each's)."""
    pids, n = [server.pid for server in servers], len(auths)
    warmup_count = round(args.warmup * args.rate)
    measured_count = max(1, round(args.duration * args.rate))

    def alive() -> bool:
        return all(server.poll() is None for server in servers) and clients.alive()

    def cpu_each() -> list[float]:
        return [cpu_seconds(pid) for pid in pids]

    def loop_cpu() -> float:  # each server's event-loop thread (its main thread)
        return sum(cpu_seconds(pid, pid) for pid in pids)

    def rss() -> int:
        return sum(rss_kb(pid) for pid in pids)

    def redis_cpu() -> float:
        return cpu_seconds(redis_pid) if redis_pid else 0.0

    await asyncio.sleep(1)
    rss_before, cpu_before = rss(), sum(cpu_each())
    procs = max(1, min(args.client_procs, n))
    log(f"{name}: connecting {n} clients from {procs} processes (server RSS {rss_before / 1024:.1f} MB)")
    clients = Clients(auths, args, warmup_count)
    await wait_until(lambda: clients.count(0) + clients.count(1) >= n, 60 + n / 10, alive)
    connected, failed = clients.count(0), clients.count(1)
    if not alive():
        raise RuntimeError(f"{name}: the server or a client process died while connecting")
    if connected == 0:
        raise RuntimeError(f"{name}: no client could connect")
    await asyncio.sleep(1)
    rss_after, cpu_connected = rss(), sum(cpu_each())
    log(
        f"{name}: {connected} connected, {failed} failed; server RSS {rss_after / 1024:.1f} MB "
        f"(+{(rss_after - rss_before) / connected:.1f} kB per client)"
    )

    if warmup_count:
        log(f"{name}: warm-up, {warmup_count} cards at {args.rate}/s")
        warm = await send_at_rate(0, warmup_count, args.rate, send_one)
        warm_ok = sum(ok for _t, ok, _took in warm.values())
        await wait_until(lambda: clients.count(2) >= warm_ok * connected, 5, alive)

    log(f"{name}: measuring, {measured_count} cards at {args.rate}/s to {connected} clients")
    each0, loop0, redis0, clients_cpu0, wall0 = (
        cpu_each(),
        loop_cpu(),
        redis_cpu(),
        clients.cpu(),
        time.time(),
    )
    sent = await send_at_rate(warmup_count, measured_count, args.rate, send_one)
    ok_ids = {m for m, (_t, ok, _took) in sent.items() if ok}
    expected = len(ok_ids) * connected
    drained = await wait_until(lambda: clients.count(3) >= expected, args.grace, alive)
    each1, loop1, redis1, clients_cpu1, wall1 = (
        cpu_each(),
        loop_cpu(),
        redis_cpu(),
        clients.cpu(),
        time.time(),
    )
    if not drained:
        log(f"{name}: not every delivery arrived within the {args.grace} s grace period")
    results = await clients.finish()

    latencies: list[float] = []
    spans: list[float] = []
    received = 0
    for m in ok_ids:
        t_sent = sent[m][0]
        times = [t for result in results for t in result["receipts"].get(m, ())]
        received += len(times)
        latencies.extend(t - t_sent for t in times)
        if times:
            spans.append(max(times) - min(times))
    latencies.sort()
    spans.sort()
    requests = sorted(took for _t, ok, took in sent.values() if ok)
    cpu = sum(each1) - sum(each0)
    events = received / connected
    window = wall1 - wall0
    errors = [e for result in results for e in result.get("errors", ())]
    if errors:
        log(f"{name}: connect errors, e.g. {errors[0]}")
    report = {
        "clients": n,
        "connected": connected,
        "connect_failures": failed,
        "disconnects": sum(result.get("disconnects", 0) for result in results),
        "compressed_connections": sum(result.get("compressed", 0) for result in results),
        "sent": len(sent),
        "send_errors": len(sent) - len(ok_ids),
        "expected": expected,
        "received": received,
        "lost": max(0, expected - received),
        "p50_ms": ms(percentile(latencies, 50)),
        "p95_ms": ms(percentile(latencies, 95)),
        "p99_ms": ms(percentile(latencies, 99)),
        "max_ms": ms(latencies[-1] if latencies else None),
        "span_p50_ms": ms(percentile(spans, 50)),  # first to last client, per card
        "span_p95_ms": ms(percentile(spans, 95)),
        "request_p50_ms": ms(percentile(requests, 50)),  # the sender's HTTP request, until its answer
        "request_p95_ms": ms(percentile(requests, 95)),
        "request_max_ms": ms(requests[-1] if requests else None),
        "cpu_per_event_us": round(cpu / events * 1e6) if events else None,
        "cpu_per_message_us": round(cpu / received * 1e6, 1) if received else None,
        # the event loop's thread (HTTP, rendering, fan-out); the rest ran on other threads (database)
        "loop_cpu_per_event_us": round((loop1 - loop0) / events * 1e6) if events else None,
        "server_cpu_percent": round(cpu / window * 100, 1),
        "clients_cpu_percent": round((clients_cpu1 - clients_cpu0) / window * 100, 1),
        "connect_cpu_us_per_client": round((cpu_connected - cpu_before) / connected * 1e6),
        "rss_per_client_kb": round((rss_after - rss_before) / connected, 1),
        "rss_mb": round(rss_after / 1024, 1),
        "window_s": round(window, 2),
        "frame_bytes": max((result.get("frame_bytes", 0) for result in results), default=0),
        "cards_per_frame": cards_per_frame(results),
    }
    if len(pids) > 1:  # how the cost splits between the workers and Redis
        report["worker_cpu_per_event_us"] = [
            round((b - a) / events * 1e6) if events else None for a, b in zip(each0, each1, strict=True)
        ]
        report["worker_cpu_percent"] = [
            round((b - a) / window * 100, 1) for a, b in zip(each0, each1, strict=True)
        ]
    if redis_pid:
        report["redis_cpu_per_event_us"] = round((redis1 - redis0) / events * 1e6) if events else None
        report["redis_cpu_percent"] = round((redis1 - redis0) / window * 100, 1)
    log(
        f"{name}: p50 {report['p50_ms']} ms, p95 {report['p95_ms']} ms, p99 {report['p99_ms']} ms, "
        f"lost {report['lost']}/{expected}, {report['cpu_per_event_us']} µs CPU per event "
        f"(server {report['server_cpu_percent']} %, clients {report['clients_cpu_percent']} % of a core)"
    )
    return report


# --- the two servers ---------------------------------------------------------------------------------


async def join_all(session: Any, base: str, code: str, n: int) -> list[str]:
    """N participants join one workshop, 16 at a time; a 429 waits for its Retry-After."""
    tokens: list[str | None] = [None] * n
    limit = asyncio.Semaphore(16)
    deadline = time.monotonic() + 120 + n / 5

    async def join(i: int) -> None:
        async with limit:
            while time.monotonic() < deadline:
                async with session.post(f"{base}/api/v1/join/{code}", json={"name": f"p{i}"}) as r:
                    if r.status == 201:
                        tokens[i] = (await r.json())["token"]
                        return
                    if r.status != 429:
                        raise RuntimeError(f"join answered {r.status}: {(await r.text())[:300]}")
                    wait = float(r.headers.get("Retry-After", "5"))
                await asyncio.sleep(min(wait, 10))
            raise RuntimeError("joining took too long (the join throttle?)")

    started = time.monotonic()
    await asyncio.gather(*(join(i) for i in range(n)))
    log(f"cowork: {n} participants joined in {time.monotonic() - started:.1f} s")
    return [t for t in tokens if t]


async def run_cowork(args: Any, tmp: Path) -> dict[str, Any]:
    import aiohttp

    bases = [f"http://{HOST}:{free_port()}" for _ in range(args.workers)]
    base = bases[0]  # the API requests (joins, cards) go to the first worker
    env = {
        **os.environ,
        "COWORK_DATA_DIR": str(tmp / "data"),
        "COWORK_DATABASE_URL": args.database_url or f"sqlite:///{tmp / 'cowork.db'}",
        "COWORK_PUBLIC_BASE_URL": base,
        "COWORK_SERVED_ORIGINS": json.dumps(bases[1:]),
        "COWORK_SECRET_KEY": secrets.token_urlsafe(48),
        "COWORK_LOG_LEVEL": "warning",
        # Joining N phones in one go (the default, 2,000 a minute per code, would make 3,000 wait a minute).
        "COWORK_JOINS_PER_CODE_PER_MINUTE": str(max(2000, 2 * args.clients)),
        # --compress: the server accepts the permessage-deflate the clients ask for (docs/operations.md).
        "COWORK_WEBSOCKET_COMPRESSION": "1" if args.deflate else "0",
    }
    redis_pid = None
    if args.workers > 1:  # each worker its own `cowork serve`, all on one database and one Redis channel
        env["COWORK_REDIS_URL"] = args.redis_url
        env["COWORK_REDIS_CHANNEL"] = f"fanout-bench-{secrets.token_hex(4)}"
        env["COWORK_WEBSOCKET_ONLY"] = "1"
        redis_pid = redis_process(args.redis_url)
    cowork = cowork_executable()
    email = f"bench-{secrets.token_hex(4)}@example.org"
    cli(cowork, "users", "create", email, "--admin", "--password-stdin", env=env, stdin="fanout-bench-pw\n")
    api_token = cli(cowork, "token", "create", email, env=env).strip().splitlines()[-1]
    logs = [tmp / f"cowork-{i}.log" for i in range(args.workers)]
    procs = [
        start_server([cowork, "serve", "--port", b.rsplit(":", 1)[1]], env, log_file)
        for b, log_file in zip(bases, logs, strict=True)
    ]
    try:
        # A burst: every phone on its own connection, as 300 phones in a room would be.
        connector = aiohttp.TCPConnector(limit=max(16, args.burst or 0))
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(base_url=None, connector=connector, timeout=timeout) as session:
            for b, p, lf in zip(bases, procs, logs, strict=True):
                await wait_healthy(session, b, p, lf)
            log(
                f"cowork: serving on {', '.join(bases)} (pids {', '.join(str(p.pid) for p in procs)}, "
                f"database {env['COWORK_DATABASE_URL'].split(':')[0]}"
                + (f", Redis {args.redis_url} (pid {redis_pid}))" if redis_pid else ")")
            )
            headers = {"Authorization": f"Bearer {api_token}"}
            async with session.post(
                f"{base}/api/v1/workshops",
                json={"title": "Fanout benchmark", "format": "plain"},
                headers=headers,
            ) as r:
                if r.status != 201:
                    raise RuntimeError(f"creating the workshop answered {r.status}: {await r.text()}")
                workshop = await r.json()
            tokens = await join_all(session, base, workshop["code"], args.clients)
            authors = [{"Authorization": f"Bearer {t}"} for t in tokens[: max(1, args.senders)]]
            url = f"{base}/api/v1/stages/{workshop['current_stage_id']}/contributions"

            async def send_card(n: int) -> bool:
                body = {"text": CARD_TEXT.format(n=n), "category": "idea"}
                async with session.post(url, json=body, headers=authors[n % len(authors)]) as r:
                    await r.read()
                    if r.status != 201 and n % 50 == 0:
                        log(f"cowork: card {n} answered {r.status}")
                    return r.status == 201

            # Phone i on worker i mod W: half on each of two.
            auths = [
                target(bases[i % len(bases)], {"token": t, "workshop_id": workshop["id"]})
                for i, t in enumerate(tokens)
            ]
            return await measure("cowork", procs, auths, send_card, args, redis_pid)
    except BaseException:
        for p, lf in zip(procs, logs, strict=True):
            if p.poll() is not None:
                log(f"cowork exited ({p.returncode}); its log:\n{tail(lf)}")
        raise
    finally:
        for p in procs:
            stop(p)


def redis_process(url: str) -> int | None:
    """The pid of the Redis server at url (its CPU counts when it runs on this machine), if it says."""
    import redis

    try:
        return int(redis.Redis.from_url(url).info("server")["process_id"])
    except Exception as exc:
        log(f"no Redis process to measure at {url}: {exc!r}")
        return None


async def run_bare(args: Any, tmp: Path, frame_bytes: int, name: str = "bare") -> dict[str, Any]:
    """The bare python-socketio server, or (name "raw") the plain websocket loop of rawserver.py."""
    import aiohttp

    port = free_port()
    base = f"http://{HOST}:{port}"
    log_file = tmp / f"{name}.log"
    cmd = [sys.executable, str(THIS_FILE), f"--serve-{name}", str(port)]
    proc = start_server(cmd, {**os.environ}, log_file)
    try:
        connector = aiohttp.TCPConnector(limit=16)
        async with aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=30)
        ) as session:
            await wait_healthy(session, base, proc, log_file)
            what = "python-socketio" if name == "bare" else "a plain websocket loop"
            log(f"{name}: {what} serving on {base} (pid {proc.pid}), frames of {frame_bytes} characters")

            async def broadcast(n: int) -> bool:
                async with session.post(f"{base}/broadcast", json={"n": n, "size": frame_bytes}) as r:
                    await r.read()
                    return r.status == 201

            auths = [target(base, {"token": f"bare-{i}"}) for i in range(args.clients)]
            return await measure(name, [proc], auths, broadcast, args)
    finally:
        stop(proc)


async def benchmark(args: Any, tmp: Path) -> dict[str, Any]:
    load = os.getloadavg()[0]
    log(
        f"{args.clients} clients, {args.rate} cards/s for {args.duration} s "
        f"(+{args.warmup} s warm-up); load average {load:.2f}"
    )
    cowork = await run_cowork(args, tmp)
    bare = None if args.skip_bare else await run_bare(args, tmp, cowork["frame_bytes"] or 740)
    raw = await run_bare(args, tmp, cowork["frame_bytes"] or 740, "raw") if args.raw else None

    def ratio_to(other: dict[str, Any] | None) -> float | None:
        if other and cowork["cpu_per_event_us"] and other["cpu_per_event_us"]:
            return round(cowork["cpu_per_event_us"] / other["cpu_per_event_us"], 2)
        return None

    ratio = ratio_to(bare)
    summary: dict[str, Any] = {
        "clients": args.clients,
        "rate": args.rate,
        "duration": args.duration,
        **{
            k: cowork[k]
            for k in ("p50_ms", "p95_ms", "p99_ms", "lost", "cpu_per_event_us", "rss_per_client_kb")
        },
        "cpu_ratio_vs_bare": ratio,
    }
    if bare:
        summary.update(
            {f"bare_{k}": bare[k] for k in ("p50_ms", "p95_ms", "p99_ms", "lost", "cpu_per_event_us")}
        )
        summary["bare_rss_per_client_kb"] = bare["rss_per_client_kb"]
    if raw:  # cowork's server CPU per card per phone ÷ the plain websocket loop's
        summary["cpu_ratio_vs_raw"] = ratio_to(raw)
        summary.update({f"raw_{k}": raw[k] for k in ("p50_ms", "p95_ms", "lost", "cpu_per_event_us")})
    if args.burst:  # each phone's card: its answer (the ack) and its arrival on every screen
        summary["burst"] = args.burst
        summary.update({k: cowork[k] for k in ("request_p95_ms", "request_max_ms", "max_ms", "send_errors")})
    if args.workers > 1:
        summary["workers"] = args.workers
        for k in (
            "worker_cpu_per_event_us",
            "worker_cpu_percent",
            "redis_cpu_per_event_us",
            "redis_cpu_percent",
        ):
            summary[k] = cowork.get(k)
    summary.update(
        {
            "warmup": args.warmup,
            "deflate": args.deflate,
            "client_procs": args.client_procs,
            "database": (args.database_url or "sqlite").split(":")[0],
            "clock": CLOCK,
            "load_avg_1m_at_start": round(load, 2),
            "cpus": os.cpu_count(),
            "cowork": cowork,
            "bare": bare,
            "raw": raw,
        }
    )
    return summary


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--clients", type=int, default=500, help="websocket clients (phones) per server (500)")
    p.add_argument("--rate", type=float, default=20, help="cards sent per second (20)")
    p.add_argument("--duration", type=float, default=20, help="seconds measured (20)")
    p.add_argument("--warmup", type=float, default=3, help="seconds of sending before measuring (3)")
    p.add_argument(
        "--grace", type=float, default=10, help="seconds to wait for late deliveries at the end (10)"
    )
    p.add_argument("--database-url", help="cowork's database (default: a fresh SQLite file in a temp dir)")
    p.add_argument("--skip-bare", action="store_true", help="measure cowork only (no cpu_ratio_vs_bare)")
    p.add_argument("--client-procs", type=int, default=2, help="processes the clients are spread over (2)")
    p.add_argument("--senders", type=int, default=4, help="participants whose tokens send the cards (4)")
    p.add_argument(
        "--compress",
        "--deflate",
        dest="deflate",
        action="store_true",
        help="clients ask for permessage-deflate, as browsers do (the raw loop never compresses)",
    )
    p.add_argument(
        "--raw",
        action="store_true",
        help="also a plain websocket loop sending the same frames (cpu_ratio_vs_raw)",
    )
    p.add_argument(
        "--workers", type=int, default=1, help="cowork as this many `cowork serve` processes on Redis (1)"
    )
    p.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/0",
        help="Redis for --workers (redis://127.0.0.1:6379/0)",
    )
    p.add_argument(
        "--burst",
        type=int,
        metavar="N",
        help="N phones each send one card within one second, on their own connections (cowork only)",
    )
    p.add_argument("--serve-bare", type=int, metavar="PORT", help=argparse.SUPPRESS)
    p.add_argument("--serve-raw", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.burst:  # the phones that send are the screens: N of them, one card each, all within a second
        args.clients = args.senders = args.burst
        args.rate, args.duration, args.warmup, args.skip_bare, args.raw = args.burst, 1.0, 0, True, False
    if (
        args.serve_bare is None
        and args.serve_raw is None
        and (args.clients < 1 or args.rate <= 0 or args.duration <= 0 or args.warmup < 0 or args.workers < 1)
    ):
        p.error("--clients, --rate and --duration must be positive, --warmup not negative")
    return args


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def main() -> int:
    args = parse_args()
    if args.serve_bare is not None:
        serve_bare(args.serve_bare)
        return 0
    if args.serve_raw is not None:
        serve_raw(HOST, args.serve_raw)
        return 0
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started with SIGINT ignored (&)
    signal.signal(signal.SIGTERM, _interrupt)
    tmp = Path(tempfile.mkdtemp(prefix="cowork-fanout-"))
    try:
        summary = asyncio.run(benchmark(args, tmp))
    except KeyboardInterrupt:
        log("interrupted; stopping the servers and clients")
        return 130
    finally:
        stop_children()
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
