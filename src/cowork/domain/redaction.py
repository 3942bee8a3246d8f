"""One place that decides what erasing a card touches."""

_EVENTS: dict = {}
_STORED: dict = {}


def event_types() -> set[str]:
    return set(_EVENTS)


def stored_tables() -> set[str]:
    return set(_STORED)
