"""The ways in for people's text that tests/test_text_fuzz.py posts generated text to: the boards,
the stakeholder map, the plan, votes, tables, the evaluation and joining."""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from cowork.domain.stakeholders.names import normalise_name
from tests.conftest import ThreadServer, World, patient


@dataclass
class Endpoint:
    """One way in for text, with its rules: the field, its limit, whether it is one line."""

    name: str
    field: str
    limit: int
    one_line: bool
    post: Callable[[httpx.Client, str], httpx.Response]
    # How to read the kept text back (from the answer's body for an edit); None: the answer alone is checked.
    read: Callable[[httpx.Client, dict[str, Any]], str] | None = None
    acceptable: Callable[[str], bool] = lambda text: True
    # An edit changes one thing again and again: what it holds is the last text it took.
    edit: bool = False
    # A post that writes something of its own first (cards to cluster, a participant to answer).
    writes_first: bool = False
    # A lone surrogate gets the exact sentence (False: a file format that cannot carry one refuses the file).
    exact_surrogate: bool = True
    # A text this endpoint takes (a key where it takes only keys).
    plain: str = "Wohnen مرحبا 1"
    stored: dict[int, str] = field(default_factory=dict)
    last: tuple[dict[str, Any], str] | None = None  # an edit's last answer and the text it kept


@dataclass
class Site:
    server: ThreadServer
    world: World
    client: httpx.Client
    stages: dict[str, int]
    workshop: dict[str, Any]


def json_request(client: httpx.Client, method: str, url: str, body: dict[str, Any]) -> httpx.Response:
    # json.dumps escapes a lone surrogate as "\ud800", valid JSON; httpx's own encoder would fail on it.
    return client.request(method, url, content=json.dumps(body), headers={"Content-Type": "application/json"})


def endpoints(site: Site) -> list[Endpoint]:
    stages = site.stages
    return [
        Endpoint(
            "card",
            "text",
            2000,
            False,
            lambda c, t: json_request(c, "POST", f"/stages/{stages['needs']}/contributions", {"text": t}),
            lambda c, made: next(
                i["text"]
                for i in c.get(f"/stages/{stages['needs']}/contributions").json()["items"]
                if i["id"] == made["id"]
            ),
        ),
        Endpoint(
            "workshop title",
            "title",
            200,
            True,
            lambda c, t: json_request(c, "POST", "/workshops", {"title": t}),
            lambda c, made: c.get(f"/workshops/{made['id']}").json()["title"],
        ),
        Endpoint(
            "stakeholder name",
            "name",
            120,
            True,
            lambda c, t: json_request(
                c, "POST", f"/stages/{stages['stakeholders']}/stakeholders", {"name": t, "family": "employer"}
            ),
            lambda c, made: c.get(f"/stakeholders/{made['id']}").json()["name"],
            acceptable=lambda text: bool(normalise_name(text)),
        ),
        Endpoint(
            "proposal title",
            "title",
            200,
            True,
            lambda c, t: json_request(c, "POST", f"/stages/{stages['action_plan']}/proposals", {"title": t}),
            lambda c, made: c.get(f"/proposals/{made['id']}").json()["title"],
        ),
    ]


def decided(site: Site, proposal_id: int) -> dict[str, Any]:
    """The proposal put to a yes/no vote, one participant's yes, the vote closed: the closed poll."""
    c, stage = site.client, site.stages["action_plan"]
    c.patch(f"/proposals/{proposal_id}", json={"selected": True}).raise_for_status()
    poll = c.post(
        f"/stages/{stage}/polls", json={"method": "yes_no_abstain", "options": [{"proposal_id": proposal_id}]}
    ).json()
    c.post(f"/polls/{poll['id']}/open").raise_for_status()
    joined = c.post(f"/join/{site.workshop['code']}", json={"name": "Ana"}).json()
    c.post(
        f"/polls/{poll['id']}/ballots",
        json={"choices": {str(poll["options"][0]["id"]): "yes"}},
        headers={"Authorization": f"Bearer {joined['token']}"},
    ).raise_for_status()
    c.post(f"/polls/{poll['id']}/close").raise_for_status()
    return poll


def committed(site: Site, proposal_id: int) -> dict[str, Any]:
    """A commitment: the proposal adopted by a closed vote."""
    poll = decided(site, proposal_id)
    made = site.client.post(f"/polls/{poll['id']}/commitments", json={})
    assert made.status_code == 201, made.text
    return made.json()["items"][0]


def more_endpoints(site: Site) -> list[Endpoint]:
    """The other ways in for text: edits, titles, labels, the plan's fields, topics, names."""
    stages, c = site.stages, site.client
    workshop_id, code = site.workshop["id"], site.workshop["code"]
    card = c.post(f"/stages/{stages['needs']}/contributions", json={"text": "Childcare"}).json()
    holder = c.post(
        f"/stages/{stages['stakeholders']}/stakeholders", json={"name": "Jobcenter", "family": "job_centre"}
    ).json()
    proposal = c.post(f"/stages/{stages['action_plan']}/proposals", json={"title": "One intake form"}).json()
    commitment = committed(site, proposal["id"])
    names = iter(range(1_000_000))

    def card_text(client: httpx.Client, made: dict[str, Any]) -> str:
        items = client.get(f"/stages/{stages['needs']}/contributions").json()["items"]
        return next(i["text"] for i in items if i["id"] == made["id"])

    def two_cards(client: httpx.Client) -> list[int]:
        url = f"/stages/{stages['needs']}/contributions"
        return [client.post(url, json={"text": f"Card {n}"}).json()["id"] for n in range(2)]

    def answer_questionnaire(client: httpx.Client, text: str) -> httpx.Response:
        # A new participant each time (one answer each), on the evaluation while it is the current stage.
        client.post(f"/workshops/{workshop_id}/current-stage", json={"stage_id": stages["evaluation"]})
        token = client.post(f"/join/{code}", json={"name": "Ana"}).json()["token"]
        url = f"{str(client.base_url).rstrip('/')}/stages/{stages['evaluation']}/responses"
        body = json.dumps({"answers": {"positive": text}})
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        return patient.post(url, content=body, headers=headers, timeout=60)

    def proposal_field(name: str) -> Callable[[httpx.Client, str], httpx.Response]:
        return lambda cl, t: json_request(cl, "PATCH", f"/proposals/{proposal['id']}", {name: t})

    def commitment_field(name: str) -> Callable[[httpx.Client, str], httpx.Response]:
        return lambda cl, t: json_request(cl, "PATCH", f"/commitments/{commitment['id']}", {name: t})

    return [
        Endpoint(
            "card edit",
            "text",
            2000,
            False,
            lambda cl, t: json_request(cl, "PATCH", f"/contributions/{card['id']}", {"text": t}),
            card_text,
            edit=True,
        ),
        Endpoint(
            "cluster title",
            "title",
            120,
            True,
            lambda cl, t: json_request(
                cl, "POST", f"/stages/{stages['needs']}/clusters", {"title": t, "card_ids": two_cards(cl)}
            ),
            writes_first=True,
        ),
        Endpoint(
            "category label",
            "categories.0.label.en",
            0,
            True,
            lambda cl, t: json_request(
                cl,
                "PUT",
                f"/stages/{stages['needs']}/categories",
                {"categories": [{"key": "housing", "label": {"en": t}}]},
            ),
        ),
        Endpoint(
            "category description",
            "categories.0.description.en",
            0,
            True,
            lambda cl, t: json_request(
                cl,
                "PUT",
                f"/stages/{stages['needs']}/categories",
                {"categories": [{"key": "housing", "label": {"en": "Housing"}, "description": {"en": t}}]},
            ),
        ),
        Endpoint(
            "poll title",
            "title",
            200,
            True,
            lambda cl, t: json_request(
                cl,
                "POST",
                f"/stages/{stages['action_plan']}/polls",
                {"method": "approval", "title": t, "options": [{"label": "A"}, {"label": "B"}]},
            ),
        ),
        Endpoint(
            "poll option label",
            "options.0.label",
            0,
            True,
            lambda cl, t: json_request(
                cl,
                "POST",
                f"/stages/{stages['action_plan']}/polls",
                {"method": "approval", "options": [{"label": t}, {"label": "B"}]},
            ),
        ),
        Endpoint(
            "stakeholder tasks",
            "tasks",
            0,
            False,
            lambda cl, t: json_request(
                cl,
                "POST",
                f"/stages/{stages['stakeholders']}/stakeholders",
                {"name": f"Office {next(names)}", "family": "employer", "tasks": t},
            ),
        ),
        Endpoint(
            "stakeholder contact person",
            "contact.person",
            0,
            True,
            lambda cl, t: json_request(
                cl,
                "PATCH",
                f"/stakeholders/{holder['id']}",
                {"contact": {"person": t}, "consent": True},
            ),
        ),
        Endpoint(
            "matrix activity label",
            "label",
            0,
            True,
            lambda cl, t: json_request(cl, "POST", f"/workshops/{workshop_id}/activities", {"label": t}),
        ),
        *(
            Endpoint(f"proposal {name}", name, 0, False, proposal_field(name))
            for name in ("description", "owner", "contact", "resources", "impact", "rationale")
        ),
        Endpoint(
            "proposal indicator",
            "indicators.success.0",
            0,
            True,
            lambda cl, t: json_request(
                cl, "PATCH", f"/proposals/{proposal['id']}", {"indicators": {"success": [t]}}
            ),
        ),
        Endpoint(
            "proposal milestone",
            "milestones.0.title",
            0,
            True,
            lambda cl, t: json_request(
                cl,
                "PATCH",
                f"/proposals/{proposal['id']}",
                {"milestones": [{"title": t, "due": "2030-01-01"}]},
            ),
        ),
        *(
            Endpoint(f"commitment {name}", name, 0, False, commitment_field(name))
            for name in ("owner", "contact", "note")
        ),
        Endpoint(
            "table topic",
            "topics.0",
            0,
            True,
            lambda cl, t: json_request(
                cl,
                "POST",
                f"/workshops/{workshop_id}/tables",
                {"count": 1, "topics": [t], "stage_id": stages["group_work"]},
            ),
        ),
        Endpoint(
            "table card",
            "text",
            0,
            False,
            lambda cl, t: json_request(
                cl, "POST", f"/stages/{stages['group_work']}/contributions", {"text": t}
            ),
        ),
        Endpoint(
            "stage title",
            "title",
            0,
            True,
            lambda cl, t: json_request(
                cl, "POST", f"/workshops/{workshop_id}/stages", {"kind": "needs", "title": t}
            ),
        ),
        Endpoint(
            "evaluation open answer",
            "answers.positive",
            0,
            False,
            answer_questionnaire,
            writes_first=True,
        ),
        Endpoint(
            "participant name",
            "name",
            0,
            True,
            lambda cl, t: json_request(cl, "POST", f"/join/{code}", {"name": t}),
        ),
    ]
