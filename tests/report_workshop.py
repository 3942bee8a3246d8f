"""A workshop with every field a report shows, filled through the JSON API as facilitators and phones do.

`fill_large` makes the workshop of issue 25: 21 people from all seven stakeholder groups, 200 cards
(long ones, right-to-left ones), a dot vote, a stakeholder map with consented contacts, a responsibility
matrix, 20 proposals with milestones, impact, reasoning, indicators, resources and needs, a yes / no /
abstain vote on all of them, the commitments it made, and evaluation answers. `fill_small` makes one of
five people. The returned `Filled` lists the values a reader must find in every document.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx

from cowork.domain.stakeholders.families import FAMILIES

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
    dates: list[date] = field(default_factory=list)  # documents say them in words, workbooks as ISO
    place: str = ""
    follow_up_on: date | None = None
    hebrew: list[str] = field(default_factory=list)


@dataclass
class Api:
    """The JSON API as the facilitator's token (or a phone's, given as `token`) calls it."""

    client: httpx.AsyncClient
    facilitator_token: str

    async def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {token or self.facilitator_token}"}
        response = await self.client.request(method, f"/api/v1{path}", json=body, headers=headers)
        assert response.status_code in (200, 201), f"{method} {path}: {response.status_code} {response.text}"
        return response.json()

    async def post(self, path: str, body: Any = None, token: str | None = None) -> Any:
        return await self.call("POST", path, {} if body is None else body, token)


async def fill_large(api: Api) -> Filled:
    return await _fill(api, per_group=3, cards=200, proposals_count=20, title="Co-working lab Offenbach")


async def fill_small(api: Api) -> Filled:
    return await _fill(api, per_group=0, cards=12, proposals_count=3, title="Small lab", people=5)


async def _fill(
    api: Api, *, per_group: int, cards: int, proposals_count: int, title: str, people: int = 0
) -> Filled:
    lab = await api.post("/workshops", {"title": title, "format": "co-working-lab", "language": "en"})
    filled = Filled(
        lab["id"], values=[title], place=f"Haus der Wirtschaft, {title}", follow_up_on=date(2027, 3, 16)
    )
    details = {"place": filled.place, "follow_up_on": filled.follow_up_on.isoformat()}  # type: ignore[union-attr]
    await api.call("PATCH", f"/workshops/{lab['id']}", details)
    filled.values.append(filled.place)
    filled.dates.append(filled.follow_up_on)  # type: ignore[arg-type]
    stages = {s["kind"]: s["id"] for s in lab["stages"]}
    groups = [g for g in FAMILIES for _i in range(per_group)] if per_group else list(FAMILIES)[:people]
    phones = [
        (await api.post(f"/join/{lab['code']}", {"name": f"Person {i}", "group": group}))["token"]
        for i, group in enumerate(groups)
    ]
    filled.values += [FAMILIES[g]["en"] for g in set(groups)]

    async def on(kind: str) -> int:
        await api.post(f"/workshops/{lab['id']}/current-stage", {"stage_id": stages[kind]})
        return stages[kind]

    needs = await on("needs")
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
        made.append(
            (await api.post(f"/stages/{needs}/contributions", {"text": text}, phones[i % len(phones)]))["id"]
        )
        filled.values.append(text)
    dots = await api.post(
        f"/stages/{needs}/polls",
        {"method": "dots", "budget": 3, "options": [{"contribution_id": c} for c in made[:8]]},
    )
    options = [o["id"] for o in dots["options"]]
    await api.post(f"/polls/{dots['id']}/open")
    for i, phone in enumerate(phones):
        choices = {str(options[i % 3]): 2, str(options[(i % 5) + 1]): 1}
        await api.post(f"/polls/{dots['id']}/ballots", {"choices": choices}, phone)
    await api.post(f"/polls/{dots['id']}/close")

    await _map(
        api, phones, filled, stage_id=await on("stakeholders"), workshop_id=lab["id"], many=per_group > 0
    )
    await _plan(api, phones, filled, stage_id=await on("action_plan"), count=proposals_count, needs=made)

    review = await on("evaluation")
    items = (await api.call("GET", f"/stages/{review}/questionnaire"))["items"]
    for i, phone in enumerate(phones):
        answers = {
            item["id"]: 1 + (i + n) % 5 if item["type"] == "likert" else f"Open answer {i} to {item['id']}"
            for n, item in enumerate(items)
        }
        await api.post(f"/stages/{review}/responses", {"answers": answers}, phone)
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


async def _map(
    api: Api, phones: list[str], filled: Filled, *, stage_id: int, workshop_id: int, many: bool
) -> None:
    chosen = STAKEHOLDERS if many else STAKEHOLDERS[:4]
    made = []
    for name, family, person, email in chosen:
        contact = {"person": person, "email": email, "phone": "+49 69 1234"} if person else None
        body = {"name": name, "family": family, "tasks": f"Tasks of {name}", "consent": bool(person)}
        made.append((await api.post(f"/stages/{stage_id}/stakeholders", {**body, "contact": contact}))["id"])
        filled.values += [name, f"Tasks of {name}"] + ([person, email] if person else [])
    corners = [(5, 1), (5, 5), (1, 1), (1, 5), (3, 3), (5, 4), (4, 5), (2, 2), (5, 1), (3, 5)]
    for item, (influence, interest) in zip(made, corners, strict=False):
        for phone in phones[:3]:
            rating = {"influence": influence, "interest": interest}
            await api.post(f"/stakeholders/{item}/ratings", rating, phone)
    matrix = await api.call("GET", f"/workshops/{workshop_id}/responsibilities")
    for i, row in enumerate(matrix["activities"][:5]):
        for j, item in enumerate(made[:4]):
            mark = ("responsible", "contributes", "informed", None)[(i + j) % 4]
            if mark:
                cell = {"activity_id": row["id"], "stakeholder_id": item, "mark": mark}
                await api.call("PUT", f"/workshops/{workshop_id}/responsibilities/cells", cell)


async def _plan(
    api: Api, phones: list[str], filled: Filled, *, stage_id: int, count: int, needs: list[int]
) -> None:
    start = date(2027, 1, 15)
    drafted = []
    details: dict[str, list[str]] = {}  # what the plan shows of each proposal
    dates: dict[str, list[str]] = {}
    for i in range(count):
        fields: dict[str, Any] = {
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
            "needs": [needs[i % len(needs)]],
        }
        drafted.append((await api.post(f"/stages/{stage_id}/proposals", fields))["id"])
        details[fields["title"]] = [
            fields["title"],
            fields["owner"],
            fields["resources"],
            fields["impact"],
            fields["rationale"],
            *fields["indicators"]["success"],
            *fields["indicators"]["failure"],
            *[m["title"] for m in fields["milestones"]],
        ]
        dates[fields["title"]] = [fields["due"], *[m["due"] for m in fields["milestones"] if m["due"]]]
    vote = await api.post(
        f"/stages/{stage_id}/polls",
        {
            "method": "yes_no_abstain",
            "quorum": 0.5,
            "title": "Recommendations for action",
            "options": [{"proposal_id": p} for p in drafted],
        },
    )
    options = [o["id"] for o in vote["options"]]
    await api.post(f"/polls/{vote['id']}/open")
    for i, phone in enumerate(phones):
        # Every third proposal is refused; the others pass with a few no and abstain among the groups.
        choices = {
            str(option): ("no" if n % 3 == 2 else ("yes", "yes", "abstain", "no")[(i + n) % 4])
            for n, option in enumerate(options)
        }
        await api.post(f"/polls/{vote['id']}/ballots", {"choices": choices}, phone)
    await api.post(f"/polls/{vote['id']}/close")
    made = await api.post(f"/polls/{vote['id']}/commitments")
    filled.committed = [c["title"] for c in made["items"]]
    filled.values.append("Recommendations for action")
    # The plan tells the adopted proposals in full; the refused ones are named with their votes.
    for title, values in details.items():
        filled.values += values if title in filled.committed else [title]
        filled.dates += [date.fromisoformat(d) for d in dates[title]] if title in filled.committed else []
