"""The session record: every change is an Event with a per-workshop, gapless seq."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy import select as sa_select
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session, select

from cowork.domain.models import Event, Receipt, Workshop

# Every write's seq comes from this statement: built once (building it cost more than running it).
_WORKSHOPS = Workshop.__table__  # type: ignore[attr-defined]
_BUMP = (
    update(_WORKSHOPS)
    .where(_WORKSHOPS.c.id == bindparam("workshop_id"))
    .values(last_seq=_WORKSHOPS.c.last_seq + 1)
    .returning(_WORKSHOPS.c.last_seq)
)


@dataclass
class Tx:
    """What a domain function gets: the open write session and the events it appended."""

    session: Session
    events: list[Event] = field(default_factory=list)

    def record(self, workshop_id: int, type_: str, data: dict[str, Any], *, seq: int | None = None) -> Event:
        """Append an event; its seq comes from a row-locking bump of the workshop's counter, or is the one
        `next_seq` just took for it (a row that carries its event's seq is then inserted with it)."""
        event = Event(
            workshop_id=workshop_id,
            seq=self.next_seq(workshop_id) if seq is None else seq,
            type=type_,
            data=data,
        )
        self.session.add(event)
        self.events.append(event)
        return event

    def next_seq(self, workshop_id: int) -> int:
        """Bump the workshop's counter (the row stays locked to the transaction's end): the seq of the event
        to `record` next in this transaction. A plain UPDATE … RETURNING, not the ORM's bulk update (which
        first looks for the row among the session's objects); a loaded workshop is told its new last_seq."""
        seq = self.session.connection().execute(_BUMP, {"workshop_id": workshop_id}).scalar_one()
        loaded = self.session.identity_map.get(identity_key(Workshop, workshop_id))
        if loaded is not None:
            set_committed_value(loaded, "last_seq", seq)
        return seq

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


# Built once (a room's phone pages ask; building the statement cost more than running it), through
# SQLAlchemy Core: committed rows only, nothing of the session is flushed.
_EVENT = Event.__table__.c  # type: ignore[attr-defined]
_OTHER_BETWEEN = (
    sa_select(_EVENT.id)
    .where(_EVENT.workshop_id == bindparam("workshop_id"))
    .where(_EVENT.seq > bindparam("after"), _EVENT.seq <= bindparam("upto"))
    .where(_EVENT.type.not_in(bindparam("types", expanding=True)))
    .limit(1)
)


def only_between(
    session: Session, *, workshop_id: int, after: int, upto: int, types: tuple[str, ...]
) -> bool:
    """Whether every event with a seq in (after, upto] is of one of `types` (True when there is none)."""
    params = {"workshop_id": workshop_id, "after": after, "upto": upto, "types": list(types)}
    return session.connection().execute(_OTHER_BETWEEN, params).first() is None
