"""Generated text against a real server, on SQLite and (with COWORK_TEST_DATABASE_URL) PostgreSQL.

Every JSON endpoint that keeps text people write (cards and their edits, titles, labels, the plan's
fields, commitments, topics, answers, names) gets lone surrogates, NUL and other controls, combining
marks, right-to-left marks, emoji and 10,000-character words. Each answer is a 2xx, or a 4xx with a
`detail` sentence, never a 5xx; a refused character gets the exact 422 sentence with its field and
position; where the text can be read back it is the NFC-normalised input, and at the end everything
stored before is still there, unchanged. Each endpoint also takes a plain text with a right-to-left word.
"""

import json
import os
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cowork.domain.stakeholders.names import normalise_name
from tests.conftest import ThreadServer, World

# Per endpoint: CI has two cores. COWORK_FUZZ_EXAMPLES=1000 makes a longer hunt.
EXAMPLES = int(os.environ.get("COWORK_FUZZ_EXAMPLES", "30"))


def unstorable(position: int) -> str:
    return f"The text contains a character that cannot be stored (position {position:,})."


def control(field: str, position: int) -> str:
    return f'The field "{field}" contains a control character (position {position:,}); please remove it.'


SURROGATES = list("\ud800\udbff\udc00\udfff")  # alone, each is no character UTF-8 can store
CONTROLS = list("\x00\x01\x07\x08\x0b\x0c\x1b\x1f\x7f\x85\x9f")  # C0, DEL and C1
REFUSED = SURROGATES + CONTROLS
LINE_BREAKS = ["\t", "\n", "\r", "\r\n"]  # kept (a CR becomes a newline)
COMBINING = list("\u0301\u0308\u0327\u05b8\u064e")
DIRECTION_MARKS = list("\u200e\u200f\u202b\u202c\u202e\u2067\u2069\u061c")
EMOJI = ["👩🏽‍💻", "🇩🇪", "\u200d", "\ufe0f"]
WORDS = ["مرحبا", "שלום", "سلام دنیا", "e\u0301", "ﬁ", "\u00a0", "\u2028", "\ufeff"]
KEPT = LINE_BREAKS + COMBINING + DIRECTION_MARKS + EMOJI + WORDS
LONG_WORDS = st.builds(
    lambda ch, n: ch * n,
    st.sampled_from(["a", "é", "e\u0301", "ب", "😀"]),
    st.sampled_from([119, 120, 121, 199, 200, 201, 1999, 2000, 2001, 10_000]),
)
PRINTABLE = st.characters(exclude_categories=("Cc", "Cs"))
TEXT = st.one_of(
    # Text a person may write: any character but controls and surrogates, with the marks above.
    st.lists(st.one_of(PRINTABLE, st.sampled_from(KEPT)), max_size=40).map("".join),
    # The same with characters no database keeps alike somewhere inside.
    st.lists(st.one_of(PRINTABLE, st.sampled_from(KEPT), st.sampled_from(REFUSED)), max_size=40).map("".join),
    # Words of the length of a limit, one character either side of it, and 10,000 characters.
    st.tuples(st.text(PRINTABLE, max_size=5), LONG_WORDS, st.text(PRINTABLE, max_size=5)).map("".join),
)


def refusal(text: str, field: str) -> str | None:
    """The sentence a text with a character no database keeps alike must get, or None."""
    for index, ch in enumerate(text):
        if "\ud800" <= ch <= "\udfff":
            return unstorable(index + 1)
        if ch not in "\t\n\r" and unicodedata.category(ch) == "Cc":
            return control(field, index + 1)
    return None


def cleaned(text: str, one_line: bool) -> str:
    """What a valid text is kept as: newlines for line breaks, NFC, trimmed (one line: spaces joined)."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    return " ".join(text.split()) if one_line else text


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
    # An edit changes one thing again and again: nothing to find unchanged at the end.
    edit: bool = False
    stored: dict[int, str] = field(default_factory=dict)


@dataclass
class Site:
    server: ThreadServer
    world: World
    client: httpx.Client
    stages: dict[str, int]
    workshop: dict[str, Any]


@pytest.fixture
def site(server: ThreadServer, world: World) -> Any:
    with httpx.Client(base_url=f"{server.url}/api/v1", timeout=60) as client:
        client.headers["Authorization"] = f"Bearer {world.api_token}"
        lab = client.post("/workshops", json={"title": "Lab", "format": "co-working-lab"}).json()
        stages = {s["kind"]: s["id"] for s in lab["stages"]}
        yield Site(server, world, client, stages, lab)


def _json(client: httpx.Client, method: str, url: str, body: dict[str, Any]) -> httpx.Response:
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
            lambda c, t: _json(c, "POST", f"/stages/{stages['needs']}/contributions", {"text": t}),
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
            lambda c, t: _json(c, "POST", "/workshops", {"title": t}),
            lambda c, made: c.get(f"/workshops/{made['id']}").json()["title"],
        ),
        Endpoint(
            "stakeholder name",
            "name",
            120,
            True,
            lambda c, t: _json(
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
            lambda c, t: _json(c, "POST", f"/stages/{stages['action_plan']}/proposals", {"title": t}),
            lambda c, made: c.get(f"/proposals/{made['id']}").json()["title"],
        ),
    ]


def committed(site: Site, proposal_id: int) -> dict[str, Any]:
    """A commitment: the proposal put to a yes/no vote, one participant's yes, the vote closed."""
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
    made = c.post(f"/polls/{poll['id']}/commitments", json={})
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
        return httpx.post(url, content=body, headers=headers, timeout=60)

    def proposal_field(name: str) -> Callable[[httpx.Client, str], httpx.Response]:
        return lambda cl, t: _json(cl, "PATCH", f"/proposals/{proposal['id']}", {name: t})

    def commitment_field(name: str) -> Callable[[httpx.Client, str], httpx.Response]:
        return lambda cl, t: _json(cl, "PATCH", f"/commitments/{commitment['id']}", {name: t})

    return [
        Endpoint(
            "card edit",
            "text",
            2000,
            False,
            lambda cl, t: _json(cl, "PATCH", f"/contributions/{card['id']}", {"text": t}),
            card_text,
            edit=True,
        ),
        Endpoint(
            "cluster title",
            "title",
            120,
            True,
            lambda cl, t: _json(
                cl, "POST", f"/stages/{stages['needs']}/clusters", {"title": t, "card_ids": two_cards(cl)}
            ),
        ),
        Endpoint(
            "category label",
            "categories.0.label.en",
            0,
            True,
            lambda cl, t: _json(
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
            lambda cl, t: _json(
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
            lambda cl, t: _json(
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
            lambda cl, t: _json(
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
            lambda cl, t: _json(
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
            lambda cl, t: _json(
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
            lambda cl, t: _json(cl, "POST", f"/workshops/{workshop_id}/activities", {"label": t}),
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
            lambda cl, t: _json(
                cl, "PATCH", f"/proposals/{proposal['id']}", {"indicators": {"success": [t]}}
            ),
        ),
        Endpoint(
            "proposal milestone",
            "milestones.0.title",
            0,
            True,
            lambda cl, t: _json(
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
            lambda cl, t: _json(
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
            lambda cl, t: _json(cl, "POST", f"/stages/{stages['group_work']}/contributions", {"text": t}),
        ),
        Endpoint(
            "stage title",
            "title",
            0,
            True,
            lambda cl, t: _json(
                cl, "POST", f"/workshops/{workshop_id}/stages", {"kind": "needs", "title": t}
            ),
        ),
        Endpoint(
            "evaluation open answer",
            "answers.positive",
            0,
            False,
            answer_questionnaire,
        ),
        Endpoint(
            "participant name",
            "name",
            0,
            True,
            lambda cl, t: _json(cl, "POST", f"/join/{code}", {"name": t}),
        ),
    ]


def check_answer(site: Site, endpoint: Endpoint, text: str) -> None:
    answer = endpoint.post(site.client, text)
    assert answer.status_code < 500, (endpoint.name, repr(text), answer.status_code, answer.text[:300])
    body = answer.json()
    # What the server reads: JSON joins a high and a low surrogate escaped one after the other into one
    # character (that is how JSON writes characters beyond U+FFFF); a surrogate alone stays alone.
    text = json.loads(json.dumps(text))
    expected = refusal(text, endpoint.field)
    if expected is not None:
        assert (answer.status_code, body) == (422, {"detail": expected}), (endpoint.name, repr(text))
        return
    kept = cleaned(text, endpoint.one_line)
    if endpoint.read is None:  # the answer alone: a 2xx, or a 4xx with a sentence saying why
        if not 200 <= answer.status_code < 300:
            assert 400 <= answer.status_code < 500, (endpoint.name, repr(text), answer.status_code)
            assert isinstance(body.get("detail"), str) and body["detail"].endswith("."), body
        return
    valid = bool(kept) and len(kept) <= endpoint.limit and endpoint.acceptable(kept)
    if not valid:
        assert 400 <= answer.status_code < 500, (endpoint.name, repr(text), answer.status_code)
        assert isinstance(body.get("detail"), str) and body["detail"].endswith("."), body
        return
    assert answer.status_code in (200, 201), (endpoint.name, repr(text), answer.text[:300])
    if (
        answer.status_code == 200 and not endpoint.edit
    ):  # a stakeholder already on the map: the same name after normalising
        first = endpoint.stored[body["id"]]
        assert normalise_name(first) == normalise_name(kept)
        return
    assert endpoint.read(site.client, body) == kept, (endpoint.name, repr(text))
    if endpoint.edit:
        return
    endpoint.stored[body["id"]] = kept


def fuzz(site: Site, endpoint: Endpoint) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(text=TEXT)
    def post_it(text: str) -> None:
        check_answer(site, endpoint, text)

    post_it()
    # Plain text with a right-to-left word is taken: the endpoint is a way in, not a door always shut.
    plain = endpoint.post(site.client, "Wohnen مرحبا 1")
    assert plain.status_code in (200, 201), (endpoint.name, plain.status_code, plain.text[:300])
    # Whatever was stored during the run is still there, unchanged.
    for made_id, kept in endpoint.stored.items():
        assert endpoint.read is not None
        assert endpoint.read(site.client, {"id": made_id}) == kept, endpoint.name


def test_generated_text_gets_a_clear_answer_and_reads_back_normalised(site: Site) -> None:
    for endpoint in endpoints(site) + more_endpoints(site):
        fuzz(site, endpoint)
