"""Text as people send it, made the same for SQLite and PostgreSQL before anything is stored.

Every domain function that keeps human text passes it through `clean_text`: line breaks become "\\n",
the text is NFC-normalised (so "é" typed as one character or as "e" plus an accent is one text, before
any length limit or duplicate check counts it), and two kinds of character are refused with a 422
instead of reaching the database:

- a lone surrogate (valid JSON as "\\ud800", but not a character UTF-8 can store: both databases fail);
- a control character other than tab and newline (NUL is refused by PostgreSQL and kept by SQLite; the
  others are invisible and break exports).

`check_arguments` applies the same two refusals to every string a command receives (codes, client ids,
imported records), so text the domain does not clean cannot reach either database differently.
"""

import unicodedata
from collections.abc import Iterator, Mapping
from typing import Any

from cowork.domain.errors import Invalid


def N_(message: str) -> str:
    """Marks a message for extraction; `Invalid` translates it when it is raised."""
    return message


UNSTORABLE = N_("The text contains a character that cannot be stored (position {position}).")
CONTROL = N_('The field "{field}" contains a control character (position {position}); please remove it.')
TOO_LONG = N_('The field "{field}" is too long: {count} characters, at most {limit}.')
# Tab and newline are kept; a carriage return is turned into a newline by `normalise`.
KEPT_CONTROLS = frozenset("\t\n\r")


def _refused_control(ch: str) -> bool:
    # C0 controls (U+0000-U+001F), DEL and the C1 controls (U+0080-U+009F): category Cc.
    return ch not in KEPT_CONTROLS and unicodedata.category(ch) == "Cc"


def check_storable(value: str, field: str) -> None:
    """Refuse a lone surrogate or a control character; positions count from 1, as the value was sent."""
    if value.isascii():
        if value.isprintable():
            return
    elif value.isprintable() and _encodes(value):
        return
    for index, ch in enumerate(value):
        if "\ud800" <= ch <= "\udfff":
            raise Invalid(UNSTORABLE, position=index + 1)
        if _refused_control(ch):
            raise Invalid(CONTROL, field=field, position=index + 1)


def _encodes(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def normalise(value: str) -> str:
    """One newline for every line break a browser or an OS sends, then Unicode NFC."""
    return unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))


def clean_text(
    value: str | None, *, field: str, limit: int | None = None, too_long: str | None = None
) -> str:
    """The text to store: checked, normalised, trimmed, and within `limit` characters ("" if empty).

    `too_long` is the field's own message for a text over the limit; it may use {count} and {limit}.
    """
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Invalid("Please give text here, not {value}.", value=value)
    check_storable(value, field)
    return within(normalise(value).strip(), field=field, limit=limit, too_long=too_long)


def one_line(value: str | None, *, field: str, limit: int | None = None, too_long: str | None = None) -> str:
    """clean_text for a name or a title: each run of spaces, tabs or newlines becomes one space."""
    text = " ".join(clean_text(value, field=field).split())
    return within(text, field=field, limit=limit, too_long=too_long)


def within(text: str, *, field: str, limit: int | None, too_long: str | None = None) -> str:
    if limit is not None and len(text) > limit:
        raise Invalid(too_long or TOO_LONG, field=field, count=len(text), limit=limit)
    return text


def check_arguments(arguments: Mapping[str, Any]) -> None:
    """Refuse a lone surrogate or a control character in any string of a command's arguments."""
    for path, value in _strings(arguments, ""):
        check_storable(value, path)


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str):
                yield where, key
            yield from _strings(item, where)
    elif isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}.{index}" if path else str(index))
