"""Ballot benchmark: how many ballots a second cowork takes, how long each waits, and that none is lost.

One run, all on 127.0.0.1, everything in a temp dir that is removed afterwards:

1. `cowork serve` as its own process (a fresh SQLite file unless --database-url); an admin and an API token
   from the CLI; one workshop and a dot vote (--options options, 3 dots each) from the API; N participants
   join it through `POST /api/v1/join/{code}`.
2. All N participants vote at once, each --rounds ballots one after the other (moving their dots, as people
   do), through `POST /api/v1/polls/{id}/ballots` with a client id, at most --concurrency requests in
   flight. Each request is timed from just before it is sent until its answer.
3. The vote is closed, and the frozen result is checked against what was acknowledged: the number of
   ballots equals the participants with an acknowledged ballot, and each option's dots equal the sum of
   every participant's last acknowledged ballot.

Progress goes to stderr; the last line on stdout is one JSON object:
`ballots_per_s` (acknowledged ballots / the time from the first request to the last answer), `p50_ms`,
`p95_ms`, `p99_ms`, `max_ms` (request latency), `sent`, `acknowledged`, `errors` (answers other than
200/201, by status), `counted` (true when the frozen result equals the acknowledged ballots), and the
conditions (`participants`, `rounds`, `concurrency`, `database`, `cpus`, `load_avg_1m_at_start`).
It exits with 1 when a ballot was lost or miscounted.

    .venv/bin/python benchmarks/ballots.py                       # 300 participants, 3 rounds
    .venv/bin/python benchmarks/ballots.py --participants 50 --rounds 2
    .venv/bin/python benchmarks/ballots.py --database-url 'postgresql+psycopg://127.0.0.1:5432/test?options=-csearch_path%3Dbench'
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from typing import Any

import httpx
from harness import Server, join_all, logger, ms, percentile, run_against_server

log = logger("ballots")


async def bench(args: Any, server: Server) -> dict[str, Any]:
    staff = server.staff
    limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=args.concurrency)
    async with httpx.AsyncClient(base_url=server.base, timeout=120, limits=limits) as http:
        await server.wait_healthy(http)
        made = await http.post("/api/v1/workshops", json={"title": "Ballot benchmark"}, headers=staff)
        workshop = made.json()
        started = time.monotonic()
        tokens = await join_all(http, server.base, workshop["code"], args.participants)
        log(f"{len(tokens)} participants joined in {time.monotonic() - started:.1f} s")
        poll = (
            await http.post(
                f"/api/v1/stages/{workshop['current_stage_id']}/polls",
                json={
                    "method": "dots",
                    "budget": 3,
                    "options": [{"label": f"Need {i + 1}"} for i in range(args.options)],
                },
                headers=staff,
            )
        ).json()
        await http.post(f"/api/v1/polls/{poll['id']}/open", headers=staff)
        options = [str(o["id"]) for o in poll["options"]]
        rng = random.Random(args.seed)
        latencies: list[float] = []
        errors: dict[str, int] = {}
        last: dict[int, dict[str, int]] = {}
        gate = asyncio.Semaphore(args.concurrency)

        async def vote(who: int) -> None:
            for round_ in range(args.rounds):
                choices = dict.fromkeys(options, 0)
                for _dot in range(3):
                    choices[rng.choice(options)] += 1
                body = {"choices": choices, "client_id": f"b{who}-{round_}"}
                async with gate:
                    sent = time.perf_counter()
                    try:
                        r = await http.post(
                            f"/api/v1/polls/{poll['id']}/ballots",
                            json=body,
                            headers={"Authorization": f"Bearer {tokens[who]}"},
                        )
                    except httpx.TransportError as exc:
                        errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                        continue
                    latencies.append(time.perf_counter() - sent)
                if r.status_code in (200, 201):
                    last[who] = choices
                else:
                    errors[str(r.status_code)] = errors.get(str(r.status_code), 0) + 1

        log(
            f"{len(tokens)} participants cast {args.rounds} ballots each (at most {args.concurrency} at once)"
        )
        t0 = time.perf_counter()
        await asyncio.gather(*(vote(i) for i in range(len(tokens))))
        window = time.perf_counter() - t0
        closed = (await http.post(f"/api/v1/polls/{poll['id']}/close", headers=staff)).json()
    counted_dots = {str(row["option_id"]): row["dots"] for row in closed["results"]}
    expected_dots = {o: sum(c[o] for c in last.values()) for o in options}
    counted = closed["ballots"] == len(last) and counted_dots == expected_dots
    acknowledged = len(latencies) - sum(v for k, v in errors.items() if k.isdigit())
    return {
        "ballots_per_s": round(acknowledged / window, 1) if window else None,
        "p50_ms": ms(percentile(latencies, 50)),
        "p95_ms": ms(percentile(latencies, 95)),
        "p99_ms": ms(percentile(latencies, 99)),
        "max_ms": ms(max(latencies, default=None)),  # type: ignore[arg-type]
        "sent": args.participants * args.rounds,
        "acknowledged": acknowledged,
        "errors": errors,
        "counted": counted,
        "tally_ballots": closed["ballots"],
        "voters_acknowledged": len(last),
        "window_s": round(window, 2),
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--participants", type=int, default=300, help="participants voting at once (300)")
    p.add_argument(
        "--rounds", type=int, default=3, help="ballots each participant casts, one after the other (3)"
    )
    p.add_argument("--options", type=int, default=8, help="options of the dot vote (8)")
    p.add_argument("--concurrency", type=int, default=100, help="requests in flight at most (100)")
    p.add_argument("--database-url", default=None, help="default: a fresh SQLite file in a temp dir")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    report = run_against_server("ballots", bench, args, phones=args.participants)
    report.update(
        participants=args.participants,
        rounds=args.rounds,
        options=args.options,
        concurrency=args.concurrency,
    )
    log(
        f"{report['ballots_per_s']} ballots/s, p50 {report['p50_ms']} ms, p95 {report['p95_ms']} ms, "
        f"{report['acknowledged']}/{report['sent']} acknowledged, counted correctly: {report['counted']}"
    )
    print(json.dumps(report))
    return 0 if report["counted"] and not report["errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
