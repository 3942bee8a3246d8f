"""The organisation's formats through the JSON API of a running server: list, import, export, delete."""

import re

import httpx

from cowork.domain import workshops
from cowork.domain.board import cards as board
from cowork.domain.program import stages as design
from tests.conftest import ThreadServer, World, patient, run

TOML = {"Content-Type": "application/toml"}

OURS = """id = "our-retro"
title = { en = "Our retro", de = "Unsere Retro", es = "Nuestra retro" }
max_participants = 12

[[stages]]
kind = "board"
minutes = 30
title = { en = "What went well", de = "Was gut lief", es = "Qué fue bien" }

[[stages.categories]]
key = "well"
label = { en = "Went well", de = "Lief gut", es = "Fue bien" }

[[stages]]
kind = "evaluation"
minutes = 5
title = { en = "Feedback", de = "Rückmeldung", es = "Opinión" }
questionnaire = "general"
"""


def _api(server: ThreadServer, world: World) -> httpx.Client:
    return patient.Client(
        base_url=f"{server.url}/api/v1", headers={"Authorization": f"Bearer {world.api_token}"}
    )


def test_an_imported_format_is_listed_beside_the_built_in_ones_and_exports_the_same_bytes(
    server: ThreadServer, world: World
) -> None:
    with _api(server, world) as api:
        created = api.post("/formats", content=OURS.encode(), headers=TOML)
        assert created.status_code == 201, created.text
        assert created.json()["source"] == "organisation" and created.json()["title"] == "Our retro"

        listed = {f["id"]: f["source"] for f in api.get("/formats").json()}
        assert listed["our-retro"] == "organisation" and listed["plain"] == "builtin"
        # Without a facilitator's token the organisation's formats stay inside.
        public = patient.get(f"{server.url}/api/v1/formats").json()
        assert {f["source"] for f in public} == {"builtin"}

        exported = api.get("/formats/our-retro.toml")
        assert exported.status_code == 200
        assert exported.headers["content-type"].startswith("application/toml")
        again = api.post("/formats?replace=true", content=exported.content, headers=TOML)
        assert again.status_code == 201, again.text
        assert api.get("/formats/our-retro.toml").content == exported.content

        german = {f["id"]: f for f in api.get("/formats?lang=de").json()}["our-retro"]
        assert [s["title"] for s in german["stages"]] == ["Was gut lief", "Rückmeldung"]

        # A workshop starts from it with its stages.
        made = api.post("/workshops", json={"title": "Retro 2027", "format": "our-retro"})
        assert made.status_code == 201, made.text
        assert [(s["kind"], s["title"]["en"], s["minutes"]) for s in made.json()["stages"]] == [
            ("board", "What went well", 30),
            ("evaluation", "Feedback", 5),
        ]
        assert made.json()["stages"][0]["categories"][0]["key"] == "well"
        # Its participant limit and its name follow the workshop to the projector and the report.
        screen = patient.get(made.json()["projector_url"])
        assert 'data-capacity-limit="12"' in screen.text
        report = api.get(f"/workshops/{made.json()['id']}/export", params={"format": "md"})
        assert report.status_code == 200 and "Format: Our retro" in report.text


def test_the_same_id_twice_a_built_in_id_and_deleting(server: ThreadServer, world: World) -> None:
    with _api(server, world) as api:
        assert api.post("/formats", content=OURS.encode(), headers=TOML).status_code == 201
        twice = api.post("/formats", content=OURS.encode(), headers=TOML)
        assert twice.status_code == 409 and "has a format our-retro already" in twice.json()["detail"]

        plain = api.get("/formats/plain.toml")
        assert plain.status_code == 200 and plain.text.startswith('id = "plain"\n')
        builtin = api.post("/formats", content=plain.content, headers=TOML)
        assert builtin.status_code == 409 and "plain is a built-in format" in builtin.json()["detail"]

        refused = api.delete("/formats/plain")
        assert refused.status_code == 409
        assert refused.json()["detail"] == "plain is a built-in format; it cannot be changed or deleted."

        renamed = api.patch("/formats/our-retro", json={"title": "Team retro"})
        assert renamed.status_code == 200 and renamed.json()["title"] == "Team retro"
        assert api.delete("/formats/our-retro").status_code == 204
        assert api.delete("/formats/our-retro").status_code == 404
        assert api.get("/formats/our-retro.toml").status_code == 404
        assert "our-retro" not in {f["id"] for f in api.get("/formats").json()}


def test_a_file_that_is_not_a_format_is_refused_naming_the_line_or_the_field(
    server: ThreadServer, world: World
) -> None:
    with _api(server, world) as api:
        broken = OURS.replace('kind = "evaluation"', 'kind "evaluation"')
        syntax = api.post("/formats", content=broken.encode(), headers=TOML)
        assert syntax.status_code == 422
        line = broken.splitlines().index('kind "evaluation"') + 1
        assert f"not valid TOML: line {line}, column" in syntax.json()["detail"]

        wrong = OURS.replace("minutes = 5", "minutes = 0").replace('kind = "board"', 'kind = "boardd"')
        invalid = api.post("/formats", content=wrong.encode(), headers=TOML)
        assert invalid.status_code == 422
        detail = invalid.json()["detail"]
        assert detail.startswith("This is not a valid format: ")
        assert "stages[0].kind: Input should be 'information'" in detail
        assert "stages[1].minutes: Input should be greater than or equal to 1" in detail

        missing = OURS.replace(', es = "Qué fue bien"', "")
        german_only = api.post("/formats", content=missing.encode(), headers=TOML)
        assert german_only.status_code == 422
        assert "stages[0].title: needs a text in es" in german_only.json()["detail"]

        no_text = api.post("/formats", content=b"\xff\xfe", headers=TOML)
        assert no_text.status_code == 422 and no_text.json()["detail"] == "A format file is UTF-8 text."
        nul = OURS.replace("Went well", "Went\\u0000well")
        assert api.post("/formats", content=nul.encode(), headers=TOML).status_code == 422
        assert "our-retro" not in {f["id"] for f in api.get("/formats").json()}
        # A file saved by a Windows editor (a BOM, CRLF line ends) is the same format.
        windows = ("\ufeff" + OURS.replace("\n", "\r\n")).encode()
        assert api.post("/formats", content=windows, headers=TOML).status_code == 201
        assert api.get("/formats/our-retro.toml").text.startswith('id = "our-retro"\ntitle')


def test_a_participant_token_cannot_import_and_no_token_cannot_export(
    server: ThreadServer, world: World
) -> None:
    _participant, token = world.join()
    phone = patient.post(
        f"{server.url}/api/v1/formats",
        content=OURS.encode(),
        headers={**TOML, "Authorization": f"Bearer {token}"},
    )
    assert phone.status_code == 403
    assert patient.get(f"{server.url}/api/v1/formats/plain.toml").status_code == 401


def test_a_workshop_saved_as_a_format_from_the_console_exports_what_its_agenda_holds(
    server: ThreadServer, world: World
) -> None:
    """The console's form post; then the API gives its TOML and a workshop made from it."""
    run(
        world.engine,
        design.add_stage,
        actor=world.facilitator,
        workshop_id=world.workshop.id,
        kind="evaluation",
        title="Wie war's?",
        minutes=7,
        position=1,
        settings={"questions": [{"type": "text", "text": "Was nehmen Sie mit?"}]},
    )
    world.join(name="Ana")
    run(world.engine, board.add_card, actor=world.facilitator, stage_id=world.stage_id, text="Childcare late")
    with patient.Client(base_url=server.url, follow_redirects=False) as page:
        page.post("/login", data={"email": "fac@example.org", "password": "correct horse battery"})
        saved = page.post(f"/f/w/{world.workshop.id}/format", data={"name": "Kurzformat"})
        # No fragment: the page focuses its message instead (a target element would win over autofocus).
        assert saved.status_code == 303 and saved.headers["location"].endswith("?saved=kurzformat")
        again = page.post(f"/f/w/{world.workshop.id}/format", data={"name": "kurzformat"})
        assert again.status_code == 409 and "Replace it with this agenda?" in again.text
        replaced = page.post(f"/f/w/{world.workshop.id}/format", data={"name": "kurzformat", "replace": "1"})
        assert replaced.status_code == 303
        download = page.get(f"/f/w/{world.workshop.id}/format.toml")
        assert download.headers["content-disposition"] == 'attachment; filename="co-working-lab.toml"'
        # The panel's list: renamed (the key stays), a built-in refused beside the list.
        renamed = page.post(f"/f/w/{world.workshop.id}/formats/kurzformat/rename", data={"name": "Kurz"})
        assert renamed.status_code == 303
        console = page.get(renamed.headers["location"])
        assert (
            "The format was renamed." in console.text and '<strong dir="auto">Kurz</strong>' in console.text
        )
        refused = page.post(f"/f/w/{world.workshop.id}/formats/plain/delete")
        assert refused.status_code == 409
        assert 'id="format-list-message">plain is a built-in format; it cannot be changed' in refused.text
        uploaded = page.post(
            f"/f/w/{world.workshop.id}/formats/import",
            files={"file": ("ours.toml", OURS.encode(), "application/toml")},
        )
        assert uploaded.status_code == 303 and "imported=our-retro" in uploaded.headers["location"]
        gone = page.post(f"/f/w/{world.workshop.id}/formats/our-retro/delete")
        assert gone.status_code == 303
        assert "our-retro" not in page.get(gone.headers["location"]).text
    with _api(server, world) as api:
        text = api.get("/formats/kurzformat.toml").text
        # The German-only title and question show in every language (as the screens showed them).
        assert 'title = { en = "Wie war\'s?", de = "Wie war\'s?", es = "Wie war\'s?" }' in text
        assert re.search(r'\[\[stages\.questions\]\]\nid = "q1"\ntype = "text"\ntext = \{ en = "Was', text)
        assert "Ana" not in text and "Childcare" not in text  # nothing of its people or contributions
        made = api.post("/workshops", json={"title": "Again", "format": "kurzformat"}).json()
    with_stages = run(world.engine, lambda tx: workshops.stages_of(tx.session, workshop_id=made["id"]))
    source = run(world.engine, lambda tx: workshops.stages_of(tx.session, workshop_id=world.workshop.id))
    assert [(s.kind, s.title["en"], s.minutes) for s in with_stages] == [
        (s.kind, s.title.get("en") or s.title["de"], s.minutes) for s in source
    ]
    assert with_stages[1].config["questions"][0]["text"]["de"] == "Was nehmen Sie mit?"
