"""The action plan: proposals drafted on phones, decided by vote, turned into commitments and followed up."""

import re
from typing import Any

import httpx
import pytest
from sqlmodel import select

from cowork.db import read_session
from cowork.domain import workshops
from cowork.domain.actions import commitments, proposals
from cowork.domain.board import cards as board
from cowork.domain.board import ranking as card_ranking
from cowork.domain.errors import Closed, Invalid, NotAllowed
from cowork.domain.models import Event
from cowork.domain.votes import ballots, closing, polls
from cowork.domain.votes import setup as poll_setup
from tests.conftest import World, make_facilitator, run


@pytest.fixture
def lab(world: World) -> World:
    """The Co-Working Lab, on round table 3 (the final action plan)."""
    workshop = run(
        world.engine,
        workshops.create_workshop,
        actor=world.facilitator,
        title="Co-Working Lab",
        format_id="co-working-lab",
    )
    lab = World(world.engine, world.facilitator, world.api_token, workshop)
    _go_to(lab, "action_plan")
    return lab


def _stage(world: World, kind: str) -> int:
    with read_session(world.engine) as session:
        return next(
            s.id for s in workshops.stages_of(session, workshop_id=world.workshop.id) if s.kind == kind
        )


def _go_to(world: World, kind: str) -> int:
    stage_id = _stage(world, kind)
    run(
        world.engine,
        workshops.set_current_stage,
        actor=world.facilitator,
        workshop_id=world.workshop.id,
        stage_id=stage_id,
    )
    world.workshop.current_stage_id = stage_id
    return stage_id


def _draft(world: World, actor: Any, title: str = "Shared intake form", **fields: Any) -> Any:
    return run(
        world.engine,
        proposals.draft_proposal,
        actor=actor,
        stage_id=fields.pop("stage_id", world.stage_id),
        title=title,
        **fields,
    )


def _yes_no_vote(world: World, items: list[Any], answers: list[dict[int, str]], **kw: Any) -> Any:
    poll = run(
        world.engine,
        poll_setup.create_poll,
        actor=world.facilitator,
        stage_id=world.stage_id,
        method="yes_no_abstain",
        options=[{"proposal_id": p.id} for p in items],
        **kw,
    )
    run(world.engine, polls.open_poll, actor=world.facilitator, poll_id=poll.id)
    with read_session(world.engine) as session:
        option_of = {o.proposal_id: o.id for o in polls.options_of(session, poll_id=poll.id)}
    for i, answer in enumerate(answers):
        participant, _ = world.join(name=f"Voter {i}")
        run(
            world.engine,
            ballots.cast_ballot,
            actor=world.participant_actor(participant),
            poll_id=poll.id,
            choices={option_of[pid]: value for pid, value in answer.items()},
        )
    run(world.engine, closing.close_poll, actor=world.facilitator, poll_id=poll.id)
    return poll


# --- proposals ---------------------------------------------------------------------------------------------


def test_a_participant_drafts_a_proposal_with_impact_reasoning_and_indicators(lab: World) -> None:
    participant, _ = lab.join(name="Amira", group="beneficiary")
    proposal = _draft(
        lab,
        lab.participant_actor(participant),
        description="One form that job centre, NGOs and training providers all use.",
        impact="Nobody tells their story five times.",
        rationale="One form means one intake, so people reach training faster.",
        owner="Job centre Offenbach",
        contact="Ms Weber",
        due="2026-06-30",
        milestones=[{"title": "Draft the form", "due": "2026-03-01"}, {"title": "Pilot"}],
        indicators={"success": ["Intake within 2 weeks"], "failure": ["Forms still duplicated"]},
        resources="Two days of a caseworker",
    )
    with read_session(lab.engine) as session:
        data = proposals.proposal_data(session, proposal)
    assert data["title"] == "Shared intake form" and data["due"] == "2026-06-30"
    assert data["milestones"] == [
        {"title": "Draft the form", "due": "2026-03-01"},
        {"title": "Pilot", "due": None},
    ]
    assert data["indicators"] == {"success": ["Intake within 2 weeks"], "failure": ["Forms still duplicated"]}
    assert data["author"] == {"name": "Amira", "group": "beneficiary"}
    assert (data["selected"], data["decision"]) == (False, None)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"title": "  "}, "Please give the proposal a title"),
        ({"title": "x" * 201}, "at most 200 characters"),
        ({"due": "next week"}, "must be a date"),
        ({"milestones": [{"due": "2026-01-01"}]}, "Each milestone has a title"),
        ({"indicators": {"success": ["ok"], "maybe": ["?"]}}, "Indicators are two lists"),
        ({"needs": [999999]}, "Need 999999 is not a card of this workshop"),
        ({"owner_stakeholder_id": 0}, "owner_stakeholder_id"),
    ],
)
def test_a_bad_proposal_is_refused_with_a_reason(lab: World, fields: dict[str, Any], reason: str) -> None:
    with pytest.raises(Invalid, match=reason):
        _draft(lab, lab.facilitator, **{"title": "Fine", **fields})


def test_a_proposal_names_the_needs_it_answers(lab: World) -> None:
    needs_stage = _stage(lab, "needs")
    need = run(lab.engine, board.add_card, actor=lab.facilitator, stage_id=needs_stage, text="Childcare")
    proposal = _draft(lab, lab.facilitator, needs=[need.id, need.id])
    assert proposal.needs == [need.id]


def test_participants_draft_only_on_the_current_action_plan_stage(lab: World) -> None:
    participant, _ = lab.join()
    actor = lab.participant_actor(participant)
    with pytest.raises(Invalid, match="action-plan stage"):
        _draft(lab, actor, stage_id=_stage(lab, "needs"))
    _go_to(lab, "needs")
    with pytest.raises(Closed, match="not open for proposals"):
        _draft(lab, actor, stage_id=_stage(lab, "action_plan"))


def test_a_retried_proposal_is_stored_once(lab: World) -> None:
    participant, _ = lab.join()
    actor = lab.participant_actor(participant)
    first = _draft(lab, actor, client_id="p-1")
    again = _draft(lab, actor, client_id="p-1")
    assert first.id == again.id
    with read_session(lab.engine) as session:
        assert len(proposals.list_proposals(session, stage_id=lab.stage_id)) == 1


def test_the_facilitator_edits_and_selects_a_proposal_for_the_vote(lab: World) -> None:
    participant, _ = lab.join()
    proposal = _draft(lab, lab.participant_actor(participant))
    with pytest.raises(NotAllowed):
        run(
            lab.engine,
            proposals.update_proposal,
            actor=lab.participant_actor(participant),
            proposal_id=proposal.id,
        )
    changed = run(
        lab.engine,
        proposals.update_proposal,
        actor=lab.facilitator,
        proposal_id=proposal.id,
        title="One shared intake form",
        selected=True,
    )
    assert (changed.title, changed.selected) == ("One shared intake form", True)
    with read_session(lab.engine) as session:
        event = session.exec(select(Event).where(Event.type == "proposal.updated")).one()
    assert event.data["changes"] == ["title", "selected"]


def test_putting_a_proposal_to_the_vote_selects_it(lab: World) -> None:
    proposal = _draft(lab, lab.facilitator)
    run(
        lab.engine,
        poll_setup.create_poll,
        actor=lab.facilitator,
        stage_id=lab.stage_id,
        method="approval",
        options=[{"proposal_id": proposal.id}],
    )
    with read_session(lab.engine) as session:
        assert session.get(proposals.Proposal, proposal.id).selected is True  # type: ignore[union-attr]


# --- commitments -----------------------------------------------------------------------------------------


def test_adopted_proposals_become_commitments_and_rejected_ones_do_not(lab: World) -> None:
    form = _draft(lab, lab.facilitator, "Shared intake form", owner="Job centre", due="2026-06-30")
    meeting = _draft(lab, lab.facilitator, "Monthly meeting")
    poll = _yes_no_vote(
        lab,
        [form, meeting],
        [{form.id: "yes", meeting.id: "no"}, {form.id: "yes", meeting.id: "no"}, {form.id: "no"}],
        threshold="two_thirds",
    )
    with read_session(lab.engine) as session:
        assert session.get(proposals.Proposal, form.id).decision == "adopted"  # type: ignore[union-attr]
        assert session.get(proposals.Proposal, meeting.id).decision == "rejected"  # type: ignore[union-attr]
    made = run(lab.engine, commitments.commit_poll, actor=lab.facilitator, poll_id=poll.id)
    assert [(c.title, c.owner, str(c.due), c.status) for c in made] == [
        ("Shared intake form", "Job centre", "2026-06-30", "open")
    ]
    assert (
        run(lab.engine, commitments.commit_poll, actor=lab.facilitator, poll_id=poll.id)[0].id == made[0].id
    )
    with pytest.raises(Invalid, match="not adopted"):
        run(lab.engine, commitments.commit_proposal, actor=lab.facilitator, proposal_id=meeting.id)
    with read_session(lab.engine) as session:
        options = {o.proposal_id: o.id for o in polls.options_of(session, poll_id=poll.id)}
    with pytest.raises(Invalid, match="was not adopted"):
        run(
            lab.engine,
            commitments.commit_poll,
            actor=lab.facilitator,
            poll_id=poll.id,
            option_ids=[options[meeting.id]],
        )


def test_after_a_ranking_the_facilitator_chooses_which_proposals_become_commitments(lab: World) -> None:
    items = [_draft(lab, lab.facilitator, title) for title in ("Mentoring", "Job fair", "Info sessions")]
    poll = run(
        lab.engine,
        poll_setup.create_poll,
        actor=lab.facilitator,
        stage_id=lab.stage_id,
        method="ranking",
        options=[{"proposal_id": p.id} for p in items],
    )
    with pytest.raises(Invalid, match="after a vote on it has closed"):
        run(lab.engine, commitments.commit_proposal, actor=lab.facilitator, proposal_id=items[0].id)
    run(lab.engine, polls.open_poll, actor=lab.facilitator, poll_id=poll.id)
    with pytest.raises(Closed, match="close it first"):
        run(lab.engine, commitments.commit_poll, actor=lab.facilitator, poll_id=poll.id, option_ids=[])
    run(lab.engine, closing.close_poll, actor=lab.facilitator, poll_id=poll.id)
    with pytest.raises(Invalid, match="Please choose"):
        run(lab.engine, commitments.commit_poll, actor=lab.facilitator, poll_id=poll.id)
    with read_session(lab.engine) as session:
        first = polls.options_of(session, poll_id=poll.id)[0].id
    made = run(
        lab.engine, commitments.commit_poll, actor=lab.facilitator, poll_id=poll.id, option_ids=[first]
    )
    single = run(
        lab.engine,
        commitments.commit_proposal,
        actor=lab.facilitator,
        proposal_id=items[2].id,
        owner="Caritas",
    )
    assert [c.title for c in made] == ["Mentoring"] and (single.title, single.owner) == (
        "Info sessions",
        "Caritas",
    )


def _commitment(lab: World, title: str = "Shared intake form", **kw: Any) -> Any:
    proposal = _draft(lab, lab.facilitator, title, **kw)
    poll = _yes_no_vote(lab, [proposal], [{proposal.id: "yes"}])
    (made,) = run(lab.engine, commitments.commit_poll, actor=lab.facilitator, poll_id=poll.id)
    return made


def test_the_follow_up_lists_commitments_by_owner_with_their_status(lab: World) -> None:
    a = _commitment(lab, "Shared intake form", owner="Job centre")
    b = _commitment(lab, "Mentoring", owner="Caritas", due="2026-05-01")
    c = _commitment(lab, "Job fair")
    run(
        lab.engine,
        commitments.update_commitment,
        actor=lab.facilitator,
        commitment_id=b.id,
        status="in_progress",
    )
    run(
        lab.engine,
        commitments.update_commitment,
        actor=lab.facilitator,
        commitment_id=c.id,
        owner="Chamber of crafts",
        note="Date agreed",
    )
    with pytest.raises(Invalid, match="The status is one of"):
        run(
            lab.engine,
            commitments.update_commitment,
            actor=lab.facilitator,
            commitment_id=a.id,
            status="stuck",
        )
    with read_session(lab.engine) as session:
        view = commitments.commitments_of_workshop(
            session, actor=lab.facilitator, workshop_id=lab.workshop.id
        )
    assert list(view["by_owner"]) == ["Caritas", "Chamber of crafts", "Job centre"]
    assert view["by_owner"]["Caritas"][0]["status"] == "in_progress"
    assert view["by_owner"]["Chamber of crafts"][0]["note"] == "Date agreed"


def test_a_later_workshop_imports_the_open_commitments_of_an_earlier_one(lab: World) -> None:
    kept = _commitment(lab, "Shared intake form", owner="Job centre")
    done = _commitment(lab, "Job fair")
    run(
        lab.engine, commitments.update_commitment, actor=lab.facilitator, commitment_id=done.id, status="done"
    )
    later = run(lab.engine, workshops.create_workshop, actor=lab.facilitator, title="Six months later")
    imported = run(
        lab.engine,
        commitments.import_commitments,
        actor=lab.facilitator,
        workshop_id=later.id,
        from_workshop_id=lab.workshop.id,
    )
    assert [(c.title, c.owner, c.status, c.source_id) for c in imported] == [
        ("Shared intake form", "Job centre", "open", kept.id)
    ]
    again = run(
        lab.engine,
        commitments.import_commitments,
        actor=lab.facilitator,
        workshop_id=later.id,
        from_workshop_id=lab.workshop.id,
    )
    assert again == []
    reviewed = run(
        lab.engine,
        commitments.update_commitment,
        actor=lab.facilitator,
        commitment_id=imported[0].id,
        status="done",
    )
    assert reviewed.status == "done"
    with read_session(lab.engine) as session:
        data = commitments.list_commitments(session, workshop_id=later.id)
    assert data[0]["imported_from"] == {"workshop_id": lab.workshop.id, "title": "Co-Working Lab"}


def test_only_a_facilitator_of_both_workshops_imports_commitments(lab: World) -> None:
    _commitment(lab)
    other, _token = make_facilitator(lab.engine, email="other@example.org")
    theirs = run(lab.engine, workshops.create_workshop, actor=other, title="Someone else's")
    with pytest.raises(NotAllowed):
        run(
            lab.engine,
            commitments.import_commitments,
            actor=other,
            workshop_id=theirs.id,
            from_workshop_id=lab.workshop.id,
        )
    admin, _ = make_facilitator(lab.engine, email="admin@example.org", admin=True)
    assert run(
        lab.engine,
        commitments.import_commitments,
        actor=admin,
        workshop_id=theirs.id,
        from_workshop_id=lab.workshop.id,
    )
    with pytest.raises(Invalid, match="its own"):
        run(
            lab.engine,
            commitments.import_commitments,
            actor=lab.facilitator,
            workshop_id=lab.workshop.id,
            from_workshop_id=lab.workshop.id,
        )


def test_the_needs_the_group_ranked_are_offered_to_proposals(lab: World) -> None:
    from cowork.web.pages.actions import top_needs

    needs_stage = _stage(lab, "needs")
    low, high = (
        run(lab.engine, board.add_card, actor=lab.facilitator, stage_id=needs_stage, text=t)
        for t in ("Housing", "Childcare")
    )
    poll = run(
        lab.engine,
        poll_setup.create_poll,
        actor=lab.facilitator,
        stage_id=needs_stage,
        method="dots",
        options=[{"contribution_id": low.id}, {"contribution_id": high.id}],
    )
    run(lab.engine, polls.open_poll, actor=lab.facilitator, poll_id=poll.id)
    participant, _ = lab.join()
    with read_session(lab.engine) as session:
        option_high = polls.options_of(session, poll_id=poll.id)[1].id
    run(
        lab.engine,
        ballots.cast_ballot,
        actor=lab.participant_actor(participant),
        poll_id=poll.id,
        choices={option_high: 3},
    )
    with read_session(lab.engine) as session:
        offered = top_needs(session, workshop_id=lab.workshop.id)
        ranking = card_ranking.stage_ranking(session, stage_id=needs_stage, staff=False)
    assert [n["text"] for n in offered] == ["Childcare", "Housing"]
    assert ranking["items"][0]["dots"] == 3


# --- the API ------------------------------------------------------------------------------------------------


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_the_api_drafts_lists_edits_and_commits_proposals(
    client: httpx.AsyncClient, lab: World
) -> None:
    _, ana = lab.join(name="Ana")
    drafted = await client.post(
        f"/api/v1/stages/{lab.stage_id}/proposals",
        json={
            "title": "Peer mentoring",
            "description": "Clients of the job centre mentor newcomers.",
            "impact": "Newcomers find work sooner.",
            "rationale": "Mentors know the way through the offices.",
            "milestones": [{"title": "Find 10 mentors", "due": "2026-04-01"}],
            "indicators": {"success": ["10 pairs by June"], "failure": ["Mentors drop out"]},
            "owner_stakeholder_id": 7,
        },
        headers=_auth(ana),
    )
    assert drafted.status_code == 201, drafted.text
    proposal = drafted.json()
    assert proposal["owner_stakeholder_id"] == 7 and proposal["milestones"][0]["due"] == "2026-04-01"
    listed = await client.get(f"/api/v1/stages/{lab.stage_id}/proposals", headers=_auth(ana))
    assert [p["title"] for p in listed.json()["items"]] == ["Peer mentoring"]
    as_participant = await client.patch(
        f"/api/v1/proposals/{proposal['id']}", json={"selected": True}, headers=_auth(ana)
    )
    assert as_participant.status_code == 403
    edited = await client.patch(
        f"/api/v1/proposals/{proposal['id']}",
        json={"selected": True, "owner": "Job centre MainArbeit", "due": "2026-09-30"},
        headers=_auth(lab.api_token),
    )
    assert edited.status_code == 200 and edited.json()["selected"] is True
    bad = await client.patch(
        f"/api/v1/proposals/{proposal['id']}", json={"title": ""}, headers=_auth(lab.api_token)
    )
    assert bad.status_code == 422 and "title" in bad.json()["detail"]
    poll = await client.post(
        f"/api/v1/stages/{lab.stage_id}/polls",
        json={"method": "yes_no_abstain", "options": [{"proposal_id": proposal["id"]}], "quorum": 0.5},
        headers=_auth(lab.api_token),
    )
    poll_id, option = poll.json()["id"], poll.json()["options"][0]["id"]
    await client.post(f"/api/v1/polls/{poll_id}/open", headers=_auth(lab.api_token))
    await client.post(
        f"/api/v1/polls/{poll_id}/ballots", json={"choices": {str(option): "yes"}}, headers=_auth(ana)
    )
    closed = await client.post(f"/api/v1/polls/{poll_id}/close", headers=_auth(lab.api_token))
    assert closed.json()["adopted"] == [option] and closed.json()["quorum_met"] is True
    made = await client.post(f"/api/v1/polls/{poll_id}/commitments", json={}, headers=_auth(lab.api_token))
    assert made.status_code == 201
    (commitment,) = made.json()["items"]
    assert (commitment["owner"], commitment["due"], commitment["status"]) == (
        "Job centre MainArbeit",
        "2026-09-30",
        "open",
    )
    moved = await client.patch(
        f"/api/v1/commitments/{commitment['id']}",
        json={"status": "in_progress"},
        headers=_auth(lab.api_token),
    )
    assert moved.json()["status"] == "in_progress"
    wrong = await client.patch(
        f"/api/v1/commitments/{commitment['id']}", json={"status": "stuck"}, headers=_auth(lab.api_token)
    )
    assert wrong.status_code == 422
    follow_up = await client.get(
        f"/api/v1/workshops/{lab.workshop.id}/commitments", headers=_auth(lab.api_token)
    )
    assert list(follow_up.json()["by_owner"]) == ["Job centre MainArbeit"]


async def test_the_api_imports_open_commitments_into_a_later_workshop(
    client: httpx.AsyncClient, lab: World
) -> None:
    _commitment(lab, owner="Job centre")
    later = run(lab.engine, workshops.create_workshop, actor=lab.facilitator, title="Follow-up")
    imported = await client.post(
        f"/api/v1/workshops/{later.id}/commitments/import",
        json={"from_workshop_id": lab.workshop.id},
        headers=_auth(lab.api_token),
    )
    assert imported.status_code == 200, imported.text
    assert [c["imported_from"]["title"] for c in imported.json()["items"]] == ["Co-Working Lab"]
    missing = await client.post(
        f"/api/v1/workshops/{later.id}/commitments/import",
        json={"from_workshop_id": 999999},
        headers=_auth(lab.api_token),
    )
    assert missing.status_code == 404


# --- pages -----------------------------------------------------------------------------------------------


async def test_a_phone_drafts_a_proposal_with_a_plain_form(client: httpx.AsyncClient, lab: World) -> None:
    joined = await client.post(f"/j/{lab.workshop.code}", data={"name": "Amira"})
    assert joined.status_code == 200
    page = await client.get(f"/j/{lab.workshop.code}/stage")
    assert page.status_code == 200 and 'name="impact"' in page.text and 'name="milestone-1"' in page.text
    sent = await client.post(
        f"/j/{lab.workshop.code}/proposals",
        data={
            "stage_id": str(lab.stage_id),
            "title": "Childcare during courses",
            "description": "A crèche next to the language school.",
            "impact": "Parents can attend the whole course.",
            "milestone-rows": "3",
            "milestone-1": "Find a room",
            "milestone-1-due": "2026-02-01",
            "success": "20 parents attend\nNo drop-outs",
        },
    )
    assert sent.status_code == 303 and "#proposal-" in sent.headers["location"]
    page = await client.get(f"/j/{lab.workshop.code}/stage")
    assert "Childcare during courses" in page.text and "Find a room" in page.text
    refused = await client.post(
        f"/j/{lab.workshop.code}/proposals",
        data={"stage_id": str(lab.stage_id), "title": "", "description": "Kept text"},
    )
    assert refused.status_code == 422
    assert "Please give the proposal a title" in refused.text and "Kept text" in refused.text


async def test_the_console_turns_adopted_proposals_into_commitments_and_follows_them_up(
    client: httpx.AsyncClient, lab: World
) -> None:
    proposal = _draft(lab, lab.facilitator, "Shared intake form", owner="Job centre")
    poll = _yes_no_vote(lab, [proposal], [{proposal.id: "yes"}])
    await client.post("/login", data={"email": "fac@example.org", "password": "correct horse battery"})
    console = await client.get(f"/f/w/{lab.workshop.id}")
    assert "Make commitments" in console.text and "Shared intake form" in console.text
    committed = await client.post(f"/f/polls/{poll.id}/commit", data={})
    assert committed.status_code == 303
    follow_up = await client.get(f"/f/w/{lab.workshop.id}/commitments")
    assert follow_up.status_code == 200 and "Job centre" in follow_up.text
    with read_session(lab.engine) as session:
        (commitment,) = commitments.list_commitments(session, workshop_id=lab.workshop.id)
    done = await client.post(f"/f/commitments/{commitment['id']}", data={"status": "done"})
    assert done.status_code == 303
    follow_up = await client.get(f"/f/w/{lab.workshop.id}/commitments")
    assert 'value="done" selected' in follow_up.text
    # Each field of the follow-up and its review fold has a picture beside its words, as on the proposal form.
    for field in ("status", "owner", "contact", "due", "note"):
        label = rf'<label for="{field}-{commitment["id"]}"><span class="icon icon-[a-z-]+"'
        assert re.search(label, follow_up.text), field
    assert re.search(r'<summary><span class="icon icon-review"[^>]*></span>Review', follow_up.text)
    edited = await client.post(
        f"/f/proposals/{proposal.id}",
        data={"action": "edit", "title": "Shared intake form (v2)", "milestone-rows": "3"},
    )
    assert edited.status_code == 303
    with read_session(lab.engine) as session:
        assert session.get(proposals.Proposal, proposal.id).title == "Shared intake form (v2)"  # type: ignore[union-attr]
