"""The evaluation questionnaire: five-point items and open questions (seed 004), answered from phones."""

import re
import threading
from typing import Any

import httpx
import pytest

from cowork.commands import run_command
from cowork.db import read_session
from cowork.domain import participants, workshops
from cowork.domain.actors import Actor
from cowork.domain.errors import Closed, Invalid, NotAllowed
from cowork.domain.program import evaluation
from cowork.formats import get_questionnaire
from tests.conftest import World, run


def _workshop(world: World, format_id: str = "co-working-lab", language: str = "en") -> tuple[Any, int]:
    workshop = run(
        world.engine,
        workshops.create_workshop,
        actor=world.facilitator,
        title="Evaluation",
        format_id=format_id,
        language=language,
    )
    with read_session(world.engine) as session:
        stage_id = next(
            s.id for s in workshops.stages_of(session, workshop_id=workshop.id) if s.kind == "evaluation"
        )
    return workshop, stage_id


def _open(world: World, workshop: Any, stage_id: int) -> None:
    run(
        world.engine,
        workshops.set_current_stage,
        actor=world.facilitator,
        workshop_id=workshop.id,
        stage_id=stage_id,
    )


def _join(world: World, workshop: Any, name: str = "Ana", language: str | None = None) -> tuple[Actor, str]:
    participant, token = run(
        world.engine, participants.join_workshop, code=workshop.code, name=name, language=language
    )
    return Actor.of_participant(participant), token


@pytest.fixture
def evaluation_open(world: World) -> tuple[Any, int]:
    workshop, stage_id = _workshop(world)
    _open(world, workshop, stage_id)
    return workshop, stage_id


def _answer(world: World, actor: Actor, stage_id: int, answers: dict[str, Any], **kw: Any) -> Any:
    return run(world.engine, evaluation.answer, actor=actor, stage_id=stage_id, answers=answers, **kw)


def _results(world: World, stage_id: int) -> dict[str, dict[str, Any]]:
    with read_session(world.engine) as session:
        found = evaluation.read_results(session, actor=world.facilitator, stage_id=stage_id)
    return {item["id"]: item for item in found["items"]}


# --- the questionnaires ---------------------------------------------------------------------------------


def test_the_co_working_lab_asks_the_general_questionnaire_in_the_participants_language(
    world: World, evaluation_open: tuple[Any, int]
) -> None:
    workshop, stage_id = evaluation_open
    actor, _ = _join(world, workshop, language="de")
    with read_session(world.engine) as session:
        questions = evaluation.read_questionnaire(session, actor=actor, stage_id=stage_id)
        spanish = evaluation.read_questionnaire(session, actor=actor, stage_id=stage_id, lang="es")
    assert questions["questionnaire"] == "general" and questions["language"] == "de"
    items = {item["id"]: item for item in questions["items"]}
    assert items["organisation"]["text"] == "Insgesamt war der Workshop gut organisiert."
    assert (
        items["organisation"]["labels"][0] == "Stimme gar nicht zu"
        and len(items["organisation"]["labels"]) == 5
    )
    assert items["positive"] == {"id": "positive", "type": "text", "text": "Was war besonders positiv?"}
    assert "to_improve" in items and "recommend" in items
    assert spanish["items"][-1]["text"] == "¿Qué aspectos se podrían mejorar?"


def test_the_working_groups_seminar_asks_the_ersisi_workshops_questions(world: World) -> None:
    _, stage_id = _workshop(world, "working-groups-seminar")
    with read_session(world.engine) as session:
        questions = evaluation.read_questionnaire(
            session, actor=world.facilitator, stage_id=stage_id, lang="es"
        )
    likert = [item for item in questions["items"] if item["type"] == "likert"]
    assert len(likert) == 8
    assert likert[1]["labels"] == [
        "No estoy de acuerdo",
        "Estoy poco de acuerdo",
        "Normal",
        "Estoy bastante de acuerdo",
        "Estoy muy de acuerdo",
    ]


def test_the_general_questionnaire_names_no_session_of_another_event() -> None:
    spec = get_questionnaire("general")
    assert spec is not None
    texts = " ".join(item.text["en"] for item in spec.items)
    assert "ERSISI" not in texts and "seminar" not in texts
    assert [item.id for item in spec.items if item.type == "text"] == ["positive", "to_improve"]


# --- answering ------------------------------------------------------------------------------------------


def test_answers_give_the_count_mean_and_distribution_per_item(
    world: World, evaluation_open: tuple[Any, int]
) -> None:
    workshop, stage_id = evaluation_open
    for name, score in (("Ana", 5), ("Ben", 4), ("Cem", 4), ("Dara", 2)):
        actor, _ = _join(world, workshop, name)
        _answer(world, actor, stage_id, {"organisation": score, "positive": f"Meeting people ({name})"})
    results = _results(world, stage_id)
    organisation = results["organisation"]
    assert organisation["count"] == 4 and organisation["mean"] == 3.75
    assert organisation["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 2, "5": 1}
    assert results["usefulness"]["count"] == 0 and results["usefulness"]["mean"] is None
    assert results["positive"]["count"] == 4
    assert "Meeting people (Dara)" in results["positive"]["answers"]


def test_a_new_response_replaces_the_earlier_one(world: World, evaluation_open: tuple[Any, int]) -> None:
    workshop, stage_id = evaluation_open
    actor, _ = _join(world, workshop)
    _answer(world, actor, stage_id, {"organisation": 1, "to_improve": "The room"})
    _, events = run_command(
        world.engine, evaluation.answer, actor=actor, stage_id=stage_id, answers={"organisation": 5}
    )
    results = _results(world, stage_id)
    assert results["organisation"]["distribution"] == {"1": 0, "2": 0, "3": 0, "4": 0, "5": 1}
    assert results["to_improve"]["count"] == 0
    assert events[0].type == "evaluation.answered" and events[0].data["replaced"] is True
    assert events[0].data["responses"] == 1


def test_the_session_record_keeps_the_answers_with_the_live_numbers(
    world: World, evaluation_open: tuple[Any, int]
) -> None:
    workshop, stage_id = evaluation_open
    actor, _ = _join(world, workshop)
    _, events = run_command(
        world.engine,
        evaluation.answer,
        actor=actor,
        stage_id=stage_id,
        answers={"organisation": "4", "positive": "  The tables  "},
    )
    data = events[0].data
    assert data["answers"] == {"organisation": 4, "positive": "The tables"}
    assert data["participant_id"] == actor.participant_id and data["questionnaire"] == "general"
    assert data["results"]["organisation"] == {
        "count": 1,
        "mean": 4.0,
        "distribution": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 0},
    }


@pytest.mark.parametrize(
    ("answers", "reason"),
    [
        ({"organisation": 6}, "whole number from 1 to 5"),
        ({"organisation": 0}, "whole number from 1 to 5"),
        ({"organisation": 2.5}, "whole number from 1 to 5"),
        ({"organisation": True}, "whole number from 1 to 5"),
        ({"organisation": "five"}, "whole number from 1 to 5"),
        ({"positive": "x" * 2001}, "at most 2000"),
        ({"positive": 3}, "must be a text"),
        ({"q99": 3}, "no question q99"),
        ({}, "at least one question"),
        ({"positive": "   "}, "at least one question"),
        ([3, 4], "map question ids"),
    ],
)
def test_answers_outside_the_scale_are_refused_and_nothing_is_stored(
    world: World, evaluation_open: tuple[Any, int], answers: Any, reason: str
) -> None:
    workshop, stage_id = evaluation_open
    actor, _ = _join(world, workshop)
    with pytest.raises(Invalid, match=reason):
        _answer(world, actor, stage_id, answers)
    assert all(item["count"] == 0 for item in _results(world, stage_id).values())


def test_the_questionnaire_takes_answers_only_while_its_stage_is_on(world: World) -> None:
    workshop, stage_id = _workshop(world)
    actor, _ = _join(world, workshop)
    with pytest.raises(Closed, match="not open right now"):
        _answer(world, actor, stage_id, {"organisation": 3})


def test_facilitators_read_the_results_but_do_not_answer(
    world: World, evaluation_open: tuple[Any, int]
) -> None:
    workshop, stage_id = evaluation_open
    with pytest.raises(NotAllowed, match="Only participants"):
        _answer(world, world.facilitator, stage_id, {"organisation": 3})
    actor, _ = _join(world, workshop)
    with read_session(world.engine) as session, pytest.raises(NotAllowed):
        evaluation.read_results(session, actor=actor, stage_id=stage_id)


def test_a_stage_without_a_questionnaire_says_so(world: World, evaluation_open: tuple[Any, int]) -> None:
    workshop, _ = evaluation_open
    with read_session(world.engine) as session:
        board_stage = workshops.stages_of(session, workshop_id=workshop.id)[0].id
        with pytest.raises(Invalid, match="no questionnaire"):
            evaluation.read_questionnaire(session, actor=world.facilitator, stage_id=board_stage)


def test_a_retried_response_is_recorded_once(world: World, evaluation_open: tuple[Any, int]) -> None:
    workshop, stage_id = evaluation_open
    actor, _ = _join(world, workshop)
    first = _answer(world, actor, stage_id, {"organisation": 3}, client_id="r-1")
    again, events = run_command(
        world.engine,
        evaluation.answer,
        actor=actor,
        stage_id=stage_id,
        answers={"organisation": 3},
        client_id="r-1",
    )
    assert again.id == first.id and events == []


# --- over HTTP ------------------------------------------------------------------------------------------


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_the_questionnaire_api_contract(client: httpx.AsyncClient, world: World) -> None:
    workshop, stage_id = _workshop(world)
    _open(world, workshop, stage_id)
    _, token = _join(world, workshop, language="es")
    questions = await client.get(f"/api/v1/stages/{stage_id}/questionnaire", headers=_auth(token))
    assert questions.status_code == 200
    items = questions.json()["items"]
    assert all({"id", "type", "text"} <= item.keys() for item in items)
    assert {item["type"] for item in items} == {"likert", "text"}
    assert items[0]["text"] == "En general, el taller estuvo bien organizado."
    assert all(len(item["labels"]) == 5 for item in items if item["type"] == "likert")
    english = await client.get(f"/api/v1/stages/{stage_id}/questionnaire?lang=en", headers=_auth(token))
    assert english.json()["items"][0]["labels"][4] == "Strongly agree"
    bad_lang = await client.get(f"/api/v1/stages/{stage_id}/questionnaire?lang=fr", headers=_auth(token))
    assert bad_lang.status_code == 422

    sent = await client.post(
        f"/api/v1/stages/{stage_id}/responses",
        json={"answers": {"organisation": 4, "recommend": 5, "positive": "Working at tables"}},
        headers=_auth(token),
    )
    assert sent.status_code == 201, sent.text
    for bad in ({"answers": {"organisation": 7}}, {"answers": {"nope": 1}}, {"answers": "4"}, {}):
        refused = await client.post(f"/api/v1/stages/{stage_id}/responses", json=bad, headers=_auth(token))
        assert refused.status_code == 422, bad
        assert refused.json()["detail"]
    results = await client.get(f"/api/v1/stages/{stage_id}/evaluation", headers=_auth(world.api_token))
    assert results.status_code == 200
    items = {item["id"]: item for item in results.json()["items"]}
    assert (items["organisation"]["count"], items["organisation"]["mean"]) == (1, 4.0)
    assert items["organisation"]["distribution"]["4"] == 1
    assert items["positive"]["answers"] == ["Working at tables"]
    by_phone = await client.get(f"/api/v1/stages/{stage_id}/evaluation", headers=_auth(token))
    assert by_phone.status_code == 403


async def test_a_phone_answers_the_questionnaire_without_javascript(
    client: httpx.AsyncClient, world: World
) -> None:
    workshop, stage_id = _workshop(world)
    _open(world, workshop, stage_id)
    await client.post(f"/j/{workshop.code}", data={"name": "Amira", "language": "de"})
    page = await client.get(f"/j/{workshop.code}/stage")
    assert page.status_code == 200
    assert page.text.count('type="radio" name="a-organisation"') == 5
    assert "Stimme voll und ganz zu" in page.text and '<textarea id="answer-positive"' in page.text
    assert re.search(r"<legend>1\. Insgesamt war der Workshop gut organisiert\.</legend>", page.text)
    sent = await client.post(
        f"/j/{workshop.code}/evaluation/{stage_id}",
        data={"a-organisation": "5", "a-timing": "3", "a-positive": "Die Tische", "a-to_improve": ""},
    )
    assert sent.status_code == 303 and "answered=1" in sent.headers["location"]
    page = await client.get(sent.headers["location"])
    assert 'name="a-organisation" value="5" checked' in page.text and "Die Tische" in page.text
    refused = await client.post(f"/j/{workshop.code}/evaluation/{stage_id}", data={"a-organisation": "9"})
    assert refused.status_code == 422 and "eine ganze Zahl von 1 bis 5" in refused.text  # in her language
    assert 'name="a-organisation" value="5" checked' not in refused.text
    screen = await client.get(f"/s/{workshop.projector_key}")
    assert "1 person has answered" in screen.text
    assert re.search(
        r"5<span class=\"eval-point-label\"> · Strongly agree</span></th>"
        r"\s*<td[^>]*>.*?</td>\s*<td class=\"eval-count\">1</td>",
        screen.text,
        re.S,
    )
    fragment = await client.get(f"/s/{workshop.projector_key}/evaluation/{stage_id}")
    assert fragment.status_code == 200 and "Mean 5.0 of 5" in fragment.text


def test_answers_sent_at_the_same_moment_are_all_counted(
    world: World, evaluation_open: tuple[Any, int]
) -> None:
    workshop, stage_id = evaluation_open
    actors = [_join(world, workshop, f"P{i}")[0] for i in range(8)]
    barrier = threading.Barrier(len(actors))
    recorded: list[int] = []

    def send(actor: Actor, score: int) -> None:
        barrier.wait()
        _, events = run_command(
            world.engine, evaluation.answer, actor=actor, stage_id=stage_id, answers={"organisation": score}
        )
        recorded.append(events[0].data["responses"])

    threads = [threading.Thread(target=send, args=(a, 1 + i % 5)) for i, a in enumerate(actors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert _results(world, stage_id)["organisation"]["count"] == 8
    # Each answer's pushed count includes every answer committed before it: the last one says 8.
    assert sorted(recorded) == list(range(1, 9))
