"""How each event type shows on screens: what public screens may see, and the DOM swaps it causes.

A feature registers its event types in its own module beside this one (see board.py), which the package's
`__init__` imports.
Swaps are {"op": append|replace|remove|text|reload, "target": CSS selector, "html"|"text"?};
a screen without the target ignores the swap. Public views returning None send only {seq, type, at},
so every screen still sees a gapless seq without learning what staff alone may see.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment

from cowork import i18n
from cowork.domain.models import Event
from cowork.live import wire

Data = dict[str, Any]
Swaps = list[dict[str, Any]]
# The templates' indentation between tags: a browser draws a run of white space there as one space (or none).
BETWEEN_TAGS = re.compile(r">\s+<")
PUSH_BUDGET = 5 * 1024  # bytes of one push to a phone or projector on the wire (issue 8)


@dataclass(frozen=True)
class EventView:
    public: Callable[[Event], Data | None] = lambda event: event.data
    swaps: Callable[[Environment, Event, Data, bool], Swaps] = lambda env, event, data, staff: []
    # A moderating projector gets the staff view of these (cards with their tools), else the public view.
    moderation: bool = False
    # Only moves a count on screens: its push may wait up to a second to share a frame (live/outbox.py).
    quiet: bool = False


_VIEWS: dict[str, EventView] = {}


def register(*types: str, view: EventView) -> None:
    for type_ in types:
        _VIEWS[type_] = view


def view_of(event: Event) -> EventView:
    return _VIEWS.get(event.type, EventView())


def payload(env: Environment, event: Event, *, staff: bool, language: str) -> Data:
    """The socket message for one screen: the record's shape plus the swaps for that screen."""
    body = event.public()
    view = view_of(event)
    data = event.data if staff else view.public(event)
    if data is None:
        body.pop("data")
        return body
    body["data"] = data
    with i18n.language(language):
        body["swaps"] = [_compact(swap) for swap in view.swaps(env, event, data, staff)]
    if not staff and len(wire.dumps(body).encode()) > PUSH_BUDGET:
        return _refresh(body)
    return body


def _refresh(body: Data) -> Data:
    """A push too large for a phone (a proposal with every text field full can be 30 KB): its seq and type,
    and a `refresh`: the page loads again, typed text kept, and shows it."""
    return {key: body[key] for key in ("seq", "type", "at")} | {"swaps": [{"op": "refresh"}]}


def _compact(swap: Data) -> Data:
    """Pushed HTML without the indentation that makes templates readable: pushes stay within 5 KB."""
    if "html" in swap:
        swap["html"] = BETWEEN_TAGS.sub("> <", swap["html"].strip())
    return swap
