"""Suggestions for sorting the needs board: categories, groups and translations, offered and never applied.

The encoder is loaded once per test session (it is the worker's own, like in the app); each test builds
its own board on a migrated database and asks through the real API.
"""

from typing import Any

import httpx
import pytest
from sqlmodel import select

from cowork.db import read_session
from cowork.domain import workshops
from cowork.domain.board import cards as board
from cowork.domain.board import embedding, similarity
from cowork.domain.board.suggestions import sure_enough
from cowork.domain.models import Contribution, Event
from tests.board.test_needs_board import Lab, open_lab
from tests.conftest import World, make_facilitator, run

CHILDCARE = {
    "en": "Childcare during the language course",
    "de": "Kinderbetreuung während des Sprachkurses",
    "es": "Cuidado de los niños durante el curso de idiomas",
}


@pytest.fixture(scope="session", autouse=True)
def encoder() -> Any:
    """The model, loaded once for the whole test session."""
    return embedding.encoder()


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _url(lab: Lab, tail: str = "") -> str:
    return f"/api/v1/stages/{lab.stage_id}/suggestions{tail}"


def sorted_board(lab: Lab) -> dict[str, Contribution]:
    """Cards from phones in three languages, none sorted; one hidden and one waiting for approval."""
    ana, _ = lab.join("Ana")
    cards = {lang: lab.card(ana, text, language=lang) for lang, text in CHILDCARE.items()}
    cards["flats"] = lab.card(ana, "There are not enough affordable flats for families", language="en")
    cards["therapy"] = lab.card(
        ana, "Seis meses de lista de espera para ver a un psicoterapeuta", language="es"
    )
    cards["fair"] = lab.card(ana, "A job fair where employers meet refugees directly", language="en")
    cards["care"] = lab.card(ana, "Wer pflegt meine alte Mutter, wenn ich arbeite?", language="de")
    cards["hidden"] = lab.card(ana, "Landlords are all crooks, name and shame them", language="en")
    run(lab.engine, board.update_card, actor=lab.facilitator, card_id=cards["hidden"].id, hidden=True)
    run(lab.engine, board.set_approval, actor=lab.facilitator, stage_id=lab.stage_id, approval=True)
    cards["waiting"] = lab.card(ana, "Kein Kitaplatz für Kinder unter drei Jahren", language="de")
    return cards


def record_of(lab: Lab) -> list[tuple[int, str]]:
    with read_session(lab.engine) as session:
        events = session.exec(select(Event).where(Event.workshop_id == lab.workshop.id))
        return sorted((e.seq, e.type) for e in events)


def categories_of(lab: Lab) -> dict[int, str | None]:
    with read_session(lab.engine) as session:
        rows = session.exec(select(Contribution).where(Contribution.stage_id == lab.stage_id))
        return {c.id: c.category for c in rows}  # type: ignore[misc]


@pytest.fixture
def lab(world: World) -> Lab:
    return open_lab(world)


async def test_the_facilitator_gets_a_category_per_card_and_the_same_card_in_three_languages(
    client: httpx.AsyncClient, lab: Lab
) -> None:
    cards = sorted_board(lab)
    before, placed = record_of(lab), categories_of(lab)
    answer = await client.get(_url(lab), headers=_auth(lab.world.api_token))
    assert answer.status_code == 200, answer.text
    found = answer.json()
    guessed = {s["card_id"]: s["category"] for s in found["categories"]}
    assert guessed[cards["flats"].id] == "housing"
    assert guessed[cards["therapy"].id] == "legal_psychological"
    assert guessed[cards["fair"].id] == "job_matching"
    assert guessed[cards["care"].id] == "family_support"
    assert {cards[lang].id for lang in CHILDCARE} <= guessed.keys()
    assert all(0 < s["confidence"] <= 1 for s in found["categories"])
    same = [t for t in found["translations"] if set(t["card_ids"]) == {cards[lang].id for lang in CHILDCARE}]
    assert len(same) == 1 and same[0]["languages"] == ["de", "en", "es"]
    # Neither the hidden card nor the waiting one is suggested, nor grouped with anything.
    mentioned = [s["card_id"] for s in found["categories"]] + [
        i for kind in ("groups", "translations") for s in found[kind] for i in s["card_ids"]
    ]
    assert cards["hidden"].id not in mentioned and cards["waiting"].id not in mentioned
    # Nothing moved and nothing was recorded: the room sees only what the facilitator accepts.
    assert record_of(lab) == before and categories_of(lab) == placed


async def test_the_same_card_in_other_languages_is_suggested_for_one_column(
    client: httpx.AsyncClient, lab: Lab
) -> None:
    cards = sorted_board(lab)
    auth = _auth(lab.world.api_token)
    versions = [cards[lang].id for lang in CHILDCARE]
    found = (await client.get(_url(lab), headers=auth)).json()
    guessed = {s["card_id"]: s["category"] for s in found["categories"]}
    assert len({guessed[i] for i in versions}) == 1
    # Once the facilitator places one version, the others are suggested for that column.
    moved = await client.post(
        f"/api/v1/stages/{lab.stage_id}/moves",
        json={"card_ids": [cards["de"].id], "category": "family_support"},
        headers=auth,
    )
    assert moved.status_code == 200, moved.text
    again = (await client.get(_url(lab), headers=auth)).json()
    guessed = {s["card_id"]: s["category"] for s in again["categories"]}
    assert cards["de"].id not in guessed
    assert guessed[cards["en"].id] == guessed[cards["es"].id] == "family_support"


async def test_cowork_asks_about_a_few_unsure_cards_never_placed_hidden_waiting_or_dismissed_ones(
    client: httpx.AsyncClient, lab: Lab
) -> None:
    cards = sorted_board(lab)
    auth = _auth(lab.world.api_token)
    before = record_of(lab)
    keys = ["housing", "education", "family_support", "legal_psychological", "job_matching"]
    found = (await client.get(_url(lab), headers=auth)).json()
    asked = [q["card_id"] for q in found["ask"]]
    # One question per part of the board, as many as the categories at most; one version of a card at most.
    assert 0 < len(asked) <= len(keys) and len(set(asked)) == len(asked)
    assert len({cards[lang].id for lang in CHILDCARE} & set(asked)) <= 1
    assert cards["hidden"].id not in asked and cards["waiting"].id not in asked
    for question in found["ask"]:
        assert 1 <= len(question["categories"]) <= 3 and set(question["categories"]) <= set(keys)
        assert len(set(question["categories"])) == len(question["categories"])
        assert 0 < question["confidence"] <= 1
    assert record_of(lab) == before  # asking changes nothing

    # A placed card is never asked about, nor a version of it; a dismissed card's category neither.
    first = asked[0]
    moved = await client.post(
        f"/api/v1/stages/{lab.stage_id}/moves",
        json={"card_ids": [first], "category": found["ask"][0]["categories"][0]},
        headers=auth,
    )
    assert moved.status_code == 200, moved.text
    await client.post(_url(lab, "/dismissals"), json={"card_ids": [cards["fair"].id]}, headers=auth)
    again = [q["card_id"] for q in (await client.get(_url(lab), headers=auth)).json()["ask"]]
    assert first not in again and cards["fair"].id not in again
    versions = {cards[lang].id for lang in CHILDCARE}
    if first in versions:
        assert not versions & set(again)
    await client.post(
        f"/api/v1/stages/{lab.stage_id}/moves",
        json={"card_ids": [cards["de"].id], "category": "family_support"},
        headers=auth,
    )
    last = [q["card_id"] for q in (await client.get(_url(lab), headers=auth)).json()["ask"]]
    assert not versions & set(last)


async def test_a_board_without_categories_asks_nothing(client: httpx.AsyncClient, lab: Lab) -> None:
    sorted_board(lab)
    run(lab.engine, board.set_categories, actor=lab.facilitator, stage_id=lab.stage_id, categories=[])
    found = (await client.get(_url(lab), headers=_auth(lab.world.api_token))).json()
    assert found["ask"] == [] and found["categories"] == []


async def test_participants_may_not_ask_and_other_stages_give_a_reason(
    client: httpx.AsyncClient, lab: Lab
) -> None:
    sorted_board(lab)
    _, phone = lab.join("Ben")
    refused = await client.get(_url(lab), headers=_auth(phone))
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only the workshop's facilitators may ask for suggestions."
    assert "ask" not in refused.json()  # nor which cards cowork would ask about
    dismiss = await client.post(_url(lab, "/dismissals"), json={"card_ids": [1]}, headers=_auth(phone))
    assert dismiss.status_code == 403
    assert dismiss.json()["detail"] == "Only the workshop's facilitators may change cards."
    _, stranger = make_facilitator(lab.engine, "other@example.org")
    assert (await client.get(_url(lab), headers=_auth(stranger))).status_code == 403
    with read_session(lab.engine) as session:
        info = next(
            s for s in workshops.stages_of(session, workshop_id=lab.workshop.id) if s.kind == "information"
        )
    wrong = await client.get(f"/api/v1/stages/{info.id}/suggestions", headers=_auth(lab.world.api_token))
    assert wrong.status_code == 422 and wrong.json()["detail"] == "This stage does not take cards."
    assert (
        await client.get("/api/v1/stages/99999/suggestions", headers=_auth(lab.world.api_token))
    ).status_code == 404


async def test_bad_dismissals_are_refused_with_a_sentence_and_record_nothing(
    client: httpx.AsyncClient, lab: Lab, world: World
) -> None:
    cards = sorted_board(lab)
    other = open_lab(world, "Another lab")
    ben, _ = other.join("Ben")
    foreign = other.card(ben, "Bus tickets for interviews")
    before = record_of(lab)
    auth = _auth(lab.world.api_token)
    empty = await client.post(_url(lab, "/dismissals"), json={"card_ids": []}, headers=auth)
    assert empty.status_code == 422
    assert empty.json()["detail"] == "Choose the cards whose suggestion to dismiss."
    unknown = await client.post(_url(lab, "/dismissals"), json={"card_ids": [987654]}, headers=auth)
    assert unknown.status_code == 404 and unknown.json()["detail"] == "There is no card 987654."
    elsewhere = await client.post(_url(lab, "/dismissals"), json={"card_ids": [foreign.id]}, headers=auth)
    assert elsewhere.status_code == 422
    assert elsewhere.json()["detail"] == f"Card {foreign.id} belongs to another workshop."
    lonely = await client.post(
        _url(lab, "/dismissals"), json={"card_ids": [cards["fair"].id], "kind": "group"}, headers=auth
    )
    assert lonely.status_code == 422 and lonely.json()["detail"] == "A group has at least two cards."
    odd = await client.post(
        _url(lab, "/dismissals"), json={"card_ids": [cards["fair"].id], "kind": "colour"}, headers=auth
    )
    assert odd.status_code == 422 and "Unknown kind of suggestion colour" in odd.json()["detail"]
    assert record_of(lab) == before


async def test_dismissed_suggestions_stay_away_also_after_export_and_import(
    client: httpx.AsyncClient, lab: Lab
) -> None:
    cards = sorted_board(lab)
    auth = _auth(lab.world.api_token)
    childcare = [cards[lang].id for lang in CHILDCARE]
    first = (await client.get(_url(lab), headers=auth)).json()
    assert any(set(t["card_ids"]) == set(childcare) for t in first["translations"])
    dismissed = await client.post(
        _url(lab, "/dismissals"), json={"card_ids": [cards["flats"].id]}, headers=auth
    )
    assert dismissed.status_code == 201 and dismissed.json() == {
        "card_ids": [cards["flats"].id],
        "kind": "category",
    }
    group = await client.post(_url(lab, "/dismissals"), json={"card_ids": childcare}, headers=auth)
    assert group.json()["kind"] == "group"
    again = (await client.get(_url(lab), headers=auth)).json()
    assert cards["flats"].id not in [s["card_id"] for s in again["categories"]]
    assert cards["fair"].id in [s["card_id"] for s in again["categories"]]  # only what was dismissed went
    assert not any(set(t["card_ids"]) == set(childcare) for t in again["translations"] + again["groups"])
    assert record_of(lab)[-1][1] == "suggestions.dismissed"

    record = (
        await client.get(
            f"/api/v1/workshops/{lab.workshop.id}/export", params={"format": "json"}, headers=auth
        )
    ).json()
    imported = await client.post("/api/v1/workshops/import", json=record, headers=auth)
    assert imported.status_code == 201, imported.text
    with read_session(lab.engine) as session:
        new_stage = next(
            s
            for s in workshops.stages_of(session, workshop_id=imported.json()["workshop_id"])
            if s.kind == "needs"
        )
        texts = {
            c.id: c.text
            for c in session.exec(select(Contribution).where(Contribution.stage_id == new_stage.id))
        }
    copy = (await client.get(f"/api/v1/stages/{new_stage.id}/suggestions", headers=auth)).json()
    suggested = {texts[s["card_id"]] for s in copy["categories"]}
    assert "A job fair where employers meet refugees directly" in suggested
    assert "There are not enough affordable flats for families" not in suggested
    assert not any({texts[i] for i in t["card_ids"]} == set(CHILDCARE.values()) for t in copy["translations"])


async def test_accepting_goes_through_the_moves_and_merges_of_the_record(
    client: httpx.AsyncClient, lab: Lab
) -> None:
    cards = sorted_board(lab)
    auth = _auth(lab.world.api_token)
    found = (await client.get(_url(lab), headers=auth)).json()
    flats = next(s for s in found["categories"] if s["card_id"] == cards["flats"].id)
    moved = await client.post(
        f"/api/v1/stages/{lab.stage_id}/moves",
        json={"card_ids": [flats["card_id"]], "category": flats["category"]},
        headers=auth,
    )
    assert moved.status_code == 200, moved.text
    same = next(t for t in found["translations"] if cards["de"].id in t["card_ids"])
    merged = await client.post(
        f"/api/v1/stages/{lab.stage_id}/clusters",
        json={"card_ids": same["card_ids"], "title": "Kinderbetreuung im Sprachkurs"},
        headers=auth,
    )
    assert merged.status_code == 201, merged.text
    assert [t for _, t in record_of(lab)][-2:] == ["cards.moved", "cards.merged"]
    assert categories_of(lab)[cards["flats"].id] == "housing"
    after = (await client.get(_url(lab), headers=auth)).json()
    suggested = [s["card_id"] for s in after["categories"]]
    assert cards["flats"].id not in suggested  # placed now
    assert merged.json()["id"] in suggested and cards["de"].id not in suggested  # the cluster is the item now
    # One moderation step each: undo takes the merge back.
    undone = await client.post(f"/api/v1/stages/{lab.stage_id}/undo", headers=auth)
    assert undone.json()["undone"]["type"] == "cards.merged"


async def test_a_board_without_categories_still_gets_groups(client: httpx.AsyncClient, lab: Lab) -> None:
    ana, _ = lab.join("Ana")
    run(lab.engine, board.set_categories, actor=lab.facilitator, stage_id=lab.stage_id, categories=[])
    ids = [
        lab.card(ana, text).id
        for text in (
            "Language courses in the evening for people who work during the day",
            "Sprachkurse am Abend für Menschen, die tagsüber arbeiten",
            "Deutschkurse nach Feierabend",
            "Nobody pays the deposit for the first flat",
        )
    ]
    found = (await client.get(_url(lab), headers=_auth(lab.world.api_token))).json()
    assert found["categories"] == []
    together = [set(g["card_ids"]) for g in found["groups"] + found["translations"]]
    assert any({ids[0], ids[1]} <= s and ids[3] not in s for s in together)


def test_a_category_description_is_kept_checked_and_comes_with_the_format(lab: Lab) -> None:
    with read_session(lab.engine) as session:
        stage = workshops.get_stage(session, stage_id=lab.stage_id)
    housing = stage.config["categories"][0]
    assert housing["description"]["en"].startswith(
        "Social counselling; a hotel or an apartment from the district"
    )
    long = {**housing, "description": {"de": "x" * 301}}
    with pytest.raises(Exception, match="A description has at most 300 characters"):
        run(lab.engine, board.set_categories, actor=lab.facilitator, stage_id=lab.stage_id, categories=[long])


def test_the_language_of_a_card_is_read_from_its_words_and_script() -> None:
    assert similarity.guess_language("رعاية الأطفال أثناء دورة اللغة", "de") == "ar"
    assert similarity.guess_language("Dil kursu sırasında çocuk bakımı", "en") == "tr"
    assert similarity.guess_language("Es gibt zu wenige bezahlbare Wohnungen für Familien", "en") == "de"
    assert similarity.guess_language("No hay suficientes pisos asequibles para familias", "en") == "es"
    assert similarity.guess_language("Kitaplatz", "de") == "de"  # no clue in the words: the writer's language


def test_a_card_between_two_categories_follows_the_placed_card_it_is_like() -> None:
    import numpy as np

    # Two categories whose own words point two ways; a card halfway between them, written much like a card
    # the facilitator placed in the second: read as a board, it goes there; read alone, its words decide.
    # The card placed in the first is like neither.
    words = [np.array([[1.0, 0.0, 0.0]]), np.array([[0.0, 1.0, 0.0]])]
    cards = similarity._unit(np.array([[0.72, 0.7, 0.5], [0.7, 0.72, 0.5], [1.0, -1.0, -1.0]]))
    placed = np.array([-1, 1, 0])
    board = similarity.category_confidences(cards, words, placed)
    alone = similarity.category_confidences(cards, words, placed, whole_board=False)
    assert alone[0].argmax() == 0 and board[0].argmax() == 1
    assert np.allclose(board.sum(axis=1), 1.0)  # a card's beliefs are shares of one


def test_self_training_when_switched_on_is_never_surer_than_the_plain_reading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import numpy as np

    # Off by default (eighth round: it lost the first held-out half); a board read with it suggests the
    # learner's category, but with no more confidence than the plain reading gives that category, so "accept
    # all above a threshold" offers no card the plain reading would not.
    rng = np.random.default_rng(7)
    centres = similarity._unit(rng.normal(size=(3, 16)))
    words = [similarity._unit(c + 0.3 * rng.normal(size=(4, 16))) for c in centres]
    cards = similarity._unit(np.repeat(centres, 15, axis=0) + 0.9 * rng.normal(size=(45, 16)))
    placed = np.full(45, -1)
    placed[[0, 15, 30]] = [0, 1, 2]
    plain = similarity.category_confidences(cards, words, placed)
    monkeypatch.setattr(similarity, "SELF_TRAINING_ROUNDS", 4)
    learned = similarity.category_confidences(cards, words, placed)
    assert np.allclose(learned.sum(axis=1), 1.0)
    best = learned.argmax(axis=1)
    rows = np.arange(45)
    assert (learned[rows, best] <= np.maximum(plain[rows, best], 1 / 3 + 1e-6) + 1e-9).all()
    assert (best[[0, 15, 30]] == [0, 1, 2]).all() and (best != plain.argmax(axis=1)).any()


def test_a_second_ask_encodes_nothing_again() -> None:
    texts = ["Help with letters from the immigration office", "Hilfe bei Briefen von der Ausländerbehörde"]
    first = embedding.vectors(texts)
    calls = []
    real = embedding._encoder
    assert real is not None

    class Counting:
        def encode(self, batch: list[str]) -> Any:
            calls.append(batch)
            return real.encode(batch)

    embedding._encoder = Counting()
    try:
        again = embedding.vectors(texts)
    finally:
        embedding._encoder = real
    assert calls == [] and (again == first).all()
    assert float(first[0] @ first[1]) > 0.6  # the same sentence in two languages


async def test_without_javascript_accept_all_above_a_threshold_makes_one_step_each(
    client: httpx.AsyncClient, lab: Lab
) -> None:
    cards = sorted_board(lab)
    signed = await client.post(
        "/login", data={"email": "fac@example.org", "password": "correct horse battery"}
    )
    assert signed.status_code == 303
    page = await client.get(f"/f/stages/{lab.stage_id}/suggestions")
    assert page.status_code == 200 and "There are not enough affordable flats for families" in page.text
    assert "Where do these go?" in page.text  # the asked cards' buttons are plain submit buttons too
    before = len(record_of(lab))
    found = (await client.get(_url(lab), headers=_auth(lab.world.api_token))).json()
    sure = [s for kind in found.values() for s in kind if s["confidence"] >= 0.5]
    done = await client.post(f"/f/stages/{lab.stage_id}/suggestions/accept-all", data={"threshold": "0.5"})
    assert done.status_code == 303 and done.headers["location"] == f"/f/stages/{lab.stage_id}/suggestions"
    steps = [t for _, t in record_of(lab)[before:]]
    assert steps and set(steps) <= {"cards.moved", "cards.merged"}
    assert len(steps) <= len(sure)
    # A group merged first keeps its cards out of the later moves: each card takes part in one step.
    with read_session(lab.engine) as session:
        events = session.exec(select(Event).where(Event.workshop_id == lab.workshop.id, Event.seq > before))
        touched = [i for e in events for i in e.data["card_ids"]]
    assert len(touched) == len(set(touched))
    assert categories_of(lab)[cards["hidden"].id] is None and categories_of(lab)[cards["waiting"].id] is None
    refused = await client.post(f"/f/stages/{lab.stage_id}/suggestions/dismiss", data={"kind": "group"})
    assert refused.status_code == 422 and "Choose the cards whose suggestion to dismiss." in refused.text


async def test_renaming_categories_on_the_console_keeps_their_descriptions(
    client: httpx.AsyncClient, lab: Lab
) -> None:
    await client.post("/login", data={"email": "fac@example.org", "password": "correct horse battery"})
    with read_session(lab.engine) as session:
        columns = workshops.get_stage(session, stage_id=lab.stage_id).config["categories"]
    form: dict[str, list[str]] = {"key": [], "label_en": [], "label_de": [], "label_es": []}
    for column in columns:
        form["key"].append(column["key"])
        for lang in ("en", "de", "es"):
            form[f"label_{lang}"].append(column["label"][lang])
    form["label_en"][0] = "Housing and shelter"
    saved = await client.post(f"/f/stages/{lab.stage_id}/categories", data=form)
    assert saved.status_code == 303
    with read_session(lab.engine) as session:
        housing = workshops.get_stage(session, stage_id=lab.stage_id).config["categories"][0]
    assert housing["label"]["en"] == "Housing and shelter"
    assert housing["description"] == columns[0]["description"]


def test_accept_all_takes_the_sure_ones_groups_first_and_never_a_card_twice() -> None:
    found = {
        "translations": [{"card_ids": [4, 5], "languages": ["de", "en"], "confidence": 0.7}],
        "groups": [{"card_ids": [1, 2], "title": "Childcare", "category": None, "confidence": 0.9}],
        "categories": [
            {"card_id": 2, "category": "family", "confidence": 0.95},  # already in the group
            {"card_id": 3, "category": "housing", "confidence": 0.5},
        ],
    }
    assert [(c["kind"], c["card_ids"]) for c in sure_enough(found, 0.8)] == [("group", [1, 2])]
    loose = sure_enough(found, 0.4)
    assert [(c["kind"], c["card_ids"]) for c in loose] == [
        ("group", [4, 5]),
        ("group", [1, 2]),
        ("category", [3]),
    ]
    assert loose[2]["category"] == "housing" and loose[1]["title"] == "Childcare"


def test_cowork_asks_the_central_card_of_each_unsure_cluster_and_never_a_placed_cards_version() -> None:
    import numpy as np

    from cowork.domain.board import questions

    # Two clusters of unsure cards (three alike each) and a lone sure card; card 6 is placed, card 7 is its
    # version in another language. One question per cluster, its middle card; never 6 or 7; at most `count`.
    cards = similarity._unit(
        np.array(
            [
                [1.0, 0.1, 0, 0],
                [1.0, 0.0, 0, 0],
                [1.0, -0.1, 0, 0],
                [0, 1.0, 0.1, 0],
                [0, 1.0, 0.0, 0],
                [0, 1.0, -0.1, 0],
                [0, 0, 1.0, 0],
                [0, 0, 1.0, 0.05],
            ]
        )
    )
    confidence = np.full((8, 2), 0.5)
    confidence[6:] = [1.0, 0.0]
    placed = np.array([-1] * 6 + [0, -1])
    asked = questions.questions(cards, confidence, placed, count=5, same=[[6, 7]])
    assert sorted(asked) == [1, 4]
    assert questions.questions(cards, confidence, placed, count=1, same=[[6, 7]]) == asked[:1]
    mute = np.array([True] * 8)
    mute[1] = False  # its category suggestion was dismissed: another card of its cluster is asked instead
    instead = questions.questions(cards, confidence, placed, count=5, same=[[6, 7]], askable=mute)
    assert 1 not in instead and {0, 2} & set(instead) and 4 in instead
