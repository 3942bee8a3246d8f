"""Events of the organisers' data decisions: archiving, privacy settings, purges.

Archiving and restoring closes or reopens the workshop for every screen (each refetches its stage).
Privacy settings, purges and the report's details (place, follow-up date) are for staff only: public
screens get {seq, type, at}.
"""

from cowork.live.views.registry import EventView, register

register(
    "workshop.archived",
    "workshop.restored",
    view=EventView(
        public=lambda event: {"status": event.data.get("status")},
        swaps=lambda env, event, data, staff: [{"op": "reload", "target": "#stage"}],
    ),
)
register(
    "privacy.changed",
    "workshop.purged",
    "workshop.details_changed",
    view=EventView(public=lambda event: None),
)
