"""The session record: gapless per-workshop seq, written in the same transaction as the change."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import select

from cowork.commands import run_command
from cowork.db import read_session
from cowork.domain import workshops
from cowork.domain.board import cards as board
from cowork.domain.errors import Invalid
from cowork.domain.models import Contribution, Event
from cowork.domain.record import events_since
from tests.conftest import World, run


def _record(world: World) -> list[Event]:
    with read_session(world.engine) as session:
        return events_since(session, workshop_id=world.workshop.id)


def test_a_new_workshop_starts_its_record_at_seq_1(world: World) -> None:
    events = _record(world)
    assert [(e.seq, e.type) for e in events] == [(1, "workshop.created")]
    assert events[0].data["code"] == world.workshop.code


def test_each_change_appends_one_event_with_the_next_seq(world: World) -> None:
    participant, _ = world.join()
    actor = world.participant_actor(participant)
    card = run(world.engine, board.add_card, actor=actor, stage_id=world.stage_id, text="Housing first")
    run(world.engine, board.update_card, actor=world.facilitator, card_id=card.id, hidden=True)
    assert [(e.seq, e.type) for e in _record(world)] == [
        (1, "workshop.created"),
        (2, "participant.joined"),
        (3, "card.added"),
        (4, "card.updated"),
    ]
    assert card.seq == 3
    assert _record(world)[2].data["seq"] == 3


def test_a_refused_change_leaves_neither_a_row_nor_an_event(world: World) -> None:
    participant, _ = world.join()
    before = _record(world)
    with pytest.raises(Invalid):
        run(
            world.engine,
            board.add_card,
            actor=world.participant_actor(participant),
            stage_id=world.stage_id,
            text="x",
            category="no-such-category",
        )
    assert _record(world) == before
    with read_session(world.engine) as session:
        assert session.exec(select(Contribution)).all() == []


def test_a_failure_after_the_event_rolls_back_the_event_too(world: World) -> None:
    def add_then_fail(tx, **kw):  # type: ignore[no-untyped-def]
        board.add_card(tx, **kw)
        raise RuntimeError("disk on fire")

    participant, _ = world.join()
    with pytest.raises(RuntimeError):
        run_command(
            world.engine,
            add_then_fail,
            actor=world.participant_actor(participant),
            stage_id=world.stage_id,
            text="Lost",
        )
    assert [e.type for e in _record(world)] == ["workshop.created", "participant.joined"]
    world.join(name="Ben")
    assert _record(world)[-1].seq == 3  # no gap where the failed command was


def test_concurrent_writers_get_distinct_gapless_seqs(world: World) -> None:
    people = [world.join(name=f"P{i}")[0] for i in range(8)]

    def write(i: int) -> int:
        actor = world.participant_actor(people[i % len(people)])
        return run(world.engine, board.add_card, actor=actor, stage_id=world.stage_id, text=f"card {i}").seq

    with ThreadPoolExecutor(max_workers=8) as pool:
        seqs = list(pool.map(write, range(40)))
    record = _record(world)
    assert [e.seq for e in record] == list(range(1, len(record) + 1))
    assert sorted(seqs) == [e.seq for e in record if e.type == "card.added"]


def test_the_same_client_id_stores_a_card_once(world: World) -> None:
    participant, _ = world.join()
    actor = world.participant_actor(participant)
    first = run(
        world.engine, board.add_card, actor=actor, stage_id=world.stage_id, text="Once", client_id="c-1"
    )
    again = run(
        world.engine, board.add_card, actor=actor, stage_id=world.stage_id, text="Once", client_id="c-1"
    )
    assert again.id == first.id
    assert [e.type for e in _record(world)].count("card.added") == 1


def test_twenty_concurrent_retries_of_one_card_store_it_once(world: World) -> None:
    participant, _ = world.join()
    actor = world.participant_actor(participant)

    def send(_: int) -> int:
        return run(
            world.engine, board.add_card, actor=actor, stage_id=world.stage_id, text="Retry", client_id="same"
        ).id

    with ThreadPoolExecutor(max_workers=10) as pool:
        ids = set(pool.map(send, range(20)))
    assert len(ids) == 1
    with read_session(world.engine) as session:
        assert len(session.exec(select(Contribution)).all()) == 1


def test_client_ids_of_different_participants_do_not_collide(world: World) -> None:
    a, _ = world.join(name="A")
    b, _ = world.join(name="B")
    card_a = run(
        world.engine,
        board.add_card,
        actor=world.participant_actor(a),
        stage_id=world.stage_id,
        text="from A",
        client_id="1",
    )
    card_b = run(
        world.engine,
        board.add_card,
        actor=world.participant_actor(b),
        stage_id=world.stage_id,
        text="from B",
        client_id="1",
    )
    assert card_a.id != card_b.id


def test_events_since_returns_only_later_events_in_order(world: World) -> None:
    for i in range(3):
        world.join(name=f"P{i}")
    with read_session(world.engine) as session:
        later = events_since(session, workshop_id=world.workshop.id, since=2)
    assert [e.seq for e in later] == [3, 4]


def test_two_workshops_number_their_records_independently(world: World) -> None:
    other = run(world.engine, workshops.create_workshop, actor=world.facilitator, title="Second")
    world.join()
    with read_session(world.engine) as session:
        assert [e.seq for e in events_since(session, workshop_id=other.id)] == [1]
        assert [e.seq for e in events_since(session, workshop_id=world.workshop.id)] == [1, 2]
