"""Wire bytes: what a phone receives of a busy round table, as sent and as permessage-deflate would send it.

One run, all on 127.0.0.1 (everything in a temp dir, removed afterwards): `cowork serve` with a fresh SQLite
file; a workshop (format "plain") with a second stage; --people participants join. One phone connects (a
participant's socket, no compression) and records every frame it gets while the round table runs:

1. five more people join, a bit over a second apart (the phone's present count; cowork sends one a second);
2. --cards cards from the participants, each a different sentence, --gap seconds apart (one card a frame);
3. a dot vote with five options is opened and every participant casts a ballot, --gap seconds apart;
4. the facilitator moves the workshop to the second stage.

Then a second phone connects with `since: 0` (an old page, or a phone after a restart) and records its
catch-up frame. Every recorded frame is framed as the server frames it (websockets' `Frame.serialize`) and
compressed the way uvicorn's websockets-sansio protocol compresses when a browser negotiates
permessage-deflate (websockets' PerMessageDeflate: window bits 12, memLevel 5, context takeover: one
compressor per connection, fed the frames in the order the phone got them). The catch-up frame is the first
a new connection sends, so it is compressed by a fresh compressor.

Progress goes to stderr; the last line on stdout is one JSON object: per kind of frame (`card`, `ballot`,
`present`, `stage`, `catch_up`) the frames, the mean bytes on the wire raw and deflated, the saving, and the
TCP segments a frame needs either way (1,448 bytes of payload a segment); and `per_phone_per_minute`: the
bytes of a busy minute (--busy cards and ballots a minute, one present count a second while people join)
raw and deflated.

    .venv/bin/python benchmarks/wirebytes.py
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import sys
from typing import Any

import httpx
from harness import Server, join_all, logger, run_against_server
from websockets.extensions.permessage_deflate import PerMessageDeflate
from websockets.frames import Frame, Opcode

log = logger("wirebytes")
MSS = 1448  # TCP payload per segment on Ethernet/Wi-Fi with timestamps

# A round table's cards: different sentences of different lengths, some in German and Spanish.
IDEAS = [
    "More shade on the playground",
    "A weekly repair café in the library basement, run by volunteers from the neighbourhood",
    "Benches along the river path",
    "Night buses on Fridays and Saturdays until 2 am",
    "Ein Gemeinschaftsgarten hinter der Grundschule, für alle offen",
    "Bike racks at the station that you can lock to",
    "Una plaza sin coches los domingos por la mañana",
    "Free Wi-Fi in the town hall's waiting room",
    "Tool library: borrow a drill instead of buying one",
    "Öffentliche Toiletten am Marktplatz, auch abends geöffnet",
    "Translate the council's letters into the five most spoken languages here",
    "A pedestrian crossing at the corner of Mill Street and the school",
    "Street lights that dim after midnight",
    "Más fuentes de agua potable en los parques",
    "Youth council with its own small budget",
    "Plant trees where the old parking lot was",
    "Sprechstunde der Bürgermeisterin einmal im Monat im Stadtteilzentrum",
    "Covered bus stops",
    "Share the minutes of every meeting online within a week, in plain language",
    "A map of all the places where you can sit without buying something",
]


def idea(rng: random.Random, n: int) -> str:
    """A card's text: one idea, sometimes with a second sentence, and its number (every card differs)."""
    text = rng.choice(IDEAS)
    if rng.random() < 0.4:
        text += ". " + rng.choice(IDEAS).lower()
    return f"{text} ({n})"


class Phone:
    """A socket.io connection speaking Engine.IO v4 by hand, as fanout.py's clients: every text frame kept."""

    def __init__(self, base: str, auth: dict[str, Any]) -> None:
        self.base, self.auth = base, auth
        self.frames: list[str] = []
        self.task: asyncio.Task[None] | None = None

    async def run(self, session: Any) -> None:
        import aiohttp

        url = f"ws://{self.base.split('://', 1)[1]}/socket.io/?EIO=4&transport=websocket"
        async with session.ws_connect(url, origin=self.base, max_msg_size=0) as ws:
            await ws.receive_str()  # the open packet
            await ws.send_str("40" + json.dumps(self.auth))
            async for msg in ws:
                if msg.type is not aiohttp.WSMsgType.TEXT:
                    break
                if msg.data == "2":
                    await ws.send_str("3")
                elif msg.data.startswith("42"):
                    self.frames.append(msg.data)


def kind(frame: str) -> str:
    """The kind of a recorded frame, by the events it carries."""
    name, payload = json.loads(frame[2:])[:2]
    bodies = payload if name == "events" else [payload]
    if name == "events" and len(bodies) > 5:
        return "catch_up"
    types = {body.get("type") for body in bodies if isinstance(body, dict)}
    for event_type, label in (
        ("card.added", "card"),
        ("ballot.cast", "ballot"),
        ("participant.joined", "present"),
        ("stage.changed", "stage"),
    ):
        if event_type in types:
            return label
    return "other:" + ",".join(sorted(str(t) for t in types))


def deflater() -> PerMessageDeflate:
    """What uvicorn's websockets-sansio protocol compresses with (its ServerPerMessageDeflateFactory)."""
    return PerMessageDeflate(False, False, 12, 12, {"memLevel": 5})


def wire(frame: str, compressor: PerMessageDeflate | None) -> int:
    """Bytes on the wire of one server frame (unmasked): header and payload."""
    extensions = [compressor] if compressor else []
    return len(Frame(Opcode.TEXT, frame.encode()).serialize(mask=False, extensions=extensions))


def sizes(frames: list[str]) -> list[tuple[str, int, int]]:
    """(kind, raw bytes, deflated bytes) per frame, one compressor for the whole sequence."""
    compressor = deflater()
    return [(kind(f), wire(f, None), wire(f, compressor)) for f in frames]


def summary(rows: list[tuple[str, int, int]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for label in sorted({r[0] for r in rows}):
        mine = [r for r in rows if r[0] == label]
        raw = sum(r[1] for r in mine) / len(mine)
        deflated = sum(r[2] for r in mine) / len(mine)
        out[label] = {
            "frames": len(mine),
            "raw_bytes": round(raw),
            "deflated_bytes": round(deflated),
            "saved": round(1 - deflated / raw, 3),
            "max_raw_bytes": max(r[1] for r in mine),
            "max_deflated_bytes": max(r[2] for r in mine),
            "segments_raw": math.ceil(max(r[1] for r in mine) / MSS),
            "segments_deflated": math.ceil(max(r[2] for r in mine) / MSS),
        }
    return out


async def bench(args: Any, server: Server) -> dict[str, Any]:
    import aiohttp

    rng = random.Random(args.seed)
    staff = server.staff
    async with httpx.AsyncClient(base_url=server.base, timeout=60) as http:
        await server.wait_healthy(http)
        made = await http.post(
            "/api/v1/workshops", json={"title": "Round table", "format": "plain"}, headers=staff
        )
        workshop = made.json()
        wid, first = workshop["id"], workshop["current_stage_id"]
        second = (
            await http.post(
                f"/api/v1/workshops/{wid}/stages",
                json={"kind": "board", "title": "Round table 2"},
                headers=staff,
            )
        ).json()["id"]
        tokens = await join_all(http, server.base, workshop["code"], args.people)
        since = (await http.get(f"/api/v1/workshops/{wid}", headers=staff)).json()["last_seq"]
        async with aiohttp.ClientSession() as session:
            phone = Phone(server.base, {"token": tokens[0], "workshop_id": wid, "since": since})
            watching = asyncio.create_task(phone.run(session))
            await asyncio.sleep(1)
            log("five more people join")
            for i in range(5):
                r = await http.post(f"/api/v1/join/{workshop['code']}", json={"name": f"late {i}"})
                r.raise_for_status()
                await asyncio.sleep(1.2)
            log(f"{args.cards} cards")
            for n in range(args.cards):
                author = {"Authorization": f"Bearer {tokens[n % len(tokens)]}"}
                body = {"text": idea(rng, n), "category": "idea"}
                (
                    await http.post(f"/api/v1/stages/{first}/contributions", json=body, headers=author)
                ).raise_for_status()
                await asyncio.sleep(args.gap)
            log("a dot vote")
            poll = (
                await http.post(
                    f"/api/v1/stages/{first}/polls",
                    json={"method": "dots", "budget": 3, "options": [{"label": o} for o in IDEAS[:5]]},
                    headers=staff,
                )
            ).json()
            (await http.post(f"/api/v1/polls/{poll['id']}/open", headers=staff)).raise_for_status()
            options = [str(o["id"]) for o in poll["options"]]
            for who, token in enumerate(tokens):
                choices = dict.fromkeys(options, 0)
                for _dot in range(3):
                    choices[rng.choice(options)] += 1
                body = {"choices": choices, "client_id": f"w{who}"}
                r = await http.post(
                    f"/api/v1/polls/{poll['id']}/ballots",
                    json=body,
                    headers={"Authorization": f"Bearer {token}"},
                )
                r.raise_for_status()
                await asyncio.sleep(args.gap)
            log("the next stage")
            r = await http.post(
                f"/api/v1/workshops/{wid}/current-stage", json={"stage_id": second}, headers=staff
            )
            r.raise_for_status()
            await asyncio.sleep(1)
            log("a phone with an old page catches up")
            late = Phone(server.base, {"token": tokens[1], "workshop_id": wid, "since": 0})
            catching = asyncio.create_task(late.run(session))
            await asyncio.sleep(3)
            for task in (watching, catching):
                task.cancel()
            await asyncio.gather(watching, catching, return_exceptions=True)
    rows = sizes(phone.frames)
    catch_up = [f for f in late.frames if kind(f) == "catch_up"][:1]
    rows += sizes(catch_up)  # a new connection's first frame: a fresh compressor
    kinds = summary(rows)
    bodies = len(json.loads(catch_up[0][2:])[1]) if catch_up else 0
    return {
        "kinds": kinds,
        "catch_up_bodies": bodies,
        "per_phone_per_minute": per_minute(kinds, args.busy),
        "people": args.people + 5,
        "cards": args.cards,
        "compression": "permessage-deflate, window bits 12, memLevel 5, context takeover (uvicorn's)",
    }


def per_minute(kinds: dict[str, Any], busy: int) -> dict[str, Any]:
    """A busy minute on one phone: `busy` cards, `busy` ballots, a present count a second, a stage change."""
    counts = {"card": busy, "ballot": busy, "present": 60, "stage": 1}
    raw = sum(kinds[k]["raw_bytes"] * n for k, n in counts.items() if k in kinds)
    deflated = sum(kinds[k]["deflated_bytes"] * n for k, n in counts.items() if k in kinds)
    return {
        "frames": counts,
        "raw_bytes": raw,
        "deflated_bytes": deflated,
        "saved": round(1 - deflated / raw, 3),
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--people", type=int, default=30, help="participants at the round table (30)")
    p.add_argument("--cards", type=int, default=100, help="cards sent (100)")
    p.add_argument("--gap", type=float, default=0.12, help="seconds between cards and between ballots (0.12)")
    p.add_argument("--busy", type=int, default=30, help="cards and ballots in a busy minute (30 each)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--database-url", help="cowork's database (default: a fresh SQLite file in a temp dir)")
    args = p.parse_args()
    report = run_against_server("wirebytes", bench, args, phones=args.people + 5)
    for label, row in report["kinds"].items():
        log(
            f"{label}: {row['frames']} frames, {row['raw_bytes']} → {row['deflated_bytes']} bytes "
            f"({row['saved']:.0%} saved)"
        )
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
