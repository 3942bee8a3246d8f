"""A phone without script whose plain form post meets a store that cannot save (503): the stage page comes
again with the sentence beside that form and what was typed or chosen still in it, for every outbox form,
not only the card's."""

from pathlib import Path

import httpx

from cowork.domain import workshops
from cowork.domain.program import stages
from cowork.domain.stakeholders import registry as sh
from tests.conftest import World, patient, run
from tests.test_faults import _read_only, _serving
from tests.votes.test_polls_browser import _open_dot_vote

SENTENCE = "The server cannot save anything right now"


def _post(server: object, world: World, phone: str, path: str, data: dict[str, str]) -> httpx.Response:
    answer = patient.post(
        f"{server.url}/j/{world.workshop.code}{path}",  # type: ignore[attr-defined]
        data=data,
        cookies={f"cowork_p_{world.workshop.id}": phone},
    )
    assert answer.status_code == 503, answer.text[:300]
    assert answer.headers["retry-after"] == "5"
    return answer


def _to_stage(world: World, kind: str, **settings: object) -> int:
    stage = run(
        world.engine,
        stages.add_stage,
        actor=world.facilitator,
        workshop_id=world.workshop.id,
        kind=kind,
        title=kind.title(),
        settings=settings or None,
    )
    run(
        world.engine,
        workshops.set_current_stage,
        actor=world.facilitator,
        workshop_id=world.workshop.id,
        stage_id=stage.id,
    )
    return stage.id


def test_a_ballot_posted_plainly_while_the_store_cannot_save_comes_back_as_filled_in(
    tmp_path: Path, db_url: str, world: World
) -> None:
    _participant, phone = world.join()
    with _serving(tmp_path, db_url) as writable:
        poll = _open_dot_vote(writable, world)
    option = poll["options"][0]["id"]
    with _serving(tmp_path, _read_only(db_url)) as server:
        page = _post(server, world, phone, f"/polls/{poll['id']}/ballot", {f"choice-{option}": "2"})
    assert SENTENCE in page.text
    assert f'name="choice-{option}" value="2"' in page.text


def test_a_stakeholder_proposal_and_a_rating_posted_plainly_keep_what_was_given(
    tmp_path: Path, db_url: str, world: World
) -> None:
    _participant, phone = world.join(group="job_centre")
    stage_id = _to_stage(world, "stakeholders")
    known, _ = run(
        world.engine,
        sh.propose_stakeholder,
        actor=world.facilitator,
        stage_id=stage_id,
        name="Job centre North",
        family="job_centre",
    )
    with _serving(tmp_path, _read_only(db_url)) as server:
        proposal = _post(
            server,
            world,
            phone,
            "/stakeholders",
            {"stage_id": str(stage_id), "name": "Migrant women's café", "family": "welfare"},
        )
        rating = _post(
            server, world, phone, f"/stakeholders/{known.id}/rating", {"influence": "4", "interest": "2"}
        )
    assert SENTENCE in proposal.text
    assert 'value="Migrant women&#39;s café"' in proposal.text
    assert SENTENCE in rating.text
    assert 'name="influence" value="4" required checked' in rating.text
    assert 'name="interest" value="2" required checked' in rating.text


def test_evaluation_answers_posted_plainly_stay_on_the_page(
    tmp_path: Path, db_url: str, world: World
) -> None:
    _participant, phone = world.join()
    questions = [
        {"id": "pace", "text": "The pace was right."},
        {"id": "next", "type": "text", "text": {"en": "What should come next?"}},
    ]
    stage_id = _to_stage(world, "evaluation", questions=questions)
    with _serving(tmp_path, _read_only(db_url)) as server:
        page = _post(
            server,
            world,
            phone,
            f"/evaluation/{stage_id}",
            {"a-pace": "4", "a-next": "More time with employers"},
        )
    assert SENTENCE in page.text
    assert 'name="a-pace" value="4" checked' in page.text
    assert ">More time with employers</textarea>" in page.text
