"""Soft hyphens in long words, by the reader's language: a board column's name ("Arbeitsvermittlung" in
capitals on a projector) breaks where the language allows, with a hyphen, instead of running over the edge.
CSS `hyphens: auto` needs the browser's own dictionaries, which Chromium on Linux does not carry."""

from functools import cache

import pyphen

from cowork.language import current_language

SOFT_HYPHEN = "\u00ad"
LONG = 10  # letters: a shorter word fits any column


@cache
def _dictionary(lang: str) -> pyphen.Pyphen:
    return pyphen.Pyphen(lang=lang)


def hyphenate(text: str) -> str:
    """The text with soft hyphens in its long words (invisible unless a line breaks there)."""
    dictionary = _dictionary(current_language())
    return " ".join(
        dictionary.inserted(word, hyphen=SOFT_HYPHEN) if len(word) >= LONG else word
        for word in text.split(" ")
    )
