"""Numbers as people read them in their language: Babel's decimal sign, digit grouping and percent form.

Pages use these as Jinja filters (rendering.py), pushes and exports call them directly. The language is
the reader's (`current_language()`). Only text for people goes through here: SVG coordinates, form
field values and spreadsheet cells keep plain numbers.
"""

from typing import Any

from babel.numbers import format_decimal, format_percent

from cowork.language import current_language


class Share(float):
    """A share from 0 to 1: a real number in spreadsheets, a percentage where it is written out."""


def load(language: str) -> None:
    """Babel reads a language's data from disk at its first number; rendering.load_language asks early."""
    format_decimal(0, locale=language)


def count(value: int) -> str:
    """A whole number: 1,234 in English, 1.234 in German."""
    return format_decimal(value, format="#,##0", locale=current_language())


def decimal(value: float, places: int = 1, up_to: int | None = None) -> str:
    """A mean or a spread with `places` decimals (up to `up_to` when more are there): 3.5 or 3,5."""
    pattern = "#,##0." + "0" * places + "#" * max(0, (up_to or places) - places)
    return format_decimal(value, format=pattern, locale=current_language())


def percent(share: float) -> str:
    """A share from 0 to 1 as a whole percentage: 40% in English, 40 % (a no-break space) in German."""
    return format_percent(share, locale=current_language())


def number(value: Any) -> str:
    """Any value of a report's table as text: numbers in the reader's form, other values as they are."""
    if value is None:
        return ""
    if isinstance(value, Share):
        return percent(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int):
        return count(value)
    return decimal(value, 1, 2)
