"""The agenda (where we are, whether we are over time) and the shared timer every screen counts down from.

Screens never trust their own clocks: they get the server's end time (`ends_at`) and the server's time of the
rendering, and count down from that. Every function takes a `clock`, so tests move time without sleeping.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from cowork.domain.actors import Actor
from cowork.domain.errors import Closed, Invalid
from cowork.domain.models import Event, Stage, Workshop, utcnow
from cowork.domain.program.formats import find_format
from cowork.domain.program.models import Timer
from cowork.domain.record import Tx, aware
from cowork.domain.workshops import get_workshop, stages_of

Clock = Callable[[], datetime]
ACTIONS = ("start", "pause", "resume", "add", "reset")
EVENT_OF = {
    "start": "timer.started",
    "pause": "timer.paused",
    "resume": "timer.resumed",
    "add": "timer.extended",
    "reset": "timer.reset",
}
MAX_SECONDS = 4 * 3600
MAX_ADD = 3600
DEFAULT_SECONDS = 300
DEFAULT_ADD = 60


def iso(moment: datetime | None) -> str | None:
    """UTC with milliseconds and a Z, as every browser parses it."""
    if moment is None:
        return None
    return aware(moment).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --- the timer ------------------------------------------------------------------------------------------


def describe_timer(timer: Timer | None) -> dict[str, Any]:
    """The timer as events, the API and the templates show it.

    state: idle (never started, or reset), running (count down to ends_at) or paused (remaining stands still).
    """
    if timer is None:
        return {
            "state": "idle",
            "stage_id": None,
            "ends_at": None,
            "remaining": None,
            "duration": None,
            "subject": {},
        }
    return {
        "state": timer.state,
        "stage_id": timer.stage_id,
        "ends_at": iso(timer.ends_at),
        # Screens count from ends_at while it runs; remaining is what is left while it stands still.
        "remaining": None if timer.state == "running" else round(timer.remaining or 0.0, 3),
        "duration": timer.duration,
        "subject": dict(timer.subject or {}),
    }


def _seconds(value: Any, *, default: int, limit: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise Invalid("The seconds must be a whole number.")
    if not 1 <= value <= limit:
        raise Invalid("The seconds must be between 1 and {limit}.", limit=limit)
    return int(value)


def timer_of(session: Session, workshop_id: int) -> Timer | None:
    return session.exec(select(Timer).where(Timer.workshop_id == workshop_id)).first()


def control_timer(
    tx: Tx,
    *,
    actor: Actor,
    workshop_id: int,
    action: str,
    seconds: Any = None,
    clock: Clock = utcnow,
) -> dict[str, Any]:
    """Start, pause, resume, add time to or reset the workshop's timer (facilitators only)."""
    workshop = get_workshop(tx.session, workshop_id=workshop_id)
    actor.check_facilitator(workshop)
    if action not in ACTIONS:
        raise Invalid(
            "Unknown timer action {action}; use one of: {known}.", action=action, known=", ".join(ACTIONS)
        )
    now = clock()
    if action == "start":
        stage = tx.session.get(Stage, workshop.current_stage_id) if workshop.current_stage_id else None
        default = stage.minutes * 60 if stage and stage.minutes else DEFAULT_SECONDS
        return start_timer(
            tx, workshop=workshop, seconds=_seconds(seconds, default=default, limit=MAX_SECONDS), now=now
        )
    timer = timer_of(tx.session, workshop_id)
    if timer is None:
        raise Closed("There is no timer yet; please start one first.")
    if action == "pause":
        if timer.state != "running" or timer.ends_at is None:
            raise Closed("The timer is not running.")
        timer.state, timer.remaining, timer.ends_at = "paused", _left(timer.ends_at, now), None
    elif action == "resume":
        if timer.state != "paused":
            raise Closed("The timer is not paused.")
        timer.state, timer.ends_at = "running", now + timedelta(seconds=timer.remaining or 0.0)
        timer.remaining = None
    elif action == "add":
        extra = _seconds(seconds, default=DEFAULT_ADD, limit=MAX_ADD)
        timer.duration += extra
        if timer.state == "running" and timer.ends_at is not None:
            # A timer that already ran out counts on from now, not from its past end.
            timer.ends_at = max(aware(timer.ends_at), now) + timedelta(seconds=extra)
        else:
            timer.remaining = max(timer.remaining or 0.0, 0.0) + extra
    else:
        _rest(timer)
    return _save(tx, workshop, timer, action, now)


def start_timer(
    tx: Tx, *, workshop: Workshop, seconds: int, now: datetime, subject: dict[str, Any] | None = None
) -> dict[str, Any]:
    """(Re)start the timer on the current stage; a presentation starts it for its table."""
    assert workshop.id is not None
    timer = timer_of(tx.session, workshop.id) or Timer(workshop_id=workshop.id, duration=seconds)
    timer.stage_id = workshop.current_stage_id
    timer.state, timer.duration, timer.remaining = "running", seconds, None
    timer.ends_at = now + timedelta(seconds=seconds)
    timer.subject = dict(subject or {})
    return _save(tx, workshop, timer, "start", now)


def stop_timer(tx: Tx, *, workshop: Workshop, now: datetime) -> dict[str, Any] | None:
    """Reset a running or paused timer (after the last presentation); an idle one stays as it is."""
    assert workshop.id is not None
    timer = timer_of(tx.session, workshop.id)
    if timer is None or timer.state == "idle":
        return None
    _rest(timer)
    return _save(tx, workshop, timer, "reset", now)


def _rest(timer: Timer) -> None:
    timer.state, timer.ends_at, timer.remaining = "idle", None, float(timer.duration)


def _left(ends_at: datetime, now: datetime) -> float:
    """Seconds until the end; below zero when it ran over."""
    return round((aware(ends_at) - now).total_seconds(), 3)


def _save(tx: Tx, workshop: Workshop, timer: Timer, action: str, now: datetime) -> dict[str, Any]:
    assert workshop.id is not None
    timer.updated_at = now
    tx.session.add(timer)
    data = {**describe_timer(timer), "action": action}
    tx.record(workshop.id, EVENT_OF[action], data)
    return data


def read_timer(session: Session, *, actor: Actor, workshop_id: int, clock: Clock = utcnow) -> dict[str, Any]:
    workshop = get_workshop(session, workshop_id=workshop_id)
    actor.check_member(workshop)
    now = clock()
    return {**describe_timer(timer_of(session, workshop_id)), "server_now": iso(now)}


def timer_on_stage(session: Session, *, workshop: Workshop) -> dict[str, Any]:
    """What screens show: the timer if it was started on the current stage, else an idle one."""
    assert workshop.id is not None
    timer = timer_of(session, workshop.id)
    if timer is not None and timer.stage_id != workshop.current_stage_id:
        timer = None
    return describe_timer(timer)


# --- the agenda -----------------------------------------------------------------------------------------


def stage_started_at(session: Session, workshop: Workshop) -> datetime:
    """When the current stage began: the last stage.changed event, or the workshop's creation."""
    found = session.exec(
        select(Event.at)
        .where(Event.workshop_id == workshop.id, Event.type == "stage.changed")
        .order_by(col(Event.seq).desc())
        .limit(1)
    ).first()
    return aware(found or workshop.created_at)


def describe_agenda(session: Session, *, workshop: Workshop, now: datetime) -> dict[str, Any]:
    """The stages in order, which one is on, since when, and whether it runs over its planned minutes."""
    return agenda_at(agenda_facts(session, workshop=workshop), now)


def agenda_facts(session: Session, *, workshop: Workshop) -> dict[str, Any]:
    """What of the agenda does not move with the clock (the stages, when the current one began): a phone
    page built for a whole room keeps it, and agenda_at adds the clock's part for each page."""
    assert workshop.id is not None
    stages = stages_of(session, workshop_id=workshop.id)
    current = next((s for s in stages if s.id == workshop.current_stage_id), stages[0] if stages else None)
    return {
        "current_stage_id": current.id if current else None,
        "position": current.position + 1 if current else None,
        "count": len(stages),
        "started": stage_started_at(session, workshop),
        "planned_seconds": current.minutes * 60 if current and current.minutes else None,
        "stages": [
            {
                "id": stage.id,
                "position": stage.position,
                "kind": stage.kind,
                "title": stage.title,
                "minutes": stage.minutes,
                "status": _status(stage, current),
            }
            for stage in stages
        ],
    }


def agenda_at(facts: dict[str, Any], now: datetime) -> dict[str, Any]:
    started, planned = facts["started"], facts["planned_seconds"]
    elapsed = max(0.0, (now - started).total_seconds())
    over_by = elapsed - planned if planned is not None and elapsed > planned else 0.0
    return {
        "current_stage_id": facts["current_stage_id"],
        "position": facts["position"],
        "count": facts["count"],
        "stage_started_at": iso(started),
        "planned_seconds": planned,
        "planned_end": iso(started + timedelta(seconds=planned)) if planned is not None else None,
        "elapsed_seconds": round(elapsed, 3),
        "over_time": over_by > 0,
        "over_by_seconds": round(over_by, 3),
        "server_now": iso(now),
        "stages": facts["stages"],
    }


def _status(stage: Stage, current: Stage | None) -> str:
    if current is None or stage.position < current.position:
        return "done"
    return "current" if stage.id == current.id else "upcoming"


def read_agenda(session: Session, *, actor: Actor, workshop_id: int, clock: Clock = utcnow) -> dict[str, Any]:
    workshop = get_workshop(session, workshop_id=workshop_id)
    actor.check_member(workshop)
    return describe_agenda(session, workshop=workshop, now=clock())


# --- as screens show it ---------------------------------------------------------------------------------


def clock_text(seconds: float) -> str:
    """Time left as screens show it: 4:05 or 1:02:03, and +0:12 once over (static/cowork.js agrees)."""
    if seconds > 0:
        whole, sign = -int(-seconds // 1), ""  # rounded up: a screen shows 0:00 only when the time is up
    else:
        whole = int(-seconds // 1)
        sign = "+" if whole else ""
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours}:{minutes:02d}:{secs:02d}" if hours else f"{sign}{minutes}:{secs:02d}"


def left_at(ends_at: str | None, remaining: float | None, now: datetime) -> float:
    """Seconds left at `now` of a timer as describe_timer gives it (running: ends_at; else remaining)."""
    if ends_at is not None:
        return (datetime.fromisoformat(ends_at.replace("Z", "+00:00")) - now).total_seconds()
    return remaining or 0.0


def local_time(moment: str | None) -> str:
    """HH:MM in the server's time zone, for screens without JavaScript (the script shows the device's)."""
    if moment is None:
        return ""
    return datetime.fromisoformat(moment.replace("Z", "+00:00")).astimezone().strftime("%H:%M")


def timer_on_screen(timer: dict[str, Any], now: datetime) -> dict[str, Any]:
    """describe_timer's data with what a page shows before (or without) the script: the time left, the end."""
    never = timer["ends_at"] is None and timer["remaining"] is None  # never started on this stage
    return {
        **timer,
        "clock": "" if never else clock_text(left_at(timer["ends_at"], timer["remaining"], now)),
        "ends_local": local_time(timer["ends_at"]),
        "server_now": iso(now),
    }


def agenda_on_screen(agenda: dict[str, Any]) -> dict[str, Any]:
    planned = agenda["planned_seconds"]
    left = planned - agenda["elapsed_seconds"] if planned is not None else None
    return {
        **agenda,
        "clock": clock_text(left) if left is not None else "",
        "started_local": local_time(agenda["stage_started_at"]),
        "planned_end_local": local_time(agenda["planned_end"]),
    }


def programme_facts(session: Session, *, workshop: Workshop) -> dict[str, Any]:
    """The timer, the agenda and the participant limit as stored: what moves with the clock or with each
    join is added by programme_on_screen."""
    spec = find_format(session, workshop.format_id)
    return {
        "timer": timer_on_stage(session, workshop=workshop),
        "agenda": agenda_facts(session, workshop=workshop),
        "limit": spec.max_participants if spec else None,
    }


def programme_on_screen(facts: dict[str, Any], now: datetime, present: int) -> dict[str, Any]:
    """What every stage page shows of the programme at `now`, with `present` participants in the room."""
    limit = facts["limit"]
    return {
        "timer": timer_on_screen(facts["timer"], now),
        "agenda": agenda_on_screen(agenda_at(facts["agenda"], now)),
        "server_now": iso(now),
        "capacity": {"limit": limit, "present": present, "over": limit is not None and present > limit},
    }
