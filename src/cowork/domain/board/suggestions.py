"""Suggestions for sorting a board: a category for each card without one, groups of similar cards, the
same card in other languages, and the few cards to ask the facilitator about (`questions.py`). Nothing here
moves a card: a suggestion is accepted through the moves and merges of `moderation.py` (each one moderation
step), or dismissed, which is recorded (`suggestions.dismissed`), so a dismissed suggestion does not come
back, even after an export and import.

Only what everyone may see is read: hidden cards and cards that wait for approval are never suggested nor
used. Cards inside a cluster count through their cluster. The arithmetic is in `similarity.py`, the encoder
behind `embedding.py`; both (and numpy) are imported on the first ask, never when the app starts.
"""

import re
from typing import Any

from sqlmodel import Session, col, select

from cowork.domain.actors import Actor
from cowork.domain.board.cards import moderated_stage
from cowork.domain.board.moderation import MAX_SELECTION, selected_cards
from cowork.domain.errors import Invalid, NotAllowed
from cowork.domain.models import Contribution, Event, Stage
from cowork.domain.record import Tx
from cowork.domain.workshops import stage_for
from cowork.formats import CARD_KINDS

DISMISSED = "suggestions.dismissed"
KINDS = ("category", "group")
TITLE_LENGTH = 80
_ITEMS = re.compile(r"[;,:()\n]+")


def _board(session: Session, actor: Actor, stage_id: int) -> Stage:
    workshop, stage = stage_for(session, actor=actor, stage_id=stage_id)
    if not actor.may_facilitate(workshop):
        raise NotAllowed("Only the workshop's facilitators may ask for suggestions.")
    if stage.kind not in CARD_KINDS:
        raise Invalid("This stage does not take cards.")
    return stage


def category_texts(category: dict[str, Any]) -> list[str]:
    """A category's own words: its label in each language and each item of its description."""
    texts = list(category["label"].values())
    for description in (category.get("description") or {}).values():
        texts += [part.strip() for part in _ITEMS.split(description) if part.strip()]
    return texts


def dismissed(session: Session, stage: Stage) -> tuple[set[int], set[frozenset[int]]]:
    """The cards whose category suggestion was dismissed, and the sets of cards not to offer as a group."""
    cards: set[int] = set()
    sets: set[frozenset[int]] = set()
    events = session.exec(
        select(Event).where(Event.workshop_id == stage.workshop_id, Event.type == DISMISSED)
    )
    for event in events:
        if event.data.get("stage_id") != stage.id:
            continue
        if event.data.get("kind") == "category":
            cards.update(event.data["card_ids"])
        else:
            sets.add(frozenset(event.data["card_ids"]))
    return cards, sets


def _visible_items(session: Session, stage: Stage) -> tuple[list[Contribution], dict[int, list[str]]]:
    """The board's top-level cards and clusters everyone sees, and the visible texts inside each cluster."""
    rows = session.exec(
        select(Contribution)
        .where(
            Contribution.stage_id == stage.id,
            Contribution.approved == True,  # noqa: E712
            Contribution.hidden == False,  # noqa: E712
        )
        .order_by(col(Contribution.id))
    ).all()
    members: dict[int, list[str]] = {}
    for row in rows:
        if row.cluster_id is not None:
            members.setdefault(row.cluster_id, []).append(row.text)
    top = [r for r in rows if r.cluster_id is None and r.text and (r.kind != "cluster" or r.id in members)]
    return top, members


def short_title(text: str) -> str:
    """A card's words as a cluster title: its first line, cut at a word near TITLE_LENGTH."""
    line = " ".join(text.split())
    if len(line) <= TITLE_LENGTH:
        return line
    cut = line[:TITLE_LENGTH].rsplit(" ", 1)[0].rstrip(",;:.-")
    return f"{cut}…"


def suggest(session: Session, *, actor: Actor, stage_id: int, language: str = "en") -> dict[str, Any]:
    """The board's suggestions, best first: categories, groups and translations (see the module's text).

    Each category and group suggestion carries the confidence (0 to 1) that it is right; `language` picks
    the card whose words title a group when the group holds one in that language.
    """
    from cowork.domain.board import embedding, similarity  # numpy and the model: only when asked

    stage = _board(session, actor, stage_id)
    items, members = _visible_items(session, stage)
    answer: dict[str, Any] = {"categories": [], "groups": [], "translations": [], "ask": []}
    if not items:
        return answer
    no_category, no_group = dismissed(session, stage)
    texts = [
        ". ".join([i.text, *members[i.id]]) if i.kind == "cluster" else i.text  # type: ignore[index]
        for i in items
    ]
    vectors = embedding.vectors(texts)
    columns: list[str | None] = [i.category for i in items]
    cards = [n for n, i in enumerate(items) if i.kind == "card"]
    sims = similarity.similarities(vectors[cards])
    languages = [similarity.guess_language(items[n].text, items[n].language) for n in cards]
    same = similarity.translations(sims, languages)
    categories = stage.config.get("categories", [])
    keys = [c["key"] for c in categories]
    if categories:
        import numpy as np

        placed = np.array([keys.index(c) if c in keys else -1 for c in columns])
        own_words = [embedding.vectors(category_texts(c)) for c in categories]
        # The same card in other languages goes to one column, unless the facilitator said they differ.
        versions = [[cards[m] for m in s] for s in same]
        versions = [v for v in versions if frozenset(items[n].id for n in v) not in no_group]
        confidence = similarity.category_confidences(vectors, own_words, placed, same=versions)
        for n, item in enumerate(items):
            if placed[n] >= 0:
                continue
            best = int(confidence[n].argmax())
            columns[n] = keys[best]
            if item.id not in no_category:
                answer["categories"].append(
                    {
                        "card_id": item.id,
                        "category": keys[best],
                        "confidence": round(float(confidence[n, best]), 2),
                        "text": item.text,
                        "kind": item.kind,
                    }
                )
        answer["ask"] = _questions(items, vectors, confidence, placed, versions, keys, no_category)
    answer["translations"] = _translations(items, cards, sims, same, languages, no_group, language)
    known = {frozenset(t["card_ids"]) for t in answer["translations"]}
    for group in similarity.groups(sims, [columns[n] for n in cards]):
        ids = frozenset(items[cards[m]].id for m in group)  # type: ignore[misc]
        if ids in no_group or ids in known or len(ids) > MAX_SELECTION:
            continue
        answer["groups"].append(
            {
                **_titled(items, cards, sims, group, languages, language),
                "category": columns[cards[group[0]]],
                "confidence": round(similarity.mean_similarity(sims, group), 2),
            }
        )
    for kind in ("categories", "groups", "translations"):
        answer[kind].sort(key=lambda s: -s.get("confidence", 0))
    return answer


def _questions(
    items: list[Contribution],
    vectors: Any,
    confidence: Any,
    placed: Any,
    versions: list[list[int]],
    keys: list[str],
    no_category: set[int],
) -> list[dict[str, Any]]:
    """The few unsure cards whose placement would teach the rest most (as many as the board has
    categories), each with its likeliest categories; never a card whose category suggestion was dismissed."""
    import numpy as np

    from cowork.domain.board import questions

    askable = np.array([item.id not in no_category for item in items])
    chosen = questions.questions(vectors, confidence, placed, count=len(keys), same=versions, askable=askable)
    return [
        {
            "card_id": items[n].id,
            "categories": [keys[k] for k in questions.likeliest(confidence, n)],
            "confidence": round(float(confidence[n].max()), 2),
            "text": items[n].text,
            "kind": items[n].kind,
        }
        for n in chosen
    ]


def _titled(
    items: list[Contribution],
    cards: list[int],
    sims: Any,
    group: list[int],
    languages: list[str],
    language: str,
) -> dict[str, Any]:
    """A group's card ids (a placed card first, so the cluster lands in its column) and proposed title."""
    from cowork.domain.board import similarity

    mine = [m for m in group if languages[m] == language]
    title = items[cards[similarity.central(sims, mine or group)]].text
    ordered = sorted(group, key=lambda m: items[cards[m]].category is None)
    return {
        "card_ids": [items[cards[m]].id for m in ordered],
        "title": short_title(title),
        "texts": [items[cards[m]].text for m in ordered],
        "languages": [languages[m] for m in ordered],
    }


def _translations(
    items: list[Contribution],
    cards: list[int],
    sims: Any,
    sets: list[list[int]],
    languages: list[str],
    no_group: set[frozenset[int]],
    language: str,
) -> list[dict[str, Any]]:
    from cowork.domain.board import similarity

    found = []
    for same in sets:
        if frozenset(items[cards[m]].id for m in same) in no_group:  # type: ignore[misc]
            continue
        suggestion = _titled(items, cards, sims, same, languages, language)
        found.append(
            {
                **suggestion,
                "languages": sorted(set(suggestion["languages"])),
                "confidence": round(similarity.mean_similarity(sims, same), 2),
            }
        )
    return found


def sure_enough(found: dict[str, Any], threshold: float) -> list[dict[str, Any]]:
    """What "Accept all" takes from an ask's answer: every suggestion at least this sure, translations and
    groups before single categories, and never a card twice (the first, surer kind of suggestion wins)."""
    taken: set[int] = set()
    chosen = []
    for kind in ("translations", "groups", "categories"):
        for item in found[kind]:
            ids = [item["card_id"]] if kind == "categories" else item["card_ids"]
            if item["confidence"] < threshold or taken & set(ids):
                continue
            taken.update(ids)
            chosen.append(
                {
                    "kind": "category" if kind == "categories" else "group",
                    "card_ids": ids,
                    "category": item.get("category"),
                    "title": item.get("title"),
                }
            )
    return chosen


def dismiss_suggestions(
    tx: Tx, *, actor: Actor, stage_id: int, card_ids: list[int], kind: str | None = None
) -> list[int]:
    """Dismiss the category suggestion of each card (kind "category") or the group of these cards ("group");
    without a kind, one card means its category and several mean their group."""
    workshop, stage = moderated_stage(tx, actor, stage_id)
    if not card_ids:
        raise Invalid("Choose the cards whose suggestion to dismiss.")
    kind = kind or ("category" if len(set(card_ids)) == 1 else "group")
    if kind not in KINDS:
        raise Invalid("Unknown kind of suggestion {kind}; it is category or group.", kind=kind)
    items = selected_cards(tx, workshop, stage, card_ids)
    if kind == "group" and len(items) < 2:
        raise Invalid("A group has at least two cards.")
    ids = [i.id for i in items]
    tx.record(workshop.id, "suggestions.dismissed", {"stage_id": stage.id, "kind": kind, "card_ids": ids})  # type: ignore[arg-type]
    return ids  # type: ignore[return-value]
