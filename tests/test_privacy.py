"""A participant sees their own cards on the phone and erases them for good: from screens and the record."""

from pathlib import Path

import httpx
import sqlalchemy

from cowork.domain import retention
from cowork.domain.board import moderation
from cowork.domain.votes import setup as poll_setup
from tests.conftest import World, run


async def _join_and_write(client: httpx.AsyncClient, world: World, *texts: str) -> None:
    await client.post(f"/j/{world.workshop.code}", data={"name": "Amira"})
    for text in texts:
        sent = await client.post(
            f"/j/{world.workshop.code}/cards", data={"stage_id": str(world.stage_id), "text": text}
        )
        assert sent.status_code == 303


async def test_a_participant_erases_a_card_and_its_text_is_gone_everywhere(
    client: httpx.AsyncClient, world: World
) -> None:
    await _join_and_write(client, world, "My debts with the landlord", "Childcare at night")
    mine = await client.get(f"/j/{world.workshop.code}/mine")
    assert "My debts with the landlord" in mine.text and "Childcare at night" in mine.text
    card_id = int(mine.text.split('id="my-card-')[2].split('"')[0])  # newest first: the first card is second
    erased = await client.post(f"/j/{world.workshop.code}/cards/{card_id}/erase")
    assert erased.status_code == 303
    mine = await client.get(f"/j/{world.workshop.code}/mine")
    assert "My debts with the landlord" not in mine.text and "Childcare at night" in mine.text
    projector = await client.get(f"/s/{world.workshop.projector_key}")
    assert "My debts with the landlord" not in projector.text
    record = await client.get(
        f"/api/v1/workshops/{world.workshop.id}/events",
        headers={"Authorization": f"Bearer {world.api_token}"},
    )
    assert "My debts with the landlord" not in record.text
    types = [e["type"] for e in record.json()["events"]]
    assert types.count("card.added") == 2 and types[-1] == "card.erased"  # that a card existed stays


async def test_nobody_erases_someone_elses_card(client: httpx.AsyncClient, world: World) -> None:
    await _join_and_write(client, world, "Mine alone")
    mine = await client.get(f"/j/{world.workshop.code}/mine")
    card_id = int(mine.text.split('id="my-card-')[1].split('"')[0])
    async with httpx.AsyncClient(transport=client._transport, base_url="http://testserver") as other:
        await other.post(f"/j/{world.workshop.code}", data={"name": "Ben"})
        refused = await other.post(f"/j/{world.workshop.code}/cards/{card_id}/erase")
        assert refused.status_code == 404 and "You have no such card" in refused.text
    assert "Mine alone" in (await client.get(f"/j/{world.workshop.code}/mine")).text


async def test_an_erased_card_leaves_no_trace_in_clusters_moves_undo_or_vote_options(
    client: httpx.AsyncClient, world: World
) -> None:
    """Moderation and votes copy a card's text into their events and options: erasing reaches them too."""
    await _join_and_write(client, world, "My debts with the landlord", "Childcare at night")
    mine = (await client.get(f"/j/{world.workshop.code}/mine")).text
    secret, other = (int(part.split('"')[0]) for part in mine.split('id="my-card-')[1:][::-1])
    run(
        world.engine,
        moderation.merge_cards,
        actor=world.facilitator,
        stage_id=world.stage_id,
        card_ids=[secret, other],
        title="Money and care",
    )
    run(world.engine, moderation.undo_last_step, actor=world.facilitator, stage_id=world.stage_id)
    run(
        world.engine,
        moderation.move_cards,
        actor=world.facilitator,
        stage_id=world.stage_id,
        card_ids=[secret],
        category=None,
    )
    poll = run(
        world.engine,
        poll_setup.create_poll,
        actor=world.facilitator,
        stage_id=world.stage_id,
        method="dots",
        options=[{"contribution_id": secret}, {"contribution_id": other}],
    )
    erased = await client.post(f"/j/{world.workshop.code}/cards/{secret}/erase")
    assert erased.status_code == 303
    staff = {"Authorization": f"Bearer {world.api_token}"}
    record = await client.get(f"/api/v1/workshops/{world.workshop.id}/events", headers=staff)
    assert "debts with the landlord" not in record.text and "Childcare at night" in record.text
    described = await client.get(f"/api/v1/polls/{poll.id}", headers=staff)
    assert "debts with the landlord" not in described.text and "Childcare at night" in described.text
    for fmt in ("md", "json"):
        exported = await client.get(
            f"/api/v1/workshops/{world.workshop.id}/export", params={"format": fmt}, headers=staff
        )
        assert "debts with the landlord" not in exported.text


async def test_a_purge_leaves_no_name_in_the_database_files(
    client: httpx.AsyncClient, world: World, db_url: str
) -> None:
    """SQLite: the WAL is checkpointed into the secure_delete database; PostgreSQL vacuums the tables."""
    joined = await client.post(
        f"/api/v1/join/{world.workshop.code}",
        json={"name": "Zebediah Quarkfinch", "organisation": "Oddsfirm"},
    )
    assert joined.status_code == 201
    counts = run(world.engine, retention.purge_now, actor=world.facilitator, workshop_id=world.workshop.id)
    assert counts["participants"] == 1
    if db_url.startswith("sqlite"):
        path = Path(db_url.removeprefix("sqlite:///"))
        for file in (path, path.with_name(path.name + "-wal")):
            if file.exists():
                content = file.read_bytes()
                assert b"Zebediah" not in content and b"Oddsfirm" not in content, file.name
        return
    with world.engine.connect() as conn:
        vacuumed = conn.execute(
            sqlalchemy.text(
                "SELECT relname FROM pg_stat_user_tables"
                " WHERE schemaname = current_schema() AND last_vacuum IS NOT NULL"
            )
        ).scalars()
        assert {"participant", "event", "contribution"} <= set(vacuumed)
