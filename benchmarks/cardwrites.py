"""The burst's write path alone: N participants each add one card at once, through `run_command` from a
pool of threads as large as the server's (anyio's 40), with no HTTP and no fan-out. What group commit
changes shows here undiluted: wall time, CPU of this process per card, how many transactions committed them.

    .venv/bin/python benchmarks/cardwrites.py --cards 300
    .venv/bin/python benchmarks/cardwrites.py --cards 300 --database-url 'postgresql+psycopg://…'

The last stdout line is JSON: `cards`, `threads`, `wall_ms`, `p95_ms` (each card's result, from the moment
all were sent), `cpu_us_per_card`, `commits`, `database`, `load_avg_1m_at_start`.
"""

import argparse
import json
import os
import resource
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import event

from cowork.commands import run_command
from cowork.db import make_engine, write_session
from cowork.domain import participants, workshops
from cowork.domain.accounts import create_user
from cowork.domain.actors import Actor
from cowork.domain.board import cards as board
from cowork.migrate import upgrade


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cards", type=int, default=300)
    p.add_argument("--threads", type=int, default=40, help="anyio's default thread limit, as the server")
    p.add_argument("--database-url", help="an empty database or schema (default: a fresh SQLite file)")
    args = p.parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'cowork.db'}"
        upgrade(url)
        engine = make_engine(url)
        with write_session(engine) as session:
            user = create_user(session, email=f"bench{time.time_ns()}@example.org", password="x" * 12)
        workshop, _ = run_command(engine, workshops.create_workshop, actor=Actor.of_user(user), title="Burst")
        actors = [
            Actor.of_participant(
                run_command(engine, participants.join_workshop, code=workshop.code, name=f"P{i}", group=None)[
                    0
                ][0]
            )
            for i in range(args.cards)
        ]
        commits: list[int] = []
        event.listen(engine, "commit", lambda _conn: commits.append(1))

        def send(i: int) -> float:
            run_command(
                engine, board.add_card, actor=actors[i], stage_id=workshop.current_stage_id, text=f"card {i}"
            )
            return time.perf_counter() - wall0  # all are sent at once: the ack's time from the start

        cpu0, wall0 = cpu(), time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.threads) as pool:
            each = sorted(pool.map(send, range(args.cards)))
        cpu1, wall1 = cpu(), time.perf_counter()
        engine.dispose()
    report = {
        "cards": args.cards,
        "threads": args.threads,
        "wall_ms": round((wall1 - wall0) * 1000),
        "p95_ms": round(each[int(0.95 * (len(each) - 1))] * 1000),
        "cpu_us_per_card": round((cpu1 - cpu0) / args.cards * 1e6),
        "commits": len(commits),
        "database": url.split(":")[0],
        "load_avg_1m_at_start": load,
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
