"""Cards on a board: appended to, replaced in, or removed from their column or cluster.

Public screens (projector, phones) never get the text of a hidden or waiting card, nor of a card sent before
the day (`early`), nor what a card said before an edit (`before`). A waiting card reaches only its author's
page, as a note without its text.
"""

from typing import Any

from jinja2 import Environment

from cowork.domain.models import Event
from cowork.live.views.registry import EventView, register
from cowork.rendering import render_component

Data = dict[str, Any]
Swaps = list[dict[str, Any]]


def shown(item: Data) -> bool:
    """May public screens show this card or cluster?"""
    return not item.get("hidden") and item.get("approved", True)


def _public_item(item: Data) -> Data:
    return {k: v for k, v in item.items() if k not in ("before", "cards", "card_ids")}


def _public_cluster(item: Data) -> Data:
    public = _public_item(item)
    if "cards" in item:
        public["cards"] = [_public_item(c) for c in item["cards"] if shown(c)]
        public["card_ids"] = [c["id"] for c in public["cards"]]
    return public


def public_card(event: Event) -> Data | None:
    """A hidden card keeps its text to staff; a waiting one tells only its author that it arrived."""
    data = event.data
    if data.get("early"):  # before the day: only its author's phone lists it, from its own fetch
        keys = ("id", "stage_id", "participant_id", "early", "seq")
        return {k: data.get(k) for k in keys}
    if data.get("hidden"):
        return {"id": data["id"], "stage_id": data["stage_id"], "hidden": True, "seq": data.get("seq")}
    if not data.get("approved", True):
        return {
            "id": data["id"],
            "stage_id": data["stage_id"],
            "approved": False,
            "participant_id": data.get("participant_id"),
            "seq": data.get("seq"),
        }
    return _public_cluster(data)


def public_placement(event: Event) -> Data:
    data = event.data
    return {
        **{k: v for k, v in data.items() if k not in ("before", "items")},
        "items": [_public_cluster(item) for item in data.get("items", []) if shown(item)],
    }


def column(card: Data) -> str:
    """The column a card goes in: its breakout table's board, or the stage's."""
    category = card.get("category") or "none"
    if card.get("table_id"):
        return f"#tcol-{card['table_id']}-{category}"
    return f"#col-{card['stage_id']}-{category}"


def container(item: Data) -> str:
    """Where a card or cluster sits: inside its cluster's list, or in its category's column."""
    return f"#cluster-cards-{item['cluster_id']}" if item.get("cluster_id") else column(item)


def render_item(env: Environment, item: Data, staff: bool) -> str:
    # pushed: a card's edit box comes empty and the page script fills it when opened, so that a card at its
    # 2,000-character limit is not written three times into one push (record, card, edit box).
    if item.get("kind") == "cluster":
        return render_component(env, "cluster", item, item.get("cards", []), staff=staff, pushed=True)
    return render_component(env, "card", item, staff=staff, pushed=True)


def _place(env: Environment, item: Data, staff: bool) -> Swaps:
    target = f"#card-{item['id']}"
    if not staff and not shown(item):
        return [{"op": "remove", "target": target}]
    return [
        {"op": "remove", "target": target},
        {"op": "append", "target": container(item), "html": render_item(env, item, staff)},
    ]


def projector_views(stage_id: Any, ids: list[Any]) -> Swaps:
    """A projector showing the board's word cloud, or one of these cards in the spotlight, draws it again."""
    swaps: Swaps = [{"op": "reload", "target": f"#word-cloud-{stage_id}"}]
    for card_id in dict.fromkeys(i for i in ids if i):
        swaps.append({"op": "reload", "target": f'#stage:has(#spotlight[data-card="{card_id}"])'})
    return swaps


def card_swaps(env: Environment, event: Event, card: Data, staff: bool) -> Swaps:
    if card.get("early"):
        # Before the day: its author's list (on their page alone) and the console's count fetch themselves.
        stage_id = card["stage_id"]
        mine = {"op": "reload", "target": f"#early-mine-{stage_id}-{card.get('participant_id')}"}
        return [mine, {"op": "reload", "target": f"#early-count-{stage_id}"}] if staff else [mine]
    swaps = _card_swaps(env, event, card, staff)
    if card.get("table_id") or not card.get("approved", True):
        return swaps  # a table's card, or one waiting for approval: not on the board's projector views
    return swaps + projector_views(card["stage_id"], [card["id"], card.get("cluster_id")])


def _card_swaps(env: Environment, event: Event, card: Data, staff: bool) -> Swaps:
    target = f"#card-{card['id']}"
    if not staff and not card.get("approved", True):
        # Only the author's page has this list: it learns that the card arrived and waits.
        html = env.get_template("board/_pending_note.html").render(card=card)
        pending_list = f"#pending-{card['stage_id']}-{card.get('participant_id')}"
        return [{"op": "remove", "target": target}, {"op": "append", "target": pending_list, "html": html}]
    if not staff and not shown(card):
        return [{"op": "remove", "target": target}]
    changes = set(card.get("changes", []))
    if event.type == "card.added" or "category" in changes:
        return _place(env, card, staff)
    if not staff and (event.type == "card.approved" or "hidden" in changes):
        return _place(env, card, staff)  # it (re)appears on public screens
    return [{"op": "replace", "target": target, "html": render_item(env, card, staff)}]


def placement_swaps(env: Environment, event: Event, data: Data, staff: bool) -> Swaps:
    """Merges, moves and undos: take the changed cards away, then draw each changed item where it now sits."""
    swaps: Swaps = [{"op": "remove", "target": f"#card-{i}"} for i in data.get("remove", [])]
    for item in data.get("items", []):
        if staff or shown(item):
            swaps.append({"op": "append", "target": container(item), "html": render_item(env, item, staff)})
    ids = [*data.get("remove", []), *(item["id"] for item in data.get("items", []))]
    return swaps + projector_views(data["stage_id"], ids)


def settings_swaps(env: Environment, event: Event, data: Data, staff: bool) -> Swaps:
    template = "board/_approval_form.html" if staff else "board/_approval_note.html"
    target = f"#approval-{data['stage_id']}" if staff else f"#approval-note-{data['stage_id']}"
    html = env.get_template(template).render(stage={"id": data["stage_id"]}, approval=data["approval"])
    return [{"op": "replace", "target": target, "html": html}]


register(
    "card.added",
    "card.updated",
    "card.approved",
    view=EventView(public=public_card, swaps=card_swaps, moderation=True),
)
register(
    "cards.merged",
    "cards.moved",
    "moderation.undone",
    view=EventView(public=public_placement, swaps=placement_swaps, moderation=True),
)
register("stage.settings_changed", view=EventView(swaps=settings_swaps, moderation=True))
# New columns: each screen fetches its own rendering of the stage (its role and language differ).
register(
    "stage.categories_changed",
    view=EventView(swaps=lambda env, event, data, staff: [{"op": "reload", "target": "#stage"}]),
)

# An erased card leaves every screen; its record entries no longer carry its text. The votes and the ranking
# it was part of are refetched: their bars show "an erased card" instead of its words.
register(
    "card.erased",
    view=EventView(
        swaps=lambda env, event, data, staff: [
            {"op": "remove", "target": f"#card-{data['id']}"},
            {"op": "reload", "target": "#polls"},
            {"op": "reload", "target": f"#ranking-{data['stage_id']}"},
            *projector_views(data["stage_id"], [data["id"]]),
        ],
        moderation=True,
    ),
)


def projection_swaps(env: Environment, event: Event, data: Data, staff: bool) -> Swaps:
    """Every projector draws its stage again; a console redraws its projector controls."""
    if not staff:
        return [{"op": "reload", "target": "#stage"}]
    html = env.get_template("board/_projector_form.html").render(
        stage={"id": data["stage_id"]}, projection=data
    )
    return [
        {"op": "replace", "target": f"#projector-view-{data['stage_id']}", "html": html},
        {"op": "reload", "target": "body.projector #stage"},  # a facilitator moderating on the projector
    ]


# A spotlight or a word cloud on the projector: card ids and a switch, no card's words.
register("stage.projection_changed", view=EventView(swaps=projection_swaps, moderation=True))

# A dismissed suggestion is the facilitator's own business: public screens see only its seq.
register("suggestions.dismissed", view=EventView(public=lambda event: None))
