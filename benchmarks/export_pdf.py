"""PDF export benchmark: a workshop of 2,000 cards exported while the phones of another workshop stay live.

    .venv/bin/python benchmarks/export_pdf.py                       # 2,000 cards, 300 phones
    .venv/bin/python benchmarks/export_pdf.py --cards 300 --clients 50

One run, all on 127.0.0.1, in a temp dir removed afterwards:

1. `cowork serve` as its own process (a fresh SQLite file unless --database-url); an admin's API token from
   the CLI. Through the API: a big workshop, 60 participants of seven stakeholder groups, --cards cards.
2. Another workshop, the live one: --clients participants join and connect a socket.io client each
   (websocket transport) from this process; one of them writes a card with a marker every --interval
   seconds, and every client notes when each card reaches it.
3. --baseline seconds of that alone, then the big workshop is exported as PDF over HTTP while the cards go
   on. A card's latency is from just before its request to its arrival at a client, over every
   (card, client) pair; a blocked event loop or a GIL held by the render would show as latencies of seconds.

The last line on stdout is one JSON object: `export_s`, `pdf_mb`, `baseline_p50_ms`/`baseline_p95_ms`
(cards before the export), `during_p50_ms`/`during_p95_ms`/`during_p99_ms`/`during_max_ms` (cards sent
while the export ran), `p95_ratio` (during / baseline), `lost` (deliveries missing after a grace period),
and the conditions (`cards`, `clients`, `interval_s`, `database`, `cpus`, `load_avg_1m_at_start`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import time
from typing import Any

import httpx
import socketio
from harness import Server, join_all, logger, ms, percentile, run_against_server

log = logger("export_pdf")
GROUPS = ["employer", "job_centre", "training", "guidance", "policy", "welfare", "beneficiary"]
MARKER = re.compile(r"pdfbench-(\d+)")


async def fill_big_workshop(http: httpx.AsyncClient, server: Server, cards: int) -> int:
    made = (
        await http.post(
            f"{server.base}/api/v1/workshops", json={"title": "Big workshop"}, headers=server.staff
        )
    ).json()
    authors = []
    for i in range(60):
        r = await http.post(
            f"{server.base}/api/v1/join/{made['code']}", json={"name": f"P{i}", "group": GROUPS[i % 7]}
        )
        authors.append({"Authorization": f"Bearer {r.json()['token']}"})
    url = f"{server.base}/api/v1/stages/{made['current_stage_id']}/contributions"
    gate = asyncio.Semaphore(8)

    async def write(i: int) -> None:
        body = {
            "text": f"Contribution {i}: better access to language courses and childcare near the job centre"
        }
        async with gate:
            r = await http.post(url, json=body, headers=authors[i % len(authors)])
        if r.status_code != 201:
            raise RuntimeError(f"a card answered {r.status_code}: {r.text[:300]}")

    await asyncio.gather(*(write(i) for i in range(cards)))
    return made["id"]


class Phones:
    """Socket.io clients in one workshop, noting when each marked card reaches each of them."""

    def __init__(self) -> None:
        self.clients: list[socketio.AsyncClient] = []
        self.arrivals: dict[int, list[float]] = {}

    async def connect(self, base: str, workshop_id: int, tokens: list[str]) -> None:
        async def one(token: str) -> None:
            client = socketio.AsyncClient(reconnection=False)
            seen: set[int] = set()  # a card's text stands in a frame more than once (text and fragment)

            @client.on("*")
            async def any_event(_event: str, data: Any) -> None:
                now = time.time()
                for n in {int(n) for n in MARKER.findall(json.dumps(data))} - seen:
                    seen.add(n)
                    self.arrivals.setdefault(n, []).append(now)

            await client.connect(
                base, auth={"workshop_id": workshop_id, "token": token}, transports=["websocket"]
            )
            self.clients.append(client)

        gate = asyncio.Semaphore(20)

        async def paced(token: str) -> None:
            async with gate:
                await one(token)

        await asyncio.gather(*(paced(t) for t in tokens))

    async def close(self) -> None:
        await asyncio.gather(*(c.disconnect() for c in self.clients), return_exceptions=True)


async def bench(args: Any, server: Server) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
    async with httpx.AsyncClient(timeout=600, limits=limits) as http:
        await server.wait_healthy(http)
        started = time.monotonic()
        big = await fill_big_workshop(http, server, args.cards)
        log(f"a workshop of {args.cards} cards built in {time.monotonic() - started:.1f} s")
        live = (
            await http.post(
                f"{server.base}/api/v1/workshops", json={"title": "Live workshop"}, headers=server.staff
            )
        ).json()
        tokens = await join_all(http, server.base, live["code"], args.clients)
        phones = Phones()
        await phones.connect(server.base, live["id"], tokens)
        log(f"{len(phones.clients)} phones connected to the live workshop")
        sent: dict[int, float] = {}
        writer = {"Authorization": f"Bearer {tokens[0]}"}
        url = f"{server.base}/api/v1/stages/{live['current_stage_id']}/contributions"
        stop = asyncio.Event()

        async def send_cards() -> None:
            n = 0
            while not stop.is_set():
                n += 1
                sent[n] = time.time()
                await http.post(url, json={"text": f"pdfbench-{n} a live card"}, headers=writer)
                await asyncio.sleep(max(0.0, sent[n] + args.interval - time.time()))

        sender = asyncio.create_task(send_cards())
        await asyncio.sleep(args.baseline)
        export_from = time.time()
        response = await http.get(
            f"{server.base}/api/v1/workshops/{big}/export", params={"format": "pdf"}, headers=server.staff
        )
        export_to = time.time()
        if response.status_code != 200:
            raise RuntimeError(f"the export answered {response.status_code}: {response.text[:300]}")
        log(f"PDF export: {export_to - export_from:.1f} s, {len(response.content) / 1e6:.2f} MB")
        await asyncio.sleep(1.0)
        stop.set()
        await sender
        await asyncio.sleep(args.grace)
        await phones.close()

    def latencies(cards: list[int]) -> list[float]:
        return [at - sent[n] for n in cards for at in phones.arrivals.get(n, [])]

    baseline = latencies([n for n, at in sent.items() if at < export_from])
    during = latencies([n for n, at in sent.items() if export_from <= at <= export_to])
    expected = len(sent) * len(phones.clients)
    received = sum(len(phones.arrivals.get(n, [])) for n in sent)
    base_p95, during_p95 = percentile(baseline, 95), percentile(during, 95)
    return {
        "export_s": round(export_to - export_from, 2),
        "pdf_mb": round(len(response.content) / 1e6, 2),
        "baseline_p50_ms": ms(percentile(baseline, 50)),
        "baseline_p95_ms": ms(base_p95),
        "during_p50_ms": ms(percentile(during, 50)),
        "during_p95_ms": ms(during_p95),
        "during_p99_ms": ms(percentile(during, 99)),
        "during_max_ms": ms(max(during, default=None)),  # type: ignore[arg-type]
        "p95_ratio": round(during_p95 / base_p95, 2) if base_p95 and during_p95 else None,
        "lost": expected - received,
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cards", type=int, default=2000, help="contributions of the exported workshop (2000)")
    p.add_argument("--clients", type=int, default=300, help="phones connected to the live workshop (300)")
    p.add_argument("--interval", type=float, default=0.25, help="seconds between live cards (0.25)")
    p.add_argument("--baseline", type=float, default=5.0, help="seconds of live cards before the export (5)")
    p.add_argument("--grace", type=float, default=3.0, help="seconds to wait for late deliveries (3)")
    p.add_argument("--database-url", default=None, help="default: a fresh SQLite file in a temp dir")
    args = p.parse_args()
    report = run_against_server("export", bench, args, phones=args.clients)
    report.update(
        cards=args.cards,
        clients=args.clients,
        interval_s=args.interval,
    )
    print(json.dumps(report))
    return 0 if report["lost"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
