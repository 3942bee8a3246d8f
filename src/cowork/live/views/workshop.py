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
            {"op": "reload", "target": "#agenda-rail"},  # and so does its rail
        ]
    ),
)
# The projector's theme and join code, switched from the console: every projector follows without a reload.
register(
    "screen.changed",
    view=EventView(
        swaps=lambda env, event, data, staff: [
            {"op": "attr", "target": "body.projector", "name": "data-theme", "value": data["theme"]},
            {"op": "attr", "target": ".projector-layout", "name": "data-join", "value": data["join"]},
            {"op": "reload", "target": "#screen-switch"},  # other consoles show the switch as it now is
        ]
    ),
)
# The workshop's logo and accent: each projector fetches its look again (the logo's <img> and the stylesheet
# that sets --brand); other consoles redraw the form. The event itself carries no image.
register(
    "look.changed",
    view=EventView(
        swaps=lambda env, event, data, staff: [
            {"op": "reload", "target": "#projector-look"},
            {"op": "reload", "target": "#screen-look"},
        ]
    ),
)
