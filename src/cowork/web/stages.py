"""What each kind of stage shows: a loader for its page context, and one template per role.

A feature registers a loader for its stage kinds and adds `templates/stages/<kind>/<role>.html`
(role: participant, projector or facilitator); kinds without their own use `stages/default/`.
Things any stage may carry (polls, timers) register a common loader and fill the `extras/` slots
that the stage wrappers include for every kind, in the order of EXTRAS: `templates/extras/<name>/<role>.html`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from ..domain import board_view
from ..domain.actors import Actor
from ..domain.models import Participant, Workshop

ROLES = ("participant", "projector", "facilitator")


@dataclass(frozen=True)
class StageRequest:
    """Who looks at which stage: staff (facilitators) see hidden and pending things, others do not."""

    workshop: Workshop
    stage: dict[str, Any]
    role: str
    actor: Actor | None = None
    participant: Participant | None = None

    @property
    def staff(self) -> bool:
        return self.role == "facilitator"


Loader = Callable[[Session, StageRequest], dict[str, Any]]
_LOADERS: dict[str, Loader] = {}
_COMMON: list[Loader] = []


def register(*kinds: str) -> Callable[[Loader], Loader]:
    def decorate(loader: Loader) -> Loader:
        for kind in kinds:
            _LOADERS[kind] = loader
        return loader

    return decorate


def register_common(loader: Loader) -> Loader:
    """A loader for every stage kind (polls, timers: things any stage may have)."""
    _COMMON.append(loader)
    return loader


def stage_context(session: Session, request: StageRequest) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for common in _COMMON:
        context.update(common(session, request))
    loader = _LOADERS.get(request.stage["kind"])
    if loader:
        context.update(loader(session, request))
    return context


def templates_for(kind: str, role: str) -> list[str]:
    """For Jinja's include: the kind's own template first, the default after it."""
    return [f"stages/{kind}/{role}.html", f"stages/default/{role}.html"]


# The extras/ slots in page order, below the stage's own content: the time (a few lines, which the
# facilitator looks at often) before the votes (a long panel with the console's form for a new vote).
EXTRAS = ("timer", "polls")


def extras_for(role: str) -> list[str]:
    """The extra partials every stage page of this role includes (each may render nothing)."""
    return [f"extras/{name}/{role}.html" for name in EXTRAS]


@register("board", "needs", "group_work")
def _cards(session: Session, request: StageRequest) -> dict[str, Any]:
    return {
        "cards": board_view.list_cards(session, stage_id=request.stage["id"], include_hidden=request.staff)
    }
