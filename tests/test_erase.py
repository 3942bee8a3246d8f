"""Erase means erased: one card taken through every feature that copies its words, then erased by its author.

Afterwards its words (as written and as the facilitator edited them) are in no API answer, no page, no export,
no row of any table, and (SQLite) no byte of the database files; the record stays gapless and its events stay.
"""

import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from pypdf import PdfReader
from sqlalchemy import Engine, select
from sqlmodel import SQLModel

from cowork.db import read_session
from cowork.domain import redaction
from cowork.domain.models import Contribution, Event
from cowork.exports import FORMATS
from cowork.live.hub import PARTICIPANT_COOKIE
from tests.conftest import PG_URL, World
from tests.test_import import domain_event_types, use_every_feature

ORIGINAL = "Quokkadebt"  # words nobody else writes: one found anywhere is a copy of this card
EDITED = "Wombatarrears"
WORDS = (ORIGINAL, EDITED)
KEPT = "Childcare at night"  # a card beside it, which must stay wherever it was
# The people of the walk, with names and an organisation nobody else writes (a purge must take them).
PEOPLE = (
    ("Amira Quillfeather", "welfare"),
    ("Ben Ostrowiak", "employer"),
    ("Cleo Vantongeren", "job_centre"),
)
ORG = "Zanderbrook Trust"


def leaks(blob: str | bytes, words: tuple[str, ...] = WORDS) -> list[str]:
    haystack = blob.lower() if isinstance(blob, str) else blob.decode("utf-8", "replace").lower()
    return [w for w in words if w.lower() in haystack]


def export_text(fmt: str, body: bytes) -> str:
    """What a reader of the file sees: the PDF's text, the Office files' and zips' XML and CSV."""
    if fmt == "pdf":
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    if fmt in ("docx", "xlsx", "csv", "zip"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            parts = []
            for name in archive.namelist():
                inner = archive.read(name)
                parts.append(export_text(name.rsplit(".", 1)[-1], inner) if name.endswith(".pdf") else "")
                if not name.endswith(".pdf"):
                    parts.append(inner.decode("utf-8", "replace"))
            return "\n".join(parts)
    return body.decode()


@dataclass
class Walk:
    """The workshop after the card went everywhere: what to read back, and by whom."""

    world: World
    staff: httpx.AsyncClient  # the facilitator's API token and signed-in console
    phone: httpx.AsyncClient  # the card's author
    workshop: dict[str, Any]
    stages: dict[str, int]
    card_id: int
    table_id: int
    polls: list[int]
    proposal_id: int
    pdf: bool = True
    urls: list[str] = field(default_factory=list)

    @property
    def wid(self) -> int:
        return self.workshop["id"]


async def _ok(response: httpx.Response, *codes: int) -> Any:
    assert response.status_code in (codes or (200, 201)), response.text
    return response.json() if "json" in response.headers.get("content-type", "") else response.text


async def walk_the_card(world: World, client: httpx.AsyncClient) -> Walk:
    """Write a card on a table's board and take it through edit, cluster, move, two dot votes, the ranking,
    a proposal's needs, the presentations and an export, as a workshop would."""
    auth = {"Authorization": f"Bearer {world.api_token}"}
    staff = httpx.AsyncClient(transport=client._transport, base_url="http://testserver", headers=auth)
    workshop = await _ok(
        await staff.post("/api/v1/workshops", json={"title": "Lab", "format": "co-working-lab"})
    )
    wid, stages = workshop["id"], {s["kind"]: s["id"] for s in workshop["stages"]}
    signed_in = await staff.post(
        "/login", data={"email": "fac@example.org", "password": "correct horse battery"}
    )
    assert signed_in.status_code == 303

    async def go(kind: str) -> None:
        await _ok(await staff.post(f"/api/v1/workshops/{wid}/current-stage", json={"stage_id": stages[kind]}))

    people = []
    for name, group in PEOPLE:
        joined = await _ok(
            await client.post(
                f"/api/v1/join/{workshop['code']}", json={"name": name, "group": group, "organisation": ORG}
            )
        )
        people.append(joined["token"])
    phone = httpx.AsyncClient(transport=client._transport, base_url="http://testserver")
    phone.cookies.set(PARTICIPANT_COOKIE.format(workshop_id=wid), people[0])
    voters = [{"Authorization": f"Bearer {t}"} for t in people[1:]]

    await go("group_work")
    split = await _ok(
        await staff.post(f"/api/v1/workshops/{wid}/tables", json={"count": 1, "method": "random"})
    )
    table_id = split["tables"][0]["id"]
    written = await phone.post(
        f"/j/{workshop['code']}/tables/{table_id}/cards",
        data={"text": f"{ORIGINAL} with the landlord", "stage_id": str(stages["group_work"])},
    )
    assert written.status_code == 303, written.text
    mine = (await phone.get(f"/j/{workshop['code']}/mine")).text
    card_id = int(mine.split('id="my-card-')[1].split('"')[0])
    kept = await _ok(
        await client.post(f"/api/v1/tables/{table_id}/cards", json={"text": KEPT}, headers=voters[0])
    )
    gw = stages["group_work"]
    await _ok(await staff.patch(f"/api/v1/contributions/{card_id}", json={"text": f"{EDITED} and eviction"}))
    cluster = await _ok(
        await staff.post(
            f"/api/v1/stages/{gw}/clusters", json={"title": "Money", "card_ids": [card_id, kept["id"]]}
        )
    )
    await _ok(
        await staff.post(
            f"/api/v1/stages/{gw}/moves", json={"card_ids": [cluster["id"]], "category": "tasks"}
        )
    )
    await _ok(
        await staff.post(f"/api/v1/stages/{gw}/moves", json={"card_ids": [card_id], "category": "tasks"})
    )
    await _ok(await staff.post(f"/api/v1/stages/{gw}/undo"))

    polls = []
    for close in (True, False):
        options = [{"contribution_id": card_id}, {"contribution_id": kept["id"]}]
        poll = await _ok(
            await staff.post(
                f"/api/v1/stages/{gw}/polls", json={"method": "dots", "budget": 3, "options": options}
            )
        )
        await _ok(await staff.post(f"/api/v1/polls/{poll['id']}/open"))
        first, second = (o["id"] for o in poll["options"])
        for headers, choices in zip(voters, ({first: 3}, {second: 2, first: 1}), strict=True):
            await _ok(
                await client.post(
                    f"/api/v1/polls/{poll['id']}/ballots", json={"choices": choices}, headers=headers
                )
            )
        if close:
            closed = await _ok(await staff.post(f"/api/v1/polls/{poll['id']}/close"))
            assert closed["divergence"] and leaks(
                json.dumps(closed)
            )  # the words were copied: the walk is real
        polls.append(poll["id"])
    ranking = await _ok(await staff.get(f"/api/v1/stages/{gw}/ranking"))
    assert leaks(json.dumps(ranking))

    proposal = await _ok(
        await staff.post(
            f"/api/v1/stages/{stages['action_plan']}/proposals",
            json={"title": "Debt advice desk", "needs": [card_id]},
        )
    )
    await go("presentations")
    await _ok(await staff.post(f"/api/v1/stages/{stages['presentations']}/presentations/next"))
    pdf = True
    for fmt in FORMATS:  # exported while the workshop runs: nothing of it may be kept
        exported = await staff.get(f"/api/v1/workshops/{wid}/export", params={"format": fmt})
        pdf = pdf and not (fmt == "pdf" and exported.status_code == 503)
        assert exported.status_code in (200, 503)
    await go("group_work")
    return Walk(world, staff, phone, workshop, stages, card_id, table_id, polls, proposal["id"], pdf)


def api_reads(walk: Walk) -> list[str]:
    """Every API answer that shows cards, votes, the record, the ranking or proposals."""
    wid, s = walk.wid, walk.stages
    return [
        f"/api/v1/stages/{s['group_work']}/contributions",
        f"/api/v1/tables/{walk.table_id}/cards",
        f"/api/v1/stages/{s['group_work']}/polls",
        *(f"/api/v1/polls/{p}" for p in walk.polls),
        *(f"/api/v1/polls/{p}/results" for p in walk.polls),
        f"/api/v1/stages/{s['group_work']}/ranking",
        f"/api/v1/stages/{s['action_plan']}/proposals",
        f"/api/v1/proposals/{walk.proposal_id}",
        f"/api/v1/stages/{s['presentations']}/presentations",
        f"/api/v1/workshops/{wid}/events?limit=1000",
        f"/api/v1/workshops/{wid}/tables",
        f"/api/v1/workshops/{wid}",
        f"/api/v1/workshops/{wid}/commitments",
        f"/api/v1/stages/{s['group_work']}",
    ]


def pages(walk: Walk) -> list[tuple[httpx.AsyncClient, str]]:
    """The phone's, projector's and console's pages, and the fragments they refetch (votes, the ranking,
    presentations, commitments) of the stage the workshop is on."""
    code, key, wid = walk.workshop["code"], walk.workshop["projector_url"].rsplit("/", 1)[1], walk.wid
    gw, shows = walk.stages["group_work"], walk.stages["presentations"]
    return [
        (walk.phone, f"/j/{code}/stage"),
        (walk.phone, f"/j/{code}/stage/fragment"),
        (walk.phone, f"/j/{code}/mine"),
        (walk.phone, f"/j/{code}/polls"),
        (walk.phone, f"/j/{code}/commitments"),
        (walk.staff, f"/s/{key}"),
        (walk.staff, f"/s/{key}/stage"),
        (walk.staff, f"/s/{key}/polls"),
        *((walk.staff, f"/s/{key}/polls/{p}/bars") for p in walk.polls),
        (walk.staff, f"/s/{key}/ranking/{gw}"),
        (walk.staff, f"/s/{key}/presentations/{shows}"),
        (walk.staff, f"/s/{key}/commitments"),
        (walk.staff, f"/f/w/{wid}"),
        (walk.staff, f"/f/w/{wid}/stage"),
        (walk.staff, f"/f/w/{wid}/rail"),
        (walk.staff, f"/f/w/{wid}/screen"),
        (walk.staff, f"/f/w/{wid}/polls"),
        *((walk.staff, f"/f/polls/{p}/bars") for p in walk.polls),
        (walk.staff, f"/f/stages/{gw}/ranking"),
        (walk.staff, f"/f/w/{wid}/presentations/{shows}"),
        (walk.staff, f"/f/w/{wid}/commitments"),
    ]


def rows_with_words(engine: Engine, words: tuple[str, ...] = WORDS) -> list[str]:
    """Every row of every table, searched for the words: a table that keeps a copy is named."""
    found = []
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            for row in conn.execute(select(table)):
                if leaks(json.dumps([str(v) for v in row], ensure_ascii=False), words):
                    found.append(table.name)
    return sorted(set(found))


@pytest.fixture
async def walk(world: World, client: httpx.AsyncClient) -> Iterator[Walk]:
    walked = await walk_the_card(world, client)
    yield walked
    await walked.staff.aclose()
    await walked.phone.aclose()


async def shown_words(walk: Walk, words: tuple[str, ...] = WORDS) -> dict[str, list[str]]:
    """Every API answer, page and export format, with the words each shows (exports: as read)."""
    found = {}
    for url in api_reads(walk):
        answer = await walk.staff.get(url)
        assert answer.status_code == 200, (url, answer.text)
        found[url] = leaks(answer.text, words)
    for reader, url in pages(walk):
        page = await reader.get(url)
        assert page.status_code == 200, url
        found[url] = leaks(page.text, words)
    for fmt in FORMATS:
        exported = await walk.staff.get(f"/api/v1/workshops/{walk.wid}/export", params={"format": fmt})
        if fmt in ("pdf", "zip") and not walk.pdf:
            continue
        assert exported.status_code == 200, fmt
        shown = export_text(fmt, exported.content)
        found[fmt] = leaks(shown, words)
        assert KEPT.split()[0] in shown, fmt
    return found


async def test_an_erased_card_leaves_no_word_in_any_answer_page_export_or_row(walk: Walk) -> None:
    before = (await walk.staff.get(f"/api/v1/workshops/{walk.wid}/events?limit=1000")).json()
    code, key = walk.workshop["code"], walk.workshop["projector_url"].rsplit("/", 1)[1]
    showing = {where for where, words in (await shown_words(walk)).items() if words}
    stage_pages = {f"/j/{code}/stage", f"/s/{key}/stage", f"/f/w/{walk.wid}/stage"}
    assert stage_pages | {*(f"/f/polls/{p}/bars" for p in walk.polls), *FORMATS} <= showing  # a real walk
    erased = await walk.phone.post(f"/j/{code}/cards/{walk.card_id}/erase")
    assert erased.status_code == 303

    # every place that still shows the words, so that one run names them all
    found = [(where, word) for where, words in (await shown_words(walk)).items() for word in words]
    # The action plan's stage, where the proposal lists the needs it answers: on every screen.
    await _ok(
        await walk.staff.post(
            f"/api/v1/workshops/{walk.wid}/current-stage", json={"stage_id": walk.stages["action_plan"]}
        )
    )
    for url in sorted(stage_pages):
        reader = walk.phone if url.startswith("/j/") else walk.staff
        page = await reader.get(url)
        assert page.status_code == 200 and "Debt advice desk" in page.text, url
        found += [(f"{url} (action plan)", word) for word in leaks(page.text)]
    found += [(table, "row") for table in rows_with_words(walk.world.engine)]
    assert not found, "\n".join(map(str, found))

    # The decision stays: the votes' counts, the record's events, gapless; the proposal still names a need.
    record = (await walk.staff.get(f"/api/v1/workshops/{walk.wid}/events?limit=1000")).json()
    seqs = [e["seq"] for e in record["events"]]
    assert seqs == list(range(1, len(seqs) + 1))
    assert [e["type"] for e in record["events"]][: len(before["events"])] == [
        e["type"] for e in before["events"]
    ]
    results = (await walk.staff.get(f"/api/v1/polls/{walk.polls[0]}/results")).json()
    row = next(r for r in results["results"] if r["contribution_id"] == walk.card_id)
    assert row["dots"] == 4 and row["erased"] is True and row["label"] == ""
    assert [d["label"] for d in results["divergence"] if d["id"] == row["option_id"]] == [""]
    listed = (await walk.staff.get(f"/api/v1/stages/{walk.stages['group_work']}/contributions")).json()
    assert walk.card_id not in [c["id"] for c in listed["items"]]  # nothing left to moderate
    shown = await walk.staff.patch(f"/api/v1/contributions/{walk.card_id}", json={"hidden": False})
    assert shown.status_code == 409 and "erased" in shown.json()["detail"]
    proposal = (await walk.staff.get(f"/api/v1/proposals/{walk.proposal_id}")).json()
    assert proposal["needs"] == [walk.card_id]
    assert proposal["need_cards"] == [{"id": walk.card_id, "text": "", "hidden": True, "erased": True}]


@pytest.mark.skipif(bool(PG_URL), reason="the files of the embedded SQLite database")
async def test_an_erased_card_leaves_no_word_in_the_sqlite_files(walk: Walk, tmp_path: Path) -> None:
    files = [tmp_path / "cowork.db", tmp_path / "cowork.db-wal"]
    assert any(leaks(f.read_bytes()) for f in files if f.exists())  # the walk wrote them down
    erased = await walk.phone.post(f"/j/{walk.workshop['code']}/cards/{walk.card_id}/erase")
    assert erased.status_code == 303
    for f in files:
        if f.exists():
            assert leaks(f.read_bytes()) == [], f.name


async def test_every_event_and_stored_result_that_carries_card_text_has_a_redaction(walk: Walk) -> None:
    """A new feature that copies a card's words into an event or a stored result must say where, or fail."""
    record = (await walk.staff.get(f"/api/v1/workshops/{walk.wid}/events?limit=1000")).json()["events"]
    carrying = {e["type"] for e in record if leaks(json.dumps(e["data"]))}
    assert {"card.added", "card.updated", "poll.closed"} <= carrying  # the walk reached them
    assert not carrying - redaction.event_types(), " ".join(sorted(carrying - redaction.event_types()))
    with walk.world.engine.connect() as conn:
        tables = {
            table.name
            for table in SQLModel.metadata.sorted_tables
            if table.name not in ("event", "contribution")
            for row in conn.execute(select(table))
            if leaks(json.dumps([str(v) for v in row], ensure_ascii=False))
        }
    assert tables and sorted(tables - redaction.stored_tables()) == []


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


def test_every_event_type_of_a_full_workshop_that_copies_a_cards_text_has_a_redaction(world: World) -> None:
    """The workshop of tests/test_import.py records every event type the domain has: each event that holds a
    card's text (as a whole string) must be of a type that registered how to take it out."""
    workshop_id = use_every_feature(world)
    with read_session(world.engine) as session:
        cards = session.scalars(select(Contribution).where(Contribution.kind == "card"))  # type: ignore[arg-type]
        texts = {c.text for c in cards if c.text}
        events = list(session.scalars(select(Event).where(Event.workshop_id == workshop_id)))  # type: ignore[arg-type]
    assert {e.type for e in events} == domain_event_types()  # the workshop used every feature
    carrying = {e.type for e in events if texts & set(_strings(e.data))}
    assert {"card.added", "cards.merged", "poll.closed"} <= carrying
    assert not carrying - redaction.event_types(), " ".join(sorted(carrying - redaction.event_types()))
