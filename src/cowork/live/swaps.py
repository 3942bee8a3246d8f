"""What a screen changes for an event: DOM swaps rendered from the same templates as the pages.

Each swap is {"op": append|replace|remove|text|reload, "target": CSS selector, "html"|"text"?}.
A screen without the target simply ignores the swap.
"""

from typing import Any

from jinja2 import Environment

from .. import i18n
from ..domain.models import Event


def public_data(event: Event) -> dict[str, Any]:
    """What participants and the projector may see of an event: a hidden card keeps its text to staff."""
    data = event.data
    if event.type.startswith("card.") and data.get("hidden"):
        return {"id": data["id"], "stage_id": data["stage_id"], "hidden": True, "seq": data.get("seq")}
    return data


def _column(card: dict[str, Any]) -> str:
    return f"#col-{card['stage_id']}-{card.get('category') or 'none'}"


def swaps_for(env: Environment, event: Event, *, staff: bool, language: str) -> list[dict[str, Any]]:
    data = event.data if staff else public_data(event)
    with i18n.language(language):
        if event.type in ("card.added", "card.updated"):
            return _card_swaps(env, event.type, data, staff)
        if event.type == "participant.joined" and "present" in data:
            return [{"op": "text", "target": "#present-count", "text": str(data["present"])}]
        if event.type == "stage.changed":
            return [{"op": "reload", "target": "#stage"}]
    return []


def _card_swaps(env: Environment, type_: str, card: dict[str, Any], staff: bool) -> list[dict[str, Any]]:
    target = f"#card-{card['id']}"
    if card.get("hidden") and not staff:
        return [{"op": "remove", "target": target}]
    html = env.get_template("board/_card.html").render(card=card, staff=staff)
    changes = card.get("changes", [])
    if type_ == "card.added" or "category" in changes or ("hidden" in changes and not staff):
        return [{"op": "remove", "target": target}, {"op": "append", "target": _column(card), "html": html}]
    return [{"op": "replace", "target": target, "html": html}]
