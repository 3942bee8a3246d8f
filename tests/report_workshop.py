"""A workshop with every field a report shows, filled through the services the way the transports do.

`fill_large` makes the workshop of issue 25: 21 people from all seven stakeholder groups, 200 cards
(long ones, right-to-left ones), a dot vote, a stakeholder map with consented contacts, a responsibility
matrix, 20 proposals with milestones, impact, reasoning, indicators, resources and needs, a yes / no /
abstain vote on all of them, the commitments it made, and evaluation answers. `fill_small` makes one of
five people. The returned `Filled` lists the values a reader must find in every document.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine

from cowork.commands import run_query
from cowork.db import read_session
from cowork.domain import participants as joining
from cowork.domain import workshops
from cowork.domain.actions import commitments, proposals
from cowork.domain.actors import Actor
from cowork.domain.board import cards as board
from cowork.domain.program import evaluation
from cowork.domain.stakeholders import matrix as responsibilities
from cowork.domain.stakeholders import ratings as stakeholder_ratings
from cowork.domain.stakeholders import registry as stakeholders
from cowork.domain.stakeholders.families import FAMILIES
from cowork.domain.votes import ballots, closing, polls
from cowork.domain.votes import setup as poll_setup
from tests.conftest import run

HEBREW = ["שיתוף פעולה בין המרכז לתעסוקה למעסיקים", "קורס שפה בערב עם טיפול בילדים", "ליווי אישי לצעירים"]
LONG = (
    "Many participants said the waiting time between the first interview at the job centre and the start "
    "of a language course is far too long: people lose months, their motivation and often the contact to the "
    "employers who had shown interest. A shared calendar of course starts, a named contact person at each "
    "training provider and a short weekly call between the case managers could cut this time in half, and "
    "the group asked that the welfare organisations and migrant networks be part of that call from the "
    "beginning."
)
UNBROKEN = "https://example.org/" + "very-long-path-segment-without-any-space-" * 3 + "end"


@dataclass
class Filled:
    id: int
    values: list[str] = field(default_factory=list)  # what every document shows
    committed: list[str] = field(default_factory=list)  # the titles of the adopted commitments
    hebrew: list[str] = field(default_factory=list)


def fill_large(engine: Engine, facilitator: Actor) -> Filled:
    return _fill(
        engine, facilitator, per_group=3, cards=200, proposals_count=20, title="Co-working lab Offenbach"
    )


def fill_small(engine: Engine, facilitator: Actor) -> Filled:
    return _fill(engine, facilitator, per_group=0, cards=12, proposals_count=3, title="Small lab", people=5)


def _fill(
    engine: Engine,
    fac: Actor,
    *,
    per_group: int,
    cards: int,
    proposals_count: int,
    title: str,
    people: int = 0,
) -> Filled:
    lab = run(engine, workshops.create_workshop, actor=fac, title=title, format_id="co-working-lab")
    filled = Filled(lab.id, values=[title])
    stages = {s.kind: s for s in run_query(engine, workshops.stages_of, workshop_id=lab.id)}
    groups = [g for g in FAMILIES for _i in range(per_group)] if per_group else list(FAMILIES)[:people]
    joined = [
        run(engine, joining.join_workshop, code=lab.code, name=f"Person {i}", group=group)[0]
        for i, group in enumerate(groups)
    ]
    actors = [Actor.of_participant(p) for p in joined]
    filled.values += [FAMILIES[g]["en"] for g in set(groups)]

    def on(kind: str) -> int:
        run(engine, workshops.set_current_stage, actor=fac, workshop_id=lab.id, stage_id=stages[kind].id)
        return stages[kind].id

    needs = on("needs")
    made = []
    for i in range(cards):
        if i % 9 == 4:
            text = HEBREW[i % len(HEBREW)] + f" {i}"
            filled.hebrew.append(text)
        elif i % 10 == 3:
            text = f"Card {i}: {LONG}"
        elif i == 7:
            text = f"Card {i}: see {UNBROKEN}"
        else:
            text = (
                f"Card {i}: {['Housing', 'Childcare', 'Language course', 'Mentoring'][i % 4]} near the centre"
            )
        made.append(run(engine, board.add_card, actor=actors[i % len(actors)], stage_id=needs, text=text))
        filled.values.append(text)
    dots = run(
        engine,
        poll_setup.create_poll,
        actor=fac,
        stage_id=needs,
        method="dots",
        budget=3,
        options=[{"contribution_id": c.id} for c in made[:8]],
    )
    run(engine, polls.open_poll, actor=fac, poll_id=dots.id)
    options = [o.id for o in run_query(engine, polls.options_of, poll_id=dots.id)]
    for i, actor in enumerate(actors):
        choices = {options[i % 3]: 2, options[(i % 5) + 1]: 1}
        run(engine, ballots.cast_ballot, actor=actor, poll_id=dots.id, choices=choices)
    run(engine, closing.close_poll, actor=fac, poll_id=dots.id)

    _map(engine, fac, actors, filled, stage_id=on("stakeholders"), workshop_id=lab.id, many=per_group > 0)
    _plan(engine, fac, actors, filled, stage_id=on("action_plan"), count=proposals_count, needs=made)

    review = on("evaluation")
    with read_session(engine) as session:
        items = evaluation.spec_of(workshops.get_stage(session, stage_id=review)).items
    for i, actor in enumerate(actors):
        answers = {
            item.id: 1 + (i + n) % 5 if item.type == "likert" else f"Open answer {i} to {item.id}"
            for n, item in enumerate(items)
        }
        run(engine, evaluation.answer, actor=actor, stage_id=review, answers=answers)
        filled.values += [v for v in answers.values() if isinstance(v, str)]
    return filled


STAKEHOLDERS = [
    ("Jobcenter Offenbach", "job_centre", "Dora Contact", "dora@example.org"),
    ("Volkshochschule Offenbach", "training", "Emil Kurs", "emil@vhs.example.org"),
    ("Chamber of Crafts Rhein-Main", "guidance", None, None),
    ("City of Offenbach, social department", "policy", "Frieda Amt", "frieda@offenbach.example"),
    ("Caritas migration service", "welfare", None, None),
    ("Logistics company Main-Port", "employer", None, None),
    ("Refugee council of Hesse", "welfare", None, None),
    ("Vocational school Offenbach", "training", None, None),
    ("Employers' association", "employer", None, None),
    ("Youth migration service", "guidance", None, None),
]


def _map(
    engine: Engine,
    fac: Actor,
    actors: list[Actor],
    filled: Filled,
    *,
    stage_id: int,
    workshop_id: int,
    many: bool,
) -> None:
    chosen = STAKEHOLDERS if many else STAKEHOLDERS[:4]
    made = []
    for name, family, person, email in chosen:
        contact = {"person": person, "email": email, "phone": "+49 69 1234"} if person else None
        item, _duplicate = run(
            engine,
            stakeholders.propose_stakeholder,
            actor=fac,
            stage_id=stage_id,
            name=name,
            family=family,
            tasks=f"Tasks of {name}",
            consent=bool(person),
            contact=contact,
        )
        made.append(item)
        filled.values += [name, f"Tasks of {name}"] + ([person, email] if person else [])
    corners = [(5, 1), (5, 5), (1, 1), (1, 5), (3, 3), (5, 4), (4, 5), (2, 2), (5, 1), (3, 5)]
    for item, (influence, interest) in zip(made, corners, strict=False):
        for actor in actors[:3]:
            run(
                engine,
                stakeholder_ratings.rate_stakeholder,
                actor=actor,
                stakeholder_id=item.id,
                influence=influence,
                interest=interest,
            )
    with read_session(engine) as session:
        rows = responsibilities.activity_rows(session, workshop_id=workshop_id)
    for i, row in enumerate(rows[:5]):
        for j, item in enumerate(made[:4]):
            mark = ("responsible", "contributes", "informed", None)[(i + j) % 4]
            if mark:
                run(
                    engine,
                    responsibilities.set_cell,
                    actor=fac,
                    workshop_id=workshop_id,
                    activity_id=row["id"],
                    stakeholder_id=item.id,
                    mark=mark,
                )


def _plan(
    engine: Engine,
    fac: Actor,
    actors: list[Actor],
    filled: Filled,
    *,
    stage_id: int,
    count: int,
    needs: list[Any],
) -> None:
    start = date(2027, 1, 15)
    drafted = []
    details: dict[str, list[str]] = {}  # what the plan shows of each proposal
    for i in range(count):
        fields = {
            "title": f"Proposal {i + 1}: shared intake for newcomers in district {i + 1}",
            "owner": f"Owner organisation {i + 1}",
            "contact": f"contact{i + 1}@example.org",
            "due": (start + timedelta(days=60 + 7 * i)).isoformat(),
            "milestones": [
                {
                    "title": f"Partners agreed on step {i + 1}",
                    "due": (start + timedelta(days=7 * i)).isoformat(),
                },
                {
                    "title": f"First pilot group {i + 1} started",
                    "due": (start + timedelta(days=30 + i)).isoformat(),
                },
                {"title": f"Review {i + 1} with the plenary", "due": None},
            ],
            "resources": f"Two case managers half-time, {i + 1} rooms",
            "impact": f"Impact {i + 1}: newcomers start a course within four weeks of their first interview",
            "rationale": f"Reasoning {i + 1}: one shared form means no one waits for papers twice, so "
            + LONG[:160],
            "indicators": {
                "success": [
                    f"Success {i + 1}: 80% start within four weeks",
                    f"Success {i + 1}b: fewer drop-outs",
                ],
                "failure": [f"Failure {i + 1}: waiting time unchanged after six months"],
            },
            "needs": [needs[i % len(needs)].id],
        }
        drafted.append(run(engine, proposals.draft_proposal, actor=fac, stage_id=stage_id, **fields))
        details[fields["title"]] = [
            fields["title"],
            fields["owner"],
            fields["due"],
            fields["resources"],
            fields["impact"],
            fields["rationale"],
            *fields["indicators"]["success"],
            *fields["indicators"]["failure"],
            *[m["title"] for m in fields["milestones"]],
            *[m["due"] for m in fields["milestones"] if m["due"]],
        ]
    vote = run(
        engine,
        poll_setup.create_poll,
        actor=fac,
        stage_id=stage_id,
        method="yes_no_abstain",
        quorum=0.5,
        title="Recommendations for action",
        options=[{"proposal_id": p.id} for p in drafted],
    )
    run(engine, polls.open_poll, actor=fac, poll_id=vote.id)
    options = [o.id for o in run_query(engine, polls.options_of, poll_id=vote.id)]
    for i, actor in enumerate(actors):
        # Every third proposal is refused; the others pass with a few no and abstain among the groups.
        choices = {
            option: ("no" if n % 3 == 2 else ("yes", "yes", "abstain", "no")[(i + n) % 4])
            for n, option in enumerate(options)
        }
        run(engine, ballots.cast_ballot, actor=actor, poll_id=vote.id, choices=choices)
    run(engine, closing.close_poll, actor=fac, poll_id=vote.id)
    made = run(engine, commitments.commit_poll, actor=fac, poll_id=vote.id)
    filled.committed = [c.title for c in made]
    filled.values.append("Recommendations for action")
    # The plan tells the adopted proposals in full; the refused ones are named with their votes.
    for title, values in details.items():
        filled.values += values if title in filled.committed else [title]
