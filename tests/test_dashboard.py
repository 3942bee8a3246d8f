"""The organiser dashboard without JavaScript: the list with its exports, archive, delete after a second
question, the retention setting, and purges that take the names and leave the counts."""

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, func, select
from sqlmodel import SQLModel

from cowork.commands import run_query
from cowork.db import read_session
from cowork.domain import participants as joining
from cowork.domain import (
    retention,
    schema,  # noqa: F401  (every table, so every table is checked)
)
from cowork.domain.errors import Closed
from cowork.domain.models import Contribution, Event, Participant, utcnow
from cowork.exports.report import build_report
from tests.conftest import World, cli, patient, run
from tests.test_exports import fill


async def sign_in(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/login", data={"email": "fac@example.org", "password": "correct horse battery"}
    )
    assert response.status_code == 303


def rows_of_workshop(engine: Engine, workshop_id: int) -> dict[str, int]:
    """How many rows each table holds for the workshop (tables with a workshop_id, and the workshop)."""
    counts = {}
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            column = table.c.get("workshop_id") if table.name != "workshop" else table.c.id
            if column is not None:
                counts[table.name] = connection.execute(
                    select(func.count()).select_from(table).where(column == workshop_id)
                ).scalar_one()
    return {name: n for name, n in counts.items() if n}


async def test_the_dashboard_lists_workshops_with_status_participants_and_every_export(
    client: httpx.AsyncClient, world: World
) -> None:
    fill(world)
    await sign_in(client)
    page = await client.get("/f")
    assert page.status_code == 200
    row = re.search(rf'<tr id="workshop-{world.workshop.id}">(.*?)</tr>', page.text, re.S)
    assert row is not None
    assert "Co-working lab" in row.group(1) and "Open" in row.group(1)
    assert '<td class="participants">2</td>' in row.group(1)
    for fmt in ("pdf", "docx", "xlsx", "csv", "md", "json", "zip"):
        assert f'href="/f/w/{world.workshop.id}/export?format={fmt}"' in row.group(1)
    download = await client.get(f"/f/w/{world.workshop.id}/export?format=md&lang=es")
    assert download.status_code == 200 and "Ideas y necesidades" in download.text
    assert 'action="/f/import"' in page.text and 'type="file"' in page.text


async def test_deleting_asks_first_then_removes_every_row_of_the_workshop(
    client: httpx.AsyncClient, world: World, engine: Engine
) -> None:
    filled = fill(world)
    wid = filled.id
    before = rows_of_workshop(engine, wid)
    assert {"workshop", "stage", "participant", "contribution", "event"} <= set(before)
    await sign_in(client)
    question = await client.get(f"/f/w/{wid}/delete")
    assert question.status_code == 200
    assert "Delete workshop Co-working lab and its 7 contributions? This cannot be undone." in question.text
    assert f'<form method="post" action="/f/w/{wid}/delete"' in question.text
    # A post without the confirmation field only asks again.
    unconfirmed = await client.post(f"/f/w/{wid}/delete")
    assert unconfirmed.status_code == 200 and "This cannot be undone." in unconfirmed.text
    assert rows_of_workshop(engine, wid) == before
    done = await client.post(f"/f/w/{wid}/delete", data={"confirm": "yes"})
    assert done.status_code == 303 and done.headers["location"] == "/f?deleted=1"
    assert rows_of_workshop(engine, wid) == {}
    listing = await client.get("/f?deleted=1")
    assert "The workshop was deleted." in listing.text and f'id="workshop-{wid}"' not in listing.text


async def test_deleting_a_workshop_with_features_rows_leaves_the_other_workshops_alone(
    client: httpx.AsyncClient, world: World, engine: Engine
) -> None:
    fill(world)
    other = run(
        engine,
        retention.change_privacy,
        actor=world.facilitator,
        workshop_id=world.workshop.id,
        named=True,
        retention_days=3,
    )
    assert other.named
    from cowork.domain import workshops

    second = run(engine, workshops.create_workshop, actor=world.facilitator, title="Second")
    kept = rows_of_workshop(engine, second.id)
    deleted = run(engine, retention.delete_workshop, actor=world.facilitator, workshop_id=world.workshop.id)
    assert deleted["exportsettings"] == 1 and deleted["contribution"] == 7
    assert rows_of_workshop(engine, world.workshop.id) == {}
    assert rows_of_workshop(engine, second.id) == kept


async def test_purging_now_takes_names_and_contacts_and_keeps_texts_and_counts(
    client: httpx.AsyncClient, world: World, engine: Engine
) -> None:
    filled = fill(world)
    counts_before = run_query(engine, build_report, workshop_id=filled.id, language="en")
    await sign_in(client)
    question = await client.get(f"/f/w/{filled.id}/purge")
    assert "Purge the personal data of Co-working lab now? This cannot be undone." in question.text
    done = await client.post(f"/f/w/{filled.id}/purge", data={"confirm": "yes"})
    assert done.status_code == 303
    with read_session(engine) as session:
        people = session.exec(select(Participant).where(Participant.workshop_id == filled.id)).scalars().all()
        assert len(people) == 2 and all(p.name is None and p.organisation is None for p in people)
        assert sorted(p.group for p in people) == ["employer", "job_centre"]
        cards = (
            session.exec(select(Contribution).where(Contribution.workshop_id == filled.id)).scalars().all()
        )
        assert len(cards) == 7 and all(c.participant_id is None for c in cards)
        assert "Housing near the job centre" in {c.text for c in cards}
        record = session.exec(select(Event).where(Event.workshop_id == filled.id)).scalars().all()
        assert "Secretname" not in str([e.data for e in record])
        assert record[-1].type == "workshop.purged"
    after = run_query(engine, build_report, workshop_id=filled.id, language="en", named=True)
    assert (
        after.section("participants").sheets[0].rows == counts_before.section("participants").sheets[0].rows
    )
    assert len(after.section("needs").sheets[0].rows) == len(counts_before.section("needs").sheets[0].rows)
    page = await client.get(f"/f/w/{filled.id}/data?purged=1")
    assert "Personal data was purged" in page.text


async def test_the_retention_setting_is_checked_and_purge_due_takes_only_workshops_past_it(
    client: httpx.AsyncClient, world: World, engine: Engine, tmp_path: Path, db_url: str
) -> None:
    filled = fill(world)
    await sign_in(client)
    wrong = await client.post(f"/f/w/{filled.id}/privacy", data={"retention_days": "0"})
    assert wrong.status_code == 422 and "between 1 and 3,650 days" in wrong.text
    saved = await client.post(f"/f/w/{filled.id}/privacy", data={"retention_days": "30"})
    assert saved.status_code == 303
    page = await client.get(saved.headers["location"])
    assert 'value="30"' in page.text and "due to be purged" in page.text
    assert run(engine, retention.purge_due) == []  # not yet: the workshop was active today
    assert run(engine, retention.purge_due, now=utcnow() + timedelta(days=31)) == [filled.id]
    assert run(engine, retention.purge_due, now=utcnow() + timedelta(days=62)) == []  # nothing new since
    env = {"COWORK_DATA_DIR": str(tmp_path / "data"), "COWORK_DATABASE_URL": db_url}
    result = cli("purge", "--due", env=env)
    assert result.returncode == 0 and "purged personal data of 0 workshop(s)" in result.stdout


async def test_an_archived_workshop_takes_no_one_new_and_can_be_restored(
    client: httpx.AsyncClient, world: World, engine: Engine
) -> None:
    await sign_in(client)
    archived = await client.post(f"/f/w/{world.workshop.id}/archive")
    assert archived.status_code == 303
    page = await client.get("/f")
    assert "Archived" in page.text and ">Restore<" in page.text
    try:
        world.join(name="Late")
        raise AssertionError("an archived workshop took a new participant")
    except Closed:
        pass
    await client.post(f"/f/w/{world.workshop.id}/archive", data={"restore": "1"})
    participant, _token = run(engine, joining.join_workshop, code=world.workshop.code, name="On time")
    assert participant.id


async def test_archiving_reaches_connected_screens_and_privacy_changes_stay_with_staff(
    server: Any, world: World
) -> None:
    from tests.test_live import screen

    _, phone_token = world.join(name="Ana")
    wid = world.workshop.id
    async with (
        screen(server, {"token": phone_token, "workshop_id": wid}) as phone,
        screen(server, {"token": world.api_token, "workshop_id": wid}) as console,
    ):
        async with patient.AsyncClient(base_url=server.url) as browser:  # the organiser's page, over HTTP
            await sign_in(browser)
            saved = await browser.post(f"/f/w/{wid}/privacy", data={"named": "1", "retention_days": "7"})
            assert saved.status_code == 303
            assert (await browser.post(f"/f/w/{wid}/archive")).status_code == 303
        archived = await phone.wait_for(lambda e: e["type"] == "workshop.archived")
        assert archived["data"] == {"status": "archived"}
        assert {"op": "reload", "target": "#stage"} in archived["swaps"]
        privacy = next(e for e in phone.events if e["type"] == "privacy.changed")
        assert "data" not in privacy  # staff only: the phone sees just seq, type and time
        staff = await console.wait_for(lambda e: e["type"] == "privacy.changed")
        assert staff["data"] == {"named": True, "retention_days": 7}
        assert phone.seqs() == sorted(phone.seqs())


async def test_the_place_and_follow_up_date_are_set_on_the_data_page_by_a_plain_form_post(
    client: httpx.AsyncClient, world: World
) -> None:
    await sign_in(client)
    url = f"/f/w/{world.workshop.id}"
    wrong = await client.post(f"{url}/details", data={"place": "Town hall", "follow_up_on": "next week"})
    assert wrong.status_code == 422 and "is not a date; please give it as YYYY-MM-DD." in wrong.text
    assert 'value="Town hall"' in wrong.text and 'value="next week"' in wrong.text  # what was typed stays
    saved = await client.post(f"{url}/details", data={"place": "Town hall", "follow_up_on": "2027-03-16"})
    assert saved.status_code == 303
    page = await client.get(saved.headers["location"])
    assert 'value="Town hall"' in page.text and 'value="2027-03-16"' in page.text
    markdown = await client.get(f"{url}/export", params={"format": "md"})
    assert "Venue: Town hall" in markdown.text and "Follow-up meeting on March 16, 2027." in markdown.text
