"""What the projector shows of a board besides the board: one card or cluster in the spotlight, or the words
of its visible cards as a cloud.

Both are settings of the board's stage (`config["spotlight_id"]`, `config["word_cloud"]`), changed by a
facilitator and recorded as `stage.projection_changed`, so every projector follows and a record replays them.
"""

import math
import re
from collections import Counter
from functools import cache
from typing import Any

from sqlmodel import Session

from cowork.domain.actors import Actor
from cowork.domain.board.cards import moderated_stage
from cowork.domain.board.view import item_data
from cowork.domain.errors import Invalid, NotFound
from cowork.domain.models import Contribution, Stage
from cowork.domain.record import Tx

CLOUD_LANGUAGES = ("en", "de", "es")
MAX_WORDS = 60  # more would be too small to read from the back row
SIZES = 6  # font-size classes, 1 (smallest) to 6
MIN_LENGTH = 3
# Letters, with an inner hyphen or apostrophe ("follow-up", "don't"); digits and punctuation are not words.
WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
# General-purpose stop lists (made for search engines) drop words that carry the meaning of a labour-market
# workshop; these stay in the cloud.
KEEP = frozenset(
    {"work", "works", "working", "need", "needs", "help", "course", "courses", "trabajo", "trabajar"}
)


def projection(stage: Stage) -> dict[str, Any]:
    return {
        "spotlight_id": stage.config.get("spotlight_id"),
        "word_cloud": bool(stage.config.get("word_cloud")),
    }


def spotlight_card(tx: Tx, *, actor: Actor, stage_id: int, card_id: int | None) -> Stage:
    """Put one card or cluster full screen on every projector; None: back to the board (or its cloud)."""
    workshop, stage = moderated_stage(tx, actor, stage_id)
    config = {k: v for k, v in stage.config.items() if k != "spotlight_id"}
    if card_id is not None:
        _check_spotlight(tx.session, stage, card_id)
        config["spotlight_id"] = card_id
    return _change(tx, workshop.id, stage, config)  # type: ignore[arg-type]


def show_word_cloud(tx: Tx, *, actor: Actor, stage_id: int, on: bool) -> Stage:
    """The board as a cloud of its words on the projector, or as its cards again; either ends a spotlight."""
    workshop, stage = moderated_stage(tx, actor, stage_id)
    config = {k: v for k, v in stage.config.items() if k != "spotlight_id"}
    config["word_cloud"] = on
    return _change(tx, workshop.id, stage, config)  # type: ignore[arg-type]


def _change(tx: Tx, workshop_id: int, stage: Stage, config: dict[str, Any]) -> Stage:
    before = projection(stage)
    stage.config = config
    after = projection(stage)
    if after != before:
        tx.session.add(stage)
        tx.record(workshop_id, "stage.projection_changed", {"stage_id": stage.id, **after})
    return stage


def _check_spotlight(session: Session, stage: Stage, card_id: int) -> None:
    card = session.get(Contribution, card_id)
    if card is None or card.erased:
        raise NotFound("There is no card {id}.", id=card_id)
    if card.stage_id != stage.id or card.table_id is not None:
        raise Invalid("Card {id} is on another board.", id=card_id)
    if card.hidden or not card.approved:
        raise Invalid("A hidden or waiting card cannot go on the projector.")


def spotlit(session: Session, stage: Stage) -> dict[str, Any] | None:
    """The card or cluster in the spotlight as screens draw it, if any and if the room may still see it."""
    card_id = stage.config.get("spotlight_id")
    card = session.get(Contribution, card_id) if card_id else None
    if card is None or card.stage_id != stage.id or card.erased or card.hidden or not card.approved:
        return None
    if card.cluster_id is not None:
        cluster = session.get(Contribution, card.cluster_id)
        if cluster is None or cluster.hidden:
            return None
    item = item_data(session, card, stage)
    if "cards" in item:
        item["cards"] = [c for c in item["cards"] if not c["hidden"] and c["approved"]]
    return item


def _size(count: int, least: int, most: int) -> int:
    """The size class of a word: on a log scale, so a board with one frequent word is not all small print."""
    if most <= least:
        return SIZES - 2
    return 1 + round((SIZES - 1) * math.log(count / least) / math.log(most / least))


@cache
def stop_words() -> frozenset[str]:
    """The stop words of English, German and Spanish together, from the `stop-words` package."""
    from stop_words import get_stop_words

    words = {w.casefold() for lang in CLOUD_LANGUAGES for w in get_stop_words(lang)}
    return frozenset(words - KEEP)


def word_cloud(cards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The words of the visible cards, by how many cards use them: `{text, count, size, lang}`.

    A card's own words count once per card; stop words of all three languages are left out (a German card
    may quote an English word). Each word is written as most cards write it, in the language most of those
    cards are in. Hidden, waiting and erased cards never reach this list (the caller gives public cards).
    """
    counts: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    languages: dict[str, Counter[str]] = {}
    stop = stop_words()
    for card in cards:
        if card.get("kind") == "cluster" or card.get("hidden") or not card.get("approved", True):
            continue
        seen: dict[str, str] = {}
        for match in WORD.finditer(card.get("text") or ""):
            word = match.group()
            key = word.casefold().replace("’", "'")
            if len(key) < MIN_LENGTH or key in stop or key.split("'")[0] in stop:
                continue
            seen.setdefault(key, word)
        for key, word in seen.items():
            counts[key] += 1
            forms.setdefault(key, Counter())[word] += 1
            languages.setdefault(key, Counter())[card.get("language") or ""] += 1
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_WORDS]
    if not top:
        return []
    most, least = top[0][1], top[-1][1]
    return [
        {
            "text": forms[key].most_common(1)[0][0],
            "count": count,
            "size": _size(count, least, most),
            "lang": languages[key].most_common(1)[0][0] or None,
        }
        for key, count in top
    ]
