"""More ways in for text: a workshop's copy, a join's details, formats (saved, renamed, a TOML file),
renames, a commitment from a proposal, paper ballots and a table's own board."""

import json
import unicodedata

import httpx

from tests.text_endpoints import Endpoint, Site, decided, json_request


def toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes, controls and surrogates escaped, the rest as it is.

    A high and a low surrogate side by side become the one character they make, as in the JSON bodies
    (the test judges every answer by the text the server reads)."""
    text = json.loads(json.dumps(text))
    escaped = (
        f"\\u{ord(ch):04x}" if ch in '"\\' or unicodedata.category(ch) in ("Cc", "Cs") else ch for ch in text
    )
    return '"' + "".join(escaped) + '"'


def further_endpoints(site: Site) -> list[Endpoint]:
    """Ways in beside the boards and the plan: a copy, a join, formats, renames, a table's own board."""
    stages, c = site.stages, site.client
    workshop_id, code = site.workshop["id"], site.workshop["code"]
    holder = c.post(
        f"/stages/{stages['stakeholders']}/stakeholders", json={"name": "Agentur", "family": "job_centre"}
    ).json()
    activity = c.post(f"/workshops/{workshop_id}/activities", json={"label": "Housing help"}).json()
    kept_format = c.post(f"/workshops/{workshop_id}/format", json={"title": "Our lab"}).json()
    proposal = c.post(f"/stages/{stages['action_plan']}/proposals", json={"title": "A mentor each"}).json()
    decided(site, proposal["id"])
    paper = c.post(
        f"/stages/{stages['action_plan']}/polls", json={"method": "approval", "options": [{"label": "A"}]}
    ).json()
    c.post(f"/polls/{paper['id']}/open").raise_for_status()
    table = c.post(f"/workshops/{workshop_id}/tables", json={"count": 1, "stage_id": stages["group_work"]})
    table_id = table.json()["tables"][0]["id"]
    plain_format = (
        'id = "fuzzed"\n[[stages]]\nkind = "board"\ntitle = { en = "Ideas", de = "Ideen", es = "Ideas" }\n'
    )

    def format_file(client: httpx.Client, text: str) -> httpx.Response:
        body = f'title = {{ en = {toml_string(text)}, de = "Labor", es = "Taller" }}\n{plain_format}'
        return client.post(
            "/formats?replace=true", content=body.encode(), headers={"Content-Type": "application/toml"}
        )

    return [
        Endpoint(
            "workshop copy title",
            "title",
            200,
            True,
            lambda cl, t: json_request(cl, "POST", f"/workshops/{workshop_id}/copy", {"title": t}),
            lambda cl, made: cl.get(f"/workshops/{made['id']}").json()["title"],
        ),
        *(
            Endpoint(
                f"participant {name}",
                name,
                0,
                True,
                lambda cl, t, name=name: json_request(cl, "POST", f"/join/{code}", {"name": "Ana", name: t}),
                plain=plain,
            )
            for name, plain in (("organisation", "Wohnen مرحبا 1"), ("group", "employer"))
        ),
        Endpoint(
            "format saved from the workshop",
            "title",
            0,
            True,
            lambda cl, t: json_request(cl, "POST", f"/workshops/{workshop_id}/format", {"title": t}),
        ),
        Endpoint(
            "format rename",
            "title",
            0,
            True,
            lambda cl, t: json_request(cl, "PATCH", f"/formats/{kept_format['id']}", {"title": t}),
            plain="Unser Labor مختبر",  # the format saved above took "Wohnen مرحبا 1"
        ),
        # A TOML file carries a control as an escape, and cannot carry a lone surrogate at all.
        Endpoint("format file", "title.en", 0, True, format_file, exact_surrogate=False),
        Endpoint(
            "stage title edit",
            "title",
            0,
            True,
            lambda cl, t: json_request(cl, "PATCH", f"/stages/{stages['needs']}", {"title": t}),
        ),
        Endpoint(
            "stakeholder rename",
            "name",
            0,
            True,
            lambda cl, t: json_request(cl, "PATCH", f"/stakeholders/{holder['id']}", {"name": t}),
            plain="Agentur für Arbeit שלום",  # "Wohnen مرحبا 1" is on the map already: a rename is refused
        ),
        Endpoint(
            "matrix activity rename",
            "label",
            0,
            True,
            lambda cl, t: json_request(
                cl, "PATCH", f"/workshops/{workshop_id}/activities/{activity['id']}", {"label": t}
            ),
        ),
        Endpoint(
            "commitment from a proposal",
            "owner",
            0,
            False,
            lambda cl, t: json_request(cl, "POST", f"/proposals/{proposal['id']}/commitment", {"owner": t}),
        ),
        Endpoint(
            "paper ballot group",
            "group",
            0,
            True,
            lambda cl, t: json_request(
                cl,
                "POST",
                f"/polls/{paper['id']}/paper-ballots",
                {"choices": {str(paper["options"][0]["id"]): True}, "group": t},
            ),
            plain="employer",
        ),
        Endpoint(
            "table board card",
            "text",
            0,
            False,
            lambda cl, t: json_request(
                cl, "POST", f"/tables/{table_id}/cards", {"text": t, "stage_id": stages["group_work"]}
            ),
        ),
    ]
