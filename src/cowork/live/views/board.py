"""Cards on a board: appended to, replaced in, or removed from their category column."""

from typing import Any

from jinja2 import Environment

from ...domain.models import Event
from . import EventView, register


def public_card(event: Event) -> dict[str, Any] | None:
    """A hidden card keeps its text to staff."""
    data = event.data
    if data.get("hidden"):
        return {"id": data["id"], "stage_id": data["stage_id"], "hidden": True, "seq": data.get("seq")}
    return data


def column(card: dict[str, Any]) -> str:
    return f"#col-{card['stage_id']}-{card.get('category') or 'none'}"


def card_swaps(env: Environment, event: Event, card: dict[str, Any], staff: bool) -> list[dict[str, Any]]:
    target = f"#card-{card['id']}"
    if card.get("hidden") and not staff:
        return [{"op": "remove", "target": target}]
    html = env.get_template("board/_card.html").render(card=card, staff=staff)
    changes = card.get("changes", [])
    if event.type == "card.added" or "category" in changes or ("hidden" in changes and not staff):
        return [{"op": "remove", "target": target}, {"op": "append", "target": column(card), "html": html}]
    return [{"op": "replace", "target": target, "html": html}]


register("card.added", "card.updated", view=EventView(public=public_card, swaps=card_swaps))
