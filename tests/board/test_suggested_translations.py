"""The same card in other languages, on boards where the closest card in a language is the wrong one.

Cards from the labelled set (`tests/data/suggestions.csv`), read by the real encoder as in
test_suggestions.py.
"""

import httpx
import numpy as np

from cowork.domain.board import embedding, similarity
from tests.board.test_needs_board import open_lab
from tests.conftest import World

NURSERY = {  # f02: no Arabic version
    "en": "No place in a nursery for children under three",
    "de": "Kein Kitaplatz für Kinder unter drei Jahren",
    "es": "No hay plaza en la guardería para niños menores de tres años",
    "tr": "Üç yaşından küçük çocuklar için kreşte yer yok",
}
DULDUNG = {  # l24: no Turkish version
    "en": "My Duldung is only renewed for three months at a time, so no firm wants to hire me",
    "de": "Meine Duldung wird immer nur für drei Monate verlängert, deshalb stellt mich keine Firma ein",
    "es": "Mi Duldung solo se renueva cada tres meses, así ninguna empresa me quiere contratar",
    "ar": "الدولدونغ تتجدد كل ثلاثة أشهر فقط، لذلك لا تريد أي شركة أن توظفني",
}


async def test_two_cards_alike_only_in_the_languages_neither_has_stay_apart(
    client: httpx.AsyncClient, world: World
) -> None:
    # The nursery card's Turkish version and the Duldung card's Arabic one are each other's closest card
    # in that language and alike beyond the threshold: mutual closest matches alone joined all eight cards.
    turkish, arabic = embedding.vectors([NURSERY["tr"], DULDUNG["ar"]])
    assert float(turkish @ arabic) >= similarity.TRANSLATION_THRESHOLD
    lab = open_lab(world)
    ana, _ = lab.join("Ana")
    ids = {
        (name, lang): lab.card(ana, text, language=lang if lang in ("en", "de", "es") else "en").id
        for name, card in (("nursery", NURSERY), ("duldung", DULDUNG))
        for lang, text in card.items()
    }
    answer = await client.get(
        f"/api/v1/stages/{lab.stage_id}/suggestions", headers={"Authorization": f"Bearer {world.api_token}"}
    )
    assert answer.status_code == 200, answer.text
    offered = sorted((sorted(t["languages"]), set(t["card_ids"])) for t in answer.json()["translations"])
    assert offered == [
        (["ar", "de", "en", "es"], {ids["duldung", lang] for lang in DULDUNG}),
        (["de", "en", "es", "tr"], {ids["nursery", lang] for lang in NURSERY}),
    ]


def test_a_second_wording_in_one_language_does_not_split_the_card() -> None:
    # l01 in five languages and l01.3, the same card in other English words. The German card's closest
    # English card is the other wording, so its link and the Spanish card's disagree in English; they agree
    # in Arabic and Turkish, and the six stay one card.
    texts = {
        ("en", 1): "Six months waiting list for a psychotherapist",
        ("de", 1): "Sechs Monate Wartezeit auf einen Therapieplatz",
        ("es", 1): "Seis meses de lista de espera para ver a un psicoterapeuta",
        ("ar", 1): "قائمة انتظار ستة أشهر للحصول على معالج نفسي",
        ("tr", 1): "Psikoterapist için altı ay bekleme listesi",
        ("en", 2): "It takes half a year to get a therapy appointment",
    }
    vectors = embedding.vectors(list(texts.values()))
    sims = similarity.similarities(vectors)
    keys = list(texts)
    german, english = keys.index(("de", 1)), [keys.index(("en", 1)), keys.index(("en", 2))]
    assert english[int(np.argmax(sims[german, english]))] == keys.index(("en", 2))
    assert similarity.translations(sims, [lang for lang, _ in keys]) == [list(range(6))]
