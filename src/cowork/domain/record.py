"""The session record: every change is an Event with a per-workshop, gapless seq."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from cowork.domain.models import Event, Receipt, Workshop


@dataclass
class Tx:
    """What a domain function gets: the open write session and the events it appended."""

    session: Session
    events: list[Event] = field(default_factory=list)

    def record(self, workshop_id: int, type_: str, data: dict[str, Any]) -> Event:
        """Append an event; its seq comes from a row-locking bump of the workshop's counter."""
        seq = self.session.execute(
            update(Workshop)
            .where(Workshop.id == workshop_id)  # type: ignore[arg-type]
            .values(last_seq=Workshop.last_seq + 1)
            .returning(Workshop.last_seq)
        ).scalar_one()
        event = Event(workshop_id=workshop_id, seq=seq, type=type_, data=data)
        self.session.add(event)
        self.events.append(event)
        return event

    def receipt(self, actor: str, client_id: str | None) -> int | None:
        """The object a command with this client id already made, if any."""
        if not client_id:
            return None
        found = self.session.exec(
            select(Receipt.object_id).where(Receipt.actor == actor, Receipt.client_id == client_id)
        ).first()
        return found

    def remember(self, workshop_id: int, actor: str, client_id: str | None, object_id: int) -> None:
        if client_id:
            self.session.add(
                Receipt(workshop_id=workshop_id, actor=actor, client_id=client_id, object_id=object_id)
            )


def events_since(session: Session, *, workshop_id: int, since: int = 0, limit: int = 1000) -> list[Event]:
    """Events after `since`, in seq order."""
    return list(
        session.exec(
            select(Event)
            .where(Event.workshop_id == workshop_id, Event.seq > since)
            .order_by(Event.seq)  # type: ignore[arg-type]
            .limit(limit)
        )
    )


def events_to_last(
    session: Session, *, workshop_id: int, since: int = 0, limit: int = 1000
) -> tuple[list[Event], int]:
    """The events after `since` and the workshop's last seq, read first: every seq up to it was committed
    before the events were read, so the events hold all of them unless `limit` cut the list short."""
    last = session.exec(select(Workshop.last_seq).where(Workshop.id == workshop_id)).first() or 0
    return events_since(session, workshop_id=workshop_id, since=since, limit=limit), last


def aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; everything we store is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def only_between(
    session: Session, *, workshop_id: int, after: int, upto: int, types: tuple[str, ...]
) -> bool:
    """Whether every event with a seq in (after, upto] is of one of `types` (True when there is none)."""
    other = session.exec(
        select(Event.id)
        .where(Event.workshop_id == workshop_id, Event.seq > after, Event.seq <= upto)
        .where(col(Event.type).not_in(types))
        .limit(1)
    ).first()
    return other is None
