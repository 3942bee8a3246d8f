"""Erase means erased on the projector's newer views of a needs board: a card in the spotlight and in the word
cloud (`domain/board/projection.py`) leaves both when its author erases it."""

import httpx

from cowork.live.hub import PARTICIPANT_COOKIE
from tests.conftest import World
from tests.test_erase import EDITED, KEPT, ORIGINAL, _ok, leaks


async def test_an_erased_card_leaves_the_projectors_spotlight_and_word_cloud(
    world: World, client: httpx.AsyncClient
) -> None:
    """The projector's newer views of a needs board (a card full screen, the board's words as a cloud) came
    after the erase: a card erased while it is in the spotlight and in the cloud leaves both, the cloud keeps
    the other cards' words, and the record's projection steps never held its words."""
    staff = httpx.AsyncClient(
        transport=client._transport,
        base_url="http://testserver",
        headers={"Authorization": f"Bearer {world.api_token}"},
    )
    workshop = await _ok(
        await staff.post("/api/v1/workshops", json={"title": "Lab", "format": "co-working-lab"})
    )
    wid, code = workshop["id"], workshop["code"]
    needs = next(s["id"] for s in workshop["stages"] if s["kind"] == "needs")
    key = workshop["projector_url"].rsplit("/", 1)[1]
    signed_in = await staff.post(
        "/login", data={"email": "fac@example.org", "password": "correct horse battery"}
    )
    assert signed_in.status_code == 303
    await _ok(await staff.post(f"/api/v1/workshops/{wid}/current-stage", json={"stage_id": needs}))
    author = await _ok(await client.post(f"/api/v1/join/{code}", json={"name": "Amira"}))
    neighbour = await _ok(await client.post(f"/api/v1/join/{code}", json={"name": "Ben"}))
    phone = httpx.AsyncClient(transport=client._transport, base_url="http://testserver")
    phone.cookies.set(PARTICIPANT_COOKIE.format(workshop_id=wid), author["token"])
    written = await phone.post(
        f"/j/{code}/cards",
        data={"text": f"{ORIGINAL} with the landlord", "stage_id": str(needs), "category": "housing"},
    )
    assert written.status_code == 303, written.text
    card_id = int((await phone.get(f"/j/{code}/mine")).text.split('id="my-card-')[1].split('"')[0])
    await _ok(
        await client.post(
            f"/api/v1/stages/{needs}/contributions",
            json={"text": KEPT, "category": "housing"},
            headers={"Authorization": f"Bearer {neighbour['token']}"},
        )
    )
    await _ok(await staff.patch(f"/api/v1/contributions/{card_id}", json={"text": f"{EDITED} and eviction"}))

    cloud_url = f"/s/{key}/stages/{needs}/word-cloud"
    assert (await staff.post(f"/f/stages/{needs}/word-cloud", data={"word_cloud": "on"})).status_code == 303
    assert leaks((await phone.get(cloud_url)).text) == [EDITED]  # the cloud showed its words
    spot = await staff.post(f"/f/stages/{needs}/spotlight", data={"card_id": str(card_id)})
    assert spot.status_code == 303
    spotlit = (await phone.get(f"/s/{key}/stage")).text
    assert 'id="spotlight"' in spotlit and leaks(spotlit) == [EDITED]  # full screen on the projector

    assert (await phone.post(f"/j/{code}/cards/{card_id}/erase")).status_code == 303
    found = []
    for reader, url in [
        (phone, f"/s/{key}"),
        (phone, f"/s/{key}/stage"),
        (phone, cloud_url),
        (phone, f"/j/{code}/stage"),
        (staff, f"/f/w/{wid}/stage"),
        (staff, f"/api/v1/workshops/{wid}/events?limit=1000"),
        (staff, f"/api/v1/stages/{needs}/suggestions"),  # the board's other search-like view
        (staff, f"/f/stages/{needs}/suggestions"),
    ]:
        answer = await reader.get(url)
        assert answer.status_code == 200, url
        found += [(url, word) for word in leaks(answer.text)]
    assert not found, found
    projected = (await phone.get(f"/s/{key}/stage")).text
    assert 'id="spotlight"' not in projected and "Childcare" in projected  # back to the cloud, without it
    await staff.aclose()
    await phone.aclose()
