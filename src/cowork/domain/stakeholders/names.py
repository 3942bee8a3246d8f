"""Stakeholders' names: the key that makes two spellings one, and names so alike they may be one actor."""

import difflib
import unicodedata
from typing import Any


def normalise_name(name: str) -> str:
    """The key that makes "Job Center  Offenbach" and "jobcenter offenbach" one stakeholder."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def alike(key_a: str, key_b: str) -> bool:
    """Normalised names so close that they may name one actor ("jobcenter" and "jobcenteroffenbach")."""
    if min(len(key_a), len(key_b)) >= 4 and (key_a in key_b or key_b in key_a):
        return True
    matcher = difflib.SequenceMatcher(None, key_a, key_b)
    return matcher.quick_ratio() >= 0.8 and matcher.ratio() >= 0.8


def likely_duplicates(items: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    """For each stakeholder, the others a facilitator may want to merge it with."""
    keys = [(item, normalise_name(item["name"])) for item in items]
    similar: dict[int, list[dict[str, Any]]] = {}
    for i, (a, key_a) in enumerate(keys):
        for b, key_b in keys[i + 1 :]:
            if alike(key_a, key_b):
                similar.setdefault(a["id"], []).append({"id": b["id"], "name": b["name"]})
                similar.setdefault(b["id"], []).append({"id": a["id"], "name": a["name"]})
    return similar
