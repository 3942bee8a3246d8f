"""Workshop-wide events: who joined, which stage is on."""

from cowork import numbers
from cowork.live.views.registry import EventView, register

register(
    "participant.joined",
    view=EventView(
        swaps=lambda env, event, data, staff: [
            {"op": "text", "target": "#present-count", "text": numbers.count(data["present"])}
        ],
        quiet=True,  # a room scanning the QR code at once: one count a second, not one frame per join
    ),
)
# Each screen fetches its own rendering of the new stage (its role and language differ).
register(
    "stage.changed",
    view=EventView(
        swaps=lambda env, event, data, staff: [
            {"op": "reload", "target": "#stage"},
            {"op": "reload", "target": "#agenda-rows"},  # the console's agenda designer marks the current one
        ]
    ),
)
