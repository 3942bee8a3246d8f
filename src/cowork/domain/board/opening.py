"""A board that opens before the day: between its opening and closing time, phones that followed the join
link add cards to it although the workshop is on another stage (or has not begun).

The one place for the rule who may add a card to which board when (`check_takes_cards`). The window is
kept in the stage's config (`opens_at`, `closes_at`: UTC, ISO 8601 with a Z). A card that comes in through
the window, while its stage is not on, is marked `early` in its `card.added` event: public screens do not
show it (only its author's phone lists it) until the stage is on, and the console counts those events.
"""

from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, func, select

from cowork.domain.actors import Actor
from cowork.domain.errors import Closed, Invalid
from cowork.domain.models import Event, Stage, Workshop, utcnow

# A needs board and a plain board may open early; group work has its tables, which form on the day.
EARLY_KINDS = frozenset({"board", "needs"})
WINDOW = ("opens_at", "closes_at")


def parse_moment(value: Any, *, field: str) -> datetime | None:
    """A date-time with its UTC offset (ISO 8601, e.g. 2026-12-07T09:00:00+01:00), as an aware UTC time."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise Invalid(
                "{field} must be a date and time such as 2026-12-07T09:00:00+01:00.", field=field
            ) from None
    else:
        raise Invalid("{field} must be a date and time such as 2026-12-07T09:00:00+01:00.", field=field)
    if moment.tzinfo is None:
        raise Invalid(
            "{field} needs its UTC offset, such as 2026-12-07T09:00:00+01:00 (or a Z for UTC).", field=field
        )
    return moment.astimezone(UTC)


def stored(moment: datetime | None) -> str | None:
    return (
        None
        if moment is None
        else moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    )


def clean_window(stage: Stage, changes: dict[str, Any]) -> dict[str, Any]:
    """The window's keys among a settings change, checked together with what the stage has already."""
    given = {key: changes[key] for key in WINDOW if key in changes}
    if not given:
        return {}
    opens = parse_moment(given.get("opens_at", stage.config.get("opens_at")), field="opens_at")
    closes = parse_moment(given.get("closes_at", stage.config.get("closes_at")), field="closes_at")
    if (opens is None) != (closes is None):
        raise Invalid("A board open before the day needs both an opening and a closing time.")
    if opens is not None and closes is not None and closes <= opens:
        raise Invalid("The closing time must come after the opening time.")
    return {"opens_at": stored(opens), "closes_at": stored(closes)}


def window_of(stage: Stage) -> tuple[datetime, datetime] | None:
    config = stage.config or {}
    if stage.kind not in EARLY_KINDS or not config.get("opens_at") or not config.get("closes_at"):
        return None
    opens = parse_moment(config["opens_at"], field="opens_at")
    closes = parse_moment(config["closes_at"], field="closes_at")
    assert opens is not None and closes is not None
    return opens, closes


def open_early(stage: Stage, now: datetime) -> bool:
    """Does the stage take cards through its window at `now`?"""
    window = window_of(stage)
    return window is not None and window[0] <= now < window[1]


def check_takes_cards(workshop: Workshop, stage: Stage, actor: Actor, now: datetime | None = None) -> bool:
    """May the actor add a card to this stage now? Returns whether the card comes in early (through the
    window, the stage not on); facilitators may always add cards."""
    if not actor.is_participant:
        return False
    if workshop.status != "open":
        raise Closed("This stage is not open for cards right now.")
    if workshop.current_stage_id == stage.id:
        return False
    now = now or utcnow()
    window = window_of(stage)
    if window is None:
        raise Closed("This stage is not open for cards right now.")
    opens, closes = window
    if now < opens:
        raise Closed("This board opens for cards on {opens}.", opens=opens)
    if now >= closes:
        raise Closed(
            "This board closed for cards on {closes}; it takes cards again when the workshop reaches it.",
            closes=closes,
        )
    return True


def early_boards(session: Session, workshop: Workshop, now: datetime | None = None) -> list[Stage]:
    """The boards a phone may add cards to now besides the stage on (their window is open)."""
    now = now or utcnow()
    if workshop.status != "open":
        return []
    query = select(Stage).where(Stage.workshop_id == workshop.id, Stage.archived == False)  # noqa: E712
    return [
        stage
        for stage in session.exec(query.order_by(Stage.position))
        if stage.id != workshop.current_stage_id and open_early(stage, now)
    ]


def early_counts(session: Session, workshop_id: int) -> dict[int, int]:
    """Per stage: how many cards came in before the day (through its window, the stage not on)."""
    stage_id = Event.data["stage_id"].as_integer()
    rows = session.exec(
        select(stage_id, func.count())
        .where(
            Event.workshop_id == workshop_id,
            Event.type == "card.added",
            Event.data["early"].as_boolean().is_(True),
        )
        .group_by(stage_id)
    )
    return {int(sid): int(count) for sid, count in rows if sid is not None}
