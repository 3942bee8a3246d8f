"""Replaying the stakeholder map and the responsibility matrix: stakeholders proposed, corrected, rated,
pinned and merged; the matrix's rows and cells."""

from typing import Any

from cowork.domain.errors import Invalid
from cowork.domain.models import Participant
from cowork.domain.stakeholders import activity_areas
from cowork.domain.stakeholders import matrix as responsibilities
from cowork.domain.stakeholders import merges as stakeholder_merges
from cowork.domain.stakeholders import ratings as stakeholder_ratings
from cowork.domain.stakeholders import registry as stakeholders
from cowork.domain.stakeholders.models import Stakeholder
from cowork.exports.replay.replayer import Replay, flag, replays


@replays("stakeholder.proposed")
def stakeholder_proposed(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    stage = replay.stage(data.get("stage_id"), stakeholders.KIND)
    # Contact details are in the record only if they were given with consent (and the record is named).
    contact = data.get("contact")
    stakeholder = stakeholders.new_stakeholder(
        stage,
        name=data.get("name"),
        family=data.get("family"),
        level=data.get("level"),
        role=data.get("role"),
        tasks=data.get("tasks"),
        contact=contact,
        consent=contact is not None,
        participant_id=None,  # the record does not say which participant proposed it
        author_user_id=replay.actor.user_id if flag(data.get("by_facilitator")) else None,
    )
    if stakeholders.by_name_key(replay.session, replay.workshop_id, stakeholder.name_key) is not None:
        raise Invalid(
            "Event {seq} puts {name} on the map a second time.", seq=replay.seq, name=stakeholder.name
        )
    stakeholder.seq = replay.seq
    stakeholders.put_on_map(replay.session, stakeholder)
    replay.made("stakeholder", data.get("id"), stakeholder.id)
    return replay.remap(data, "stakeholder")


@replays("stakeholder.updated")
def stakeholder_updated(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    stakeholder = replay.get(Stakeholder, "stakeholder", data.get("id"))
    fields = {name: data.get(name) for name in data["changes"]}
    stakeholders.change_stakeholder(
        replay.session, stakeholder, fields, consent=data.get("contact") is not None
    )
    return replay.remap(data, "stakeholder")


@replays("stakeholder.rating_set")
def rating_set(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    rating = data["rating"]
    stakeholder = replay.get(Stakeholder, "stakeholder", rating["stakeholder_id"])
    participant = replay.get(Participant, "participant", rating["participant_id"])
    assert stakeholder.id is not None and participant.id is not None
    stakeholder_ratings.put_rating(
        replay.session,
        stakeholder_ratings.rating_of(
            replay.session, stakeholder_id=stakeholder.id, participant_id=participant.id
        ),
        stakeholder=stakeholder,
        participant_id=participant.id,
        influence=rating.get("influence"),
        interest=rating.get("interest"),
        now=replay.now,  # which of two ratings is newer decides a merge
    )
    return replay.remap(data)


@replays("stakeholder.pinned")
def stakeholder_pinned(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    stakeholder = replay.get(Stakeholder, "stakeholder", data["stakeholder"]["id"])
    pinned = data["stakeholder"].get("pinned") or {}
    position = stakeholder_ratings.pin_position(pinned.get("influence"), pinned.get("interest"))
    stakeholder.pinned_influence, stakeholder.pinned_interest = position or (None, None)
    replay.session.add(stakeholder)
    return replay.remap(data)


@replays("stakeholder.merged")
def stakeholder_merged(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    drop = replay.get(Stakeholder, "stakeholder", data["dropped"]["id"])
    keep = replay.get(Stakeholder, "stakeholder", data["kept"]["id"])
    if drop.id == keep.id or drop.merged_into_id is not None or keep.merged_into_id is not None:
        raise Invalid("These are already one stakeholder.")
    stakeholder_merges.merge_into(replay.session, drop, keep)
    return replay.remap(data)


# --- the responsibility matrix ----------------------------------------------------------------------------


def _label(row: dict[str, Any]) -> Any:
    """A row's name as the facilitator typed it (the record has it once per language)."""
    label = row.get("label")
    return next(iter(label.values()), None) if isinstance(label, dict) else label


@replays("activity.added")
def activity_added(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    row = data["activity"]
    added = activity_areas.append_activity(replay.session, workshop_id=replay.workshop_id, label=_label(row))
    if added["id"] != row.get("id"):
        raise Invalid(
            "Event {seq} adds the row {id}, but the next free row is {expected}.",
            seq=replay.seq,
            id=row.get("id"),
            expected=added["id"],
        )
    return data


@replays("activity.renamed")
def activity_renamed(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    row = data["activity"]
    activity_areas.relabel_activity(
        replay.session, workshop_id=replay.workshop_id, activity_id=row.get("id"), label=_label(row)
    )
    return data


@replays("activity.removed")
def activity_removed(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    activity_areas.drop_activity(
        replay.session, workshop_id=replay.workshop_id, activity_id=data.get("activity_id")
    )  # type: ignore[arg-type]
    return data


@replays("responsibility.set")
def responsibility_set(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    stakeholder = replay.get(Stakeholder, "stakeholder", data.get("stakeholder_id"))
    responsibilities.mark_cell(
        replay.session,
        workshop_id=replay.workshop_id,
        activity_id=data.get("activity_id"),  # type: ignore[arg-type]
        stakeholder_id=stakeholder.id,  # type: ignore[arg-type]
        mark=data.get("mark"),
        target_groups=data.get("target_groups"),
    )
    return replay.remap(data)
