"""The same guarantee for a purge: after "Purge personal data now" or a retention purge, the names,
organisations and contact details of the workshop in tests/test_erase.py's walk are in no API answer, no page
(phone, projector, console), no export format, no row of any table and (SQLite) no byte of the database files;
the record stays gapless, and the cards' texts and the votes' counts stay."""

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from cowork.domain import retention
from cowork.domain.models import utcnow
from cowork.live.hub import PARTICIPANT_COOKIE
from tests import test_erase
from tests.conftest import PG_URL, ThreadServer, World, patient, run
from tests.test_erase import KEPT, ORG, PEOPLE, Walk, _ok, leaks, rows_with_words, shown_words
from tests.test_live import _post, screen

walk = test_erase.walk  # the one card's workshop, walked through every feature

CONTACT = {"person": "Ottoline Brackwater", "email": "brackwater@example.org", "phone": "+49 351 9876123"}
NAMES = (*(name.split()[1] for name, _ in PEOPLE), ORG, "Brackwater", "9876123")


async def _personal_data_everywhere(walk: Walk) -> None:
    """A stakeholder with a contact (given with consent), and named exports: the names go everywhere."""
    stage = walk.stages["stakeholders"]
    await _ok(
        await walk.staff.post(
            f"/api/v1/stages/{stage}/stakeholders",
            json={"name": "Migration advice", "family": "welfare", "contact": CONTACT, "consent": True},
        )
    )
    named = await walk.staff.post(f"/f/w/{walk.wid}/privacy", data={"named": "on", "retention_days": "30"})
    assert named.status_code == 303


@pytest.mark.parametrize("how", ["now", "due"])
async def test_a_purge_leaves_no_name_in_any_answer_page_export_or_row(walk: Walk, how: str) -> None:
    await _personal_data_everywhere(walk)
    interface = f"/api/v1/workshops/{walk.wid}/interface-document"
    before = await shown_words(walk, NAMES)
    assert {"json", "md", "csv", "xlsx", "docx"} <= {where for where, names in before.items() if names}
    assert leaks((await walk.staff.get(interface)).text, NAMES)
    events = (await walk.staff.get(f"/api/v1/workshops/{walk.wid}/events?limit=1000")).json()["events"]

    if how == "now":  # the facilitator's button
        assert (await walk.staff.post(f"/f/w/{walk.wid}/purge", data={"confirm": "yes"})).status_code == 303
    else:  # `cowork purge --due`, the retention's days after the last activity
        assert run(walk.world.engine, retention.purge_due, now=utcnow() + timedelta(days=31)) == [walk.wid]

    # The phones' cookies stopped working: a newcomer reads the phone's pages.
    newcomer = await _ok(await walk.phone.post(f"/api/v1/join/{walk.workshop['code']}", json={"name": "Dee"}))
    walk.phone.cookies.set(PARTICIPANT_COOKIE.format(workshop_id=walk.wid), newcomer["token"])
    found = [(where, name) for where, names in (await shown_words(walk, NAMES)).items() for name in names]
    found += [(interface, name) for name in leaks((await walk.staff.get(interface)).text, NAMES)]
    found += [(table, "row") for table in rows_with_words(walk.world.engine, NAMES)]
    assert not found, "\n".join(map(str, found))

    record = (await walk.staff.get(f"/api/v1/workshops/{walk.wid}/events?limit=1000")).json()["events"]
    assert [e["seq"] for e in record] == list(range(1, len(record) + 1))
    assert [e["type"] for e in record][: len(events)] == [e["type"] for e in events]
    assert "workshop.purged" in {e["type"] for e in record[len(events) :]}
    results = (await walk.staff.get(f"/api/v1/polls/{walk.polls[0]}/results")).json()
    assert sorted(r["dots"] for r in results["results"]) == [2, 4]  # the votes stay
    cards = (await walk.staff.get(f"/api/v1/tables/{walk.table_id}/cards")).json()["items"]
    assert KEPT in {c["text"] for c in cards}  # the texts stay


@pytest.mark.skipif(bool(PG_URL), reason="the files of the embedded SQLite database")
async def test_a_purge_leaves_no_name_in_the_sqlite_files(walk: Walk, tmp_path: Path) -> None:
    await _personal_data_everywhere(walk)
    files = [tmp_path / "cowork.db", tmp_path / "cowork.db-wal"]
    assert any(leaks(f.read_bytes(), NAMES) for f in files if f.exists())  # the walk wrote them down
    assert (await walk.staff.post(f"/f/w/{walk.wid}/purge", data={"confirm": "yes"})).status_code == 303
    for f in files:
        if f.exists():
            assert leaks(f.read_bytes(), NAMES) == [], f.name


async def test_a_phone_connecting_after_a_purge_never_gets_the_names_from_the_servers_memory(
    server: ThreadServer, world: World
) -> None:
    """The server keeps its latest pushes for catch-up (live/recent.py): a purge makes it forget them, so a
    screen connecting afterwards reads the purged record instead of the names pushed before."""
    _, ana = world.join(name="Ana")
    wid, code = world.workshop.id, world.workshop.code
    async with screen(server, {"token": ana, "workshop_id": wid}) as neighbour:
        before = await _post(server, ana, world.stage_id, "a first card")
        joined = await asyncio.to_thread(
            httpx.post, f"{server.url}/api/v1/join/{code}", json={"name": PEOPLE[0][0], "organisation": ORG}
        )
        assert joined.status_code == 201
        pushed = await neighbour.wait_for(lambda e: e["type"] == "participant.joined")
        assert leaks(json.dumps(pushed), NAMES)  # the room saw the name: the server's memory holds it

        def purge() -> int:
            with patient.Client(base_url=server.url, headers={"Origin": server.url}) as staff:
                login = {"email": "fac@example.org", "password": "correct horse battery"}
                assert staff.post("/login", data=login).status_code == 303
                return staff.post(f"/f/w/{wid}/purge", data={"confirm": "yes"}).status_code

        assert await asyncio.to_thread(purge) == 303
        await neighbour.wait_for(lambda e: e["type"] == "workshop.purged")
        newcomer = await asyncio.to_thread(
            httpx.post, f"{server.url}/api/v1/join/{code}", json={"name": "Dee"}
        )
        token = newcomer.json()["token"]  # the purge ended every earlier phone's token
        last = await neighbour.wait_for(
            lambda e: e["type"] == "participant.joined" and e["seq"] > pushed["seq"]
        )
        # A page that showed the record before the name arrived, connecting while the room is still live.
        async with screen(server, {"token": token, "workshop_id": wid, "since": before["seq"]}) as late:
            await late.wait_for(lambda e: e["seq"] == last["seq"])
            assert leaks(json.dumps(late.events), NAMES) == []
