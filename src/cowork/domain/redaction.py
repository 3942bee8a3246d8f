"""One place that decides what erasing a card touches.

Every feature that copies a card's words somewhere says where, here: the event types whose data carry them
(with the function that takes them out of one event's data) and the tables that store them apart from the
card (with the function that cleans their rows). Erasing a card (`privacy.erase_card`) runs all of them, so
the record keeps its events (gapless, replayable) and the votes their counts, without the words.
`tests/test_erase.py` walks a card through every feature and fails when an event type or a table holds its
words and nothing is registered for it: a new feature cannot forget the erase.
"""

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from cowork.domain.models import Contribution

Data = dict[str, Any]
EventRedactor = Callable[[Data, int], Data]  # (event data, erased card id) -> the data without its words
StoredRedactor = Callable[[Session, Contribution], None]  # cleans the rows of one table

_EVENTS: dict[str, EventRedactor] = {}
_STORED: dict[str, StoredRedactor] = {}
_DISK: dict[str, tuple[Callable[[Data], bool], Callable[[], list[str]]]] = {}  # type -> (when, vacuum)


def copies_card_text(*types: str, redact: EventRedactor) -> None:
    """These event types carry a card's words; `redact` takes them out of one event's data."""
    for type_ in types:
        _EVENTS[type_] = redact


def stores_card_text(table: str, *, redact: StoredRedactor) -> None:
    """This table keeps a card's words outside the card (a frozen result, a vote option)."""
    _STORED[table] = redact


def wipes_disk(
    type_: str, *, when: Callable[[Data], bool] = lambda data: True, vacuum: Callable[[], list[str]] = list
) -> None:
    """After a committed event of this type, deleted words must leave the database files too: SQLite
    checkpoints and truncates its WAL (secure_delete has zeroed the freed space); PostgreSQL vacuums the
    tables `vacuum` names (none: its dead rows wait for autovacuum, see docs/privacy.md); `when` picks the
    events of the type that removed something."""
    _DISK[type_] = (when, vacuum)


def disk_wipe(events: list[tuple[str, Data]]) -> list[str] | None:
    """None when none of these (type, data) events removed anything, else the tables to vacuum."""
    wiping = [_DISK[t][1] for t, data in events if t in _DISK and _DISK[t][0](data)]
    if not wiping:
        return None
    return sorted({table for vacuum in wiping for table in vacuum()})


def event_types() -> set[str]:
    return set(_EVENTS)


def stored_tables() -> set[str]:
    return set(_STORED)


def redact_event(type_: str, data: Data, card_id: int) -> Data:
    redact = _EVENTS.get(type_)
    return data if redact is None else redact(data, card_id)


def redact_stored(session: Session, card: Contribution) -> None:
    for redact in _STORED.values():
        redact(session, card)


# --- the shapes a card's words are copied in --------------------------------------------------------------


def card_copies(value: Any, card_id: int) -> Any:
    """value without the card's words wherever it holds the card (`board.view.card_data`), a thing made
    of it (a vote option, a result row: `contribution_id`) or its earlier values (a step's `before`)."""
    if isinstance(value, list):
        return [card_copies(item, card_id) for item in value]
    if not isinstance(value, dict):
        return value
    out = {key: card_copies(item, card_id) for key, item in value.items()}
    if isinstance(out.get("before"), list):
        # Its earlier text (and whatever undo would put back): an undo leaves the erased card as it is.
        out["before"] = [{"id": b["id"]} if _is_card(b, card_id) else b for b in out["before"]]
    if _is_card(out, card_id) and "text" in out and "category" in out:
        out.update(text="", author=None, participant_id=None, erased=True)
    elif out.get("contribution_id") == card_id:
        out.update({key: "" for key in ("label", "text") if key in out})
        out["erased"] = True
    return out


def result_copies(result: Data, card_id: int) -> Data:
    """A vote's result without the card's words: its rows, its rows by group, and the divergence rows (which
    name the option, not the card)."""
    clean = card_copies(result, card_id)
    rows = [*clean.get("results", []), *(r for rows in clean.get("by_group", {}).values() for r in rows)]
    options = {r.get("option_id") for r in rows if r.get("contribution_id") == card_id}
    for row in clean.get("divergence", []):
        if row.get("id") in options:
            row.update(label="", erased=True)
    return clean


def _is_card(value: Any, card_id: int) -> bool:
    return isinstance(value, dict) and value.get("id") == card_id and "contribution_id" not in value
