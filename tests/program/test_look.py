"""The workshop's own look on the projector (issue 14): a logo that is safe to show, an accent colour.

Through the JSON API: a good PNG, JPEG or SVG is kept and served with a CSP that allows nothing; every
refused file or colour answers a 4xx with a sentence and leaves the look and the record as they were.
"""

import io
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlmodel import select

from cowork.domain.models import Event
from cowork.domain.program import look
from tests.conftest import World, run

GOOD_SVG = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 120 40">
  <defs><linearGradient id="g"><stop offset="0" stop-color="#1a7f5a"/><stop offset="1" stop-color="#0b5cad"/>
  </linearGradient></defs>
  <style>.t { font: bold 20px sans-serif; }</style>
  <rect width="120" height="40" rx="6" fill="url(#g)"/>
  <use xlink:href="#g"/>
  <text x="10" y="27" class="t" fill="#fff">Lab</text>
</svg>"""


def _svg(inner: str, attrs: str = "") -> bytes:
    return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"{attrs}>{inner}</svg>'.encode()


def png(width: int = 200, height: int = 80) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (26, 127, 90, 255)).save(out, "PNG")
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (52.0, 31.0, 0.0)}  # GPSInfo: where the phone took it
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 40, 40)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def _auth(world: World) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.api_token}"}


def _url(world: World, what: str) -> str:
    return f"/api/v1/workshops/{world.workshop.id}/{what}"


def _state(world: World) -> tuple[Any, int]:
    """What is stored: the look's row and the workshop's number of events."""

    def read(tx: Any) -> tuple[Any, int]:
        row = tx.session.get(look.WorkshopLook, world.workshop.id)
        events = tx.session.exec(select(Event).where(Event.workshop_id == world.workshop.id)).all()
        stored = None if row is None else (row.accent, row.logo, row.logo_type, row.logo_digest)
        return stored, len(events)

    return run(world.engine, read)


async def test_a_png_is_kept_re_encoded_and_served_with_a_csp_that_allows_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    answer = await client.put(_url(world, "logo"), content=png(), headers=_auth(world))
    assert answer.status_code == 200, answer.text
    logo = answer.json()["logo"]
    assert logo["type"] == "image/png" and logo["bytes"] > 0
    served = await client.get(logo["url"])
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/png"
    assert served.headers["content-security-policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    assert served.headers["x-content-type-options"] == "nosniff"
    with Image.open(io.BytesIO(served.content)) as image:
        assert (image.format, image.size) == ("PNG", (200, 80))
    # The record says that a logo was set, never what it looks like.
    event = await client.get(f"/api/v1/workshops/{world.workshop.id}/events", headers=_auth(world))
    last = event.json()["events"][-1]
    assert last["type"] == "look.changed"
    assert last["data"]["logo"] == {"type": "image/png", "bytes": logo["bytes"], "sha256": logo["sha256"]}


async def test_a_jpeg_loses_its_exif_and_with_it_the_place_it_was_taken(
    client: httpx.AsyncClient, world: World
) -> None:
    answer = await client.put(_url(world, "logo"), content=jpeg_with_gps(), headers=_auth(world))
    assert answer.status_code == 200, answer.text
    served = await client.get(answer.json()["logo"]["url"])
    assert served.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(served.content)) as image:
        assert image.format == "JPEG" and not image.getexif()


async def test_a_clean_svg_is_kept_as_it_was_sent_and_served_as_svg(
    client: httpx.AsyncClient, world: World
) -> None:
    answer = await client.put(_url(world, "logo"), content=GOOD_SVG, headers=_auth(world))
    assert answer.status_code == 200, answer.text
    served = await client.get(answer.json()["logo"]["url"])
    assert served.headers["content-type"] == "image/svg+xml"
    assert served.headers["content-security-policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.content == GOOD_SVG


REFUSED = [
    ("script", _svg("<script>alert(1)</script>"), 422, "script"),
    (
        "script in another namespace",
        _svg('<h:script xmlns:h="http://www.w3.org/1999/xhtml"/>'),
        422,
        "script",
    ),
    ("event handler", _svg("<rect/>", ' onload="alert(1)"'), 422, "onload"),
    ("handler on a child", _svg('<rect width="5" height="5" onclick="alert(1)"/>'), 422, "onclick"),
    ("external href", _svg('<image href="https://tracker.example/p.png"/>'), 422, "tracker.example"),
    (
        "external xlink",
        _svg('<use xmlns:x="http://www.w3.org/1999/xlink" x:href="other.svg#a"/>'),
        422,
        "other",
    ),
    ("javascript link", _svg('<a href="javascript:alert(1)"><rect/></a>'), 422, "javascript"),
    ("css import", _svg("<style>@import url(https://x.example/a.css);</style>"), 422, "@import"),
    ("css url", _svg('<rect style="fill: url(https://x.example/p.svg#f)"/>'), 422, "x.example"),
    ("foreignObject", _svg("<foreignObject><p>hi</p></foreignObject>"), 422, "foreignobject"),
    (
        "entity",
        b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
        422,
        "entities",
    ),
    (
        "stylesheet instruction",
        b'<?xml-stylesheet href="https://x.example/a.css"?>' + _svg(""),
        422,
        "outside",
    ),
    ("too big", png()[:64] + b"\0" * (501 * 1024), 413, "500 KB"),
    ("a GIF named logo.png", b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + b"\0" * 20, 415, "PNG, JPEG or SVG"),
    ("HTML named logo.svg", b"<html><body><script>alert(1)</script></body></html>", 415, "PNG, JPEG or SVG"),
    ("text", b"just some words", 415, "PNG, JPEG or SVG"),
    ("a broken PNG", png()[:40], 422, "cannot be read"),
    ("empty", b"", 422, "empty"),
]


@pytest.mark.parametrize(("what", "content", "status", "said"), REFUSED, ids=[r[0] for r in REFUSED])
async def test_a_refused_logo_says_why_and_changes_nothing(
    client: httpx.AsyncClient, world: World, what: str, content: bytes, status: int, said: str
) -> None:
    kept = await client.put(_url(world, "logo"), content=png(), headers=_auth(world))
    assert kept.status_code == 200
    before = _state(world)
    answer = await client.put(
        _url(world, "logo"), content=content, headers={**_auth(world), "Content-Type": "image/png"}
    )
    assert answer.status_code == status, answer.text
    assert said.lower() in answer.json()["detail"].lower()
    assert answer.json()["detail"].endswith(".")
    assert _state(world) == before
    assert (await client.get(kept.json()["logo"]["url"])).status_code == 200


@pytest.mark.parametrize("colour", ["red", "#12345", "#1234567", "#gg0000", "1a7f5a", "#1a7f5a; x"])
async def test_a_colour_that_is_not_rrggbb_is_refused_and_the_accent_stays(
    client: httpx.AsyncClient, world: World, colour: str
) -> None:
    await client.put(_url(world, "accent"), json={"accent": "#1A7F5A"}, headers=_auth(world))
    before = _state(world)
    answer = await client.put(_url(world, "accent"), json={"accent": colour}, headers=_auth(world))
    assert answer.status_code == 422
    assert "#1a7f5a" in answer.json()["detail"]  # the sentence shows how one is written
    assert _state(world) == before
    assert before[0][0] == "#1a7f5a"


async def test_the_accent_picks_black_or_white_text_and_reaches_the_projectors_stylesheet(
    client: httpx.AsyncClient, world: World
) -> None:
    dark = await client.put(_url(world, "accent"), json={"accent": "#1a3d7c"}, headers=_auth(world))
    assert dark.json()["accent_ink"] == "#ffffff"
    light = await client.put(_url(world, "accent"), json={"accent": "#ffd23f"}, headers=_auth(world))
    assert light.json()["accent_ink"] == "#000000"
    css = await client.get(f"/s/{world.workshop.projector_key}/look.css")
    assert css.headers["content-type"].startswith("text/css")
    assert "--brand: #ffd23f; --brand-ink: #000000;" in css.text
    back = await client.put(_url(world, "accent"), json={"accent": None}, headers=_auth(world))
    assert back.json()["accent"] is None
    assert (await client.get(f"/s/{world.workshop.projector_key}/look.css")).text == ""


@pytest.mark.parametrize(
    "accent", ["#000000", "#ffffff", "#777777", "#767676", "#ff0000", "#00ff00", "#0000ff"]
)
def test_text_on_any_accent_has_at_least_aa_contrast(accent: str) -> None:
    ink = look.accent_ink(accent)
    a, b = sorted([look.luminance(accent), look.luminance(ink)])
    assert (b + 0.05) / (a + 0.05) >= 4.5


async def test_removing_the_logo_leaves_the_projector_without_one(
    client: httpx.AsyncClient, world: World
) -> None:
    kept = await client.put(_url(world, "logo"), content=GOOD_SVG, headers=_auth(world))
    gone = await client.delete(_url(world, "logo"), headers=_auth(world))
    assert gone.status_code == 200 and gone.json()["logo"] is None
    assert (await client.get(kept.json()["logo"]["url"])).status_code == 404
    fragment = await client.get(f"/s/{world.workshop.projector_key}/look")
    assert "<img" not in fragment.text


async def test_another_facilitator_cannot_change_the_look(client: httpx.AsyncClient, world: World) -> None:
    from tests.conftest import make_facilitator

    _, other = make_facilitator(world.engine, email="other@example.org")
    answer = await client.put(
        _url(world, "logo"), content=png(), headers={"Authorization": f"Bearer {other}"}
    )
    assert answer.status_code == 403
    assert _state(world)[0] is None


async def test_an_imported_record_brings_the_accent_but_not_the_logo(
    client: httpx.AsyncClient, world: World
) -> None:
    await client.put(_url(world, "logo"), content=png(), headers=_auth(world))
    await client.put(_url(world, "accent"), json={"accent": "#1a7f5a"}, headers=_auth(world))
    exported = await client.get(_url(world, "export?format=json"), headers=_auth(world))
    imported = await client.post("/api/v1/workshops/import", content=exported.content, headers=_auth(world))
    assert imported.status_code == 201, imported.text
    copied = await client.get(
        f"/api/v1/workshops/{imported.json()['workshop_id']}/look", headers=_auth(world)
    )
    assert copied.json()["accent"] == "#1a7f5a"
    assert copied.json()["logo"] is None


# --- the console's form: plain posts without JavaScript, htmx swaps with it ---------------------------------


async def _signed_in(client: httpx.AsyncClient) -> None:
    await client.post("/login", data={"email": "fac@example.org", "password": "correct horse battery"})


async def test_the_console_form_works_as_a_plain_post_and_goes_back_to_the_console(
    client: httpx.AsyncClient, world: World
) -> None:
    await _signed_in(client)
    wid = world.workshop.id
    console = await client.get(f"/f/w/{wid}")
    assert f'action="/f/w/{wid}/look/logo"' in console.text and 'type="color"' in console.text
    sent = await client.post(f"/f/w/{wid}/look/logo", files={"logo": ("logo.svg", GOOD_SVG, "image/svg+xml")})
    assert sent.status_code == 303 and sent.headers["location"] == f"/f/w/{wid}#screen-look"
    typed = await client.post(f"/f/w/{wid}/look/accent", data={"accent": "#0b5cad", "accent_text": "#FFD23F"})
    assert typed.status_code == 303
    assert _state(world)[0][0] == "#ffd23f"  # the typed colour wins over the picker's
    projector = await client.get(f"/s/{world.workshop.projector_key}")
    assert 'class="projector-logo"' in projector.text and "look.css?v=ffd23f" in projector.text
    removed = await client.post(f"/f/w/{wid}/look/logo/remove")
    assert removed.status_code == 303 and _state(world)[0][1] is None


async def test_a_gif_named_logo_png_is_refused_on_the_console_with_a_sentence(
    client: httpx.AsyncClient, world: World
) -> None:
    await _signed_in(client)
    wid = world.workshop.id
    gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + b"\0" * 20
    plain = await client.post(f"/f/w/{wid}/look/logo", files={"logo": ("logo.png", gif, "image/png")})
    assert plain.status_code == 415
    assert "A logo must be a PNG, JPEG or SVG image." in plain.text
    assert f'href="/f/w/{wid}#screen-look"' in plain.text  # the way back
    swapped = await client.post(
        f"/f/w/{wid}/look/accent", data={"accent_text": "blue"}, headers={"HX-Request": "true"}
    )
    assert swapped.status_code == 422
    assert 'id="look-details" open' in swapped.text and "#1a7f5a" in swapped.text
    assert _state(world)[0] is None
