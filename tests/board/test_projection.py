"""What the projector shows of a board besides its cards: the spotlight's rules, the word cloud's counting."""

import pytest

from cowork.db import read_session
from cowork.domain import workshops
from cowork.domain.board import cards as board
from cowork.domain.board import projection
from cowork.domain.errors import Invalid, NotAllowed
from tests.board.test_needs_board import Lab, lab  # noqa: F401  (a Co-Working Lab on its needs board)
from tests.conftest import run


def test_a_spotlight_and_the_cloud_are_recorded_and_the_cloud_ends_the_spotlight(
    lab: Lab,  # noqa: F811
) -> None:
    card = lab.card(lab.join()[0], "One contact person instead of five offices")
    run(lab.engine, projection.spotlight_card, actor=lab.facilitator, stage_id=lab.stage_id, card_id=card.id)
    run(lab.engine, projection.spotlight_card, actor=lab.facilitator, stage_id=lab.stage_id, card_id=card.id)
    run(lab.engine, projection.show_word_cloud, actor=lab.facilitator, stage_id=lab.stage_id, on=True)
    run(lab.engine, projection.spotlight_card, actor=lab.facilitator, stage_id=lab.stage_id, card_id=None)
    changes = [e.data for e in lab.events() if e.type == "stage.projection_changed"]
    assert changes == [  # the repeated spotlight and the last "back to the board" changed nothing
        {"stage_id": lab.stage_id, "spotlight_id": card.id, "word_cloud": False},
        {"stage_id": lab.stage_id, "spotlight_id": None, "word_cloud": True},
    ]


def test_a_hidden_card_or_one_of_another_board_never_goes_in_the_spotlight(
    lab: Lab,  # noqa: F811
) -> None:
    author = lab.join()[0]
    hidden = lab.card(author, "A note about a person")
    run(lab.engine, board.update_card, actor=lab.facilitator, card_id=hidden.id, hidden=True)
    with pytest.raises(Invalid, match="hidden or waiting"):
        run(
            lab.engine,
            projection.spotlight_card,
            actor=lab.facilitator,
            stage_id=lab.stage_id,
            card_id=hidden.id,
        )
    with read_session(lab.engine) as session:
        other = next(
            s.id
            for s in workshops.stages_of(session, workshop_id=lab.workshop.id)
            if s.kind == "stakeholders"
        )
    card = lab.card(author, "Childcare")
    with pytest.raises(Invalid):
        run(lab.engine, projection.spotlight_card, actor=lab.facilitator, stage_id=other, card_id=card.id)
    with pytest.raises(NotAllowed):
        run(lab.engine, projection.spotlight_card, actor=author, stage_id=lab.stage_id, card_id=card.id)
    # Shown, then hidden: the projector no longer has it.
    run(lab.engine, projection.spotlight_card, actor=lab.facilitator, stage_id=lab.stage_id, card_id=card.id)
    run(lab.engine, board.update_card, actor=lab.facilitator, card_id=card.id, hidden=True)
    with read_session(lab.engine) as session:
        assert projection.spotlit(session, workshops.get_stage(session, stage_id=lab.stage_id)) is None


def card(text: str, language: str = "en", **kw: object) -> dict[str, object]:
    return {"text": text, "language": language, "kind": "card", "hidden": False, "approved": True, **kw}


def test_the_cloud_counts_each_word_once_per_card_without_stop_words_or_hidden_cards() -> None:
    words = projection.word_cloud(
        [
            card("Childcare, childcare and again childcare during the course"),
            card("Die Kinderbetreuung fehlt und die Kita ist voll", "de"),
            card("The childcare places are full"),
            card("Faltan plazas de guardería para las madres", "es"),
            card("Zeppelinhangar gossip", hidden=True),
            card("Waiting words", approved=False),
            card("Cluster title words", kind="cluster"),
        ]
    )
    by_word = {w["text"].casefold(): w for w in words}
    assert by_word["childcare"]["count"] == 2  # twice in one card counts once
    assert by_word["childcare"]["text"] == "Childcare" and by_word["childcare"]["lang"] == "en"
    assert by_word["kinderbetreuung"]["lang"] == "de" and by_word["guardería"]["lang"] == "es"
    assert words[0]["text"] == "Childcare" and words[0]["size"] == projection.SIZES
    assert {"the", "and", "die", "und", "ist", "las", "para", "de"}.isdisjoint(by_word)
    assert {"zeppelinhangar", "gossip", "waiting", "cluster", "title"}.isdisjoint(by_word)
    assert {"course", "kita", "madres"} <= set(by_word)  # course: a stop word for search engines, not here
    assert projection.word_cloud([]) == []
