"""The console's Suggest panel as plain pages: it opens and folds without JavaScript, for its facilitator.

The panel's own behaviour in a browser (beside the board, by keyboard, axe) is in test_suggestions_browser.py.
"""

import httpx

from tests.board.test_needs_board import Lab, open_lab
from tests.conftest import World, make_facilitator

FACILITATOR = {"email": "fac@example.org", "password": "correct horse battery"}


async def test_the_console_offers_the_panel_first_and_close_folds_it_back_to_its_button(
    client: httpx.AsyncClient, world: World
) -> None:
    lab: Lab = open_lab(world)
    assert (await client.post("/login", data=FACILITATOR)).status_code == 303
    console = (await client.get(f"/f/w/{lab.workshop.id}")).text
    button = console.index("Suggest how to sort the cards")
    assert button < console.index(f'id="board-{lab.stage_id}"'), "the panel's button comes before the board"

    closed = f"/f/stages/{lab.stage_id}/suggestions/closed"
    plain = await client.get(closed)  # without JavaScript, Close is the way back to the console
    assert plain.status_code == 303 and plain.headers["location"] == f"/f/w/{lab.workshop.id}"
    fragment = await client.get(closed, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert 'class="suggest suggest-closed"' in fragment.text
    assert "Suggest how to sort the cards" in fragment.text and "<html" not in fragment.text

    opened = await client.get(f"/f/stages/{lab.stage_id}/suggestions", headers={"HX-Request": "true"})
    assert "Close the suggestions" in opened.text
    page = await client.get(f"/f/stages/{lab.stage_id}/suggestions")  # its own page: the link back, no Close
    assert "Back to the board" in page.text and "Close the suggestions" not in page.text


async def test_only_the_workshops_facilitator_may_fold_its_panel(
    client: httpx.AsyncClient, world: World
) -> None:
    lab: Lab = open_lab(world)
    make_facilitator(lab.engine, "other@example.org")
    await client.post("/login", data={**FACILITATOR, "email": "other@example.org"})
    refused = await client.get(f"/f/stages/{lab.stage_id}/suggestions/closed", headers={"HX-Request": "true"})
    assert refused.status_code == 403 and "facilitators may do this." in refused.text
    missing = await client.get("/f/stages/99999/suggestions/closed")
    assert missing.status_code == 404
