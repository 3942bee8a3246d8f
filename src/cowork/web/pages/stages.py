"""What each kind of stage shows: a loader for its page context, and one template per role.

A feature registers a loader for its stage kinds and adds `templates/stages/<kind>/<role>.html`
(role: participant, projector or facilitator); kinds without their own use `stages/default/`.
Things any stage may carry (votes, timers) register a common loader and fill the `extras/` slots that
the stage wrappers include for every kind, in the order of `rendering.EXTRAS`:
`templates/extras/<name>/<role>.html`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from cowork.domain.actors import Actor
from cowork.domain.board import view as board_view
from cowork.domain.models import Participant, Workshop
from cowork.domain.workshops import get_stage

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


@register("board", "needs", "group_work")
def _cards(session: Session, request: StageRequest) -> dict[str, Any]:
    return {
        "cards": board_view.list_cards(session, stage_id=request.stage["id"], include_hidden=request.staff)
    }


@register_common
def _stage_text(session: Session, request: StageRequest) -> dict[str, Any]:
    """What the format says about the stage (an information stage's text, a group's task), per language.

    Without it an information stage is a title above an empty screen; the needs board shows its own.
    """
    config = get_stage(session, stage_id=request.stage["id"]).config
    return {"stage_text": config.get("prompt") or config.get("description")}
