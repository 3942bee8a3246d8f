"""The sample workshop: a filled-in Co-Working Lab to try every screen, never counted with real ones."""

import json
import re
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import select

from cowork.db import read_session
from cowork.domain.actions import commitments
from cowork.domain.actions.proposals import Proposal
from cowork.domain.errors import Invalid
from cowork.domain.models import Contribution, Event, Participant, Workshop
from cowork.domain.program.sample import create_sample_workshop
from cowork.domain.stakeholders.models import Rating, Stakeholder
from cowork.domain.votes.closing import close_poll
from cowork.domain.votes.polls import Ballot, Poll
from cowork.domain.workshops import get_stage
from cowork.exports.replay.replayer import import_record
from tests.conftest import World, run
from tests.test_dashboard import rows_of_workshop, sign_in
from tests.test_exports import fill


def _contents(engine: Engine, workshop_id: int) -> dict[str, Any]:
    with read_session(engine) as session:

        def rows(model: Any) -> list[Any]:
            return list(session.exec(select(model).where(model.workshop_id == workshop_id)))

        workshop = session.get(Workshop, workshop_id)
        return {
            "workshop": workshop,
            "stage": get_stage(session, stage_id=workshop.current_stage_id),  # type: ignore[union-attr,arg-type]
            "cards": [c for c in rows(Contribution) if c.kind == "card"],
            "clusters": [c for c in rows(Contribution) if c.kind == "cluster"],
            "people": rows(Participant),
            "stakeholders": rows(Stakeholder),
            "ratings": rows(Rating),
            "proposals": rows(Proposal),
            "polls": rows(Poll),
            "ballots": [
                b
                for poll in rows(Poll)
                for b in session.exec(select(Ballot).where(Ballot.poll_id == poll.id))
            ],
            "events": list(
                session.exec(select(Event).where(Event.workshop_id == workshop_id).order_by(Event.seq))
            ),
        }


def test_a_sample_is_a_filled_in_co_working_lab_whose_record_says_it_is_a_sample(world: World) -> None:
    sample = run(world.engine, create_sample_workshop, actor=world.facilitator, language="en")
    got = _contents(world.engine, sample.id)
    workshop = got["workshop"]
    assert (workshop.title, workshop.format_id, workshop.is_sample) == (
        "Sample: Co-Working Lab",
        "co-working-lab",
        True,
    )
    assert got["stage"].kind == "needs"  # the board is what the projector shows first
    # Cards written in three languages, some of them in clusters.
    assert {c.language for c in got["cards"]} == {"en", "de", "es"}
    assert len(got["cards"]) == 6 and len(got["clusters"]) == 2
    assert sum(1 for c in got["cards"] if c.cluster_id) == 4
    assert {c.text for c in got["clusters"]} == {"Housing after release", "Language courses that fit"}
    # Stakeholders the participants rated, a proposal vote that is still open, with some ballots.
    assert len(got["stakeholders"]) == 4 and len(got["ratings"]) == 4 * len(got["people"])
    assert len(got["proposals"]) == 2
    (poll,) = got["polls"]
    assert poll.status == "open" and poll.method == "yes_no_abstain" and len(got["ballots"]) == 3
    # Everything came through the domain: a gapless record of real events, the first one saying "sample".
    events = got["events"]
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].type == "workshop.created" and events[0].data["sample"] is True
    kinds = {e.type for e in events}
    assert {"card.added", "cards.merged", "stakeholder.proposed", "ballot.cast", "poll.opened"} <= kinds


def test_a_sample_speaks_the_facilitators_language(world: World) -> None:
    sample = run(world.engine, create_sample_workshop, actor=world.facilitator, language="de")
    got = _contents(world.engine, sample.id)
    assert got["workshop"].title == "Beispiel: Co-Working Lab" and got["workshop"].language == "de"
    assert {c.text for c in got["clusters"]} == {"Wohnen nach der Entlassung", "Sprachkurse, die passen"}
    assert "Bewährungshilfe" in {s.name for s in got["stakeholders"]}
    assert "Abendsprachkurse mit Kinderbetreuung" in {p.title for p in got["proposals"]}
    # The participants still write in their own languages.
    assert {c.language for c in got["cards"]} == {"en", "de", "es"}


async def test_try_a_sample_on_the_dashboard_opens_its_console_in_the_readers_language(
    client: httpx.AsyncClient, world: World
) -> None:
    await sign_in(client)
    dashboard = await client.get("/f")
    assert 'action="/f/workshops/sample"' in dashboard.text and "Try a sample workshop" in dashboard.text
    client.cookies.set("cowork_lang", "es")
    made = await client.post("/f/workshops/sample")
    assert made.status_code == 303
    console = await client.get(made.headers["location"])
    assert "Ejemplo: Co-Working Lab" in console.text and 'id="sample-note"' in console.text
    assert "Eliminar el ejemplo" in console.text


async def test_the_api_makes_a_sample_and_says_so(client: httpx.AsyncClient, world: World) -> None:
    auth = {"Authorization": f"Bearer {world.api_token}", "Accept-Language": "de"}
    made = await client.post("/api/v1/workshops", json={"sample": True}, headers=auth)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["sample"] is True and body["language"] == "de" and body["title"] == "Beispiel: Co-Working Lab"
    assert body["participants"] == 4
    plain = await client.post("/api/v1/workshops", json={"title": "Real one"}, headers=auth)
    assert plain.json()["sample"] is False
    untitled = await client.post("/api/v1/workshops", json={}, headers=auth)
    assert untitled.status_code == 422 and "braucht einen Titel" in untitled.json()["detail"]


async def test_a_sample_never_counts_with_the_real_workshops(client: httpx.AsyncClient, world: World) -> None:
    fill(world)  # the real workshop: 2 participants, their cards
    await sign_in(client)
    before = await client.get("/f")
    totals = re.search(r'id="dashboard-totals">(.*?)</p>', before.text, re.S)
    assert totals and "1 workshop · 2 participants" in totals.group(1)
    real_row = re.search(rf'<tr id="workshop-{world.workshop.id}">(.*?)</tr>', before.text, re.S)
    made = await client.post("/f/workshops/sample")
    sample_id = int(made.headers["location"].rsplit("/", 1)[1])
    after = await client.get("/f")
    totals_after = re.search(r'id="dashboard-totals">(.*?)</p>', after.text, re.S)
    assert totals_after and totals_after.group(1).startswith(totals.group(1).split("<span")[0].strip())
    assert "samples not counted" in totals_after.group(1)
    # The real workshop's own row (its participants, its counts) is what it was.
    assert re.search(rf'<tr id="workshop-{world.workshop.id}">(.*?)</tr>', after.text, re.S).group(
        1
    ) == real_row.group(1)  # type: ignore[union-attr]
    sample_row = re.search(rf'<tr id="workshop-{sample_id}">(.*?)</tr>', after.text, re.S)
    assert sample_row and "Sample</span>" in sample_row.group(1)


async def test_deleting_a_sample_is_one_step_and_leaves_nothing(
    client: httpx.AsyncClient, world: World, engine: Engine
) -> None:
    await sign_in(client)
    made = await client.post("/f/workshops/sample")
    sample_id = int(made.headers["location"].rsplit("/", 1)[1])
    assert rows_of_workshop(engine, sample_id)["contribution"] == 8
    console = await client.get(f"/f/w/{sample_id}")
    assert f'href="/f/w/{sample_id}/delete"' in console.text
    done = await client.post(f"/f/w/{sample_id}/delete", data={"confirm": "yes"})
    assert done.status_code == 303
    assert rows_of_workshop(engine, sample_id) == {}
    assert rows_of_workshop(engine, world.workshop.id)["workshop"] == 1


async def test_the_exports_of_a_sample_say_it_is_a_sample(client: httpx.AsyncClient, world: World) -> None:
    sample = run(world.engine, create_sample_workshop, actor=world.facilitator, language="en")
    auth = {"Authorization": f"Bearer {world.api_token}"}
    md = await client.get(f"/api/v1/workshops/{sample.id}/export", params={"format": "md"}, headers=auth)
    assert "## Sample workshop" in md.text and "made up" in md.text
    md_de = await client.get(
        f"/api/v1/workshops/{sample.id}/export", params={"format": "md", "lang": "de"}, headers=auth
    )
    assert "## Beispiel-Workshop" in md_de.text
    record = await client.get(
        f"/api/v1/workshops/{sample.id}/export", params={"format": "json"}, headers=auth
    )
    assert record.json()["workshop"]["sample"] is True
    # A record of a sample comes back as a sample.
    again = run(world.engine, import_record, actor=world.facilitator, record=json.loads(record.content))
    assert again.is_sample is True
    real = await client.get(
        f"/api/v1/workshops/{world.workshop.id}/export", params={"format": "md"}, headers=auth
    )
    assert "Sample workshop" not in real.text


async def test_a_samples_commitments_are_never_carried_into_a_real_workshop(
    client: httpx.AsyncClient, world: World
) -> None:
    sample = run(world.engine, create_sample_workshop, actor=world.facilitator, language="en")
    (poll,) = _contents(world.engine, sample.id)["polls"]
    run(world.engine, close_poll, actor=world.facilitator, poll_id=poll.id)
    made = run(world.engine, commitments.commit_poll, actor=world.facilitator, poll_id=poll.id)
    assert made  # the sample's adopted proposal is now an open commitment, as a facilitator trying it sees
    await sign_in(client)
    page = await client.get(f"/f/w/{world.workshop.id}/commitments")
    assert page.status_code == 200 and "Sample: Co-Working Lab" not in page.text
    with pytest.raises(Invalid, match="made up"):
        run(
            world.engine,
            commitments.import_commitments,
            actor=world.facilitator,
            workshop_id=world.workshop.id,
            from_workshop_id=sample.id,
        )
    sent = await client.post(
        f"/f/w/{world.workshop.id}/commitments/import", data={"from_workshop_id": str(sample.id)}
    )
    assert sent.status_code == 422 and "made up" in sent.text
    with read_session(world.engine) as session:
        assert commitments.list_commitments(session, workshop_id=world.workshop.id) == []
