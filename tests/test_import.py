"""Importing a session record: a workshop comes back from its JSON file, or nothing at all comes in.

What a round trip keeps, and so what is compared: every event's seq and type, and its data without the
ids, codes and counts that a new workshop gives anew (workshop, stage, participant and card ids, the join
code). Texts, names (in named mode), groups, categories, hidden flags and times stay the same.
"""

import ast
import json
import random
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, func
from sqlmodel import col, select

from cowork import domain
from cowork.commands import run_query
from cowork.db import read_session
from cowork.domain import participants, privacy, retention, workshops
from cowork.domain.actions import commitments, proposals
from cowork.domain.actions.proposals import Proposal
from cowork.domain.board import cards as board
from cowork.domain.board import moderation, projection, suggestions
from cowork.domain.board import view as board_view
from cowork.domain.models import Contribution, Participant, Stage, Workshop
from cowork.domain.program import agenda, evaluation, look, presentations, screen, table_boards
from cowork.domain.program import seats as table_seats
from cowork.domain.program import stages as agenda_design
from cowork.domain.program import tables as breakout
from cowork.domain.program.models import BreakoutTable
from cowork.domain.stakeholders import activity_areas
from cowork.domain.stakeholders import map as stakeholder_map
from cowork.domain.stakeholders import matrix as responsibilities
from cowork.domain.stakeholders import merges as stakeholder_merges
from cowork.domain.stakeholders import ratings as stakeholder_ratings
from cowork.domain.stakeholders import registry as stakeholders
from cowork.domain.stakeholders.models import Stakeholder
from cowork.domain.votes import ballots, closing, polls
from cowork.domain.votes import setup as poll_setup
from cowork.domain.votes.polls import Poll
from cowork.exports.replay import REPLAYERS
from cowork.exports.report import build_report
from tests.conftest import World, cli, run
from tests.test_exports import Filled, fill, fill_every_feature

NEW_EACH_TIME = {"id", "code", "workshop_code", "present"}
# Keys that hold a list of ids under a name of their own: compared by how many ids they hold.
ID_LISTS = {"needs", "remove", "adopted"}


def comparable(value: Any) -> Any:
    """Event data without what an import makes anew: ids and the join code.

    A mapping keyed by ids (a ballot's choices, a tally) becomes the list of its values in the order of
    the ids, which the import keeps: it makes the rows in the order the record made them.
    """
    if isinstance(value, list):
        return [comparable(v) for v in value]
    if isinstance(value, dict):
        if value and all(isinstance(k, str) and k.isdigit() for k in value):
            return [comparable(value[k]) for k in sorted(value, key=int)]
        return {
            k: len(v) if k in ID_LISTS and isinstance(v, list) else comparable(v)
            for k, v in value.items()
            if k not in NEW_EACH_TIME and not k.endswith("_id") and not k.endswith("_ids")
        }
    return value


def events_of(record: dict[str, Any]) -> list[tuple[int, str, str, Any]]:
    return [(e["seq"], e["type"], e["at"], comparable(e["data"])) for e in record["events"]]


def workshop_count(engine: Engine) -> int:
    with read_session(engine) as session:
        return session.exec(select(func.count()).select_from(Workshop)).one()


async def export_json(client: httpx.AsyncClient, filled: Filled, workshop_id: int) -> dict[str, Any]:
    response = await client.get(
        f"/api/v1/workshops/{workshop_id}/export", params={"format": "json"}, headers=filled.auth
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_record_exported_imported_and_exported_again_has_the_same_events_and_texts(
    client: httpx.AsyncClient, world: World
) -> None:
    filled = fill(world)
    stages = run_query(world.engine, workshops.stages_of, workshop_id=world.workshop.id)
    run(
        world.engine,
        workshops.set_current_stage,
        actor=world.facilitator,
        workshop_id=filled.id,
        stage_id=stages[1].id,
    )
    run(
        world.engine,
        retention.change_privacy,
        actor=world.facilitator,
        workshop_id=filled.id,
        named=True,
        retention_days=30,
    )
    first = await export_json(client, filled, filled.id)
    imported = await client.post(
        "/api/v1/workshops/import",
        content=json.dumps(first),
        headers={**filled.auth, "Content-Type": "application/json"},
    )
    assert imported.status_code == 201, imported.text
    new_id = imported.json()["workshop_id"]
    assert new_id != filled.id and imported.json()["events"] == len(first["events"])
    again = await export_json(client, filled, new_id)
    assert events_of(again) == events_of(first)
    assert "Ana Secretname" in json.dumps(again)  # named mode travelled with the record
    # The rebuilt workshop is the same workshop: the same report, card by card and group by group.
    old = run_query(world.engine, build_report, workshop_id=filled.id, language="en")
    new = run_query(world.engine, build_report, workshop_id=new_id, language="en")
    for key in ("agenda", "participants", "needs"):
        assert old.section(key).sheets[0].rows == new.section(key).sheets[0].rows
    assert new.workshop["retention_days"] == 30 and new.named
    assert new.workshop["stages"][1]["id"] != old.workshop["stages"][1]["id"]


async def test_a_pseudonymised_record_imports_without_names(client: httpx.AsyncClient, world: World) -> None:
    filled = fill(world)
    record = await export_json(client, filled, filled.id)
    assert "Ana Secretname" not in json.dumps(record)
    imported = await client.post("/api/v1/workshops/import", json=record, headers=filled.auth)
    assert imported.status_code == 201
    again = await export_json(client, filled, imported.json()["workshop_id"])
    assert events_of(again) == events_of(record)


async def test_bad_records_are_refused_with_the_reason_and_leave_nothing_behind(
    client: httpx.AsyncClient, world: World
) -> None:
    filled = fill(world)
    good = await export_json(client, filled, filled.id)
    before = workshop_count(world.engine)
    gap = {**good, "events": [e for e in good["events"] if e["seq"] != 3]}
    late_gap = {**good, "events": good["events"][:-2] + good["events"][-1:]}
    unknown_type = {
        **good,
        "events": [*good["events"], {"seq": len(good["events"]) + 1, "type": "vote.teleported", "data": {}}],
    }
    bad_card = {
        **good,
        "events": [
            *good["events"],
            {"seq": len(good["events"]) + 1, "type": "card.added", "data": {"stage_id": 999999, "text": "x"}},
        ],
    }
    cases: list[tuple[Any, int, str]] = [
        (b"this is not json {", 422, "not JSON"),
        ([1, 2, 3], 422, "not a cowork session record"),
        ({"title": "a workshop"}, 422, "not a cowork session record"),
        ({**good, "schema_version": 99}, 422, "Unknown schema_version 99"),
        (gap, 422, "gap in seq: expected 3, found 4"),
        (late_gap, 422, "gap in seq"),
        (unknown_type, 422, "vote.teleported"),
        (bad_card, 422, "never made"),
    ]
    for body, status, reason in cases:
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        response = await client.post("/api/v1/workshops/import", content=content, headers=filled.auth)
        assert response.status_code == status, (reason, response.text)
        assert reason in response.json()["detail"]
    assert workshop_count(world.engine) == before


async def test_only_facilitators_import(client: httpx.AsyncClient, world: World) -> None:
    _participant, token = world.join(name="Dana")
    response = await client.post(
        "/api/v1/workshops/import", json={"schema_version": 1}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 403


def test_the_cli_imports_a_record_and_prints_the_new_id_last(
    tmp_path: Path, db_url: str, world: World
) -> None:
    filled = fill(world)
    env = {"COWORK_DATA_DIR": str(tmp_path / "data"), "COWORK_DATABASE_URL": db_url}
    record = tmp_path / "record.json"
    exported = cli("export", str(filled.id), "--format", "json", "-o", str(record), env=env)
    assert exported.returncode == 0, exported.stderr
    done = cli("import", str(record), env=env)
    assert done.returncode == 0, done.stderr
    new_id = int(done.stdout.strip().splitlines()[-1])
    with read_session(world.engine) as session:
        workshop = session.get(Workshop, new_id)
        assert workshop is not None and workshop.title == "Co-working lab"
        assert workshop.owner_id == world.facilitator.user_id
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema_version": 2, "events": []}')
    refused = cli("import", str(broken), env=env)
    assert refused.returncode == 2 and "Unknown schema_version 2" in refused.stderr


# --- a workshop that used every feature -------------------------------------------------------------------


def domain_event_types() -> set[str]:
    """Every event type the domain records: the type given to each `tx.record(...)` in cowork/domain, as a
    string or looked up in a module's table of strings (agenda.EVENT_OF). A call whose type cannot be read
    this way fails, so that no event type escapes this list."""
    found: set[str] = set()
    for path in sorted(Path(domain.__file__).parent.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        tables = {
            target.id: node.value
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for call in ast.walk(tree):
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
                continue
            if call.func.attr != "record" or len(call.args) < 2:
                continue
            kind = call.args[1]
            if isinstance(kind, ast.Constant) and isinstance(kind.value, str):
                found.add(kind.value)
            elif (
                isinstance(kind, ast.Subscript)
                and isinstance(kind.value, ast.Name)
                and kind.value.id in tables
            ):
                found.update(ast.literal_eval(value) for value in tables[kind.value.id].values)
            else:
                raise AssertionError(f"{path.name}:{call.lineno}: which event type does this record?")
    return found


def use_every_feature(world: World) -> int:
    """fill_every_feature's co-working lab, then everything else the domain can record: board moderation
    (approval mode, categories, edits, clusters, moves, undo, an erased card), more votes (anonymous
    approval with a replaced and a paper ballot, a ranking), proposal and commitment follow-up,
    commitments carried over from an earlier workshop, the map's corrections and merges, the matrix's own
    rows, the timer, breakout tables with roles and a table board, presentations, a second evaluation
    answer, privacy, the projector's theme and accent, archive, and a purge after which the workshop goes
    on."""
    engine, fac = world.engine, world.facilitator
    lab = fill_every_feature(world)["id"]
    stages = {s.kind: s.id for s in run_query(engine, workshops.stages_of, workshop_id=lab)}
    with read_session(engine) as session:
        people = list(
            session.exec(
                select(Participant).where(Participant.workshop_id == lab).order_by(col(Participant.id))
            )
        )
        housing, childcare = session.exec(
            select(Contribution)
            .where(Contribution.stage_id == stages["needs"])
            .order_by(col(Contribution.id))
        ).all()
        centre, school = stakeholder_map.live_stakeholders(session, workshop_id=lab)
        adopted, rejected = session.exec(
            select(Proposal).where(Proposal.workshop_id == lab).order_by(col(Proposal.id))
        ).all()
        (commitment,) = commitments.list_commitments(session, workshop_id=lab)
    ana, ben, cem = (world.participant_actor(p) for p in people)

    def on(kind: str) -> int:
        run(engine, workshops.set_current_stage, actor=fac, workshop_id=lab, stage_id=stages[kind])
        return stages[kind]

    # The needs board, moderated.
    needs = on("needs")
    run(engine, board.set_approval, actor=fac, stage_id=needs, approval=True)
    waiting = run(engine, board.add_card, actor=cem, stage_id=needs, text="Language courses at night")
    run(engine, board.approve_card, actor=fac, card_id=waiting.id)
    run(engine, board.set_approval, actor=fac, stage_id=needs, approval=False)
    with read_session(engine) as session:
        columns = workshops.get_stage(session, stage_id=needs).config["categories"]
    transport = {"key": "transport", "label": {"en": "Transport"}}
    run(engine, board.set_categories, actor=fac, stage_id=needs, categories=[*columns, transport])
    bus = run(engine, board.add_card, actor=ana, stage_id=needs, text="Bus tikets", category="transport")
    run(engine, board.update_card, actor=fac, card_id=bus.id, text="Bus tickets for interviews")
    # The projector shows the board's word cloud, then the bus card full screen.
    run(engine, projection.show_word_cloud, actor=fac, stage_id=needs, on=True)
    run(engine, projection.spotlight_card, actor=fac, stage_id=needs, card_id=bus.id)
    run(engine, board.update_card, actor=fac, card_id=childcare.id, category="family_support")
    cluster, _ = run(
        engine,
        moderation.merge_cards,
        actor=fac,
        stage_id=needs,
        card_ids=[housing.id, waiting.id],
        title="Everyday life",
    )
    run(
        engine,
        moderation.merge_cards,
        actor=fac,
        stage_id=needs,
        card_ids=[cluster.id, bus.id],
        title="Everyday support",
    )
    run(engine, moderation.move_cards, actor=fac, stage_id=needs, card_ids=[cluster.id], category="education")
    run(engine, moderation.undo_last_step, actor=fac, stage_id=needs)
    run(engine, suggestions.dismiss_suggestions, actor=fac, stage_id=needs, card_ids=[bus.id, childcare.id])
    regret = run(engine, board.add_card, actor=ben, stage_id=needs, text="My neighbour Mr. X drinks")
    run(engine, privacy.erase_my_card, actor=ben, card_id=regret.id)
    hidden = run(engine, board.add_card, actor=fac, stage_id=needs, text="Rude remark")
    run(engine, board.update_card, actor=fac, card_id=hidden.id, hidden=True)

    # The map and the matrix, corrected.
    on("stakeholders")
    run(
        engine, stakeholders.update_stakeholder, actor=fac, stakeholder_id=school.id, tasks="Language courses"
    )
    run(
        engine,
        stakeholder_ratings.pin_stakeholder,
        actor=fac,
        stakeholder_id=centre.id,
        influence=4.5,
        interest=3,
    )
    twin, _ = run(
        engine,
        stakeholders.propose_stakeholder,
        actor=ben,
        stage_id=stages["stakeholders"],
        name="Jobcentre Offenbach East",
        family="job_centre",
        tasks="Counselling",
    )
    run(
        engine,
        stakeholder_ratings.rate_stakeholder,
        actor=ben,
        stakeholder_id=twin.id,
        influence=2,
        interest=5,
    )
    run(
        engine,
        stakeholder_ratings.rate_stakeholder,
        actor=cem,
        stakeholder_id=twin.id,
        influence=3,
        interest=3,
    )
    mentoring = run(engine, activity_areas.add_activity, actor=fac, workshop_id=lab, label="Mentoring")
    run(
        engine,
        activity_areas.rename_activity,
        actor=fac,
        workshop_id=lab,
        activity_id=mentoring["id"],
        label="Mentoring at work",
    )
    for who, mark in ((twin, "responsible"), (school, "contributes")):
        run(
            engine,
            responsibilities.set_cell,
            actor=fac,
            workshop_id=lab,
            activity_id=mentoring["id"],
            stakeholder_id=who.id,
            mark=mark,
            target_groups=["refugees"] if who is twin else None,
        )
    with read_session(engine) as session:
        last_row = responsibilities.activity_rows(session, workshop_id=lab)[-2]["id"]
    run(engine, activity_areas.remove_activity, actor=fac, workshop_id=lab, activity_id=last_row)
    run(engine, stakeholder_merges.merge_stakeholders, actor=fac, stakeholder_id=twin.id, into_id=centre.id)

    # More votes, the action plan followed up, and commitments carried over from an earlier workshop.
    plan = on("action_plan")
    run(
        engine,
        proposals.update_proposal,
        actor=fac,
        proposal_id=adopted.id,
        impact="Fewer forms",
        needs=[housing.id],
    )
    run(
        engine,
        commitments.update_commitment,
        actor=fac,
        commitment_id=commitment["id"],
        status="in_progress",
        note="Draft form ready",
    )
    when = run(
        engine,
        poll_setup.create_poll,
        actor=fac,
        stage_id=plan,
        method="approval",
        anonymous=True,
        title="When to start",
        options=[{"label": "In spring"}, {"label": "In autumn"}],
    )
    run(engine, polls.open_poll, actor=fac, poll_id=when.id)
    spring, autumn = (o.id for o in run_query(engine, polls.options_of, poll_id=when.id))
    run(engine, ballots.cast_ballot, actor=ana, poll_id=when.id, choices={spring: True})
    run(engine, ballots.cast_ballot, actor=ana, poll_id=when.id, choices={spring: True, autumn: True})
    run(engine, ballots.cast_ballot, actor=cem, poll_id=when.id, choices={autumn: True})
    run(
        engine, ballots.cast_paper_ballot, actor=fac, poll_id=when.id, choices={autumn: True}, group="welfare"
    )
    run(engine, closing.close_poll, actor=fac, poll_id=when.id)
    order = run(
        engine,
        poll_setup.create_poll,
        actor=fac,
        stage_id=plan,
        method="ranking",
        hide_results=True,
        options=[{"proposal_id": adopted.id}, {"proposal_id": rejected.id}, {"label": "Both at once"}],
    )
    run(engine, polls.open_poll, actor=fac, poll_id=order.id)
    first, second, both = (o.id for o in run_query(engine, polls.options_of, poll_id=order.id))
    run(engine, ballots.cast_ballot, actor=ben, poll_id=order.id, choices={both: 1, first: 2, second: 3})
    run(engine, ballots.cast_ballot, actor=cem, poll_id=order.id, choices={first: 1, both: 2})
    run(engine, closing.close_poll, actor=fac, poll_id=order.id)
    earlier = earlier_workshop_with_a_commitment(world)
    run(engine, commitments.import_commitments, actor=fac, workshop_id=lab, from_workshop_id=earlier)

    # The programme: timer, tables with roles and their own board, presentations, another answer.
    on("group_work")
    for action in ("start", "pause", "resume", "add", "reset"):
        run(engine, agenda.control_timer, actor=fac, workshop_id=lab, action=action, seconds=None)
    tables = run(
        engine,
        breakout.split_into_tables,
        actor=fac,
        workshop_id=lab,
        count=2,
        method="balanced",
        roles="auto",
        rng=random.Random(7),
    )
    alone = next(t for t in tables if len(t["members"]) == 1)
    mover = next(t for t in tables if t is not alone)["members"][-1]["participant_id"]
    run(engine, table_seats.join_table, actor=fac, table_id=alone["id"], participant_id=mover)
    run(engine, table_seats.set_role, actor=fac, table_id=alone["id"], role="presenter", participant_id=mover)
    run(engine, table_seats.rotate_roles, actor=fac, workshop_id=lab)
    writer = world.participant_actor(next(p for p in people if p.id == mover))
    run(engine, table_boards.add_table_card, actor=writer, table_id=alone["id"], text="Idea: a mentoring app")
    talks = on("presentations")
    for _ in range(3):
        run(engine, presentations.next_presentation, actor=fac, stage_id=talks)
    review = on("evaluation")
    run(
        engine,
        evaluation.answer,
        actor=ana,
        stage_id=review,
        answers={"organisation": 2, "positive": "The tables"},
    )

    # The agenda redesigned live: a stage after the current one, renamed in German, re-timed and moved up;
    # an empty one added and removed; an information stage nobody needs any more archived.
    with read_session(engine) as session:
        after = workshops.get_stage(session, stage_id=review).position + 1
    steps = run(
        engine,
        agenda_design.add_stage,
        actor=fac,
        workshop_id=lab,
        kind="information",
        title={"en": "Next steps"},
        minutes=5,
        position=after,
    )
    run(
        engine,
        agenda_design.edit_stage,
        actor=fac,
        stage_id=steps.id,
        title={"de": "Nächste Schritte"},
        minutes=8,
    )
    run(engine, agenda_design.move_stage, actor=fac, stage_id=steps.id, by=-1)
    spare = run(
        engine, agenda_design.add_stage, actor=fac, workshop_id=lab, kind="board", title={"en": "Parking"}
    )
    run(engine, agenda_design.remove_stage, actor=fac, stage_id=spare.id)
    run(engine, agenda_design.archive_stage, actor=fac, stage_id=stages["information"])

    # What organisers decide about the data; after a purge the workshop goes on, with a new name in it.
    run(engine, retention.change_privacy, actor=fac, workshop_id=lab, named=True, retention_days=30)
    place = {"place": "Stadthalle Offenbach", "follow_up_on": date(2027, 3, 16)}
    run(engine, workshops.set_workshop_details, actor=fac, workshop_id=lab, **place)
    run(engine, screen.set_screen, actor=fac, workshop_id=lab, theme="dark", join="badge")
    # The accent only: a logo's bytes are not in the record, so an imported copy has none (test_look.py).
    run(engine, look.set_accent, actor=fac, workshop_id=lab, accent="#1a7f5a")
    run(engine, retention.archive_workshop, actor=fac, workshop_id=lab)
    run(engine, retention.restore_workshop, actor=fac, workshop_id=lab)
    run(engine, retention.purge_now, actor=fac, workshop_id=lab)
    with read_session(engine) as session:
        code = session.get(Workshop, lab).code  # type: ignore[union-attr]
    dana, _ = run(engine, participants.join_workshop, code=code, name="Dana Newname", group="training")
    on("needs")
    run(
        engine,
        board.add_card,
        actor=world.participant_actor(dana),
        stage_id=needs,
        text="Mentors who speak Arabic",
    )
    run(
        engine,
        stakeholders.update_stakeholder,
        actor=fac,
        stakeholder_id=centre.id,
        contact={"person": "Erik Contact", "email": "erik@example.org"},
        consent=True,
    )
    return lab


def earlier_workshop_with_a_commitment(world: World) -> int:
    engine, fac = world.engine, world.facilitator
    earlier = run(engine, workshops.create_workshop, actor=fac, title="Lab 2025", format_id="co-working-lab")
    plan = next(
        s.id
        for s in run_query(engine, workshops.stages_of, workshop_id=earlier.id)
        if s.kind == "action_plan"
    )
    voter, _ = run(engine, participants.join_workshop, code=earlier.code, name="Fay", group="welfare")
    proposal = run(
        engine,
        proposals.draft_proposal,
        actor=fac,
        stage_id=plan,
        title="Job fair for refugees",
        owner="Welcome Centre",
    )
    vote = run(
        engine,
        poll_setup.create_poll,
        actor=fac,
        stage_id=plan,
        method="yes_no_abstain",
        options=[{"proposal_id": proposal.id}],
    )
    run(engine, polls.open_poll, actor=fac, poll_id=vote.id)
    (option,) = run_query(engine, polls.options_of, poll_id=vote.id)
    run(
        engine,
        ballots.cast_ballot,
        actor=world.participant_actor(voter),
        poll_id=vote.id,
        choices={option.id: "yes"},
    )
    run(engine, closing.close_poll, actor=fac, poll_id=vote.id)
    run(engine, commitments.commit_poll, actor=fac, poll_id=vote.id)
    return earlier.id


def report_rows(engine: Engine, workshop_id: int) -> dict[str, list[Any]]:
    report = run_query(engine, build_report, workshop_id=workshop_id, language="en")
    return {
        f"{section.key}/{sheet.key}": sheet.rows for section in report.sections for sheet in section.sheets
    }


# Where an id under each key must be found: a table with a workshop_id.
ID_TABLES = {
    "stage_id": Stage,
    "participant_id": Participant,
    "card_id": Contribution,
    "contribution_id": Contribution,
    "cluster_id": Contribution,
    "poll_id": Poll,
    "proposal_id": Proposal,
    "stakeholder_id": Stakeholder,
    "table_id": BreakoutTable,
}


def foreign_ids(engine: Engine, record: dict[str, Any], workshop_id: int) -> list[str]:
    """The ids in the record's data (what comparable() leaves out) that are not the workshop's own."""
    with read_session(engine) as session:
        own = {
            model: set(session.exec(select(model.id).where(model.workshop_id == workshop_id)))  # type: ignore[attr-defined]
            for model in set(ID_TABLES.values())
        }
    # A removed stage was the workshop's own, though its row is gone.
    own[Stage] |= {e["data"]["stage_id"] for e in record["events"] if e["type"] == "stage.removed"}
    found = []

    def walk(value: Any, where: str) -> None:
        if isinstance(value, list):
            for item in value:
                walk(item, where)
        elif isinstance(value, dict):
            for key, item in value.items():
                if key == "imported_from":
                    continue  # the earlier workshop a commitment came from
                if key == "workshop_id" and item != workshop_id:
                    found.append(f"{where}: workshop_id {item}")
                elif key in ID_TABLES and item is not None and item not in own[ID_TABLES[key]]:
                    found.append(f"{where}: {key} {item}")
                else:
                    walk(item, where)

    for event in record["events"]:
        walk(event["data"], f"{event['seq']} {event['type']}")
    return found


def programme_of(engine: Engine, workshop_id: int) -> Any:
    """What the report leaves out: the stages' settings, the tables with their members and roles, the
    presentation queue and the timer (participants named by the order they joined in)."""
    with read_session(engine) as session:
        joined = session.exec(
            select(Participant.id).where(Participant.workshop_id == workshop_id).order_by(col(Participant.id))
        )
        order = {pid: n for n, pid in enumerate(joined)}
        stages = workshops.stages_of(session, workshop_id=workshop_id)
        tables = [
            (t["number"], t["topic"], [(order[m["participant_id"]], m["role"]) for m in t["members"]])
            for t in breakout.describe_tables(session, workshop_id=workshop_id)
        ]
        talks = next(s for s in stages if s.kind == "presentations")
        queue = presentations.describe_presentations(session, stage=talks, include_hidden=True)["queue"]
        timer = agenda.describe_timer(agenda.timer_of(session, workshop_id))
        return (
            # a spotlit card's id is made anew by the import (the events compare it through `comparable`)
            [{k: v for k, v in s.config.items() if k != "spotlight_id"} for s in stages],
            tables,
            [(q["number"], q["status"]) for q in queue],
            {k: v for k, v in timer.items() if k not in ("stage_id", "subject")},
        )


def spotlit_text(engine: Any, workshop_id: int) -> str | None:
    """The words of the card a workshop's projector shows full screen."""
    with read_session(engine) as session:
        needs = next(s for s in workshops.stages_of(session, workshop_id=workshop_id) if s.kind == "needs")
        card = session.get(Contribution, needs.config.get("spotlight_id"))
        return card.text if card else None


async def test_a_workshop_that_used_every_feature_comes_back_event_by_event_and_report_by_report(
    client: httpx.AsyncClient, world: World
) -> None:
    lab = use_every_feature(world)
    auth = {"Authorization": f"Bearer {world.api_token}"}
    filled = Filled(world)
    first = await export_json(client, filled, lab)
    types = {event["type"] for event in first["events"]}
    assert domain_event_types() == set(REPLAYERS), "every event type the domain records has a replay function"
    assert types == domain_event_types(), "the workshop used every feature"
    imported = await client.post("/api/v1/workshops/import", json=first, headers=auth)
    assert imported.status_code == 201, imported.text
    new_id = imported.json()["workshop_id"]
    again = await export_json(client, filled, new_id)
    assert events_of(again) == events_of(first)
    assert foreign_ids(world.engine, again, new_id) == []
    old, new = report_rows(world.engine, lab), report_rows(world.engine, new_id)
    assert old == new
    assert programme_of(world.engine, new_id) == programme_of(world.engine, lab)
    assert (
        spotlit_text(world.engine, new_id) == spotlit_text(world.engine, lab) == "Bus tickets for interviews"
    )
    for key in (
        "needs/needs",
        "stakeholders/stakeholders",
        "actions/actions",
        "polls/polls",
        "evaluation/answers",
    ):
        assert new[key], key  # each part of the report has something to compare
    markdown = (
        await client.get(f"/api/v1/workshops/{new_id}/export", params={"format": "md"}, headers=auth)
    ).text
    for expected in (
        "Everyday support",  # a cluster with its merged cards
        "Bus tickets for interviews",  # an edited card
        "Jobcenter Offenbach | Erik Contact | erik@example.org",  # a contact given after the purge
        "| Shared intake form | Jobcenter Offenbach | March 1, 2027 | Success: 100 forms used | In progress",
        "| Job fair for refugees | Welcome Centre |",  # carried over from the earlier workshop
        "When to start: Approval voting, 3 of 4 voted",  # two phones and a paper ballot; 3 joined and 1 paper
        "Open answer 1",
        "The tables",
    ):
        assert expected in markdown, expected
    assert "Mr. X" not in json.dumps(again) and "Rude remark" not in markdown
    assert (
        again["workshop"]["place"] == "Stadthalle Offenbach"
        and again["workshop"]["follow_up_on"] == "2027-03-16"
    )
    assert "Venue: Stadthalle Offenbach" in markdown
    assert "Follow-up meeting on March 16, 2027." in markdown  # the imported workshop keeps both


async def test_a_tampered_vote_is_refused_naming_its_event_and_nothing_is_imported(
    client: httpx.AsyncClient, world: World
) -> None:
    filled = fill(world)
    engine, fac = world.engine, world.facilitator
    cards = run_query(engine, board_view.cards_of_stage, actor=fac, stage_id=world.stage_id)
    dots = run(
        engine,
        poll_setup.create_poll,
        actor=fac,
        stage_id=world.stage_id,
        method="dots",
        budget=2,
        options=[{"contribution_id": card["id"]} for card in cards[:2]],
    )
    run(engine, polls.open_poll, actor=fac, poll_id=dots.id)
    first, _second = (o.id for o in run_query(engine, polls.options_of, poll_id=dots.id))
    voter, _ = world.join(name="Vera", group="welfare")
    run(
        engine, ballots.cast_ballot, actor=world.participant_actor(voter), poll_id=dots.id, choices={first: 2}
    )
    run(engine, closing.close_poll, actor=fac, poll_id=dots.id)
    good = await export_json(client, filled, filled.id)
    ballot = next(e for e in good["events"] if e["type"] == "ballot.cast")
    closed = next(e for e in good["events"] if e["type"] == "poll.closed")

    def tampered(event: dict[str, Any], **data: Any) -> dict[str, Any]:
        changed = {**event, "data": {**event["data"], **data}}
        return {**good, "events": [changed if e is event else e for e in good["events"]]}

    option = str(first)
    result = closed["data"]["results"]
    cases = [
        (
            tampered(ballot, poll_id=999999),
            f"Event {ballot['seq']} points at poll 999999, which the record never made",
        ),
        (
            tampered(ballot, choices={option: 3}),
            f"Event {ballot['seq']} (ballot.cast) cannot be imported: Dots over budget",
        ),
        (
            tampered(ballot, choices={"first": 1}),
            f"Event {ballot['seq']} (ballot.cast) does not hold what cowork records",
        ),
        (
            tampered(closed, results=[{**row, "score": row["score"] + 1} for row in result]),
            f"Event {closed['seq']} gives a result that the ballots of the record do not give",
        ),
    ]
    before = workshop_count(engine)
    for record, reason in cases:
        response = await client.post("/api/v1/workshops/import", json=record, headers=filled.auth)
        assert response.status_code == 422, (reason, response.text)
        assert reason in response.json()["detail"]
    assert workshop_count(engine) == before
    german = await client.post(
        "/api/v1/workshops/import", json=cases[1][0], headers={**filled.auth, "Accept-Language": "de"}
    )
    assert german.status_code == 422
    assert german.json()["detail"] == (
        f"Ereignis {ballot['seq']} (ballot.cast) lässt sich nicht importieren: Zu viele Punkte: 3 von 2."
    )
