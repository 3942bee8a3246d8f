"""Live screens through a join storm (joinstorm.py `--live N --card-rate R`): does the room still see cards?

Before the storm N participants join through the API and connect their sockets from a process of their own,
as fanout.py's clients do (fanout.join_all, fanout.Clients: Engine.IO spoken by hand, every frame's
`bench-N` marker timestamped). One of them posts a marked card (fanout.CARD_TEXT) through the API every
1/R s from the storm's own process, from `--live-before` seconds (plus 2 s of warm-up, while the phones'
processes start) before the first phone arrives until the storm's window ends. A card's latency on a screen
is from just before its request to the frame's arrival (one clock for all processes, time.time()).

The screens are the room's phones that were there before the storm: a fixed set, so the cards before the
storm and during it are measured on the same screens. The joining phones get the same cards once connected;
they are reported apart (`live_p95_ms_joiners`, the cards posted after a phone was caught up), since the
ones posted while it was joining reach it through its catch-up, which `socket_*` already measures.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from types import SimpleNamespace
from typing import Any

from fanout import CARD_TEXT, Clients, join_all, target, wait_until
from harness import logger, ms, percentile

log = logger("joinstorm")
WARMUP_S = 2.0  # cards before the measured ones: the first renders, the phones' processes starting


class LiveScreens:
    """N connected screens of one workshop and the participant who posts cards to them."""

    def __init__(self, session: Any, clients: Clients, url: str, token: str, n: int) -> None:
        self.session, self.clients, self.url, self.n = session, clients, url, n
        self.headers = {"Authorization": f"Bearer {token}"}
        self.sent: dict[int, tuple[float, int | None]] = {}  # card number: (sent at, its seq or None)
        self.pending: set[asyncio.Task[None]] = set()
        self.poster: asyncio.Task[None] | None = None

    @classmethod
    async def connect(cls, args: argparse.Namespace, base: str, workshop: dict[str, Any]) -> LiveScreens:
        import aiohttp

        # A connection per request: a kept-alive one reused just as the server drops it (idle 5 s, while
        # the screens connect) fails a card for a reason of the client's.
        connector = aiohttp.TCPConnector(limit=0, force_close=True)
        session = aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60))
        try:
            tokens = await join_all(session, base, workshop["code"], args.live)
            auths = [target(base, {"token": t, "workshop_id": workshop["id"]}) for t in tokens]
            # fanout.Clients' options: one process, held until the storm is surely over.
            horizon = WARMUP_S + args.live_before + args.within + args.timeout + 60
            options = SimpleNamespace(client_procs=1, deflate=False, warmup=0, duration=horizon, grace=30)
            clients = Clients(auths, options, 0)
            await wait_until(lambda: clients.count(0) + clients.count(1) >= len(auths), 60, clients.alive)
        except BaseException:
            await session.close()
            raise
        if clients.count(0) == 0:
            await session.close()
            raise RuntimeError("no live screen could connect")
        log(f"{clients.count(0)} live screens connected ({clients.count(1)} failed)")
        url = f"{base}/api/v1/stages/{workshop['current_stage_id']}/contributions"
        return cls(session, clients, url, tokens[0], clients.count(0))

    @staticmethod
    def lead(args: argparse.Namespace) -> float:
        """Seconds of cards before the storm: the warm-up and the measured ones."""
        return WARMUP_S + args.live_before

    @staticmethod
    def add_arguments(p: argparse.ArgumentParser) -> None:
        p.add_argument("--live", type=int, default=0, metavar="N", help="screens connected before (0: none)")
        p.add_argument("--card-rate", type=float, default=2, metavar="R", help="their cards per second (2)")
        p.add_argument("--live-before", type=float, default=5, help="seconds of cards before the storm (5)")

    def post_cards(self, rate: float) -> None:
        """A card every 1/rate s on a fixed schedule, not waiting for the answers, until stop_cards."""

        async def one(n: int) -> None:
            t = time.time()  # just before the request
            seq = None
            try:
                body = {"text": CARD_TEXT.format(n=n), "category": "idea"}
                async with self.session.post(self.url, json=body, headers=self.headers) as r:
                    if r.status == 201:
                        seq = (await r.json())["seq"]
                    else:
                        log(f"card {n} answered {r.status}: {(await r.text())[:200]}")
            except Exception as exc:
                log(f"card {n} failed: {exc!r}")
            self.sent[n] = (t, seq)

        async def schedule() -> None:
            loop = asyncio.get_running_loop()
            begin, n = loop.time(), 0
            while True:
                await asyncio.sleep(max(0.0, begin + n / rate - loop.time()))
                task = asyncio.create_task(one(n))
                self.pending.add(task)
                task.add_done_callback(self.pending.discard)
                n += 1

        self.poster = asyncio.create_task(schedule())

    async def stop_cards(self) -> None:
        """No more cards; the posted ones answered."""
        if self.poster is not None:
            self.poster.cancel()
            await asyncio.gather(self.poster, return_exceptions=True)
        await asyncio.gather(*self.pending, return_exceptions=True)

    async def finish(self, grace: float = 10) -> list[dict[str, Any]]:
        """No more cards; wait up to grace seconds for every one on every screen; the screens' receipts."""
        await self.stop_cards()
        posted = sum(seq is not None for _t, seq in self.sent.values())
        await wait_until(lambda: self.clients.count(3) >= posted * self.n, grace, self.clients.alive)
        return await self.clients.finish()

    async def close(self) -> None:
        await self.stop_cards()
        await self.session.close()

    def report(
        self, results: list[dict[str, Any]], start: float, before_s: float, phones: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """The live_* keys: cards posted from `start` on (the storm) and in the before_s seconds before it."""
        arrivals: dict[int, list[float]] = {}
        for result in results:
            for n, times in result["receipts"].items():
                arrivals.setdefault(n, []).extend(times)
        posted = {n: (t, seq) for n, (t, seq) in self.sent.items() if seq is not None}
        storm = [n for n, (t, _seq) in posted.items() if t >= start]
        before = [n for n, (t, _seq) in posted.items() if start - before_s <= t < start]

        def latencies(cards: list[int]) -> tuple[list[float], int]:
            found, lost = [], 0
            for n in cards:
                times = arrivals.get(n, [])[: self.n]
                found += [t - posted[n][0] for t in times]
                lost += self.n - len(times)
            return found, lost

        during, lost = latencies(storm)
        quiet, _ = latencies(before)
        joiners, joiners_lost = [], 0  # each joining phone: the cards posted after it was caught up
        for phone in phones:
            if "caught_up" not in phone:
                continue
            for n in storm:
                t, seq = posted[n]
                if t >= phone["caught_up"]:
                    got = phone["seqs"].get(str(seq))
                    joiners_lost += got is None
                    if got is not None:
                        joiners.append(got - t)
        log(
            f"live screens: card p95 {ms(percentile(during, 95))} ms during the storm, "
            f"{ms(percentile(quiet, 95))} ms before it; {lost} lost"
        )
        return {
            "live_screens": self.n,
            "live_cards": len(storm),
            "live_card_errors": len(self.sent) - len(posted),
            "live_p50_ms": ms(percentile(during, 50)),
            "live_p95_ms": ms(percentile(during, 95)),
            "live_max_ms": ms(max(during)) if during else None,
            "live_lost": lost,
            "live_p95_ms_before": ms(percentile(quiet, 95)),
            "live_cards_before": len(before),
            "live_p95_ms_joiners": ms(percentile(joiners, 95)),
            "live_lost_joiners": joiners_lost,
        }
