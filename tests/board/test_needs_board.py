"""Round table 1, the needs board: card kinds and phases, approval, moves, clusters, undo and categories."""

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlmodel import select

from cowork.commands import run_command
from cowork.db import read_session
from cowork.domain import participants, workshops
from cowork.domain.actors import Actor
from cowork.domain.board import cards as board
from cowork.domain.board import config as board_config
from cowork.domain.board import moderation
from cowork.domain.board import view as board_view
from cowork.domain.errors import Conflict, Invalid, NotAllowed
from cowork.domain.models import Contribution, Event
from tests.conftest import World, make_facilitator, run

AREAS = ["housing", "education", "family_support", "legal_psychological", "job_matching"]


@dataclass
class Lab:
    """A Co-Working Lab workshop standing at its first round table (the needs board)."""

    world: World
    workshop: Any
    stage_id: int

    @property
    def engine(self) -> Any:
        return self.world.engine

    @property
    def facilitator(self) -> Actor:
        return self.world.facilitator

    def join(self, name: str = "Ana", group: str | None = "employer") -> tuple[Actor, str]:
        participant, token = run(
            self.engine, participants.join_workshop, code=self.workshop.code, name=name, group=group
        )
        return Actor.of_participant(participant), token

    def card(self, actor: Actor, text: str, **kw: Any) -> Contribution:
        return run(self.engine, board.add_card, actor=actor, stage_id=self.stage_id, text=text, **kw)

    def seen_by(self, actor: Actor) -> list[dict[str, Any]]:
        with read_session(self.engine) as session:
            return board_view.cards_of_stage(session, actor=actor, stage_id=self.stage_id)

    def get(self, card_id: int) -> Contribution:
        with read_session(self.engine) as session:
            card = session.get(Contribution, card_id)
            assert card is not None
            return card

    def events(self) -> list[Event]:
        with read_session(self.engine) as session:
            return list(
                session.exec(
                    select(Event).where(Event.workshop_id == self.workshop.id).order_by(Event.seq)  # type: ignore[arg-type]
                )
            )

    def merge(self, ids: list[int], title: str | None = "Childcare", actor: Actor | None = None) -> Any:
        return run(
            self.engine,
            moderation.merge_cards,
            actor=actor or self.facilitator,
            stage_id=self.stage_id,
            card_ids=ids,
            title=title,
        )

    def undo(self) -> Event:
        return run(self.engine, moderation.undo_last_step, actor=self.facilitator, stage_id=self.stage_id)


def open_lab(world: World, title: str = "Co-Working Lab Offenbach") -> Lab:
    workshop = run(
        world.engine,
        workshops.create_workshop,
        actor=world.facilitator,
        title=title,
        format_id="co-working-lab",
    )
    with read_session(world.engine) as session:
        stage = next(s for s in workshops.stages_of(session, workshop_id=workshop.id) if s.kind == "needs")
    run(
        world.engine,
        workshops.set_current_stage,
        actor=world.facilitator,
        workshop_id=workshop.id,
        stage_id=stage.id,
    )
    return Lab(world, workshop, stage.id)  # type: ignore[arg-type]


@pytest.fixture
def lab(world: World) -> Lab:
    return open_lab(world)


# --- what a card says -----------------------------------------------------------------------------------


def test_the_needs_stage_comes_with_the_seed_areas_phases_and_card_kinds(lab: Lab) -> None:
    with read_session(lab.engine) as session:
        stage = workshops.get_stage(session, stage_id=lab.stage_id)
    assert board_config.category_keys(stage) == AREAS
    settings = board_config.board_settings(stage)
    assert [p["key"] for p in settings["phases"]] == ["p1", "p2", "p3"]
    assert [k["key"] for k in settings["card_kinds"]] == ["now", "missing"]
    assert settings["approval"] is False


def test_a_card_says_what_is_missing_in_which_phase_and_shows_it_in_words(lab: Lab) -> None:
    ana, _ = lab.join()
    card = lab.card(
        ana,
        "No childcare during language courses",
        category="family_support",
        card_kind="missing",
        phase="p2",
    )
    seen = lab.seen_by(ana)[0]
    assert (card.card_kind, card.phase) == ("missing", "p2")
    assert seen["card_kind_label"]["en"] == "What is missing"
    assert seen["phase_label"]["de"].startswith("P2 Qualifizierung")
    assert (seen["kind"], seen["cluster_id"], seen["approved"]) == ("card", None, True)


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("card_kind", "wish", "Unknown card kind wish; this board has: now, missing"),
        ("phase", "p9", "Unknown phase p9; this board has: p1, p2, p3"),
        ("category", "idea", "Unknown category idea"),
    ],
)
def test_a_card_kind_or_phase_the_stage_does_not_know_is_refused(
    lab: Lab, field: str, value: str, reason: str
) -> None:
    ana, _ = lab.join()
    with pytest.raises(Invalid, match=reason):
        lab.card(ana, "Something", **{field: value})
    assert lab.seen_by(lab.facilitator) == []


def test_a_plain_board_has_no_card_kinds_or_phases(world: World) -> None:
    participant, _ = world.join()
    actor = world.participant_actor(participant)
    with pytest.raises(Invalid, match="does not sort cards into kinds"):
        run(world.engine, board.add_card, actor=actor, stage_id=world.stage_id, text="x", card_kind="now")
    with pytest.raises(Invalid, match="no pathway phases"):
        run(world.engine, board.add_card, actor=actor, stage_id=world.stage_id, text="x", phase="p1")


# --- approval mode ------------------------------------------------------------------------------------


def _approval(lab: Lab, on: bool = True) -> None:
    run(lab.engine, board.set_approval, actor=lab.facilitator, stage_id=lab.stage_id, approval=on)


def test_in_approval_mode_a_card_waits_and_only_its_author_and_staff_see_it(lab: Lab) -> None:
    _approval(lab)
    ana, _ = lab.join("Ana")
    ben, _ = lab.join("Ben")
    card = lab.card(ana, "Housing near the job centre", category="housing")
    by_facilitator = lab.card(lab.facilitator, "From the facilitator")
    assert card.approved is False and by_facilitator.approved is True
    assert [(c["text"], c["approved"]) for c in lab.seen_by(ana)] == [
        ("Housing near the job centre", False),
        ("From the facilitator", True),
    ]
    assert [c["text"] for c in lab.seen_by(ben)] == ["From the facilitator"]
    assert len(lab.seen_by(lab.facilitator)) == 2

    _, events = run_command(lab.engine, board.approve_card, actor=lab.facilitator, card_id=card.id)
    assert [e.type for e in events] == ["card.approved"]
    assert [c["text"] for c in lab.seen_by(ben)] == ["Housing near the job centre", "From the facilitator"]
    _, again = run_command(lab.engine, board.approve_card, actor=lab.facilitator, card_id=card.id)
    assert again == []


def test_switching_approval_is_recorded_once_and_only_by_facilitators(lab: Lab) -> None:
    ana, _ = lab.join()
    _, events = run_command(
        lab.engine, board.set_approval, actor=lab.facilitator, stage_id=lab.stage_id, approval=True
    )
    assert [(e.type, e.data) for e in events] == [
        ("stage.settings_changed", {"stage_id": lab.stage_id, "approval": True})
    ]
    _, same = run_command(
        lab.engine, board.set_approval, actor=lab.facilitator, stage_id=lab.stage_id, approval=True
    )
    assert same == []
    with pytest.raises(NotAllowed):
        run(lab.engine, board.set_approval, actor=ana, stage_id=lab.stage_id, approval=False)
    card = lab.card(ana, "Waits")
    with pytest.raises(NotAllowed):
        run(lab.engine, board.approve_card, actor=ana, card_id=card.id)


def test_a_waiting_card_cannot_be_merged_before_it_is_approved(lab: Lab) -> None:
    _approval(lab)
    ana, _ = lab.join()
    waiting = lab.card(ana, "Waits")
    other = lab.card(lab.facilitator, "Approved")
    with pytest.raises(Invalid, match=f"Card {waiting.id} waits for approval"):
        lab.merge([waiting.id, other.id])


# --- moves ----------------------------------------------------------------------------------------------


def test_moving_a_card_to_another_area_is_recorded_with_where_it_was(lab: Lab) -> None:
    ana, _ = lab.join()
    card = lab.card(ana, "Mental stability check takes 6 months", category="education")
    _, events = run_command(
        lab.engine, board.update_card, actor=lab.facilitator, card_id=card.id, category="legal_psychological"
    )
    assert lab.get(card.id).category == "legal_psychological"
    assert events[0].data["changes"] == ["category"]
    assert events[0].data["before"] == [{"id": card.id, "category": "education", "cluster_id": None}]
    with pytest.raises(Invalid, match="Unknown category"):
        run(lab.engine, board.update_card, actor=lab.facilitator, card_id=card.id, category="nowhere")


def test_a_card_moved_out_of_its_cluster_leaves_it_and_a_moved_cluster_takes_its_cards(lab: Lab) -> None:
    ana, _ = lab.join()
    a = lab.card(ana, "Kita places", category="family_support")
    b = lab.card(ana, "Care for elderly parents", category="family_support")
    c = lab.card(ana, "Evening childcare", category="family_support")
    cluster, _ = lab.merge([a.id, b.id, c.id], "Care")
    run(lab.engine, board.update_card, actor=lab.facilitator, card_id=a.id, category="family_support")
    assert (lab.get(a.id).cluster_id, lab.get(a.id).category) == (None, "family_support")
    run(lab.engine, board.update_card, actor=lab.facilitator, card_id=cluster.id, category="job_matching")
    assert [lab.get(i).category for i in (cluster.id, b.id, c.id)] == ["job_matching"] * 3
    assert lab.get(b.id).cluster_id == cluster.id


def test_several_cards_move_to_one_column_in_one_step(lab: Lab) -> None:
    ana, _ = lab.join()
    a = lab.card(ana, "CV help", category="housing")
    b = lab.card(ana, "Language course", category=None)
    _, events = run_command(
        lab.engine,
        moderation.move_cards,
        actor=lab.facilitator,
        stage_id=lab.stage_id,
        card_ids=[a.id, b.id],
        category="education",
    )
    assert [e.type for e in events] == ["cards.moved"]
    assert [lab.get(i).category for i in (a.id, b.id)] == ["education", "education"]
    assert sorted(events[0].data["remove"]) == sorted([a.id, b.id])
    lab.undo()
    assert [lab.get(i).category for i in (a.id, b.id)] == ["housing", None]


# --- clusters ---------------------------------------------------------------------------------------------


def test_merged_cards_keep_their_authors_and_stay_as_cards_in_the_cluster(lab: Lab) -> None:
    ana, _ = lab.join("Ana", "employer")
    ben, _ = lab.join("Ben", "beneficiary")
    a = lab.card(ana, "No childcare during courses", category="family_support", card_kind="missing")
    b = lab.card(ben, "Kita hours do not fit shifts", category="education")
    cluster, created = lab.merge([a.id, b.id], "Childcare")
    assert created and cluster.kind == "cluster" and cluster.text == "Childcare"
    assert cluster.category == "family_support"  # the column of the first card chosen
    seen = {c["id"]: c for c in lab.seen_by(ben)}
    assert seen[cluster.id]["card_ids"] == [a.id, b.id]
    assert [
        (seen[i]["author"]["name"], seen[i]["cluster_id"], seen[i]["category"]) for i in (a.id, b.id)
    ] == [
        ("Ana", cluster.id, "family_support"),
        ("Ben", cluster.id, "family_support"),
    ]
    assert seen[a.id]["card_kind"] == "missing" and seen[a.id]["seq"] == a.seq
    merged = lab.events()[-1]
    assert (merged.type, merged.data["cluster_id"], merged.data["card_ids"]) == (
        "cards.merged",
        cluster.id,
        [a.id, b.id],
    )
    assert cluster.seq == merged.seq


def test_merging_the_same_cards_twice_makes_one_cluster(lab: Lab) -> None:
    ana, _ = lab.join()
    a, b = lab.card(ana, "A"), lab.card(ana, "B")
    first, _ = lab.merge([a.id, b.id], "Twice")
    events = lab.events()
    again, created = lab.merge([a.id, b.id], "Twice")
    assert (again.id, created) == (first.id, False)
    assert lab.events() == events


def test_cards_added_to_an_existing_cluster_join_it_and_a_title_renames_it(lab: Lab) -> None:
    ana, _ = lab.join()
    a, b, c = (lab.card(ana, t, category="housing") for t in ("Hostel", "Flat share", "Hotel"))
    cluster, _ = lab.merge([a.id, b.id], "Housing first")
    again, created = lab.merge([c.id, cluster.id], "Places to live")
    assert (again.id, created, again.text) == (cluster.id, False, "Places to live")
    assert lab.get(c.id).cluster_id == cluster.id
    lab.undo()
    assert (lab.get(c.id).cluster_id, lab.get(cluster.id).text) == (None, "Housing first")


def test_clusters_do_not_nest_but_a_clustered_card_may_move_to_a_new_cluster(lab: Lab) -> None:
    ana, _ = lab.join()
    a, b, c, d = (lab.card(ana, t, category="education") for t in "ABCD")
    first, _ = lab.merge([a.id, b.id], "First")
    second, _ = lab.merge([c.id, d.id], "Second")
    before = lab.events()
    with pytest.raises(Invalid, match="Clusters do not go inside other clusters"):
        lab.merge([first.id, second.id], "Both")
    assert lab.events() == before
    flattened, _ = lab.merge([b.id, c.id], "Middle")
    assert [lab.get(i).cluster_id for i in (a.id, b.id, c.id, d.id)] == [
        first.id,
        flattened.id,
        flattened.id,
        second.id,
    ]
    lab.undo()
    assert [lab.get(i).cluster_id for i in (b.id, c.id)] == [first.id, second.id]


def test_merging_cards_of_another_workshop_is_refused_and_nothing_is_stored(lab: Lab) -> None:
    ana, _ = lab.join()
    mine = lab.card(ana, "Ours", category="housing")
    other = open_lab(lab.world, "Another lab")
    zoe, _ = other.join("Zoe")
    theirs = other.card(zoe, "Theirs", category="housing")
    before = lab.events()
    with pytest.raises(Invalid, match=f"Card {theirs.id} belongs to another workshop"):
        lab.merge([mine.id, theirs.id], "Mixed")
    assert lab.events() == before
    with read_session(lab.engine) as session:
        assert session.exec(select(Contribution).where(Contribution.kind == "cluster")).all() == []
    assert lab.get(theirs.id).cluster_id is None


@pytest.mark.parametrize(
    ("ids", "title", "reason"),
    [
        ("one", "T", "Select at least two cards"),
        ("two", "", "Please give the cluster a title"),
        ("two", "x" * 201, "too long"),
        ("other-stage", "T", "is on another stage"),
    ],
)
def test_a_merge_that_cannot_be_made_says_why(lab: Lab, ids: str, title: str, reason: str) -> None:
    ana, _ = lab.join()
    a = lab.card(ana, "A")
    b = lab.card(ana, "B")
    chosen = {"one": [a.id], "two": [a.id, b.id]}.get(ids)
    if ids == "other-stage":
        # A card of the same workshop, written on another board stage, by the facilitator.
        with read_session(lab.engine) as session:
            group_stage = next(
                s for s in workshops.stages_of(session, workshop_id=lab.workshop.id) if s.kind == "group_work"
            )
        elsewhere = run(
            lab.engine, board.add_card, actor=lab.facilitator, stage_id=group_stage.id, text="Elsewhere"
        )
        chosen = [a.id, elsewhere.id]
    with pytest.raises(Invalid, match=reason):
        lab.merge(chosen, title)  # type: ignore[arg-type]


def test_only_the_workshops_facilitators_merge_move_or_undo(lab: Lab) -> None:
    ana, _ = lab.join()
    a, b = lab.card(ana, "A"), lab.card(ana, "B")
    other, _ = make_facilitator(lab.engine, email="other@example.org")
    for actor in (ana, other):
        with pytest.raises(NotAllowed):
            lab.merge([a.id, b.id], "T", actor=actor)
        with pytest.raises(NotAllowed):
            run(
                lab.engine,
                moderation.move_cards,
                actor=actor,
                stage_id=lab.stage_id,
                card_ids=[a.id],
                category="housing",
            )
        with pytest.raises(NotAllowed):
            run(lab.engine, moderation.undo_last_step, actor=actor, stage_id=lab.stage_id)


# --- undo -------------------------------------------------------------------------------------------------


def test_undo_reverts_each_kind_of_step_from_the_last_one_back(lab: Lab) -> None:
    ana, _ = lab.join()
    a = lab.card(ana, "Typo hre", category="housing")
    b = lab.card(ana, "Second", category="housing")
    steps = [
        lambda: run(lab.engine, board.update_card, actor=lab.facilitator, card_id=a.id, text="Typo here"),
        lambda: run(lab.engine, board.update_card, actor=lab.facilitator, card_id=a.id, hidden=True),
        lambda: run(lab.engine, board.update_card, actor=lab.facilitator, card_id=b.id, category="education"),
        lambda: lab.merge([a.id, b.id], "Together"),
    ]
    snapshots = []
    for step in steps:
        snapshots.append([(c.text, c.category, c.hidden, c.cluster_id) for c in map(lab.get, (a.id, b.id))])
        step()
    cluster_id = lab.get(a.id).cluster_id
    for expected in reversed(snapshots):
        event = lab.undo()
        assert event.type == "moderation.undone"
        assert [(c.text, c.category, c.hidden, c.cluster_id) for c in map(lab.get, (a.id, b.id))] == expected
    with read_session(lab.engine) as session:
        assert session.get(Contribution, cluster_id) is None  # the undone merge's cluster is gone
    undone = [e.data["undone"]["type"] for e in lab.events() if e.type == "moderation.undone"]
    assert undone == ["cards.merged", "card.updated", "card.updated", "card.updated"]
    with pytest.raises(Conflict, match="nothing to undo"):
        lab.undo()


def test_undo_belongs_to_its_stage(lab: Lab) -> None:
    ana, _ = lab.join()
    card = lab.card(ana, "Here", category="housing")
    run(lab.engine, board.update_card, actor=lab.facilitator, card_id=card.id, hidden=True)
    with read_session(lab.engine) as session:
        group_stage = next(
            s for s in workshops.stages_of(session, workshop_id=lab.workshop.id) if s.kind == "group_work"
        )
    with pytest.raises(Conflict, match="nothing to undo"):
        run(lab.engine, moderation.undo_last_step, actor=lab.facilitator, stage_id=group_stage.id)
    assert lab.get(card.id).hidden is True


def test_undo_of_a_move_into_a_removed_category_is_refused_with_the_reason(lab: Lab) -> None:
    ana, _ = lab.join()
    card = lab.card(ana, "Moves away", category="housing")
    run(lab.engine, board.update_card, actor=lab.facilitator, card_id=card.id, category="education")
    without_housing = [c for c in _categories(lab) if c["key"] != "housing"]
    run(
        lab.engine,
        board.set_categories,
        actor=lab.facilitator,
        stage_id=lab.stage_id,
        categories=without_housing,
    )
    with pytest.raises(Conflict, match="the category housing was removed"):
        lab.undo()
    assert lab.get(card.id).category == "education"


# --- categories -------------------------------------------------------------------------------------------


def _categories(lab: Lab) -> list[dict[str, Any]]:
    with read_session(lab.engine) as session:
        return workshops.get_stage(session, stage_id=lab.stage_id).config["categories"]


def test_the_facilitator_adds_renames_and_removes_unused_categories(lab: Lab) -> None:
    categories = _categories(lab)
    categories[0] = {"key": "housing", "label": {"en": "Housing and shelter", "de": "Wohnen und Unterkunft"}}
    categories = [c for c in categories if c["key"] != "job_matching"]
    categories.append({"key": "transport", "label": {"en": " Transport ", "de": "", "es": "Transporte"}})
    _, events = run_command(
        lab.engine, board.set_categories, actor=lab.facilitator, stage_id=lab.stage_id, categories=categories
    )
    assert [c["key"] for c in _categories(lab)] == [*AREAS[:4], "transport"]
    assert _categories(lab)[-1]["label"] == {"en": "Transport", "es": "Transporte"}
    assert events[0].type == "stage.categories_changed"
    assert [c["key"] for c in events[0].data["before"]] == AREAS
    _, unchanged = run_command(
        lab.engine,
        board.set_categories,
        actor=lab.facilitator,
        stage_id=lab.stage_id,
        categories=_categories(lab),
    )
    assert unchanged == []


def test_a_category_that_holds_cards_cannot_be_removed(lab: Lab) -> None:
    ana, _ = lab.join()
    lab.card(ana, "Hotel", category="housing")
    lab.card(ana, "Hostel", category="housing")
    rest = [c for c in _categories(lab) if c["key"] != "housing"]
    with pytest.raises(Conflict, match=r"The category housing still holds cards \(2\)"):
        run(lab.engine, board.set_categories, actor=lab.facilitator, stage_id=lab.stage_id, categories=rest)
    assert [c["key"] for c in _categories(lab)] == AREAS


@pytest.mark.parametrize(
    ("categories", "reason"),
    [
        ([{"key": "Big Key", "label": {"en": "x"}}], "lowercase letters"),
        ([{"key": "a", "label": {"en": " "}}], "needs a label"),
        ([{"key": "a", "label": {"fr": "x"}}], "Unknown language fr"),
        ([{"key": "a", "label": {"en": "x"}}, {"key": "a", "label": {"en": "y"}}], "listed twice"),
    ],
)
def test_bad_categories_are_refused_with_a_reason(
    lab: Lab, categories: list[dict[str, Any]], reason: str
) -> None:
    with pytest.raises(Invalid, match=reason):
        run(
            lab.engine,
            board.set_categories,
            actor=lab.facilitator,
            stage_id=lab.stage_id,
            categories=[*_categories(lab), *categories],
        )


def test_a_new_category_gets_a_key_from_its_name() -> None:
    assert board_config.new_category_key("Rechtliche Beratung & Ämter", []) == "rechtliche_beratung_amter"
    assert board_config.new_category_key("Housing", ["housing"]) == "housing_2"
    assert board_config.new_category_key("¿?", []) == "category"


# --- the JSON API --------------------------------------------------------------------------------


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_the_api_takes_card_kind_and_phase_and_lists_the_new_fields(
    client: httpx.AsyncClient, lab: Lab
) -> None:
    _, token = lab.join()
    url = f"/api/v1/stages/{lab.stage_id}/contributions"
    made = await client.post(
        url,
        json={"text": "Profiling is done twice", "category": "education", "card_kind": "now", "phase": "p1"},
        headers=_auth(token),
    )
    assert made.status_code == 201, made.text
    assert {k: made.json()[k] for k in ("kind", "cluster_id", "card_kind", "phase", "approved")} == {
        "kind": "card",
        "cluster_id": None,
        "card_kind": "now",
        "phase": "p1",
        "approved": True,
    }
    bad = await client.post(url, json={"text": "x", "phase": "p7"}, headers=_auth(token))
    assert bad.status_code == 422 and "Unknown phase p7" in bad.json()["detail"]
    listed = (await client.get(url, headers=_auth(token))).json()["items"]
    assert [(c["text"], c["phase"]) for c in listed] == [("Profiling is done twice", "p1")]
    info = (
        await client.get(f"/api/v1/workshops/{lab.workshop.id}", headers=_auth(lab.world.api_token))
    ).json()
    needs = next(s for s in info["stages"] if s["kind"] == "needs")
    assert [c["key"] for c in needs["categories"]] == AREAS


async def test_the_api_merges_undoes_and_refuses_a_merge_across_workshops(
    client: httpx.AsyncClient, lab: Lab
) -> None:
    _, token = lab.join()
    url = f"/api/v1/stages/{lab.stage_id}/contributions"
    a = (await client.post(url, json={"text": "A", "category": "housing"}, headers=_auth(token))).json()
    b = (await client.post(url, json={"text": "B", "category": "education"}, headers=_auth(token))).json()
    other = open_lab(lab.world, "Elsewhere")
    zoe, _ = other.join("Zoe")
    theirs = other.card(zoe, "Theirs")
    clusters = f"/api/v1/stages/{lab.stage_id}/clusters"
    fac = _auth(lab.world.api_token)

    mixed = await client.post(
        clusters, json={"title": "Mixed", "card_ids": [a["id"], theirs.id]}, headers=fac
    )
    assert mixed.status_code == 422 and "belongs to another workshop" in mixed.json()["detail"]
    by_participant = await client.post(
        clusters, json={"title": "T", "card_ids": [a["id"], b["id"]]}, headers=_auth(token)
    )
    assert by_participant.status_code == 403

    made = await client.post(clusters, json={"title": "Basics", "card_ids": [a["id"], b["id"]]}, headers=fac)
    assert made.status_code == 201, made.text
    cluster = made.json()
    assert (cluster["kind"], cluster["text"], cluster["card_ids"], cluster["category"]) == (
        "cluster",
        "Basics",
        [a["id"], b["id"]],
        "housing",
    )
    listed = {c["id"]: c for c in (await client.get(url, headers=_auth(token))).json()["items"]}
    assert listed[b["id"]]["cluster_id"] == cluster["id"] and listed[b["id"]]["category"] == "housing"

    undone = await client.post(f"/api/v1/stages/{lab.stage_id}/undo", headers=fac)
    assert undone.status_code == 200 and undone.json()["undone"]["type"] == "cards.merged"
    listed = {c["id"]: c for c in (await client.get(url, headers=_auth(token))).json()["items"]}
    assert cluster["id"] not in listed and listed[b["id"]]["category"] == "education"
    nothing = await client.post(f"/api/v1/stages/{lab.stage_id}/undo", headers=fac)
    assert nothing.status_code == 409 and "nothing to undo" in nothing.json()["detail"]


async def test_the_api_moves_cards_and_edits_categories(client: httpx.AsyncClient, lab: Lab) -> None:
    _, token = lab.join()
    fac = _auth(lab.world.api_token)
    card = (
        await client.post(
            f"/api/v1/stages/{lab.stage_id}/contributions",
            json={"text": "Bus tickets", "category": "housing"},
            headers=_auth(token),
        )
    ).json()
    url = f"/api/v1/stages/{lab.stage_id}/categories"
    in_use = await client.put(
        url, json={"categories": [{"key": "education", "label": {"en": "Education"}}]}, headers=fac
    )
    assert in_use.status_code == 409 and "housing still holds cards (1)" in in_use.json()["detail"]
    moved = await client.patch(
        f"/api/v1/contributions/{card['id']}", json={"category": "education"}, headers=fac
    )
    assert moved.status_code == 200 and moved.json()["category"] == "education"
    changed = await client.put(
        url,
        json={
            "categories": [
                {"key": "education", "label": {"en": "Education"}},
                {"key": "transport", "label": {"en": "Transport", "de": "Verkehr"}},
            ]
        },
        headers=fac,
    )
    assert changed.status_code == 200, changed.text
    assert [c["key"] for c in changed.json()["categories"]] == ["education", "transport"]
    bulk = await client.post(
        f"/api/v1/stages/{lab.stage_id}/moves",
        json={"card_ids": [card["id"]], "category": "transport"},
        headers=fac,
    )
    assert bulk.status_code == 200 and bulk.json()["items"][0]["category"] == "transport"
    info = (await client.get(f"/api/v1/workshops/{lab.workshop.id}", headers=fac)).json()
    needs = next(s for s in info["stages"] if s["id"] == lab.stage_id)
    assert [c["key"] for c in needs["categories"]] == ["education", "transport"]


async def test_the_api_switches_approval_and_approves_a_waiting_card(
    client: httpx.AsyncClient, lab: Lab
) -> None:
    _, ana = lab.join("Ana")
    _, ben = lab.join("Ben")
    fac = _auth(lab.world.api_token)
    switched = await client.patch(f"/api/v1/stages/{lab.stage_id}", json={"approval": True}, headers=fac)
    assert switched.status_code == 200 and switched.json()["approval"] is True
    assert (
        await client.patch(f"/api/v1/stages/{lab.stage_id}", json={"approval": True}, headers=_auth(ana))
    ).status_code == 403
    url = f"/api/v1/stages/{lab.stage_id}/contributions"
    card = (await client.post(url, json={"text": "Waits for a yes"}, headers=_auth(ana))).json()
    assert card["approved"] is False
    assert (await client.get(url, headers=_auth(ben))).json()["items"] == []
    assert [c["approved"] for c in (await client.get(url, headers=_auth(ana))).json()["items"]] == [False]
    approved = await client.post(f"/api/v1/contributions/{card['id']}/approve", headers=fac)
    assert approved.status_code == 200 and approved.json()["approved"] is True
    assert [c["text"] for c in (await client.get(url, headers=_auth(ben))).json()["items"]] == [
        "Waits for a yes"
    ]


# --- pages without JavaScript ----------------------------------------------------------------------


async def _sign_in(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/login", data={"email": "fac@example.org", "password": "correct horse battery"}
    )
    assert response.status_code == 303


async def test_a_phone_marks_a_card_as_missing_in_a_phase_and_sees_it_in_words(
    client: httpx.AsyncClient, lab: Lab
) -> None:
    code = lab.workshop.code
    await client.post(f"/j/{code}", data={"name": "Amira"})
    page = await client.get(f"/j/{code}/stage")
    assert 'name="card_kind"' in page.text and 'name="phase"' in page.text and "What is missing" in page.text
    sent = await client.post(
        f"/j/{code}/cards",
        data={
            "stage_id": str(lab.stage_id),
            "text": "No follow-up after the job starts",
            "category": "job_matching",
            "card_kind": "missing",
            "phase": "p3",
        },
    )
    assert sent.status_code == 303
    page = await client.get(f"/j/{code}/stage")
    assert "No follow-up after the job starts" in page.text
    # In words, each with its icon beside it.
    assert (
        '<span class="tag tag-missing" title="What is missing">'
        '<span class="icon icon-kind-missing" aria-hidden="true"></span>What is missing</span> '
        '<span class="tag tag-phase" title="P3 Follow-up">'
        '<span class="icon icon-phase-p3" aria-hidden="true"></span>P3 Follow-up</span>' in page.text
    )
    refused = await client.post(
        f"/j/{code}/cards", data={"stage_id": str(lab.stage_id), "text": "Kept", "phase": "p9"}
    )
    assert refused.status_code == 422 and "Unknown phase p9" in refused.text and "Kept" in refused.text


async def test_a_waiting_card_shows_to_its_author_only(client: httpx.AsyncClient, lab: Lab) -> None:
    _approval(lab)
    code = lab.workshop.code
    await client.post(f"/j/{code}", data={"name": "Amira"})
    await client.post(
        f"/j/{code}/cards", data={"stage_id": str(lab.stage_id), "text": "Secret until approved"}
    )
    mine = await client.get(f"/j/{code}/stage")
    assert "Your cards waiting for approval" in mine.text and "Secret until approved" in mine.text
    projector = await client.get(f"/s/{lab.workshop.projector_key}")
    assert "Secret until approved" not in projector.text
    assert "once the facilitator has approved them" in projector.text
    async with httpx.AsyncClient(transport=client._transport, base_url="http://testserver") as other:  # type: ignore[attr-defined]
        await other.post(f"/j/{code}", data={"name": "Ben"})
        assert "Secret until approved" not in (await other.get(f"/j/{code}/stage")).text


async def test_a_facilitator_merges_undoes_and_edits_categories_with_plain_forms(
    client: httpx.AsyncClient, lab: Lab
) -> None:
    ana, _ = lab.join()
    a = lab.card(ana, "Apprenticeship at 30", category="education")
    b = lab.card(ana, "Late starter programme", category="job_matching")
    await _sign_in(client)
    console = await client.get(f"/f/w/{lab.workshop.id}")
    assert (
        f'form="selection-{lab.stage_id}"' in console.text and "Merge selected into cluster" in console.text
    )
    merged = await client.post(
        f"/f/stages/{lab.stage_id}/moderate",
        data={
            "action": "merge",
            "card_ids": [str(a.id), str(b.id)],
            "title": "Late starters",
            "next": f"/f/w/{lab.workshop.id}",
        },
    )
    assert merged.status_code == 303 and merged.headers["location"] == f"/f/w/{lab.workshop.id}"
    console = await client.get(f"/f/w/{lab.workshop.id}")
    assert 'Cluster:</span> <bdi class="cluster-name">Late starters</bdi>' in console.text
    moved = await client.post(
        f"/f/stages/{lab.stage_id}/moderate", data={"action": "move", "card_ids": [str(a.id)], "to": "~none"}
    )
    assert moved.status_code == 303 and lab.get(a.id).category is None and lab.get(a.id).cluster_id is None
    nowhere = await client.post(
        f"/f/stages/{lab.stage_id}/moderate", data={"action": "move", "card_ids": [str(a.id)]}
    )
    assert nowhere.status_code == 422 and "Choose where to move the cards" in nowhere.text

    empty = await client.post(
        f"/f/cards/{b.id}", data={"action": "edit", "text": " "}, headers={"HX-Request": "true"}
    )
    assert (
        empty.status_code == 422
        and "Please write something" in empty.text
        and f'id="card-{b.id}"' in empty.text
    )
    undone = await client.post(f"/f/stages/{lab.stage_id}/undo", headers={"HX-Request": "true"})
    assert undone.status_code == 200 and "Undone: the move." in undone.text
    assert lab.get(a.id).cluster_id is not None

    in_use = await client.post(
        f"/f/stages/{lab.stage_id}/categories",
        data={
            "key": ["housing", "job_matching"],
            "label_en": ["Housing", "Job matching"],
            "label_de": ["", ""],
            "label_es": ["", ""],
        },
    )
    assert in_use.status_code == 409 and "education still holds cards (3)" in in_use.text
    keys = [c["key"] for c in _categories(lab)]
    added = await client.post(
        f"/f/stages/{lab.stage_id}/categories",
        data={
            "key": keys,
            "label_en": ["x"] * len(keys),
            "label_de": [""] * len(keys),
            "label_es": [""] * len(keys),
            "remove": ["housing"],
            "new_en": "Mobility",
        },
    )
    assert added.status_code == 303
    assert [c["key"] for c in _categories(lab)] == [*AREAS[1:], "mobility"]


async def test_the_projector_shows_moderation_tools_only_to_a_signed_in_facilitator(
    client: httpx.AsyncClient, lab: Lab
) -> None:
    ana, _ = lab.join()
    lab.card(ana, "Visible card", category="housing")
    hidden = lab.card(ana, "Hidden card", category="housing")
    run(lab.engine, board.update_card, actor=lab.facilitator, card_id=hidden.id, hidden=True)
    plain = await client.get(f"/s/{lab.workshop.projector_key}")
    assert "Visible card" in plain.text and "Merge selected into cluster" not in plain.text
    assert 'data-token="t.' not in plain.text
    await _sign_in(client)
    moderated = await client.get(f"/s/{lab.workshop.projector_key}")
    assert "Merge selected into cluster" in moderated.text and 'form="selection-' in moderated.text
    assert "Hidden card" not in moderated.text and f'id="card-{hidden.id}" hidden' in moderated.text
    assert 'data-token="t.' in moderated.text  # it follows the staff room, so pushed cards come with tools
    assert f'src="/s/{lab.workshop.projector_key}/qr.svg"' in moderated.text
    make_facilitator(lab.engine, email="other@example.org")
    await client.post("/logout")
    await client.post("/login", data={"email": "other@example.org", "password": "correct horse battery"})
    stranger = await client.get(f"/s/{lab.workshop.projector_key}")
    assert "Merge selected into cluster" not in stranger.text
