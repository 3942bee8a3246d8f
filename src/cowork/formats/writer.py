"""A format written as TOML in the built-in files' layout, the same bytes for the same format.

Texts are inline tables (`title = { en = "...", de = "...", es = "..." }`), stages are `[[stages]]` and a
stage's lists of entries (categories, phases, questions, ...) are `[[stages.<key>]]`, as in
`src/cowork/formats/*.toml`. The order is fixed here, not taken from where the data came from (a file, the
database's JSON), so export, import and export again give identical bytes. Our own writer rather than a
library: the layout is the point, and it is a page.
"""

import math
from typing import Any

from cowork.settings import LANGUAGES

_TOP = ("id", "title", "description", "max_participants")
_STAGE = ("kind", "minutes", "title", "description")
_ENTRY = ("key", "id", "type", "category", "label", "text", "description")
_LINE = 110  # longer texts are written a language per line
_BARE_KEY = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def dump_format(data: dict[str, Any]) -> str:
    """The TOML of a format given as `formats.format_data` makes it."""
    lines = [line for k, v in _ordered(data, _TOP) if k != "stages" and v is not None for line in _pair(k, v)]
    for stage in data.get("stages", []):
        lines += ["", "[[stages]]"]
        tables = []
        for key, value in _ordered(stage, _STAGE):
            if value is None:
                continue
            if _is_table_list(value):
                tables.append((key, value))
            else:
                lines += _pair(key, value)
        for key, entries in tables:
            for entry in entries:
                lines += ["", f"[[stages.{_key(key)}]]"]
                lines += [line for k, v in _ordered(entry, _ENTRY) if v is not None for line in _pair(k, v)]
    return "\n".join(lines) + "\n"


def _pair(key: str, value: Any) -> list[str]:
    """`key = value`; a text too long for one readable line gets a line per language, as the files do."""
    line = f"{_key(key)} = {_value(value)}"
    if len(line) <= _LINE or not _is_text(value):
        return [line]
    return [f"{_key(key)}.{_key(k)} = {_value(v)}" for k, v in _ordered(value, LANGUAGES)]


def _is_text(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and all(isinstance(v, str) for v in value.values())


def _ordered(table: dict[str, Any], first: tuple[str, ...]) -> list[tuple[str, Any]]:
    """The known keys in the built-in files' order, then the rest alphabetically."""
    known = [(k, table[k]) for k in first if k in table]
    return known + sorted((k, v) for k, v in table.items() if k not in first)


def _is_table_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _key(key: str) -> str:
    return key if key and set(key) <= _BARE_KEY else _string(key)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("a format holds only finite numbers")
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value if v is not None) + "]"
    if isinstance(value, dict):
        # A text lists its languages in cowork's order (en, de, es); other tables alphabetically.
        items = [(k, v) for k, v in _ordered(value, LANGUAGES) if v is not None]
        if not items:
            return "{}"
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in items) + " }"
    raise ValueError(f"a format cannot hold {type(value).__name__}")


def _string(text: str) -> str:
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'
