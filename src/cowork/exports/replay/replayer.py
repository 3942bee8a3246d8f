"""What every replay function shares: the state an import carries from event to event (above all, which
new row each id of the record became), the registry of replay functions, and the import loop itself."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.exc import DataError, IntegrityError
from sqlmodel import Session, SQLModel

from cowork import i18n
from cowork.domain.actors import Actor
from cowork.domain.errors import DomainError, Invalid, NotAllowed
from cowork.domain.models import Stage, Workshop, utcnow
from cowork.domain.record import Tx
from cowork.exports.document import SCHEMA_VERSION

MAX_EVENTS = 200_000
Row = TypeVar("Row", bound=SQLModel)

# Which kind of row an id in event data stands for, so replayed data points at the new rows:
# keys that hold one id,
ID_KEYS = {
    "stage_id": "stage",
    "current_stage_id": "stage",
    "participant_id": "participant",
    "card_id": "card",
    "contribution_id": "card",
    "cluster_id": "card",
    "spotlight_id": "card",  # the card or cluster a projector showed full screen
    "poll_id": "poll",
    "option_id": "option",
    "ballot_id": "ballot",
    "proposal_id": "proposal",
    "commitment_id": "commitment",
    "stakeholder_id": "stakeholder",
    "owner_stakeholder_id": "stakeholder",
    "table_id": "table",
    "from_table_id": "table",
}
# keys that hold a list of ids,
ID_LISTS = {
    "card_ids": "card",
    "needs": "card",
    "remove": "card",
    "adopted": "option",
    "stakeholder_ids": "stakeholder",
    "table_ids": "table",
}
# keys that hold a mapping from ids (as strings) to values,
KEYED_BY_ID = {"choices": "option", "tally": "option"}
# and keys whose objects have a plain "id" of this kind (an event's own "id" is named by its replayer).
NESTED_IDS = {
    "before": "card",
    "cards": "card",
    "items": "card",
    "options": "option",
    "divergence": "option",
    "stakeholder": "stakeholder",
    "kept": "stakeholder",
    "dropped": "stakeholder",
    "similar": "stakeholder",
    "tables": "table",
    "commitments": "commitment",
}
# A proposal may name an owner that is not (or no longer) on the map: that link is dropped, not refused.
LOOSE_KEYS = frozenset({"owner_stakeholder_id"})
# Data about another workshop (where a commitment was carried over from) stays as recorded.
ELSEWHERE = frozenset({"imported_from", "from_workshop_id", "source_id"})


@dataclass
class Replay:
    tx: Tx
    actor: Actor
    metadata: dict[str, Any]
    seq: int = 0
    event_type: str = ""
    at: datetime | None = None
    workshop: Workshop | None = None
    ids: dict[str, dict[Any, int]] = field(default_factory=dict)

    @property
    def session(self) -> Session:
        return self.tx.session

    @property
    def workshop_id(self) -> int:
        if self.workshop is None or self.workshop.id is None:
            raise Invalid("The record must begin with workshop.created.")
        return self.workshop.id

    @property
    def now(self) -> datetime:
        """When the event happened, for the rows that keep a time."""
        return self.at or utcnow()

    def made(self, kind: str, old: Any, new: int | None) -> None:
        """The record's `old` id of this kind is the new row `new` from now on."""
        known = self.ids.setdefault(kind, {})
        if old is None or old in known:
            raise Invalid("Event {seq} makes {kind} {id} a second time.", seq=self.seq, kind=kind, id=old)
        assert new is not None
        known[old] = new

    def keep(self, row: Row, kind: str, old: Any) -> None:
        """Store a new row, which the record's id `old` of this kind stands for from now on."""
        self.session.add(row)
        self.session.flush()
        self.made(kind, old, row.id)  # type: ignore[attr-defined]

    def new_id(self, kind: str, old: Any) -> Any:
        if old is None:
            return None
        try:
            return self.ids[kind][old]
        except (KeyError, TypeError):
            raise Invalid(
                "Event {seq} points at {kind} {id}, which the record never made.",
                seq=self.seq,
                kind=kind,
                id=old,
            ) from None

    def get(self, model: type[Row], kind: str, old: Any) -> Row:
        """The new row the record's id stands for (refused when the record never made it, or it is gone)."""
        new = self.new_id(kind, old)
        row = self.session.get(model, new) if new is not None else None
        if row is None:
            raise Invalid(
                "Event {seq} points at {kind} {id}, which the record never made.",
                seq=self.seq,
                kind=kind,
                id=old,
            )
        return row

    def stage(self, old: Any, *kinds: str) -> Stage:
        """The new stage for the record's stage id, which must be of one of these kinds (if any are named)."""
        stage = self.get(Stage, "stage", old)
        if kinds and stage.kind not in kinds:
            raise Invalid(
                "Event {seq} belongs on a stage of kind {kinds}, not on a {kind} stage.",
                seq=self.seq,
                kinds=", ".join(kinds),
                kind=stage.kind,
            )
        return stage

    def remapped(self, key: str, value: Any) -> Any:
        """One value of event data, as it reads with the new ids."""
        return self.remap({key: value})[key]

    def remap(self, data: Any, kind: str | None = None) -> Any:
        """The event data with every id replaced by the new row's; a plain "id" is of `kind`."""
        if isinstance(data, list):
            return [self.remap(item, kind) for item in data]
        if not isinstance(data, dict):
            return data
        fixed = {}
        for key, value in data.items():
            if key in ELSEWHERE:
                fixed[key] = value
            elif key == "id" and kind is not None:
                fixed[key] = self.new_id(kind, value)
            elif key == "workshop_id":
                fixed[key] = self.workshop_id
            elif key == "workshop_code":
                fixed[key] = self.workshop.code if self.workshop else value
            elif key in LOOSE_KEYS:
                fixed[key] = self.ids.get(ID_KEYS[key], {}).get(value)
            elif key in ID_KEYS:
                fixed[key] = self.new_id(ID_KEYS[key], value)
            elif key in ID_LISTS and isinstance(value, list):
                fixed[key] = [self.new_id(ID_LISTS[key], item) for item in value]
            elif key in KEYED_BY_ID and isinstance(value, dict):
                fixed[key] = {
                    str(self.new_id(KEYED_BY_ID[key], int(old))): self.remap(item)
                    for old, item in value.items()
                }
            else:
                fixed[key] = self.remap(value, NESTED_IDS.get(key))
        return fixed


Replayer = Callable[[Replay, dict[str, Any]], dict[str, Any]]
REPLAYERS: dict[str, Replayer] = {}


def replays(*types: str) -> Callable[[Replayer], Replayer]:
    """Register a function that rebuilds what events of these types stand for and returns their new data."""

    def register(fn: Replayer) -> Replayer:
        for type_ in types:
            REPLAYERS[type_] = fn
        return fn

    return register


def check_record(record: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The record's metadata and events, or an Invalid naming what is wrong with it."""
    if not isinstance(record, dict) or "events" not in record or "schema_version" not in record:
        raise Invalid("This is not a cowork session record: it needs schema_version, workshop and events.")
    version = record["schema_version"]
    if version != SCHEMA_VERSION:
        raise Invalid(
            "Unknown schema_version {version}: this cowork reads session records of version {known}.",
            version=version,
            known=SCHEMA_VERSION,
        )
    events, metadata = record["events"], record.get("workshop") or {}
    if not isinstance(events, list) or not events or not isinstance(metadata, dict):
        raise Invalid("This session record has no events.")
    if len(events) > MAX_EVENTS:
        raise Invalid("This session record is too long: at most {limit} events.", limit=MAX_EVENTS)
    for expected, event in enumerate(events, start=1):
        if not (
            isinstance(event, dict)
            and isinstance(event.get("seq"), int)
            and isinstance(event.get("type"), str)
            and isinstance(event.get("data"), dict)
        ):
            raise Invalid("Event number {n} of the record needs seq, type and data.", n=expected)
        if event["seq"] != expected:
            raise Invalid(
                "The record has a gap in seq: expected {expected}, found {found}.",
                expected=expected,
                found=event["seq"],
            )
    unknown = sorted({e["type"] for e in events} - REPLAYERS.keys())
    if unknown:
        raise Invalid("This record has events cowork cannot import yet: {types}.", types=", ".join(unknown))
    if events[0]["type"] != "workshop.created":
        raise Invalid("The record must begin with workshop.created.")
    return metadata, events


def import_record(tx: Tx, *, actor: Actor, record: Any) -> Workshop:
    """A new workshop, owned by the importing facilitator, with the record's events replayed in order."""
    if actor.user_id is None:
        raise NotAllowed("Only facilitators import workshops.")
    metadata, events = check_record(record)
    replay = Replay(tx, actor, metadata)
    for item in events:
        replay.seq, replay.event_type = item["seq"], item["type"]
        replay.at = moment(item.get("at"), replay.seq)
        event = _replay_one(replay, item["data"])
        event.at = replay.at or event.at
    assert replay.workshop is not None
    return replay.workshop


def _replay_one(replay: Replay, data: dict[str, Any]) -> Any:
    """Rebuild one event's rows and record it again; whatever is wrong with it is refused naming the event."""
    try:
        fixed = REPLAYERS[replay.event_type](replay, data)
        return replay.tx.record(replay.workshop_id, replay.event_type, fixed)  # flushes the rows it made
    except DomainError as error:
        if "seq" in error.params:
            raise  # a replay function's own message, which names the event already
        raise Invalid(
            "Event {seq} ({type}) cannot be imported: {reason}",
            seq=replay.seq,
            type=replay.event_type,
            reason=_Reason(error),
        ) from error
    except (
        KeyError,
        TypeError,
        ValueError,
        AttributeError,
        OverflowError,
        IntegrityError,
        DataError,
    ) as error:
        # Data of the wrong shape (a tampered or hand-made record), or rows the database refuses.
        raise Invalid(
            "Event {seq} ({type}) does not hold what cowork records for it.",
            seq=replay.seq,
            type=replay.event_type,
        ) from error


class _Reason:
    """A domain error's message inside another message, translated with it for its reader."""

    def __init__(self, error: DomainError) -> None:
        self.error = error

    def __str__(self) -> str:
        return i18n.error_text(self.error)


def moment(value: Any, seq: int) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(
            "Event {seq} has a time that is not an ISO date: {value}.", seq=seq, value=value
        ) from None


def text(value: Any, what: str, limit: int, *, required: bool = False) -> str | None:
    """A text of the record, refused when it is not one, is missing (if required) or is too long."""
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > limit:
        raise Invalid(
            "The record's {what} is missing or too long (at most {limit} characters).", what=what, limit=limit
        )
    return value


def flag(value: Any) -> bool:
    """A yes/no of the record: only true is true."""
    return value is True
