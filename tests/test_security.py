"""Nobody where they do not belong: headers, cross-site posts, code guessing, inert text, hashed secrets."""

import logging
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import select

from cowork.db import read_session
from cowork.domain import workshops
from cowork.domain.models import ApiToken, Participant, User
from cowork.logs import JsonFormatter
from cowork.settings import Settings
from cowork.web.throttle import Throttle
from tests.conftest import SECRET, ThreadServer, World, free_port, make_facilitator, patient, run

NASTY = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<div hx-get="/f" hx-trigger="load">x</div>',
    "{{7*7}} {% print 1 %}",
    "Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichen" * 5,
    "مرحبا بالجميع — שלום",
]


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_every_page_carries_a_csp_without_inline_script(
    client: httpx.AsyncClient, world: World
) -> None:
    for path in ["/", f"/j/{world.workshop.code}", f"/s/{world.workshop.projector_key}", "/login"]:
        response = await client.get(path)
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "<script>" not in response.text and " on" + "click=" not in response.text
        assert response.headers["x-content-type-options"] == "nosniff"
        # The projector alone may be framed, by its own origin (the console's preview); no other site may.
        projector = path.startswith("/s/")
        assert ("frame-ancestors 'self'" if projector else "frame-ancestors 'none'") in csp
        assert response.headers["x-frame-options"] == ("SAMEORIGIN" if projector else "DENY")


async def test_a_form_posted_from_another_site_is_refused(client: httpx.AsyncClient, world: World) -> None:
    await client.post(f"/j/{world.workshop.code}", data={"name": "Ana"})  # the phone now has its cookie
    card = {"stage_id": str(world.stage_id), "text": "forged"}
    forged = await client.post(
        f"/j/{world.workshop.code}/cards", data=card, headers={"Origin": "https://evil.example"}
    )
    assert forged.status_code == 403 and "another website" in forged.json()["detail"]
    fetch_meta = await client.post(
        f"/j/{world.workshop.code}/cards", data=card, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert fetch_meta.status_code == 403
    own = await client.post(
        f"/j/{world.workshop.code}/cards", data=card, headers={"Origin": "http://testserver"}
    )
    assert own.status_code == 303
    staff = await client.get(f"/api/v1/stages/{world.stage_id}/contributions", headers=_auth(world.api_token))
    assert [c["text"] for c in staff.json()["items"]] == ["forged"]  # only the same-site post was stored


async def test_guessing_join_codes_is_throttled_but_phones_with_the_right_code_still_join(
    client: httpx.AsyncClient, world: World
) -> None:
    statuses = [(await client.post(f"/api/v1/join/WRONG{i}", json={})).status_code for i in range(14)]
    assert statuses[:12] == [404] * 12
    assert statuses[12:] == [429, 429]
    refused = await client.post(f"/api/v1/join/{world.workshop.code}", json={})
    assert refused.status_code == 429
    assert "wrong code" in refused.json()["detail"] and refused.headers["retry-after"] == "60"
    # A phone in the same venue (same address) that opened the join page has its own device cookie.
    async with httpx.AsyncClient(transport=client._transport, base_url="http://testserver") as phone:
        page = await phone.get(f"/j/{world.workshop.code}")
        assert page.status_code == 200 and "cowork_device" in phone.cookies
        joined = await phone.post(f"/j/{world.workshop.code}", data={"name": "Genuine"})
        assert joined.status_code == 200 and "Genuine" in joined.text  # the phone page


async def test_a_guessing_device_is_refused_even_for_the_page(
    client: httpx.AsyncClient, world: World
) -> None:
    await client.get(f"/j/{world.workshop.code}")  # gets a signed device cookie
    assert "cowork_device" in client.cookies
    for i in range(12):
        assert (await client.get(f"/j/WRONG{i}")).status_code == 404
    blocked = await client.get("/j/WRONG99")
    assert blocked.status_code == 429 and "Please wait a minute" in blocked.text


def test_the_default_join_budget_admits_a_plenary_of_2000_behind_one_address_within_two_minutes() -> None:
    defaults = Settings(secret_key=SECRET)
    plenary, minutes = 2000, 2
    assert defaults.joins_per_code_per_minute * minutes >= plenary  # every phone joins the one code
    assert defaults.devices_per_address_per_minute * minutes >= plenary  # each with its own device id
    # A guesser still has 12 wrong codes a minute per device, and 12 per address without one.
    assert Throttle.failures_per_client.amount == 12


def test_a_burst_of_joins_from_one_address_is_admitted_up_to_the_budget(
    tmp_path: Path, db_url: str, engine: Engine
) -> None:
    """Phones behind one NAT address, each with its own cookies, join at once: every one within the budget
    joins (the budget is scaled down here so the test stays quick; the arithmetic above checks the default).
    """
    budget = 15
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=db_url,
        secret_key=SECRET,
        public_base_url=f"http://127.0.0.1:{free_port()}",
        joins_per_code_per_minute=budget,
        devices_per_address_per_minute=budget,
    )
    facilitator, _token = make_facilitator(engine)
    code = run(engine, workshops.create_workshop, actor=facilitator, title="Plenary").code

    def scan(i: int) -> tuple[bool, int, str]:
        with patient.Client(base_url=settings.public_base_url) as phone:
            page = phone.get(f"/j/{code}")
            joined = phone.post(f"/j/{code}", data={"name": f"Phone {i}"})
            return (
                "cowork_device" in phone.cookies and page.status_code == 200,
                joined.status_code,
                joined.text,
            )

    with ThreadServer(settings), ThreadPoolExecutor(8) as pool:
        phones = list(pool.map(scan, range(budget)))
        late = scan(budget)
    assert all(has_device for has_device, _status, _text in phones)
    assert [status for _device, status, _text in phones] == [200] * budget  # the phone page
    assert all("data-last-seq" in text for _device, _status, text in phones)
    assert late[1] == 429 and "Many people are joining right now" in late[2]


async def test_a_forged_device_cookie_counts_as_none(client: httpx.AsyncClient, world: World) -> None:
    for i in range(12):
        client.cookies.set("cowork_device", f"forged-{i}")
        await client.post(f"/api/v1/join/WRONG{i}", json={})
    client.cookies.set("cowork_device", "forged-x")
    forged = await client.post("/api/v1/join/WRONGX", json={})
    assert forged.status_code == 429


@pytest.mark.parametrize("text", NASTY)
async def test_user_text_is_inert_on_every_screen(client: httpx.AsyncClient, world: World, text: str) -> None:
    await client.post(f"/j/{world.workshop.code}", data={"name": text[:80]})
    sent = await client.post(
        f"/j/{world.workshop.code}/cards", data={"stage_id": str(world.stage_id), "text": text}
    )
    assert sent.status_code == 303
    await client.post("/login", data={"email": "fac@example.org", "password": "correct horse battery"})
    for path in [
        f"/j/{world.workshop.code}/stage",
        f"/s/{world.workshop.projector_key}",
        f"/f/w/{world.workshop.id}",
    ]:
        page = (await client.get(path)).text
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert 'hx-trigger="load"' not in page
        assert "49" not in re.findall(r'class="card-text"[^>]*>([^<]*)<', page)
    if "<" in text:
        assert text.replace("<", "&lt;").replace(">", "&gt;")[:20] in page.replace("&#34;", '"')


async def test_secrets_are_stored_only_as_digests(client: httpx.AsyncClient, world: World) -> None:
    joined = (await client.post(f"/api/v1/join/{world.workshop.code}", json={})).json()
    assert len(joined["token"]) >= 43  # 256 bits, URL-safe base64
    with read_session(world.engine) as session:
        stored = [p.token_hash for p in session.exec(select(Participant))]
        api_tokens = [t.token_hash for t in session.exec(select(ApiToken))]
        password_hash = session.exec(select(User)).one().password_hash
    assert joined["token"] not in stored and world.api_token not in api_tokens
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in stored + api_tokens)
    assert password_hash.startswith("$argon2id$")


async def test_logs_name_routes_but_never_codes_keys_or_text(
    client: httpx.AsyncClient, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    secret_text = "My landlord Mr Schmidt refuses the deposit"
    cowork_logger = logging.getLogger("cowork")
    caplog.handler.setFormatter(JsonFormatter())
    cowork_logger.addHandler(caplog.handler)
    try:
        await client.post(f"/j/{world.workshop.code}", data={"name": "Amira Haddad"})
        await client.post(
            f"/j/{world.workshop.code}/cards", data={"stage_id": str(world.stage_id), "text": secret_text}
        )
        await client.get(f"/s/{world.workshop.projector_key}")
    finally:
        cowork_logger.removeHandler(caplog.handler)
    logged = caplog.text
    assert '"route": "/j/{code}/cards"' in logged and '"route": "/s/{key}"' in logged
    for private in (secret_text, "Amira", world.workshop.code, world.workshop.projector_key):
        assert private not in logged
