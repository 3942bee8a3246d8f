"""Spreadsheet cells that cannot run: one rule for every CSV and XLSX cell."""

from typing import Any

# A cell starting with one of these is read as a formula (or a DDE command) by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
