"""Soft hyphens in long words, by the text's language: a board column's name ("Arbeitsvermittlung" in capitals
on a projector) or a card's word ("Berufsausbildungsbeihilfe" in a laptop's narrow column) breaks where the
language allows, with a hyphen, instead of running over the edge or breaking anywhere ("Wohnungssuc-he").
CSS `hyphens: auto` needs the browser's own dictionaries, which Chromium on Linux does not carry."""

import re
from functools import cache

import pyphen

from cowork.language import current_language

SOFT_HYPHEN = "\u00ad"
LONG = 10  # letters: a shorter word fits any column
WORD = re.compile(rf"[^\W\d_]{{{LONG},}}")  # a run of letters: "Kita-Öffnungszeiten" gives "Öffnungszeiten"


@cache
def _dictionary(lang: str) -> pyphen.Pyphen | None:
    known = pyphen.language_fallback(lang)
    return pyphen.Pyphen(lang=known) if known else None


def hyphenate(text: str, lang: str | None = None) -> str:
    """The text with soft hyphens in its long words (invisible unless a line breaks there), by its own
    language where it is known (a card's), else the reader's."""
    dictionary = _dictionary(lang or current_language())
    if dictionary is None:
        return text
    return WORD.sub(lambda word: dictionary.inserted(word.group(0), hyphen=SOFT_HYPHEN), text)
