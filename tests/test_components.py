"""The design system's components (templates/components.html): one macro per component, whichever road a
card takes to a screen. A card on the console's first load, the console's htmx answer after a moderation post
and the socket push to the staff room must be the same markup, or a screen would change its looks when it
updates."""

import re

from tests.conftest import ThreadServer, World, patient
from tests.test_live import _post, screen


def _card_in_page(page: str, card_id: int) -> str:
    """The card's <li> as the page has it (a card outside a cluster holds no other <li>)."""
    start = page.index(f'id="card-{card_id}"')
    start = page.rindex("<li", 0, start)
    return page[start : page.index("</li>", start) + len("</li>")]


def _comparable(html: str) -> str:
    # A push leaves the edit box empty (the page script fills it from the card's text when it is opened) so
    # a long card is not sent three times, and squeezes the indentation between tags (a browser draws it as
    # at most one space): the two places where the roads may differ.
    html = re.sub(r"(<textarea[^>]*>).*?(</textarea>)", r"\1\2", html.strip(), flags=re.S)
    return re.sub(r">\s+<", "><", html)


async def test_a_card_is_the_same_markup_on_the_page_after_an_htmx_post_and_in_a_push(
    server: ThreadServer, world: World
) -> None:
    _, ana = world.join()
    card = await _post(server, ana, world.stage_id, "A bus pass for the first month of work")
    async with (
        patient.AsyncClient(base_url=server.url) as console,
        screen(server, {"token": world.api_token, "workshop_id": world.workshop.id}) as staff,
    ):
        signed_in = await console.post(
            "/login", data={"email": "fac@example.org", "password": "correct horse battery"}
        )
        assert signed_in.status_code == 303
        swap = await console.post(
            f"/f/cards/{card['id']}", data={"action": "hide"}, headers={"HX-Request": "true"}
        )
        pushed = await staff.wait_for(lambda e: e["type"] == "card.updated")
        page = (await console.get(f"/f/w/{world.workshop.id}")).text

    assert swap.status_code == 200
    [push] = [s["html"] for s in pushed["swaps"] if s["target"] == f"#card-{card['id']}"]
    on_page = _card_in_page(page, card["id"])
    # What all three must show: the hidden card with its text, its author and the tools to show it again.
    assert 'class="card card-hidden"' in on_page and "A bus pass for the first month of work" in on_page
    assert '<span class="badge">Hidden from participants</span>' in on_page
    assert 'name="action" value="show"' in on_page and "Ana" in on_page
    assert "A bus pass for the first month of work</textarea>" not in push  # the push's empty edit box
    assert _comparable(swap.text) == _comparable(on_page)
    assert _comparable(push) == _comparable(on_page)
