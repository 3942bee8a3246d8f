"""Import: recreate a workshop from its JSON session record by replaying every event through the domain.

Each event type has a replay function that rebuilds the rows the event stands for and returns the event's
data with the new ids; the event is then recorded again with its original seq order, type and time. A
record with an event type no replay function knows is refused whole (422 naming the types), as is one
that is not a record, has an unknown schema_version or a gap in seq: the import is one transaction, so
nothing half-imported is ever left behind.

What stays the same: the sequence of events (seq and type), every text, the time of each event. What
changes: the ids of the workshop, stages, participants and cards, the join code and the projector key,
and the owner (whoever imports it). Participants' phone tokens do not travel: they must join again.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..domain.accounts import digest, new_secret
from ..domain.actors import Actor
from ..domain.errors import Invalid, NotAllowed
from ..domain.families import FAMILIES
from ..domain.models import Contribution, Participant, Stage, Workshop
from ..domain.record import Tx
from ..domain.retention import ExportSettings, erase_personal_data, mark_purged
from ..domain.workshops import MAX_TITLE, new_code, participant_count
from ..formats import get_format
from ..settings import LANGUAGES
from .report import SCHEMA_VERSION

MAX_EVENTS = 200_000
# Which kind of id each key of event data holds, so replayed data points at the new rows.
ID_KEYS = {
    "stage_id": "stage",
    "current_stage_id": "stage",
    "participant_id": "participant",
    "card_id": "card",
    "contribution_id": "card",
    "cluster_id": "card",
}


@dataclass
class Replay:
    tx: Tx
    actor: Actor
    metadata: dict[str, Any]
    seq: int = 0
    workshop: Workshop | None = None
    ids: dict[str, dict[int, int]] = field(
        default_factory=lambda: {"stage": {}, "participant": {}, "card": {}}
    )

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

    def remap(self, data: Any) -> Any:
        if isinstance(data, list):
            return [self.remap(item) for item in data]
        if not isinstance(data, dict):
            return data
        return {
            key: self.new_id(ID_KEYS[key], value) if key in ID_KEYS else self.remap(value)
            for key, value in data.items()
        }

    @property
    def workshop_id(self) -> int:
        if self.workshop is None or self.workshop.id is None:
            raise Invalid("The record must begin with workshop.created.")
        return self.workshop.id


Replayer = Callable[[Replay, dict[str, Any]], dict[str, Any]]
REPLAYERS: dict[str, Replayer] = {}


def replays(*types: str) -> Callable[[Replayer], Replayer]:
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
        replay.seq = item["seq"]
        data = REPLAYERS[item["type"]](replay, item["data"])
        event = tx.record(replay.workshop_id, item["type"], data)
        event.at = _moment(item.get("at"), item["seq"]) or event.at
    assert replay.workshop is not None
    return replay.workshop


def _moment(value: Any, seq: int) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(
            "Event {seq} has a time that is not an ISO date: {value}.", seq=seq, value=value
        ) from None


def _text(value: Any, what: str, limit: int, *, required: bool = False) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > limit:
        raise Invalid(
            "The record's {what} is missing or too long (at most {limit} characters).", what=what, limit=limit
        )
    return value


# --- the foundation's events -------------------------------------------------------------------------


@replays("workshop.created")
def _workshop_created(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    if replay.workshop is not None:
        raise Invalid("The record has a second workshop.created at seq {seq}.", seq=replay.seq)
    session = replay.tx.session
    language = data.get("language") or "en"
    if language not in LANGUAGES:
        raise Invalid("Unknown language {language}.", language=language)
    format_id = str(data.get("format") or replay.metadata.get("format") or "plain")[:64]
    workshop = Workshop(
        title=_text(data.get("title"), "title", MAX_TITLE, required=True).strip(),  # type: ignore[union-attr]
        code=new_code(session),
        language=language,
        format_id=format_id,
        projector_key=new_secret(),
        owner_id=replay.actor.user_id,
    )
    session.add(workshop)
    session.flush()
    replay.workshop = workshop
    stages = data.get("stages")
    if not isinstance(stages, list) or not stages:
        raise Invalid("The record's workshop.created has no stages.")
    made = [_stage(replay, workshop, item, position) for position, item in enumerate(stages)]
    session.flush()
    for item, stage in zip(stages, made, strict=True):
        replay.ids["stage"][item.get("id")] = stage.id  # type: ignore[assignment]
    workshop.current_stage_id = replay.new_id("stage", data.get("current_stage_id")) or made[0].id
    session.add(workshop)
    fixed = replay.remap(data)
    fixed["stages"] = [{**item, "id": stage.id} for item, stage in zip(stages, made, strict=True)]
    return {**fixed, "code": workshop.code}


def _stage(replay: Replay, workshop: Workshop, item: Any, position: int) -> Stage:
    if not isinstance(item, dict) or not isinstance(item.get("kind"), str):
        raise Invalid("Stage {n} of the record has no kind.", n=position + 1)
    title = item.get("title")
    if not isinstance(title, dict) or not title:
        raise Invalid("Stage {n} of the record has no title.", n=position + 1)
    stage = Stage(
        workshop_id=workshop.id,  # type: ignore[arg-type]
        position=int(item.get("position", position)),
        kind=item["kind"][:32],
        title=title,
        minutes=item.get("minutes") if isinstance(item.get("minutes"), int) else None,
        config=_stage_config(replay, workshop, item, position),
    )
    replay.tx.session.add(stage)
    return stage


def _stage_config(replay: Replay, workshop: Workshop, item: dict[str, Any], position: int) -> dict[str, Any]:
    """The stage's whole config from the record's metadata, else from its format, else its categories."""
    for meta in replay.metadata.get("stages") or []:
        if (
            isinstance(meta, dict)
            and meta.get("id") == item.get("id")
            and isinstance(meta.get("config"), dict)
        ):
            return meta["config"]
    spec = get_format(workshop.format_id)
    if spec is not None and position < len(spec.stages) and spec.stages[position].kind == item["kind"]:
        return spec.stages[position].config()
    return {"categories": item.get("categories") or []}


@replays("participant.joined")
def _participant_joined(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    group = data.get("group")
    if group is not None and group not in FAMILIES:
        raise Invalid("Unknown stakeholder group {group}.", group=group)
    language = data.get("language") or "en"
    if language not in LANGUAGES:
        raise Invalid("Unknown language {language}.", language=language)
    participant = Participant(
        workshop_id=replay.workshop_id,
        name=_text(data.get("name"), "participant name", 80),
        organisation=_text(data.get("organisation"), "organisation", 120),
        group=group,
        language=language,
        token_hash=digest(new_secret()),
    )
    replay.tx.session.add(participant)
    replay.tx.session.flush()
    replay.ids["participant"][data.get("participant_id")] = participant.id  # type: ignore[index,assignment]
    present = participant_count(replay.tx.session, workshop_id=replay.workshop_id)
    return {**replay.remap(data), "present": present}


@replays("stage.changed")
def _stage_changed(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    assert replay.workshop is not None
    replay.workshop.current_stage_id = replay.new_id("stage", data.get("stage_id"))
    replay.tx.session.add(replay.workshop)
    return replay.remap(data)


CARD_FIELDS = ("text", "category", "language", "hidden", "kind", "card_kind", "phase", "approved")


@replays("card.added")
def _card_added(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    fixed = replay.remap(data)
    if fixed.get("stage_id") is None:
        raise Invalid("Event {seq} adds a card without a stage.", seq=replay.seq)
    card = Contribution(
        workshop_id=replay.workshop_id,
        stage_id=fixed["stage_id"],
        participant_id=fixed.get("participant_id"),
        author_user_id=replay.actor.user_id if data.get("by_facilitator") else None,
        text=_text(data.get("text"), "card text", 10_000, required=True),  # type: ignore[arg-type]
        seq=replay.seq,
    )
    _card_fields(card, fixed)
    replay.tx.session.add(card)
    replay.tx.session.flush()
    replay.ids["card"][data.get("id")] = card.id  # type: ignore[index,assignment]
    return {**fixed, "id": card.id, "seq": replay.seq}


@replays("card.updated")
def _card_updated(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    fixed = replay.remap(data)
    card_id = replay.new_id("card", data.get("id"))
    card = replay.tx.session.get(Contribution, card_id)
    if card is None:
        raise Invalid("Event {seq} changes a card the record never made.", seq=replay.seq)
    _card_fields(card, fixed)
    card.stage_id = fixed.get("stage_id") or card.stage_id
    replay.tx.session.add(card)
    return {**fixed, "id": card.id, "seq": card.seq}


def _card_fields(card: Contribution, data: dict[str, Any]) -> None:
    for name in CARD_FIELDS:
        if name in data and hasattr(card, name):
            value = data[name]
            if name == "text":
                value = _text(value, "card text", 10_000, required=True)
            setattr(card, name, value)
    if "cluster_id" in data and hasattr(card, "cluster_id"):
        card.cluster_id = data["cluster_id"]


# --- this feature's own events -----------------------------------------------------------------------


@replays("privacy.changed")
def _privacy_changed(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    session = replay.tx.session
    settings = session.get(ExportSettings, replay.workshop_id) or ExportSettings(
        workshop_id=replay.workshop_id
    )
    settings.named = bool(data.get("named"))
    days = data.get("retention_days")
    settings.retention_days = days if isinstance(days, int) and days > 0 else None
    session.add(settings)
    return data


@replays("workshop.archived", "workshop.restored")
def _status_changed(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    assert replay.workshop is not None
    replay.workshop.status = "archived" if data.get("status") == "archived" else "open"
    replay.tx.session.add(replay.workshop)
    return data


@replays("workshop.purged")
def _purged(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    session = replay.tx.session
    session.flush()
    erase_personal_data(session, workshop_id=replay.workshop_id)
    mark_purged(session, workshop_id=replay.workshop_id, seq=replay.seq)
    return data
