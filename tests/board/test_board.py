"""Cards: what participants may write, and facilitator moderation."""

import pytest

from cowork.commands import run_command
from cowork.db import read_session
from cowork.domain import workshops
from cowork.domain.board import cards as board
from cowork.domain.board import view as board_view
from cowork.domain.errors import Closed, Invalid, NotAllowed
from tests.conftest import World, make_facilitator, run


def _add(world: World, actor, **kw):  # type: ignore[no-untyped-def]
    return run(world.engine, board.add_card, actor=actor, stage_id=kw.pop("stage_id", world.stage_id), **kw)


def test_a_participant_adds_a_card_in_a_category(world: World) -> None:
    participant, _ = world.join(name="Ana", group="employer")
    card = _add(
        world, world.participant_actor(participant), text="  Childcare during courses  ", category="need"
    )
    assert (card.text, card.category, card.participant_id) == (
        "Childcare during courses",
        "need",
        participant.id,
    )


@pytest.mark.parametrize(
    ("text", "category", "reason"),
    [
        ("", None, "Please write something"),
        ("   ", None, "Please write something"),
        ("x" * 2001, None, "at most 2000"),
        ("ok", "housing", "Unknown category housing"),
    ],
)
def test_bad_cards_are_refused_with_a_reason(
    world: World, text: str, category: str | None, reason: str
) -> None:
    participant, _ = world.join()
    with pytest.raises(Invalid, match=reason):
        _add(world, world.participant_actor(participant), text=text, category=category)


def test_2000_characters_are_still_accepted(world: World) -> None:
    participant, _ = world.join()
    assert len(_add(world, world.participant_actor(participant), text="y" * 2000).text) == 2000


def test_a_stage_that_is_not_current_takes_no_cards_from_participants(world: World) -> None:
    participant, _ = world.join()
    stages = [s["id"] for s in _stages(world)]
    run(
        world.engine,
        workshops.set_current_stage,
        actor=world.facilitator,
        workshop_id=world.workshop.id,
        stage_id=stages[1],
    )
    with pytest.raises(Invalid, match="does not take cards"):
        _add(world, world.participant_actor(participant), text="late", stage_id=stages[1])
    with pytest.raises(Closed, match="not open"):
        _add(world, world.participant_actor(participant), text="late", stage_id=stages[0])


def test_a_participant_of_another_workshop_cannot_write_here(world: World) -> None:
    other = run(world.engine, workshops.create_workshop, actor=world.facilitator, title="Other")
    from cowork.domain import participants

    stranger, _ = run(world.engine, participants.join_workshop, code=other.code)
    with pytest.raises(NotAllowed):
        _add(world, world.participant_actor(stranger), text="intruder")


def test_facilitators_edit_and_hide_cards_and_participants_no_longer_see_hidden_ones(world: World) -> None:
    participant, _ = world.join()
    actor = world.participant_actor(participant)
    card = _add(world, actor, text="Typo hre")
    run(world.engine, board.update_card, actor=world.facilitator, card_id=card.id, text="Typo here")
    run(world.engine, board.update_card, actor=world.facilitator, card_id=card.id, hidden=True)
    with read_session(world.engine) as session:
        seen_by_participant = board_view.cards_of_stage(session, actor=actor, stage_id=world.stage_id)
        seen_by_staff = board_view.cards_of_stage(session, actor=world.facilitator, stage_id=world.stage_id)
    assert seen_by_participant == []
    assert [(c["text"], c["hidden"]) for c in seen_by_staff] == [("Typo here", True)]


def test_participants_and_other_facilitators_cannot_moderate(world: World) -> None:
    participant, _ = world.join()
    card = _add(world, world.participant_actor(participant), text="Mine")
    other, _ = make_facilitator(world.engine, email="other@example.org")
    for actor in (world.participant_actor(participant), other):
        with pytest.raises(NotAllowed):
            run(world.engine, board.update_card, actor=actor, card_id=card.id, hidden=True)


def test_an_edit_that_changes_nothing_records_nothing(world: World) -> None:
    participant, _ = world.join()
    card = _add(world, world.participant_actor(participant), text="Same")
    _, events = run_command(
        world.engine, board.update_card, actor=world.facilitator, card_id=card.id, text="Same"
    )
    assert events == []


def _stages(world: World) -> list[dict]:
    with read_session(world.engine) as session:
        return workshops.describe_workshop(session, actor=world.facilitator, workshop_id=world.workshop.id)[
            "stages"
        ]
