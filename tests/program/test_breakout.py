"""Breakout tables with a note-taker and a presenter each (seed 000), their boards, and the plenary queue."""

import random
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from cowork.commands import run_command
from cowork.db import read_session
from cowork.domain import participants, workshops
from cowork.domain.actors import Actor
from cowork.domain.errors import Closed, Conflict, Invalid, NotAllowed
from cowork.domain.models import Stage
from cowork.domain.program import presentations, table_boards
from cowork.domain.program import seats as table_seats
from cowork.domain.program import tables as breakout
from tests.conftest import World, run

GROUPS = ["employer", "job_centre", "training", "welfare"]


@dataclass
class Lab:
    """A co-working lab (seed 000) with people who joined; stage ids by kind."""

    world: World
    workshop: Any
    stages: dict[str, int]
    people: list[tuple[Any, str]]

    def actor(self, i: int) -> Actor:
        return Actor.of_participant(self.people[i][0])

    def pid(self, i: int) -> int:
        return self.people[i][0].id

    def go_to(self, kind: str) -> None:
        run(
            self.world.engine,
            workshops.set_current_stage,
            actor=self.world.facilitator,
            workshop_id=self.workshop.id,
            stage_id=self.stages[kind],
        )

    def split(self, count: int, method: str = "random", **kw: Any) -> list[dict[str, Any]]:
        return run(
            self.world.engine,
            breakout.split_into_tables,
            actor=self.world.facilitator,
            workshop_id=self.workshop.id,
            count=count,
            method=method,
            rng=random.Random(7),
            **kw,
        )

    def tables(self) -> list[dict[str, Any]]:
        with read_session(self.world.engine) as session:
            return breakout.describe_tables(session, workshop_id=self.workshop.id)


def make_lab(world: World, people: int = 8, groups: list[str] = GROUPS) -> Lab:
    workshop = run(
        world.engine,
        workshops.create_workshop,
        actor=world.facilitator,
        title="Co-working lab",
        format_id="co-working-lab",
    )
    with read_session(world.engine) as session:
        stages = {s.kind: s.id for s in workshops.stages_of(session, workshop_id=workshop.id)}
    joined = []
    for i in range(people):
        joined.append(
            run(
                world.engine,
                participants.join_workshop,
                code=workshop.code,
                name=f"P{i}",
                group=groups[i % len(groups)],
            )
        )
    return Lab(world, workshop, stages, joined)


@pytest.fixture
def lab(world: World) -> Lab:
    return make_lab(world)


def _members(table: dict[str, Any]) -> list[int]:
    return [m["participant_id"] for m in table["members"]]


# --- splitting ------------------------------------------------------------------------------------------


def test_a_random_split_seats_everybody_once_at_tables_of_even_size(lab: Lab) -> None:
    tables = lab.split(3)
    assert [t["number"] for t in tables] == [1, 2, 3]
    seated = [pid for t in tables for pid in _members(t)]
    assert sorted(seated) == sorted(lab.pid(i) for i in range(8))
    assert sorted(len(t["members"]) for t in tables) == [2, 3, 3]
    assert all(m["role"] == "member" and m["group"] in GROUPS for t in tables for m in t["members"])


def test_a_balanced_split_spreads_each_stakeholder_group_over_the_tables(world: World) -> None:
    lab = make_lab(
        world, people=12, groups=["employer", "employer", "employer", "job_centre", "welfare", "training"]
    )
    tables = lab.split(3, "balanced")
    for group in ("employer", "job_centre", "welfare", "training"):
        per_table = [sum(1 for m in t["members"] if m["group"] == group) for t in tables]
        assert max(per_table) - min(per_table) <= 1, (group, per_table)
    assert [len(t["members"]) for t in tables] == [4, 4, 4]


def test_the_tables_take_the_topics_of_the_group_work_stage(lab: Lab) -> None:
    tables = lab.split(3)
    assert tables[0]["topic"]["en"] == "Mapping and supporting homeless populations"
    assert tables[2]["topic"]["de"] == "Diskriminierung am Arbeitsplatz bekämpfen"
    assert all(t["stage_id"] == lab.stages["group_work"] for t in tables)
    own = lab.split(2, topics=["Housing first", "Care jobs"])
    assert [t["topic"]["es"] for t in own] == ["Housing first", "Care jobs"]


def test_more_tables_than_participants_are_refused_with_the_reason_and_nothing_changes(lab: Lab) -> None:
    lab.split(2)
    with pytest.raises(Invalid, match="9 tables but only 8 participants"):
        lab.split(9)
    assert len(lab.tables()) == 2


@pytest.mark.parametrize(
    ("count", "method", "roles", "reason"),
    [
        (0, "random", "choose", "between 1 and 50"),
        (51, "random", "choose", "between 1 and 50"),
        (2, "alphabetical", "choose", "Unknown method alphabetical"),
        (2, "random", "lottery", "Unknown way to give out roles"),
    ],
)
def test_bad_splits_are_refused(lab: Lab, count: int, method: str, roles: str, reason: str) -> None:
    with pytest.raises(Invalid, match=reason):
        lab.split(count, method, roles=roles)


def test_a_new_split_replaces_the_tables_and_their_roles(lab: Lab) -> None:
    first = lab.split(2, roles="auto")
    second = lab.split(4)
    assert {t["id"] for t in first}.isdisjoint({t["id"] for t in second})
    assert [t["id"] for t in lab.tables()] == [t["id"] for t in second]
    assert all(m["role"] == "member" for t in second for m in t["members"])


# --- choosing a table -----------------------------------------------------------------------------------


def test_with_self_chosen_tables_each_participant_sits_down_and_may_move(lab: Lab) -> None:
    tables = lab.split(2, "self")
    assert all(t["members"] == [] for t in tables)
    first = run(lab.world.engine, table_seats.join_table, actor=lab.actor(0), table_id=tables[0]["id"])
    assert _members(first) == [lab.pid(0)]
    moved = run(lab.world.engine, table_seats.join_table, actor=lab.actor(0), table_id=tables[1]["id"])
    assert _members(moved) == [lab.pid(0)]
    assert [_members(t) for t in lab.tables()] == [[], [lab.pid(0)]]
    again = run(lab.world.engine, table_seats.join_table, actor=lab.actor(0), table_id=tables[1]["id"])
    assert _members(again) == [lab.pid(0)]


def test_a_seated_participant_cannot_leave_a_table_the_facilitator_gave_them(lab: Lab) -> None:
    tables = lab.split(2)
    mine = next(t for t in tables if lab.pid(0) in _members(t))
    other = next(t for t in tables if t is not mine)
    with pytest.raises(NotAllowed, match="ask them"):
        run(lab.world.engine, table_seats.join_table, actor=lab.actor(0), table_id=other["id"])
    moved = run(
        lab.world.engine,
        table_seats.join_table,
        actor=lab.world.facilitator,
        table_id=other["id"],
        participant_id=lab.pid(0),
    )
    assert lab.pid(0) in _members(moved)


def test_a_latecomer_without_a_table_chooses_one(lab: Lab) -> None:
    tables = lab.split(2)
    late, _ = run(
        lab.world.engine,
        participants.join_workshop,
        code=lab.workshop.code,
        name="Late",
    )
    table = run(
        lab.world.engine, table_seats.join_table, actor=Actor.of_participant(late), table_id=tables[1]["id"]
    )
    assert late.id in _members(table)


# --- roles ------------------------------------------------------------------------------------------------


def _role_of(lab: Lab, pid: int) -> str:
    return next(m["role"] for t in lab.tables() for m in t["members"] if m["participant_id"] == pid)


def test_a_member_takes_a_free_role_and_a_taken_one_is_refused(lab: Lab) -> None:
    tables = lab.split(2)
    table = tables[0]
    a, b = (next(i for i in range(8) if lab.pid(i) == pid) for pid in _members(table)[:2])
    run(lab.world.engine, table_seats.set_role, actor=lab.actor(a), table_id=table["id"], role="note_taker")
    with pytest.raises(Conflict, match="already has a note-taker"):
        run(
            lab.world.engine,
            table_seats.set_role,
            actor=lab.actor(b),
            table_id=table["id"],
            role="note_taker",
        )
    run(lab.world.engine, table_seats.set_role, actor=lab.actor(b), table_id=table["id"], role="presenter")
    # Taking the other role gives up the first: one person, one role.
    run(lab.world.engine, table_seats.set_role, actor=lab.actor(a), table_id=table["id"], role="member")
    assert (_role_of(lab, lab.pid(a)), _role_of(lab, lab.pid(b))) == ("member", "presenter")


def test_only_members_of_a_table_take_its_roles(lab: Lab) -> None:
    tables = lab.split(2)
    outsider = next(i for i in range(8) if lab.pid(i) not in _members(tables[0]))
    with pytest.raises(NotAllowed, match="Only members"):
        run(
            lab.world.engine,
            table_seats.set_role,
            actor=lab.actor(outsider),
            table_id=tables[0]["id"],
            role="presenter",
        )


def test_the_facilitator_gives_a_role_and_takes_it_from_whoever_had_it(lab: Lab) -> None:
    tables = lab.split(2, roles="auto")
    table = tables[0]
    presenter = next(m["participant_id"] for m in table["members"] if m["role"] == "presenter")
    newcomer = next(m["participant_id"] for m in table["members"] if m["role"] == "member")
    _, events = run_command(
        lab.world.engine,
        table_seats.set_role,
        actor=lab.world.facilitator,
        table_id=table["id"],
        role="presenter",
        participant_id=newcomer,
    )
    assert (_role_of(lab, newcomer), _role_of(lab, presenter)) == ("presenter", "member")
    assert events[0].type == "table.role_changed"
    assert sorted((c["participant_id"], c["role"]) for c in events[0].data["changes"]) == sorted(
        [(newcomer, "presenter"), (presenter, "member")]
    )


def test_auto_roles_give_each_table_one_note_taker_and_one_presenter(lab: Lab) -> None:
    for table in lab.split(3, roles="auto"):
        assert Counter(m["role"] for m in table["members"]) == Counter(
            {"note_taker": 1, "presenter": 1, "member": len(table["members"]) - 2}
        )


def test_rotating_passes_the_roles_on_so_everybody_gets_a_turn(lab: Lab) -> None:
    lab.split(2)
    holders: dict[int, set[int]] = {}
    for _ in range(4):
        tables = run(
            lab.world.engine,
            table_seats.rotate_roles,
            actor=lab.world.facilitator,
            workshop_id=lab.workshop.id,
        )
        for table in tables:
            roles = Counter(m["role"] for m in table["members"])
            assert roles["note_taker"] == 1 and roles["presenter"] == 1
            holders.setdefault(table["id"], set()).update(
                m["participant_id"] for m in table["members"] if m["role"] != "member"
            )
    assert all(holders[t["id"]] == set(_members(t)) for t in lab.tables())


def test_a_table_of_one_gets_a_presenter(world: World) -> None:
    lab = make_lab(world, people=1)
    lab.split(1)
    tables = run(world.engine, table_seats.rotate_roles, actor=world.facilitator, workshop_id=lab.workshop.id)
    assert [m["role"] for m in tables[0]["members"]] == ["presenter"]


# --- a table's own board ----------------------------------------------------------------------------------


def _card(lab: Lab, i: int, table_id: int, text: str, **kw: Any) -> Any:
    return run(
        lab.world.engine, table_boards.add_table_card, actor=lab.actor(i), table_id=table_id, text=text, **kw
    )


def test_a_card_on_a_group_work_stage_carries_its_authors_table(lab: Lab) -> None:
    tables = lab.split(2)
    lab.go_to("group_work")
    table = tables[0]
    author = next(i for i in range(8) if lab.pid(i) in _members(table))
    card, events = run_command(
        lab.world.engine,
        table_boards.add_table_card,
        actor=lab.actor(author),
        table_id=table["id"],
        text="Survey among care homes",
        category="data_collection",
    )
    assert card.table_id == table["id"]
    assert events[0].type == "card.added" and events[0].data["table_id"] == table["id"]
    with read_session(lab.world.engine) as session:
        board = table_boards.table_cards(session, table_id=table["id"], include_hidden=False)
        other = table_boards.table_cards(session, table_id=tables[1]["id"], include_hidden=False)
    assert [c["text"] for c in board] == ["Survey among care homes"] and other == []


def test_a_participant_writes_only_on_the_board_of_their_own_table(lab: Lab) -> None:
    tables = lab.split(2)
    lab.go_to("group_work")
    outsider = next(i for i in range(8) if lab.pid(i) not in _members(tables[0]))
    with pytest.raises(NotAllowed, match="your own table"):
        _card(lab, outsider, tables[0]["id"], "Sneaky")


def test_table_cards_go_only_on_an_open_group_work_stage(lab: Lab) -> None:
    tables = lab.split(2)
    author = next(i for i in range(8) if lab.pid(i) in _members(tables[0]))
    with pytest.raises(Invalid, match="group-work stage"):
        _card(lab, author, tables[0]["id"], "Too early")  # the workshop is still on its introduction


def test_a_retried_table_card_is_stored_once(lab: Lab) -> None:
    tables = lab.split(2)
    lab.go_to("group_work")
    author = next(i for i in range(8) if lab.pid(i) in _members(tables[0]))
    first = _card(lab, author, tables[0]["id"], "Once", client_id="c-1")
    second, events = run_command(
        lab.world.engine,
        table_boards.add_table_card,
        actor=lab.actor(author),
        table_id=tables[0]["id"],
        text="Once",
        client_id="c-1",
    )
    assert second.id == first.id and events == []


# --- plenary presentations --------------------------------------------------------------------------------


def _next(lab: Lab) -> tuple[dict[str, Any], list[Any]]:
    return run_command(
        lab.world.engine,
        presentations.next_presentation,
        actor=lab.world.facilitator,
        stage_id=lab.stages["presentations"],
    )


def test_the_tables_present_in_turn_each_with_its_own_five_minute_timer(lab: Lab) -> None:
    tables = lab.split(2, roles="auto")
    lab.go_to("presentations")
    state, events = _next(lab)
    assert [e.type for e in events] == ["presentations.queued", "presentation.started", "timer.started"]
    assert state["current"]["table_id"] == tables[0]["id"]
    assert state["current"]["presenter"]["role"] == "presenter"
    assert events[2].data["duration"] == 5 * 60  # the co-working lab's minutes_per_presentation
    assert events[2].data["subject"] == {"table_id": tables[0]["id"], "table_number": 1}
    state, events = _next(lab)
    assert [e.type for e in events] == ["presentation.finished", "presentation.started", "timer.started"]
    assert [q["status"] for q in state["queue"]] == ["done", "presenting"]
    state, events = _next(lab)
    assert [e.type for e in events] == ["presentation.finished", "timer.reset"]
    assert events[0].data["last"] is True and state["finished"] is True
    with pytest.raises(Closed, match="Every table has presented"):
        _next(lab)


def test_the_presenting_table_shows_its_board(lab: Lab) -> None:
    tables = lab.split(2)
    lab.go_to("group_work")
    author = next(i for i in range(8) if lab.pid(i) in _members(tables[0]))
    _card(lab, author, tables[0]["id"], "Our project idea", category="project_idea")
    lab.go_to("presentations")
    state, _ = _next(lab)
    assert [c["text"] for c in state["current"]["cards"]] == ["Our project idea"]
    assert next(c["key"] for c in state["current"]["categories"]) == "project_idea"


def test_presentations_need_tables(lab: Lab) -> None:
    lab.go_to("presentations")
    with pytest.raises(Closed, match="split the participants"):
        _next(lab)


def test_a_new_split_makes_a_new_queue(lab: Lab) -> None:
    lab.split(2)
    lab.go_to("presentations")
    _next(lab)
    tables = lab.split(3)
    state, events = _next(lab)
    assert events[0].type == "presentations.queued"
    assert [q["table_id"] for q in state["queue"]] == [t["id"] for t in tables]


def test_without_minutes_per_presentation_a_table_gets_five_minutes() -> None:
    assert (
        presentations.minutes_per_presentation(
            Stage(workshop_id=1, position=0, kind="presentations", title={})
        )
        == 5
    )


# --- over HTTP ------------------------------------------------------------------------------------------


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_the_tables_api_splits_and_answers_with_members_and_roles(
    client: httpx.AsyncClient, world: World
) -> None:
    lab = make_lab(world, people=6)
    url = f"/api/v1/workshops/{lab.workshop.id}/tables"
    made = await client.post(
        url, json={"count": 2, "method": "balanced", "roles": "auto"}, headers=_auth(world.api_token)
    )
    assert made.status_code == 201, made.text
    tables = made.json()["tables"]
    assert len(tables) == 2
    member = tables[0]["members"][0]
    assert {"participant_id", "group", "role"} <= member.keys()
    assert {m["role"] for t in tables for m in t["members"]} == {"note_taker", "presenter", "member"}
    listed = await client.get(url, headers=_auth(lab.people[0][1]))
    assert listed.json()["tables"] == tables

    too_many = await client.post(url, json={"count": 7, "method": "random"}, headers=_auth(world.api_token))
    assert too_many.status_code == 422 and "only 6 participants" in too_many.json()["detail"]
    for bad in (
        {"count": "two"},
        {"method": "random"},
        {"count": 2, "method": "coin"},
        {"count": 2, "topics": "x"},
    ):
        answer = await client.post(url, json=bad, headers=_auth(world.api_token))
        assert answer.status_code == 422, bad
    by_phone = await client.post(url, json={"count": 2}, headers=_auth(lab.people[0][1]))
    assert by_phone.status_code == 403


async def test_a_phone_chooses_a_table_takes_a_role_and_writes_on_its_board(
    client: httpx.AsyncClient, world: World
) -> None:
    lab = make_lab(world, people=3)
    made = await client.post(
        f"/api/v1/workshops/{lab.workshop.id}/tables",
        json={"count": 2, "method": "self"},
        headers=_auth(world.api_token),
    )
    table = made.json()["tables"][1]
    token = lab.people[0][1]
    joined = await client.post(f"/api/v1/tables/{table['id']}/join", headers=_auth(token))
    assert joined.status_code == 200 and [m["participant_id"] for m in joined.json()["members"]] == [
        lab.pid(0)
    ]
    role = await client.post(
        f"/api/v1/tables/{table['id']}/roles", json={"role": "presenter"}, headers=_auth(token)
    )
    assert role.json()["members"][0]["role"] == "presenter"
    bad_role = await client.post(
        f"/api/v1/tables/{table['id']}/roles", json={"role": "boss"}, headers=_auth(token)
    )
    assert bad_role.status_code == 422
    lab.go_to("group_work")
    card = await client.post(
        f"/api/v1/tables/{table['id']}/cards",
        json={"text": "Focus group with NGOs", "category": "data_collection"},
        headers=_auth(token),
    )
    assert card.status_code == 201 and card.json()["table_id"] == table["id"]
    cards = await client.get(f"/api/v1/tables/{table['id']}/cards", headers=_auth(token))
    assert [c["text"] for c in cards.json()["items"]] == ["Focus group with NGOs"]
    rotated = await client.post(
        f"/api/v1/workshops/{lab.workshop.id}/tables/rotate-roles", headers=_auth(world.api_token)
    )
    assert rotated.status_code == 200 and len(rotated.json()["tables"]) == 2


async def test_next_presentation_is_one_call(client: httpx.AsyncClient, world: World) -> None:
    lab = make_lab(world, people=4)
    await client.post(
        f"/api/v1/workshops/{lab.workshop.id}/tables", json={"count": 2}, headers=_auth(world.api_token)
    )
    lab.go_to("presentations")
    url = f"/api/v1/stages/{lab.stages['presentations']}/presentations"
    first = await client.post(f"{url}/next", headers=_auth(world.api_token))
    assert first.status_code == 200 and first.json()["current"]["number"] == 1
    timer = await client.get(f"/api/v1/workshops/{lab.workshop.id}/timer", headers=_auth(world.api_token))
    assert timer.json()["state"] == "running" and timer.json()["duration"] == 300
    read = await client.get(url, headers=_auth(lab.people[0][1]))
    assert read.json()["current"]["number"] == 1 and read.json()["next"]["number"] == 2
    wrong = await client.post(
        f"/api/v1/stages/{lab.stages['group_work']}/presentations/next", headers=_auth(world.api_token)
    )
    assert wrong.status_code == 422


async def test_the_group_work_pages_work_without_javascript(client: httpx.AsyncClient, world: World) -> None:
    lab = make_lab(world, people=0)
    joined = await client.post(f"/j/{lab.workshop.code}", data={"name": "Amira", "group": "beneficiary"})
    assert joined.status_code == 200
    run(
        world.engine,
        breakout.split_into_tables,
        actor=world.facilitator,
        workshop_id=lab.workshop.id,
        count=1,
        method="self",
    )
    lab.go_to("group_work")
    page = await client.get(f"/j/{lab.workshop.code}/stage")
    assert "Choose your table" in page.text and "Sit at table 1" in page.text
    table_id = lab.tables()[0]["id"]
    sat = await client.post(f"/j/{lab.workshop.code}/tables/{table_id}/join")
    assert sat.status_code == 303
    page = await client.get(f"/j/{lab.workshop.code}/stage")
    assert "Your table" in page.text and "I take the notes" in page.text
    took = await client.post(f"/j/{lab.workshop.code}/tables/{table_id}/role", data={"role": "note_taker"})
    assert took.status_code == 303
    sent = await client.post(
        f"/j/{lab.workshop.code}/tables/{table_id}/cards",
        data={
            "stage_id": str(lab.stages["group_work"]),
            "text": "Desk research first",
            "category": "data_collection",
        },
    )
    assert sent.status_code == 303
    page = await client.get(f"/j/{lab.workshop.code}/stage")
    assert f'id="tcol-{table_id}-data_collection"' in page.text and "Desk research first" in page.text
    assert "Note-taker" in page.text
    empty = await client.post(
        f"/j/{lab.workshop.code}/tables/{table_id}/cards",
        data={"stage_id": str(lab.stages["group_work"]), "text": " "},
    )
    assert empty.status_code == 422 and "Please write something" in empty.text
    screen = await client.get(f"/s/{lab.workshop.projector_key}")
    assert "Table 1" in screen.text and "Desk research first" in screen.text


def test_two_members_racing_for_the_presenter_role_leave_one_presenter(lab: Lab) -> None:
    tables = lab.split(1)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def take(i: int) -> None:
        barrier.wait()
        try:
            run(
                lab.world.engine,
                table_seats.set_role,
                actor=lab.actor(i),
                table_id=tables[0]["id"],
                role="presenter",
            )
            outcomes.append("took")
        except Conflict:
            outcomes.append("refused")

    threads = [threading.Thread(target=take, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["refused", "refused", "refused", "took"]
    assert Counter(m["role"] for m in lab.tables()[0]["members"])["presenter"] == 1
