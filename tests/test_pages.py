"""The pages as a phone or laptop without JavaScript uses them: plain forms, redirects, visible messages."""

import re

import httpx
from sqlmodel import Session, select

from cowork.domain.models import Participant
from tests.conftest import World


async def test_a_phone_joins_by_code_and_lands_on_the_current_stage(
    client: httpx.AsyncClient, world: World
) -> None:
    form = await client.get(f"/j/{world.workshop.code}")
    assert form.status_code == 200
    assert '<form method="post"' in form.text and 'name="name"' in form.text and 'name="group"' in form.text
    joined = await client.post(
        f"/j/{world.workshop.code}", data={"name": "Amira", "group": "beneficiary", "language": "en"}
    )
    # The join answers with the phone page itself, which names its own address for the address bar.
    assert joined.status_code == 200
    assert f'data-page-url="/j/{world.workshop.code}/stage"' in joined.text
    cookie = joined.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    page = await client.get(f"/j/{world.workshop.code}/stage")
    assert page.status_code == 200
    for shown in (joined, page):
        assert "Ideas and needs" in shown.text and "Amira" in shown.text
        assert 'name="text"' in shown.text
    # The socket's catch-up starts where the page is: the same seq as the page asked for afterwards.
    assert _last_seq(joined.text) == _last_seq(page.text) > 0
    # Coming back to the join link later goes straight to the workshop.
    again = await client.get(f"/j/{world.workshop.code}")
    assert again.status_code == 303


async def test_the_join_form_takes_the_last_of_a_repeated_field_and_refuses_a_file_for_a_name(
    client: httpx.AsyncClient, world: World
) -> None:
    code = world.workshop.code
    joined = await client.post(
        f"/j/{code}",
        content=b"name=First&name=Ana&group=&language=es",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert joined.status_code == 200
    assert "Ana" in joined.text and "First" not in joined.text and 'lang="es"' in joined.text
    refused = await client.post(f"/j/{code}", files={"name": ("name.txt", b"Ana", "text/plain")})
    assert refused.status_code == 422 and "name" in refused.text
    assert "set-cookie" not in refused.headers


async def test_the_join_form_sent_again_by_a_phone_that_joined_shows_its_page_and_joins_nobody_new(
    client: httpx.AsyncClient, world: World
) -> None:
    """A browser without the script keeps the join's address (/j/CODE): a reload sends the form again."""
    code = world.workshop.code
    assert (await client.post(f"/j/{code}", data={"name": "Amira"})).status_code == 200
    again = await client.post(f"/j/{code}", data={"name": "Amira"})
    assert again.status_code == 303 and again.headers["location"] == f"/j/{code}/stage"
    assert "set-cookie" not in again.headers
    with Session(world.engine) as session:
        joined = session.exec(select(Participant).where(Participant.workshop_id == world.workshop.id)).all()
    assert [p.name for p in joined] == ["Amira"]


def _last_seq(page: str) -> int:
    return int(re.search(r'data-last-seq="(\d+)"', page)[1])  # type: ignore[index]


async def test_an_unknown_code_shows_a_page_that_says_so(client: httpx.AsyncClient) -> None:
    page = await client.get("/j/NOPE99")
    assert page.status_code == 404
    assert "No workshop has this code" in page.text


async def test_a_card_sent_without_javascript_appears_on_the_phone_and_the_projector(
    client: httpx.AsyncClient, world: World
) -> None:
    await client.post(f"/j/{world.workshop.code}", data={"name": "Ana"})
    sent = await client.post(
        f"/j/{world.workshop.code}/cards",
        data={"stage_id": str(world.stage_id), "text": "Housing near the job centre", "category": "need"},
    )
    assert sent.status_code == 303
    phone = await client.get(f"/j/{world.workshop.code}/stage")
    assert "Housing near the job centre" in phone.text
    projector = await client.get(f"/s/{world.workshop.projector_key}")
    assert re.search(r'id="col-\d+-need".*Housing near the job centre', projector.text, re.S)


async def test_a_refused_card_shows_the_reason_on_the_page_and_keeps_the_text(
    client: httpx.AsyncClient, world: World
) -> None:
    await client.post(f"/j/{world.workshop.code}", data={})
    long_text = "word " * 401
    refused = await client.post(
        f"/j/{world.workshop.code}/cards", data={"stage_id": str(world.stage_id), "text": long_text}
    )
    assert refused.status_code == 422
    assert "The card is too long" in refused.text
    assert long_text.strip() in refused.text  # nothing typed is lost
    empty = await client.post(
        f"/j/{world.workshop.code}/cards", data={"stage_id": str(world.stage_id), "text": ""}
    )
    assert empty.status_code == 422 and "Please write something" in empty.text


async def test_the_live_script_gets_json_answers(client: httpx.AsyncClient, world: World) -> None:
    await client.post(f"/j/{world.workshop.code}", data={})
    headers = {"X-Cowork-Fetch": "1", "Accept": "application/json"}
    ok = await client.post(
        f"/j/{world.workshop.code}/cards",
        data={"stage_id": str(world.stage_id), "text": "Via fetch", "client_id": "abc"},
        headers=headers,
    )
    again = await client.post(
        f"/j/{world.workshop.code}/cards",
        data={"stage_id": str(world.stage_id), "text": "Via fetch", "client_id": "abc"},
        headers=headers,
    )
    assert ok.status_code == 201 and ok.json() == again.json()
    assert set(ok.json()) == {"id", "seq", "approved"} and ok.json()["approved"] is True
    bad = await client.post(
        f"/j/{world.workshop.code}/cards",
        data={"stage_id": str(world.stage_id), "text": " "},
        headers=headers,
    )
    assert bad.status_code == 422 and "Please write something" in bad.json()["detail"]


async def test_writing_without_joining_sends_the_phone_to_the_join_form(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.post(
        f"/j/{world.workshop.code}/cards", data={"stage_id": str(world.stage_id), "text": "x"}
    )
    assert response.status_code == 303 and response.headers["location"] == f"/j/{world.workshop.code}"


async def test_a_facilitator_signs_in_creates_a_workshop_and_moderates_in_the_console(
    client: httpx.AsyncClient, world: World
) -> None:
    assert (await client.get("/f")).headers["location"].startswith("/login")
    wrong = await client.post("/login", data={"email": "fac@example.org", "password": "nope nope nope"})
    assert wrong.status_code == 403 and "not right" in wrong.text
    signed_in = await client.post(
        "/login", data={"email": "fac@example.org", "password": "correct horse battery"}
    )
    assert signed_in.status_code == 303
    dashboard = await client.get("/f")
    assert "Co-working lab" in dashboard.text
    created = await client.post(
        "/f/workshops", data={"title": "Regional workshop Leipzig", "format": "plain"}
    )
    assert created.status_code == 303
    console = await client.get(created.headers["location"])
    assert "Regional workshop Leipzig" in console.text and "/s/" in console.text

    untitled = await client.post("/f/workshops", data={"title": "  "})
    assert untitled.status_code == 422 and "needs a title" in untitled.text

    token = (await client.post(f"/api/v1/join/{world.workshop.code}", json={})).json()["token"]
    card = (
        await client.post(
            f"/api/v1/stages/{world.stage_id}/contributions",
            json={"text": "Moderate me"},
            headers={"Authorization": f"Bearer {token}"},
        )
    ).json()
    hidden = await client.post(
        f"/f/cards/{card['id']}", data={"action": "hide"}, headers={"HX-Request": "true"}
    )
    assert hidden.status_code == 200 and "Hidden from participants" in hidden.text
    stages = await client.get(f"/f/w/{world.workshop.id}")
    assert "Moderate me" in stages.text
    projector = await client.get(f"/s/{world.workshop.projector_key}")
    assert "Moderate me" not in projector.text


async def test_a_facilitator_cannot_open_another_facilitators_console(
    client: httpx.AsyncClient, world: World
) -> None:
    from cowork.domain import workshops
    from tests.conftest import make_facilitator, run

    other, _ = make_facilitator(world.engine, email="other@example.org")
    theirs = run(world.engine, workshops.create_workshop, actor=other, title="Not yours")
    await client.post("/login", data={"email": "fac@example.org", "password": "correct horse battery"})
    response = await client.get(f"/f/w/{theirs.id}")
    assert response.status_code == 403


async def test_the_interface_language_is_chosen_with_a_plain_form_and_remembered(
    client: httpx.AsyncClient,
) -> None:
    chosen = await client.post("/language", data={"lang": "de", "next": "/login"})
    assert chosen.status_code == 303 and chosen.headers["location"] == "/login"
    page = await client.get("/login")
    assert '<html lang="de">' in page.text and "Anmelden" in page.text
    ignored = await client.post("/language", data={"lang": "xx", "next": "https://evil.example/"})
    assert ignored.headers["location"] == "/f"  # only local targets, and unknown languages change nothing


async def test_the_projector_explains_how_to_join_in_every_language(
    client: httpx.AsyncClient, world: World
) -> None:
    page = (await client.get(f"/s/{world.workshop.projector_key}")).text
    for lang, words in [
        ("en", "Scan the QR code"),
        ("de", "Scannen Sie den QR-Code"),
        ("es", "Escanee el código QR"),
    ]:
        assert re.search(rf'<li lang="{lang}">{words}', page), lang
