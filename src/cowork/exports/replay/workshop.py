"""Replaying the workshop itself: its creation with its stages, who joined, which stage is on, and what
organisers decided about its data (privacy, archive, purge)."""

from typing import Any

from cowork.domain.accounts import digest, new_secret
from cowork.domain.errors import Invalid
from cowork.domain.models import ExportSettings, Participant, Stage, Workshop
from cowork.domain.program.look import WorkshopLook, check_accent
from cowork.domain.program.screen import check_screen
from cowork.domain.retention import erase_personal_data, mark_purged
from cowork.domain.stakeholders.families import FAMILIES
from cowork.domain.workshops import MAX_PLACE, MAX_TITLE, details_data, new_code, parse_day, participant_count
from cowork.exports.replay.replayer import Replay, replays, text
from cowork.formats import get_format
from cowork.settings import LANGUAGES


@replays("workshop.created")
def workshop_created(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    if replay.workshop is not None:
        raise Invalid("The record has a second workshop.created at seq {seq}.", seq=replay.seq)
    session = replay.session
    language = data.get("language") or "en"
    if language not in LANGUAGES:
        raise Invalid("Unknown language {language}.", language=language)
    format_id = str(data.get("format") or replay.metadata.get("format") or "plain")[:64]
    workshop = Workshop(
        title=text(data.get("title"), "title", MAX_TITLE, required=True).strip(),  # type: ignore[union-attr]
        code=new_code(session),
        language=language,
        format_id=format_id,
        projector_key=new_secret(),
        owner_id=replay.actor.user_id,
        is_sample=data.get("sample") is True,
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
        replay.made("stage", item.get("id"), stage.id)
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
    replay.session.add(stage)
    return stage


def _stage_config(replay: Replay, workshop: Workshop, item: dict[str, Any], position: int) -> dict[str, Any]:
    """The stage's config as it began: recorded with the event, else (records of cowork before it was)
    the config at export time from the metadata, or its format's, with the categories it began with."""
    if isinstance(item.get("config"), dict):
        return item["config"]
    began = {"categories": item.get("categories") or []}
    for meta in replay.metadata.get("stages") or []:
        if (
            isinstance(meta, dict)
            and meta.get("id") == item.get("id")
            and isinstance(meta.get("config"), dict)
        ):
            return {**meta["config"], **began}
    spec = get_format(workshop.format_id)
    if spec is not None and position < len(spec.stages) and spec.stages[position].kind == item["kind"]:
        return {**spec.stages[position].config(), **began}
    return began


@replays("participant.joined")
def participant_joined(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    group = data.get("group")
    if group is not None and group not in FAMILIES:
        raise Invalid("Unknown stakeholder group {group}.", group=group)
    language = data.get("language") or "en"
    if language not in LANGUAGES:
        raise Invalid("Unknown language {language}.", language=language)
    participant = Participant(
        workshop_id=replay.workshop_id,
        name=text(data.get("name"), "participant name", 80),
        organisation=text(data.get("organisation"), "organisation", 120),
        group=group,
        language=language,
        token_hash=digest(new_secret()),
    )
    replay.keep(participant, "participant", data.get("participant_id"))
    present = participant_count(replay.session, workshop_id=replay.workshop_id)
    return {**replay.remap(data), "present": present}


@replays("stage.changed")
def stage_changed(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    assert replay.workshop is not None
    replay.workshop.current_stage_id = replay.stage(data.get("stage_id")).id
    replay.session.add(replay.workshop)
    return replay.remap(data)


@replays("workshop.details_changed")
def details_changed(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    assert replay.workshop is not None
    replay.workshop.place = text(data.get("place"), "place", MAX_PLACE)
    replay.workshop.follow_up_on = parse_day(data.get("follow_up_on"))
    replay.session.add(replay.workshop)
    return details_data(replay.workshop)


@replays("screen.changed")
def screen_changed(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    """The projector's look lives in the record alone: checked, then recorded again as it was."""
    return check_screen(data)


@replays("look.changed")
def look_changed(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    """The accent travels with the record; the logo's bytes never were in it, so it stays behind."""
    accent = check_accent(data.get("accent"))
    look = replay.session.get(WorkshopLook, replay.workshop_id) or WorkshopLook(
        workshop_id=replay.workshop_id
    )
    look.accent = accent
    replay.session.add(look)
    return {"accent": accent, "logo": None}


@replays("privacy.changed")
def privacy_changed(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    session = replay.session
    settings = session.get(ExportSettings, replay.workshop_id) or ExportSettings(
        workshop_id=replay.workshop_id
    )
    settings.named = bool(data.get("named"))
    days = data.get("retention_days")
    settings.retention_days = days if isinstance(days, int) and days > 0 else None
    session.add(settings)
    return data


@replays("workshop.archived", "workshop.restored")
def status_changed(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    assert replay.workshop is not None
    replay.workshop.status = "archived" if data.get("status") == "archived" else "open"
    replay.session.add(replay.workshop)
    return data


@replays("workshop.purged")
def purged(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    session = replay.session
    session.flush()
    erase_personal_data(session, workshop_id=replay.workshop_id)
    mark_purged(session, workshop_id=replay.workshop_id, seq=replay.seq)
    return data
