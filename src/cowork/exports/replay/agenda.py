"""Replaying the agenda's design: stages added, edited, moved, removed and archived after the workshop began.

Each event's data is checked as the command checked it, then the same `apply_*` function of
domain/program/stages.py changes the rows. A stage's config travels as recorded (it holds question and
category keys, not ids), so it is not remapped.
"""

from typing import Any

from cowork.domain.errors import Invalid
from cowork.domain.models import Stage
from cowork.domain.program import stages
from cowork.domain.workshops import stages_of
from cowork.exports.replay.replayer import Replay, replays


def _remap(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    fixed = replay.remap({k: v for k, v in data.items() if k != "config"})
    return {**fixed, "config": data["config"]} if "config" in data else fixed


def _config(replay: Replay, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Invalid("Event {seq} has a stage without its settings.", seq=replay.seq)
    return value


@replays("stage.added")
def stage_added(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    agenda = stages_of(replay.session, workshop_id=replay.workshop_id)
    position = stages.check_position(data.get("position"), count=len(agenda))
    stage = Stage(
        workshop_id=replay.workshop_id,
        position=position,
        kind=stages.check_kind(data.get("kind")),
        title=stages.clean_title(data.get("title")),
        minutes=stages.clean_minutes(data.get("minutes")),
        config=_config(replay, data.get("config")),
    )
    stages.apply_added(replay.session, stage, position)
    replay.made("stage", data.get("stage_id"), stage.id)
    return _remap(replay, data)


@replays("stage.edited")
def stage_edited(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    stage = replay.stage(data.get("stage_id"))
    changes: dict[str, Any] = {}
    if "title" in data:
        changes["title"] = stages.clean_title(data["title"])
    if "minutes" in data:
        changes["minutes"] = stages.clean_minutes(data["minutes"])
    if "config" in data:
        changes["config"] = _config(replay, data["config"])
    stages.apply_edited(replay.session, stage, changes)
    return _remap(replay, data)


@replays("stage.moved")
def stage_moved(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    stage = replay.stage(data.get("stage_id"))
    count = len(stages_of(replay.session, workshop_id=replay.workshop_id)) - 1
    stages.apply_moved(replay.session, stage, stages.check_position(data.get("position"), count=count))
    return replay.remap(data)


@replays("stage.removed")
def stage_removed(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    fixed = replay.remap(data)  # before the row goes: its new id stays in the event, as it was recorded
    stage = replay.stage(data.get("stage_id"))
    if any(stages.holdings(replay.session, stage).values()):
        raise Invalid("Event {seq} removes a stage that holds contributions.", seq=replay.seq)
    stages.apply_removed(replay.session, stage)
    # SQLite may give the next new row the removed row's id: the record's id is free to be made again.
    replay.ids["stage"].pop(data.get("stage_id"), None)
    return fixed


@replays("stage.archived")
def stage_archived(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    stages.apply_archived(replay.session, replay.stage(data.get("stage_id")))
    return replay.remap(data)
