"""Polls as the workshop runs them: each method's rules and tally, the close, anonymity, paper, groups."""

import re
from typing import Any

import pytest
from sqlmodel import select

from cowork.db import read_session, write_session
from cowork.domain.board import cards as board
from cowork.domain.board import ranking as card_ranking
from cowork.domain.errors import Closed, Invalid, NotAllowed
from cowork.domain.models import Contribution, Event, Receipt
from cowork.domain.votes import ballots, closing, polls
from cowork.domain.votes import results as poll_results
from cowork.domain.votes import setup as poll_setup
from tests.conftest import World, run


def _cards(world: World, *texts: str) -> list[Any]:
    return [
        run(world.engine, board.add_card, actor=world.facilitator, stage_id=world.stage_id, text=t)
        for t in texts
    ]


def _poll(world: World, method: str = "dots", labels: tuple[str, ...] = ("A", "B", "C"), **kw: Any) -> Any:
    options = kw.pop("options") if "options" in kw else [{"label": label} for label in labels]
    poll = run(
        world.engine,
        poll_setup.create_poll,
        actor=world.facilitator,
        stage_id=world.stage_id,
        method=method,
        options=options,
        **kw,
    )
    run(world.engine, polls.open_poll, actor=world.facilitator, poll_id=poll.id)
    return poll


def _options(world: World, poll: Any) -> list[int]:
    with read_session(world.engine) as session:
        return [o.id for o in polls.options_of(session, poll_id=poll.id)]


def _voter(world: World, name: str = "Ana", group: str | None = "employer") -> Any:
    participant, _ = world.join(name=name, group=group)
    return world.participant_actor(participant)


def _vote(world: World, actor: Any, poll: Any, choices: dict[Any, Any], **kw: Any) -> Any:
    return run(world.engine, ballots.cast_ballot, actor=actor, poll_id=poll.id, choices=choices, **kw)


def _results(world: World, poll: Any, staff: bool = True) -> dict[str, Any]:
    with read_session(world.engine) as session:
        return poll_results.results_for(session, polls.get_poll(session, poll_id=poll.id), staff=staff)


def _close(world: World, poll: Any) -> dict[str, Any]:
    run(world.engine, closing.close_poll, actor=world.facilitator, poll_id=poll.id)
    return _results(world, poll)


def _by_option(result: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {row["option_id"]: row for row in result["results"]}


# --- dots -----------------------------------------------------------------------------------------------


def test_dots_are_counted_within_the_budget_and_the_most_per_option(world: World) -> None:
    poll = _poll(world, budget=5, max_per_option=3)
    a, b, c = _options(world, poll)
    _vote(world, _voter(world, "Ana"), poll, {a: 3, b: 2})
    _vote(world, _voter(world, "Ben"), poll, {str(b): 3, c: 1})
    result = _results(world, poll)
    assert [(r["label"], r["dots"], r["place"]) for r in result["results"]] == [
        ("B", 5, 1),
        ("A", 3, 2),
        ("C", 1, 3),
    ]
    assert result["ballots"] == 2


@pytest.mark.parametrize(
    ("choices", "reason"),
    [
        ({0: 3, 1: 3}, "Dots over budget: 6 of 5"),
        ({0: 4}, "At most 3 dots on one option, not 4"),
        ({0: -1}, "whole numbers of 0 or more"),
        ({0: 1.5}, "whole numbers of 0 or more"),
        ({0: True}, "whole numbers of 0 or more"),
        ({"999999": 1}, "Unknown option 999999"),
        ({"x": 1}, "Unknown option x"),
    ],
)
def test_a_bad_dot_ballot_is_refused_and_the_earlier_ballot_stays(
    world: World, choices: dict[Any, Any], reason: str
) -> None:
    poll = _poll(world, budget=5, max_per_option=3)
    ids = _options(world, poll)
    ana = _voter(world)
    _vote(world, ana, poll, {ids[2]: 2})
    mapped = {(ids[k] if isinstance(k, int) else k): v for k, v in choices.items()}
    with pytest.raises(Invalid, match=reason):
        _vote(world, ana, poll, mapped)
    assert _by_option(_results(world, poll))[ids[2]]["dots"] == 2


def test_moving_dots_replaces_the_ballot_and_counts_the_participant_once(world: World) -> None:
    poll = _poll(world, budget=3)
    a, b, _c = _options(world, poll)
    ana = _voter(world)
    first, created = _vote(world, ana, poll, {a: 3})
    moved, created_again = _vote(world, ana, poll, {a: 1, b: 2})
    assert (created, created_again) == (True, False)
    assert first.id == moved.id and moved.revision == 2
    result = _results(world, poll)
    assert result["ballots"] == 1
    assert (_by_option(result)[a]["dots"], _by_option(result)[b]["dots"]) == (1, 2)


def test_an_option_of_another_poll_is_refused(world: World) -> None:
    first, second = _poll(world), _poll(world, labels=("X", "Y"))
    foreign = _options(world, second)[0]
    with pytest.raises(Invalid, match="not part of this vote"):
        _vote(world, _voter(world), first, {foreign: 1})


def test_ties_share_a_place_and_are_shown_as_ties(world: World) -> None:
    poll = _poll(world, budget=2)
    a, b, c = _options(world, poll)
    _vote(world, _voter(world, "Ana"), poll, {a: 1, b: 1})
    _vote(world, _voter(world, "Ben"), poll, {c: 1})
    rows = _results(world, poll)["results"]
    assert [(r["label"], r["place"], r["tied"]) for r in rows] == [
        ("A", 1, True),
        ("B", 1, True),
        ("C", 1, True),
    ]
    _vote(world, _voter(world, "Cem"), poll, {b: 2})
    rows = _results(world, poll)["results"]
    assert [(r["label"], r["place"], r["tied"]) for r in rows] == [
        ("B", 1, False),
        ("A", 2, True),
        ("C", 2, True),
    ]


def test_the_same_client_id_never_counts_twice(world: World) -> None:
    poll = _poll(world, budget=3)
    a, b, _ = _options(world, poll)
    ana = _voter(world)
    _vote(world, ana, poll, {a: 1}, client_id="tap-1")
    _vote(world, ana, poll, {b: 3}, client_id="tap-2")
    # A late retry of the first tap must not bring back the dots Ana has since moved.
    _ballot, created = _vote(world, ana, poll, {a: 1}, client_id="tap-1")
    assert not created
    rows = _by_option(_results(world, poll))
    assert (rows[a]["dots"], rows[b]["dots"]) == (0, 3)


# --- approval, yes/no/abstain, ranking, scale -----------------------------------------------------------


def test_approval_counts_each_approved_option(world: World) -> None:
    poll = _poll(world, "approval")
    a, b, c = _options(world, poll)
    _vote(world, _voter(world, "Ana"), poll, {a: True, b: True, c: False})
    _vote(world, _voter(world, "Ben"), poll, {b: True})
    rows = _by_option(_results(world, poll))
    assert [rows[i]["approvals"] for i in (a, b, c)] == [1, 2, 0]
    with pytest.raises(Invalid, match="true or false"):
        _vote(world, _voter(world, "Cem"), poll, {a: "maybe"})


def test_yes_no_abstain_adopts_by_simple_majority_once_the_quorum_is_met(world: World) -> None:
    poll = _poll(world, "yes_no_abstain", labels=("Shared intake form", "Monthly meeting"), quorum=0.5)
    form, meeting = _options(world, poll)
    voters = [_voter(world, name) for name in ("Ana", "Ben", "Cem", "Dia", "Eli")]
    _vote(world, voters[0], poll, {form: "yes", meeting: "no"})
    _vote(world, voters[1], poll, {form: "yes", meeting: "yes"})
    _vote(world, voters[2], poll, {form: "abstain", meeting: "no"})
    result = _close(world, poll)
    rows = _by_option(result)
    assert (rows[form]["yes"], rows[form]["no"], rows[form]["abstain"]) == (2, 0, 1)
    assert rows[form]["adopted"] is True and rows[meeting]["adopted"] is False
    assert result["adopted"] == [form]
    assert (result["ballots"], result["eligible"], result["quorum_met"]) == (3, 5, True)


def test_without_the_quorum_nothing_is_adopted(world: World) -> None:
    poll = _poll(world, "yes_no_abstain", labels=("Shared intake form",), quorum=0.6)
    (form,) = _options(world, poll)
    voters = [_voter(world, name) for name in ("Ana", "Ben", "Cem", "Dia", "Eli")]
    _vote(world, voters[0], poll, {form: "yes"})
    _vote(world, voters[1], poll, {form: "yes"})
    result = _close(world, poll)
    assert result["quorum_met"] is False and result["adopted"] == []
    assert _by_option(result)[form]["adopted"] is False


@pytest.mark.parametrize(
    ("threshold", "yes", "no", "adopted"),
    [
        ("simple", 2, 2, False),
        ("simple", 3, 2, True),
        ("two_thirds", 3, 2, False),
        ("two_thirds", 4, 2, True),
        (0.75, 3, 1, True),
        (0.75, 2, 1, False),
        ("0.6", 3, 2, True),
    ],
)
def test_the_majority_threshold_decides(
    world: World, threshold: Any, yes: int, no: int, adopted: bool
) -> None:
    poll = _poll(world, "yes_no_abstain", labels=("Proposal",), threshold=threshold)
    (option,) = _options(world, poll)
    for i in range(yes + no):
        _vote(world, _voter(world, f"V{i}"), poll, {option: "yes" if i < yes else "no"})
    _vote(world, _voter(world, "Abstainer"), poll, {option: "abstain"})
    assert _close(world, poll)["results"][0]["adopted"] is adopted


@pytest.mark.parametrize(
    ("threshold", "reason"),
    [("most", "simple, two_thirds or a share"), (0, "between 0 and 1"), (1.5, "between 0 and 1")],
)
def test_a_bad_threshold_is_refused(world: World, threshold: Any, reason: str) -> None:
    with pytest.raises(Invalid, match=reason):
        _poll(world, "yes_no_abstain", threshold=threshold)


def test_yes_no_abstain_takes_only_its_three_answers(world: World) -> None:
    poll = _poll(world, "yes_no_abstain")
    a = _options(world, poll)[0]
    for bad in ("maybe", True, 1):
        with pytest.raises(Invalid, match="yes, no or abstain"):
            _vote(world, _voter(world, str(bad)), poll, {a: bad})


def test_ranking_is_a_borda_count_and_says_so(world: World) -> None:
    poll = _poll(world, "ranking", labels=("A", "B", "C", "D"))
    a, b, c, d = _options(world, poll)
    _vote(world, _voter(world, "Ana"), poll, {a: 1, b: 2, c: 3, d: 4})  # 3 2 1 0
    _vote(world, _voter(world, "Ben"), poll, {b: 1, a: 2})  # a 2, b 3
    _vote(world, _voter(world, "Cem"), poll, {c: 1})  # c 3
    result = _results(world, poll)
    assert result["scoring"] == "borda"
    assert [(r["label"], r["points"], r["place"]) for r in result["results"]] == [
        ("A", 5, 1),
        ("B", 5, 1),
        ("C", 4, 3),
        ("D", 0, 4),
    ]
    assert _by_option(result)[b]["first_places"] == 1


@pytest.mark.parametrize(
    ("ranks", "reason"),
    [((1, 1), "without gaps or repeats"), ((1, 3), "without gaps or repeats"), ((0, 1), "from 1")],
)
def test_ranks_must_form_a_permutation(world: World, ranks: tuple[int, int], reason: str) -> None:
    poll = _poll(world, "ranking")
    a, b, _ = _options(world, poll)
    with pytest.raises(Invalid, match=reason):
        _vote(world, _voter(world), poll, {a: ranks[0], b: ranks[1]})


def test_a_scale_gives_the_mean_and_the_spread_of_points(world: World) -> None:
    poll = _poll(world, "scale", labels=("Useful", "Clear"))
    useful, clear = _options(world, poll)
    _vote(world, _voter(world, "Ana"), poll, {useful: 5, clear: 2})
    _vote(world, _voter(world, "Ben"), poll, {useful: 4})
    rows = _by_option(_results(world, poll))
    assert (rows[useful]["mean"], rows[useful]["count"]) == (4.5, 2)
    assert rows[useful]["distribution"] == [0, 0, 0, 1, 1]
    assert (rows[clear]["mean"], rows[clear]["count"]) == (2.0, 1)
    with pytest.raises(Invalid, match="from 1 to 5"):
        _vote(world, _voter(world, "Cem"), poll, {useful: 6})


@pytest.mark.parametrize(
    ("method", "extra", "reason"),
    [
        ("plurality", {}, "Unknown voting method"),
        ("approval", {"budget": 3}, "only to dot voting"),
        ("dots", {"budget": 0}, "between 1 and"),
        ("dots", {"budget": 3, "max_per_option": 4}, "between 1 and the budget"),
        ("dots", {"threshold": "simple"}, "only to yes / no / abstain"),
        ("dots", {"quorum": 1.2}, "between 0 and 1"),
        ("ranking", {"options": [{"label": "only"}]}, "at least two"),
        ("dots", {"options": []}, "at least one option"),
        ("dots", {"options": [{"label": "x", "contribution_id": 1}]}, "Each option is"),
        ("dots", {"options": [{"label": "x"}, {"label": "x"}]}, "listed twice"),
    ],
)
def test_a_badly_made_poll_is_refused(world: World, method: str, extra: dict[str, Any], reason: str) -> None:
    with pytest.raises(Invalid, match=reason):
        _poll(world, method, **extra)


# --- opening, closing, freezing ---------------------------------------------------------------------------


def test_a_ballot_before_the_opening_or_after_the_close_is_refused_and_the_tally_stays(world: World) -> None:
    poll = run(
        world.engine,
        poll_setup.create_poll,
        actor=world.facilitator,
        stage_id=world.stage_id,
        method="dots",
        options=[{"label": "A"}],
    )
    (a,) = _options(world, poll)
    ana = _voter(world)
    with pytest.raises(Closed, match=r"This vote is not open yet\."):
        _vote(world, ana, poll, {a: 1})
    run(world.engine, polls.open_poll, actor=world.facilitator, poll_id=poll.id)
    _vote(world, ana, poll, {a: 1})
    frozen = _close(world, poll)
    with pytest.raises(Closed, match=r"This vote has closed\."):
        _vote(world, ana, poll, {a: 3})
    with pytest.raises(Closed, match=r"This vote has closed\."):
        _vote(world, _voter(world, "Late"), poll, {a: 1})
    assert _results(world, poll) == frozen
    assert (frozen["ballots"], frozen["eligible"], frozen["closed"]) == (1, 1, True)


def test_the_result_is_frozen_at_the_close(world: World) -> None:
    poll = _poll(world, budget=1)
    a, *_ = _options(world, poll)
    _vote(world, _voter(world, "Ana"), poll, {a: 1})
    frozen = _close(world, poll)
    world.join(name="Comes later")  # eligible stays what it was at the close
    with write_session(world.engine) as session:
        card = session.get(polls.PollOption, a)
        assert card is not None
        card.label = "Renamed"
    assert _results(world, poll) == frozen
    with read_session(world.engine) as session:
        stored = polls.get_poll(session, poll_id=poll.id)
        assert (stored.ballot_count, stored.eligible, stored.status) == (1, 1, "closed")


def test_only_facilitators_make_open_and_close_polls(world: World) -> None:
    ana = _voter(world)
    with pytest.raises(NotAllowed):
        run(
            world.engine,
            poll_setup.create_poll,
            actor=ana,
            stage_id=world.stage_id,
            method="dots",
            options=[{"label": "A"}],
        )
    poll = _poll(world)
    with pytest.raises(NotAllowed):
        run(world.engine, closing.close_poll, actor=ana, poll_id=poll.id)


def test_a_participant_of_another_workshop_cannot_vote(world: World) -> None:
    from cowork.domain import participants, workshops

    poll = _poll(world)
    other = run(world.engine, workshops.create_workshop, actor=world.facilitator, title="Other")
    stranger, _ = run(world.engine, participants.join_workshop, code=other.code, name="Zoe")
    with pytest.raises(NotAllowed):
        _vote(world, world.participant_actor(stranger), poll, {_options(world, poll)[0]: 1})


# --- anonymity, paper, groups ------------------------------------------------------------------------


def test_an_anonymous_poll_keeps_no_link_from_ballot_to_participant_after_the_close(world: World) -> None:
    poll = _poll(world, "approval", anonymous=True)
    a, *_ = _options(world, poll)
    ana = _voter(world)
    _vote(world, ana, poll, {a: True}, client_id="ana-ballot")
    with read_session(world.engine) as session:
        assert session.exec(select(polls.Ballot.participant_id)).all() == [ana.participant_id]
    _close(world, poll)
    with read_session(world.engine) as session:
        assert session.exec(select(polls.Ballot.participant_id)).all() == [None]
        assert not session.exec(select(Receipt).where(Receipt.actor.like(f"%@poll:{poll.id}"))).all()  # type: ignore[attr-defined]
        cast = session.exec(select(Event).where(Event.type == "ballot.cast")).all()
    assert cast and all("participant_id" not in e.data for e in cast)
    assert all(e.data["voter"].startswith("v-") for e in cast)
    assert _results(world, poll)["results"][0]["approvals"] == 1


def test_a_named_poll_records_who_voted(world: World) -> None:
    poll = _poll(world, "approval")
    ana = _voter(world)
    _vote(world, ana, poll, {_options(world, poll)[0]: True})
    _close(world, poll)
    with read_session(world.engine) as session:
        cast = session.exec(select(Event).where(Event.type == "ballot.cast")).one()
        assert session.exec(select(polls.Ballot.participant_id)).all() == [ana.participant_id]
    assert cast.data["participant_id"] == ana.participant_id


def test_a_paper_ballot_counts_is_marked_and_carries_its_group(world: World) -> None:
    poll = _poll(world, budget=2)
    a, b, _ = _options(world, poll)
    _vote(world, _voter(world, "Ana", "employer"), poll, {a: 2})
    ballot = run(
        world.engine,
        ballots.cast_paper_ballot,
        actor=world.facilitator,
        poll_id=poll.id,
        choices={b: 2},
        group="beneficiary",
        client_id="paper-1",
    )
    again = run(
        world.engine,
        ballots.cast_paper_ballot,
        actor=world.facilitator,
        poll_id=poll.id,
        choices={b: 2},
        group="beneficiary",
        client_id="paper-1",
    )
    assert ballot.id == again.id and ballot.paper
    result = _results(world, poll)
    assert (result["ballots"], result["paper_ballots"], result["eligible"]) == (2, 1, 2)
    assert [r["dots"] for r in result["by_group"]["beneficiary"] if r["option_id"] == b] == [2]
    with read_session(world.engine) as session:
        cast = session.exec(select(Event).where(Event.type == "ballot.cast")).all()
    assert [e.data["paper"] for e in cast] == [False, True]
    with pytest.raises(NotAllowed):
        run(world.engine, ballots.cast_paper_ballot, actor=_voter(world, "Ben"), poll_id=poll.id, choices={})
    with pytest.raises(Invalid, match="Unknown stakeholder group"):
        run(
            world.engine,
            ballots.cast_paper_ballot,
            actor=world.facilitator,
            poll_id=poll.id,
            choices={a: 1},
            group="martians",
        )


def test_results_by_group_mark_where_the_groups_disagree_most(world: World) -> None:
    poll = _poll(world, budget=3, labels=("Childcare", "Language course", "Housing"))
    childcare, language, housing = _options(world, poll)
    _vote(world, _voter(world, "E1", "employer"), poll, {language: 3})
    _vote(world, _voter(world, "E2", "employer"), poll, {language: 2, housing: 1})
    for name in ("B1", "B2"):
        _vote(world, _voter(world, name, "beneficiary"), poll, {childcare: 2, language: 1})
    _vote(world, _voter(world, "N", None), poll, {housing: 3})
    result = _results(world, poll)
    assert set(result["by_group"]) == {"employer", "beneficiary", "none"}
    employer = {r["label"]: r["dots"] for r in result["by_group"]["employer"]}
    beneficiary = {r["label"]: r["dots"] for r in result["by_group"]["beneficiary"]}
    assert (employer["Language course"], beneficiary["Childcare"]) == (5, 4)
    assert result["by_group"]["employer"][0]["label"] == "Language course"
    assert result["by_group"]["beneficiary"][0]["label"] == "Childcare"
    # Shares of each group's dots: childcare 0 vs 4/6, language 5/6 vs 2/6, housing 1/6 vs 0.
    spreads = {d["label"]: (d["spread"], d["marked"]) for d in result["divergence"]}
    assert spreads == {
        "Childcare": (pytest.approx(2 / 3, abs=1e-3), True),
        "Language course": (pytest.approx(1 / 2, abs=1e-3), True),
        "Housing": (pytest.approx(1 / 6, abs=1e-3), False),
    }
    widest = result["divergence"][0]
    assert widest["label"] == "Childcare"
    assert (widest["highest"]["group"], widest["lowest"]["group"]) == ("beneficiary", "employer")
    rows = _by_option(result)
    assert (rows[childcare]["divergent"], rows[housing]["divergent"]) == (True, False)


def test_hidden_results_show_no_counts_to_participants_until_the_close(world: World) -> None:
    poll = _poll(world, hide_results=True)
    a, *_ = _options(world, poll)
    _vote(world, _voter(world), poll, {a: 2})
    public = _results(world, poll, staff=False)
    assert public["hidden"] and "dots" not in public["results"][0] and public["by_group"] == {}
    assert _results(world, poll, staff=True)["results"][0]["dots"] == 2
    _close(world, poll)
    assert _results(world, poll, staff=False)["results"][0]["dots"] == 2


def test_a_ballot_event_tells_screens_the_new_tally(world: World) -> None:
    poll = _poll(world, budget=3)
    a, b, _ = _options(world, poll)
    _vote(world, _voter(world), poll, {a: 2, b: 1})
    with read_session(world.engine) as session:
        cast = session.exec(select(Event).where(Event.type == "ballot.cast")).one()
    assert cast.data["ballots"] == 1
    assert cast.data["tally"][str(a)] == {"dots": 2}
    assert cast.data["choices"] == {str(a): 2, str(b): 1}


def test_the_same_ballot_again_changes_nothing_and_tells_nobody(world: World) -> None:
    poll = _poll(world, budget=3)
    a, *_ = _options(world, poll)
    ana = _voter(world)
    _vote(world, ana, poll, {a: 2})
    _vote(world, ana, poll, {a: 2, _options(world, poll)[1]: 0})
    with read_session(world.engine) as session:
        assert len(session.exec(select(Event).where(Event.type == "ballot.cast")).all()) == 1


# --- the needs board's ranking ---------------------------------------------------------------------------


def test_the_ranking_counts_votes_on_merged_cards_for_their_cluster(world: World) -> None:
    childcare, kita, housing, language = _cards(
        world, "Childcare during courses", "Kita places", "Housing", "Language course"
    )
    poll = _poll(
        world,
        budget=3,
        options=[{"contribution_id": c.id} for c in (childcare, kita, housing, language)],
    )
    ids = dict(zip(("childcare", "kita", "housing", "language"), _options(world, poll), strict=True))
    _vote(
        world,
        _voter(world, "Ana", "employer"),
        poll,
        {ids["childcare"]: 1, ids["kita"]: 1, ids["housing"]: 1},
    )
    _vote(world, _voter(world, "Ben", "beneficiary"), poll, {ids["kita"]: 2, ids["language"]: 1})
    _vote(world, _voter(world, "Cem", "beneficiary"), poll, {ids["housing"]: 3})
    # The board merges the two childcare cards into a titled cluster (made here directly).
    with write_session(world.engine) as session:
        cluster = Contribution(
            workshop_id=world.workshop.id, stage_id=world.stage_id, text="Childcare", kind="cluster"
        )
        session.add(cluster)
        session.flush()
        for card_id in (childcare.id, kita.id):
            card = session.get(Contribution, card_id)
            assert card is not None
            card.cluster_id = cluster.id
        cluster_id = cluster.id
    with read_session(world.engine) as session:
        ranking = card_ranking.stage_ranking(session, stage_id=world.stage_id, staff=False)
    items = ranking["items"]
    assert [(i["text"], i["dots"], i["place"], i["tied"]) for i in items] == [
        ("Housing", 4, 1, True),
        ("Childcare", 4, 1, True),
        ("Language course", 1, 3, False),
    ]
    assert items[1]["id"] == cluster_id and items[1]["kind"] == "cluster"
    assert {c["text"] for c in items[1]["cards"]} == {"Childcare during courses", "Kita places"}
    assert [(i["text"], i["dots"]) for i in ranking["by_group"]["beneficiary"]][:2] == [
        ("Housing", 3),
        ("Childcare", 2),
    ]
    assert ranking["by_group"]["employer"][0]["dots"] == 2
    assert ranking["divergence"][0]["label"] in {"Childcare", "Housing", "Language course"}


def test_the_ranking_hides_its_counts_while_a_hidden_vote_is_open(world: World) -> None:
    (card,) = _cards(world, "Housing")
    poll = _poll(world, options=[{"contribution_id": card.id}], hide_results=True)
    _vote(world, _voter(world), poll, {_options(world, poll)[0]: 1})
    with read_session(world.engine) as session:
        public = card_ranking.stage_ranking(session, stage_id=world.stage_id, staff=False)
        staff = card_ranking.stage_ranking(session, stage_id=world.stage_id, staff=True)
    assert public["hidden"] and public["items"][0]["dots"] is None
    assert staff["items"][0]["dots"] == 1


def test_a_card_of_another_workshop_cannot_be_an_option(world: World) -> None:
    from cowork.domain import workshops

    other = run(world.engine, workshops.create_workshop, actor=world.facilitator, title="Other")
    card = run(
        world.engine, board.add_card, actor=world.facilitator, stage_id=other.current_stage_id, text="x"
    )
    with pytest.raises(Invalid, match="not part of this workshop"):
        _poll(world, options=[{"contribution_id": card.id}])


# --- the API ------------------------------------------------------------------------------------------------


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _api_poll(client: Any, world: World, **body: Any) -> dict[str, Any]:
    body = {"method": "dots", "budget": 3, "options": [{"label": "A"}, {"label": "B"}], **body}
    made = await client.post(
        f"/api/v1/stages/{world.stage_id}/polls", json=body, headers=_auth(world.api_token)
    )
    assert made.status_code == 201, made.text
    opened = await client.post(f"/api/v1/polls/{made.json()['id']}/open", headers=_auth(world.api_token))
    assert opened.status_code == 200, opened.text
    return made.json()


async def test_the_api_makes_opens_takes_ballots_and_closes_a_poll(client: Any, world: World) -> None:
    (card,) = _cards(world, "Childcare")
    poll = await _api_poll(
        client, world, options=[{"contribution_id": card.id}, {"label": "Housing"}], max_per_option=2
    )
    assert [o["contribution_id"] for o in poll["options"]] == [card.id, None]
    assert poll["options"][0]["label"] == "Childcare" and poll["status"] == "draft"
    first, second = (o["id"] for o in poll["options"])
    _, ana = world.join(name="Ana", group="employer")
    _, ben = world.join(name="Ben", group="beneficiary")
    url = f"/api/v1/polls/{poll['id']}/ballots"
    cast = await client.post(url, json={"choices": {str(first): 2}}, headers=_auth(ana))
    assert cast.status_code == 201 and cast.json()["choices"] == {str(first): 2}
    moved = await client.post(url, json={"choices": {str(first): 1, str(second): 2}}, headers=_auth(ana))
    assert moved.status_code == 200 and moved.json()["revision"] == 2
    await client.post(url, json={"choices": {str(second): 1}, "client_id": "b-1"}, headers=_auth(ben))
    again = await client.post(url, json={"choices": {str(second): 1}, "client_id": "b-1"}, headers=_auth(ben))
    assert again.status_code == 200
    results = await client.get(f"/api/v1/polls/{poll['id']}/results", headers=_auth(ana))
    body = results.json()
    assert (body["ballots"], body["eligible"], body["closed"], body["method"]) == (2, 2, False, "dots")
    assert [(r["label"], r["dots"]) for r in body["results"]] == [("Housing", 3), ("Childcare", 1)]
    assert set(body["by_group"]) == {"employer", "beneficiary"} and "divergence" in body
    closed = await client.post(f"/api/v1/polls/{poll['id']}/close", headers=_auth(world.api_token))
    assert closed.status_code == 200 and closed.json()["closed"] is True
    late = await client.post(url, json={"choices": {str(first): 1}}, headers=_auth(ana))
    assert (late.status_code, late.json()["detail"]) == (409, "This vote has closed.")


async def test_bad_ballots_are_refused_by_the_api_with_a_reason(client: Any, world: World) -> None:
    poll = await _api_poll(client, world)
    other = await _api_poll(client, world)
    a = poll["options"][0]["id"]
    _, ana = world.join()
    url = f"/api/v1/polls/{poll['id']}/ballots"
    await client.post(url, json={"choices": {str(a): 1}}, headers=_auth(ana))
    for choices, status, reason in [
        ({str(a): 4}, 422, "Dots over budget: 4 of 3"),
        ({str(other["options"][0]["id"]): 1}, 422, "not part of this vote"),
        ({str(a): "lots"}, 422, "whole numbers"),
        ("not a map", 422, "choices"),
    ]:
        refused = await client.post(url, json={"choices": choices}, headers=_auth(ana))
        assert refused.status_code == status, refused.text
        assert reason in refused.json()["detail"]
    mine = await client.get(f"/api/v1/polls/{poll['id']}/ballots/mine", headers=_auth(ana))
    assert mine.json()["choices"] == {str(a): 1}
    as_facilitator = await client.post(url, json={"choices": {str(a): 1}}, headers=_auth(world.api_token))
    assert as_facilitator.status_code == 403
    nobody = await client.post(url, json={"choices": {str(a): 1}})
    assert nobody.status_code == 401


async def test_a_poll_that_is_not_open_says_so(client: Any, world: World) -> None:
    made = await client.post(
        f"/api/v1/stages/{world.stage_id}/polls",
        json={"method": "approval", "options": [{"label": "A"}]},
        headers=_auth(world.api_token),
    )
    _, ana = world.join()
    poll = made.json()
    refused = await client.post(
        f"/api/v1/polls/{poll['id']}/ballots",
        json={"choices": {str(poll["options"][0]["id"]): True}},
        headers=_auth(ana),
    )
    assert (refused.status_code, refused.json()["detail"]) == (409, "This vote is not open yet.")
    hidden = await client.get(f"/api/v1/polls/{poll['id']}/results", headers=_auth(ana))
    assert hidden.status_code == 404  # a draft is the facilitator's
    early_close = await client.post(f"/api/v1/polls/{poll['id']}/close", headers=_auth(world.api_token))
    assert early_close.status_code == 409


async def test_a_bad_poll_is_refused_by_the_api(client: Any, world: World) -> None:
    for body, reason in [
        ({"method": "lottery", "options": [{"label": "A"}]}, "Unknown voting method"),
        ({"method": "dots", "options": [{"label": "A"}], "budget": 0}, "between 1 and"),
        ({"method": "yes_no_abstain", "options": [{"label": "A"}], "threshold": "most"}, "two_thirds"),
        ({"method": "dots", "options": [{"label": "A", "color": "red"}]}, "color"),
        ({"method": "dots"}, "options"),
    ]:
        refused = await client.post(
            f"/api/v1/stages/{world.stage_id}/polls", json=body, headers=_auth(world.api_token)
        )
        assert refused.status_code == 422, body
        assert reason in refused.json()["detail"]
    _, ana = world.join()
    as_participant = await client.post(
        f"/api/v1/stages/{world.stage_id}/polls",
        json={"method": "dots", "options": [{"label": "A"}]},
        headers=_auth(ana),
    )
    assert as_participant.status_code == 403


async def test_a_paper_ballot_through_the_api_is_marked_as_paper(client: Any, world: World) -> None:
    poll = await _api_poll(client, world)
    a = poll["options"][0]["id"]
    entered = await client.post(
        f"/api/v1/polls/{poll['id']}/paper-ballots",
        json={"choices": {str(a): 2}, "group": "beneficiary"},
        headers=_auth(world.api_token),
    )
    assert entered.status_code == 201 and entered.json()["paper"] is True
    record = await client.get(f"/api/v1/workshops/{world.workshop.id}/events", headers=_auth(world.api_token))
    cast = [e for e in record.json()["events"] if e["type"] == "ballot.cast"]
    assert cast[-1]["data"]["paper"] is True and cast[-1]["data"]["group"] == "beneficiary"


async def test_the_ranking_endpoint_lists_cards_best_first(client: Any, world: World) -> None:
    low, high = _cards(world, "Low", "High")
    poll = await _api_poll(client, world, options=[{"contribution_id": low.id}, {"contribution_id": high.id}])
    _, ana = world.join()
    await client.post(
        f"/api/v1/polls/{poll['id']}/ballots",
        json={"choices": {str(poll["options"][1]["id"]): 2, str(poll["options"][0]["id"]): 1}},
        headers=_auth(ana),
    )
    ranking = await client.get(f"/api/v1/stages/{world.stage_id}/ranking", headers=_auth(ana))
    assert ranking.status_code == 200
    assert [(i["id"], i["text"], i["dots"]) for i in ranking.json()["items"]] == [
        (high.id, "High", 2),
        (low.id, "Low", 1),
    ]
    assert {"by_group", "divergence"} <= ranking.json().keys()


async def test_hidden_counts_stay_hidden_from_participants_through_the_api(client: Any, world: World) -> None:
    poll = await _api_poll(client, world, hide_results=True)
    _, ana = world.join()
    a = str(poll["options"][0]["id"])
    await client.post(f"/api/v1/polls/{poll['id']}/ballots", json={"choices": {a: 2}}, headers=_auth(ana))
    public = (await client.get(f"/api/v1/polls/{poll['id']}/results", headers=_auth(ana))).json()
    staff = (await client.get(f"/api/v1/polls/{poll['id']}/results", headers=_auth(world.api_token))).json()
    assert public["hidden"] is True and "dots" not in public["results"][0]
    assert staff["results"][0]["dots"] == 2


# --- pages without JavaScript ----------------------------------------------------------------------------


async def _join_page(client: Any, world: World, name: str = "Ana", group: str = "employer") -> None:
    joined = await client.post(f"/j/{world.workshop.code}", data={"name": name, "group": group})
    assert joined.status_code == 200


async def test_a_phone_casts_dots_with_plain_forms_and_sees_its_vote_saved(client: Any, world: World) -> None:
    poll = _poll(world, budget=3, max_per_option=2, labels=("Childcare", "Housing"))
    childcare, housing = _options(world, poll)
    await _join_page(client, world)
    page = await client.get(f"/j/{world.workshop.code}/stage")
    assert page.status_code == 200
    assert f'action="/j/{world.workshop.code}/polls/{poll.id}/ballot"' in page.text
    assert f'name="choice-{childcare}"' in page.text and "You have 3 dots" in page.text
    url = f"/j/{world.workshop.code}/polls/{poll.id}/ballot"
    # The + button is a real submit button: one tap, one dot, saved at once.
    plus = await client.post(
        url, data={f"choice-{childcare}": "0", f"choice-{housing}": "0", "adjust": f"+{childcare}"}
    )
    assert plus.status_code == 303 and plus.headers["location"].endswith(f"#poll-{poll.id}")
    assert _by_option(_results(world, poll))[childcare]["dots"] == 1
    typed = await client.post(url, data={f"choice-{childcare}": "2", f"choice-{housing}": "1"})
    assert typed.status_code == 303
    page = await client.get(f"/j/{world.workshop.code}/stage")
    words = re.sub(r"<[^>]+>", "", page.text)  # the page's words (the count is in a span of its own)
    assert "Your vote is saved" in words and "Dots used: 3 of 3" in words
    over = await client.post(url, data={f"choice-{childcare}": "2", f"choice-{housing}": "2"})
    assert over.status_code == 422 and "Dots over budget: 4 of 3" in over.text
    assert f'id="ballot-{poll.id}-{housing}" name="choice-{housing}" value="2"' in over.text  # kept as typed
    rows = _by_option(_results(world, poll))
    assert (rows[childcare]["dots"], rows[housing]["dots"]) == (2, 1)


async def test_every_method_renders_a_ballot_form_that_a_phone_can_send(client: Any, world: World) -> None:
    await _join_page(client, world)
    for method, choose in [
        ("approval", lambda ids: {f"choice-{ids[0]}": "true"}),
        ("yes_no_abstain", lambda ids: {f"choice-{ids[0]}": "yes", f"choice-{ids[1]}": "abstain"}),
        ("ranking", lambda ids: {f"choice-{ids[0]}": "2", f"choice-{ids[1]}": "1"}),
        ("scale", lambda ids: {f"choice-{ids[0]}": "4"}),
    ]:
        poll = _poll(world, method)
        ids = _options(world, poll)
        page = await client.get(f"/j/{world.workshop.code}/stage")
        assert f'name="choice-{ids[0]}"' in page.text, method
        sent = await client.post(f"/j/{world.workshop.code}/polls/{poll.id}/ballot", data=choose(ids))
        assert sent.status_code == 303, (method, sent.text[-500:])
        assert _results(world, poll)["ballots"] == 1


async def test_the_projector_shows_bars_with_numbers_and_hides_counts_when_asked(
    client: Any, world: World
) -> None:
    shown = _poll(world, budget=3, labels=("Childcare", "Housing"), title="What matters most?")
    hidden = _poll(world, budget=3, labels=("Secret A", "Secret B"), hide_results=True)
    ana = _voter(world)
    _vote(world, ana, shown, {_options(world, shown)[1]: 3})
    _vote(world, ana, hidden, {_options(world, hidden)[0]: 3})
    page = await client.get(f"/s/{world.workshop.projector_key}")
    assert page.status_code == 200
    assert "What matters most?" in page.text
    assert (
        f'id="poll-{shown.id}-bars" data-src="/s/{world.workshop.projector_key}/polls/{shown.id}/bars"'
        in page.text
    )
    assert f'id="poll-{shown.id}-n-{_options(world, shown)[1]}">3<' in page.text
    assert "<svg" in page.text and "The results are shown when the vote closes." in page.text
    bars = await client.get(f"/s/{world.workshop.projector_key}/polls/{hidden.id}/bars")
    assert (
        bars.status_code == 200
        and "Secret A" in bars.text
        and f"-n-{_options(world, hidden)[0]}" not in bars.text
    )
    _close(world, hidden)
    bars = await client.get(f"/s/{world.workshop.projector_key}/polls/{hidden.id}/bars")
    assert f'id="poll-{hidden.id}-n-{_options(world, hidden)[0]}">3<' in bars.text


async def test_the_console_creates_opens_and_closes_a_vote_on_the_cards(client: Any, world: World) -> None:
    _cards(world, "Childcare", "Housing")
    login = await client.post(
        "/login", data={"email": "fac@example.org", "password": "correct horse battery"}
    )
    assert login.status_code == 303
    console = await client.get(f"/f/w/{world.workshop.id}")
    assert console.status_code == 200 and 'action="/f/stages/' in console.text
    made = await client.post(
        f"/f/stages/{world.stage_id}/polls",
        data={"method": "dots", "budget": "2", "option": ["card:1", "card:2"], "labels": "Language course"},
    )
    assert made.status_code == 303, made.text[-800:]
    with read_session(world.engine) as session:
        (poll,) = polls.polls_of_stage(session, stage_id=world.stage_id)
        assert [o.label for o in polls.options_of(session, poll_id=poll.id)] == [
            "Childcare",
            "Housing",
            "Language course",
        ]
    assert (await client.post(f"/f/polls/{poll.id}/open")).status_code == 303
    paper = await client.post(
        f"/f/polls/{poll.id}/paper", data={f"choice-{_options(world, poll)[0]}": "2", "group": "beneficiary"}
    )
    assert paper.status_code == 303
    console = await client.get(f"/f/w/{world.workshop.id}")
    assert "Enter a paper ballot" in console.text and "1 on paper" in console.text
    assert (await client.post(f"/f/polls/{poll.id}/close")).status_code == 303
    assert _results(world, poll)["closed"] is True
    bad = await client.post(
        f"/f/stages/{world.stage_id}/polls", data={"method": "dots", "budget": "0", "labels": "x"}
    )
    assert bad.status_code == 422 and "between 1 and" in bad.text


def test_options_the_groups_disagree_on_equally_are_listed_in_the_order_they_were_made() -> None:
    def rows(shares: dict[int, float]) -> list[dict[str, Any]]:
        return [{"option_id": oid, "label": f"Option {oid}", "share": share} for oid, share in shares.items()]

    by_group = {"employer": rows({9: 0.8, 10: 0.8, 11: 0.5}), "beneficiary": rows({9: 0.2, 10: 0.2, 11: 0.5})}
    assert [d["id"] for d in poll_results.divergence(by_group)] == [9, 10]  # 11: no spread, not listed
