"""How the projector looks besides its stage: a light or dark theme, and where the join code sits.

The facilitator switches both from the console while the room watches; every projector follows at once.
The setting lives in the session record only (the last `screen.changed` event), so it needs no table of
its own and an imported record brings it along.
"""

from typing import Any

from sqlmodel import Session, select

from cowork.domain.actors import Actor
from cowork.domain.errors import Invalid
from cowork.domain.models import Event
from cowork.domain.record import Tx
from cowork.domain.workshops import get_workshop

THEMES = ("light", "dark")
# auto: the full join panel on the first stage, the corner badge from the second on.
JOIN_MODES = ("auto", "panel", "badge")
DEFAULT = {"theme": THEMES[0], "join": JOIN_MODES[0]}


def screen_of(session: Session, *, workshop_id: int) -> dict[str, str]:
    """The projector's theme and join mode as last switched (the defaults before any switch)."""
    last = session.exec(
        select(Event)
        .where(Event.workshop_id == workshop_id, Event.type == "screen.changed")
        .order_by(Event.seq.desc())  # type: ignore[attr-defined]
        .limit(1)
    ).first()
    return {**DEFAULT, **(last.data if last else {})}


def check_screen(data: dict[str, Any]) -> dict[str, str]:
    """A theme and a join mode cowork knows, or Invalid (the console and an imported record alike)."""
    theme, join = data.get("theme"), data.get("join")
    if theme not in THEMES:
        raise Invalid("Unknown projector theme {theme}.", theme=str(theme))
    if join not in JOIN_MODES:
        raise Invalid("Unknown place for the join code {join}.", join=str(join))
    return {"theme": theme, "join": join}


def set_screen(
    tx: Tx, *, actor: Actor, workshop_id: int, theme: str | None = None, join: str | None = None
) -> dict[str, str]:
    """Switch the projector's theme and/or join mode; an unchanged setting records nothing."""
    workshop = get_workshop(tx.session, workshop_id=workshop_id)
    actor.check_facilitator(workshop)
    now = screen_of(tx.session, workshop_id=workshop_id)
    wanted = check_screen({"theme": theme or now["theme"], "join": join or now["join"]})
    if wanted != now:
        tx.record(workshop_id, "screen.changed", wanted)
    return wanted
