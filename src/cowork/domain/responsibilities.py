"""The responsibility matrix and the interface document (seed 002): who does what, for which target group.

Rows are activity areas: the ones the workshop's format names (the regional workshop's matrix stage),
else `families.ACTIVITY_AREAS`; facilitators add, rename and remove rows. Columns are the stakeholders on
the map. A cell holds a mark (responsible, contributes, informed) and the target groups it covers; none
listed means all of them. The gaps: a row with nobody responsible, or with several responsible for the
same target group (two partners responsible for different groups is how the seed's matrix is meant).
"""

from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlmodel import Session, col, select

from ..formats import all_formats
from ..settings import LANGUAGES
from .actors import Actor
from .errors import DomainError, Invalid, NotFound
from .families import ACTIVITY_AREAS, FAMILIES, LEVELS, MARK_SYMBOLS, MARKS, ROLES, TARGET_GROUPS
from .models import Workshop
from .record import Tx, aware
from .stakeholder_map import list_stakeholders, live_stakeholders
from .stakeholder_models import Activity, ResponsibilityCell, Stakeholder
from .stakeholders import KIND
from .workshops import get_workshop, stages_of

MAX_LABEL = 120
MAX_ROWS = 40


# --- rows and target groups --------------------------------------------------------------------------------


def _from_stages(session: Session, workshop_id: int, name: str) -> list[dict[str, Any]] | None:
    """A list the workshop's format gives in a stakeholder stage (activity_areas, target_groups)."""
    for stage in stages_of(session, workshop_id=workshop_id):
        if stage.kind == KIND and stage.config.get(name):
            return list(stage.config[name])
    return None


def default_rows(session: Session, *, workshop_id: int) -> list[tuple[str, dict[str, str]]]:
    given = _from_stages(session, workshop_id, "activity_areas")
    if given:
        return [(area["key"], area["label"]) for area in given]
    return list(ACTIVITY_AREAS.items())


def target_groups_of(session: Session, *, workshop_id: int) -> list[dict[str, Any]]:
    given = _from_stages(session, workshop_id, "target_groups")
    if given:
        return [{"key": group["key"], "label": group["label"]} for group in given]
    return [{"key": key, "label": label} for key, label in TARGET_GROUPS.items()]


@cache
def target_group_labels() -> dict[str, dict[str, str]]:
    """The labels of every target group a format names, so a pushed cell renders without the database."""
    labels = dict(TARGET_GROUPS)
    for spec in all_formats().values():
        for stage in spec.stages:
            for group in (stage.model_extra or {}).get("target_groups", []):
                labels.setdefault(group["key"], group["label"])
    return labels


def matrix_display(workshop_id: int, options: list[str], labels: dict[str, dict[str, str]]) -> dict[str, Any]:
    """What the matrix templates need besides the cells (pushes build the same from the event)."""
    return {
        "wid": workshop_id,
        "tg_options": options,
        "tg_labels": {**target_group_labels(), **labels},
        "marks": MARKS,
        "symbols": MARK_SYMBOLS,
    }


def marks() -> list[dict[str, Any]]:
    return [{"key": key, "label": label, "symbol": MARK_SYMBOLS[key]} for key, label in MARKS.items()]


def _stored(session: Session, workshop_id: int) -> dict[str, Activity]:
    query = select(Activity).where(Activity.workshop_id == workshop_id).order_by(col(Activity.id))
    return {activity.key: activity for activity in session.exec(query)}


def activity_rows(session: Session, *, workshop_id: int) -> list[dict[str, Any]]:
    """The matrix rows in order: the defaults (as renamed, without the removed ones), then the added rows."""
    stored = _stored(session, workshop_id)
    defaults = default_rows(session, workshop_id=workshop_id)
    rows = []
    for key, label in defaults:
        changed = stored.get(key)
        if changed is None or not changed.removed:
            rows.append({"id": key, "label": (changed and changed.label) or label, "custom": False})
    default_keys = {key for key, _ in defaults}
    rows.extend(
        {"id": key, "label": activity.label or {}, "custom": True}
        for key, activity in stored.items()
        if key not in default_keys and not activity.removed
    )
    return rows


def _row(session: Session, workshop_id: int, activity_id: str, error: type[DomainError]) -> dict[str, Any]:
    for row in activity_rows(session, workshop_id=workshop_id):
        if row["id"] == activity_id:
            return row
    raise error("There is no activity area {activity} in this matrix.", activity=activity_id)


def _clean_label(label: str | None) -> dict[str, str]:
    text = " ".join((label or "").split())
    if not text:
        raise Invalid("Please name the activity area.")
    if len(text) > MAX_LABEL:
        raise Invalid(
            "The name of the activity area is too long (at most {limit} characters).", limit=MAX_LABEL
        )
    # Words a facilitator typed are not translated: every language shows them as written.
    return dict.fromkeys(LANGUAGES, text)


def _facilitated(tx: Tx, actor: Actor, workshop_id: int) -> Workshop:
    workshop = get_workshop(tx.session, workshop_id=workshop_id)
    actor.check_facilitator(workshop)
    return workshop


# --- commands -------------------------------------------------------------------------------------------


def add_activity(tx: Tx, *, actor: Actor, workshop_id: int, label: str | None) -> dict[str, Any]:
    """A new row at the end of the matrix."""
    workshop = _facilitated(tx, actor, workshop_id)
    row = append_activity(tx.session, workshop_id=workshop_id, label=label)
    tx.record(workshop.id, "activity.added", {"activity": row})  # type: ignore[arg-type]
    return row


def append_activity(session: Session, *, workshop_id: int, label: str | None) -> dict[str, Any]:
    """The row added at the end, with the first free key row-1, row-2, …"""
    new_label = _clean_label(label)
    if len(activity_rows(session, workshop_id=workshop_id)) >= MAX_ROWS:
        raise Invalid("The matrix has {limit} rows already; remove one first.", limit=MAX_ROWS)
    taken = set(_stored(session, workshop_id)) | {
        key for key, _ in default_rows(session, workshop_id=workshop_id)
    }
    number = 1
    while f"row-{number}" in taken:
        number += 1
    activity = Activity(workshop_id=workshop_id, key=f"row-{number}", label=new_label)
    session.add(activity)
    session.flush()
    return {"id": activity.key, "label": new_label, "custom": True}


def rename_activity(
    tx: Tx, *, actor: Actor, workshop_id: int, activity_id: str, label: str | None
) -> dict[str, Any]:
    workshop = _facilitated(tx, actor, workshop_id)
    row, changed = relabel_activity(tx.session, workshop_id=workshop_id, activity_id=activity_id, label=label)
    if changed:
        tx.record(workshop.id, "activity.renamed", {"activity": row})  # type: ignore[arg-type]
    return row


def relabel_activity(
    session: Session, *, workshop_id: int, activity_id: str, label: str | None
) -> tuple[dict[str, Any], bool]:
    """The row with its new name, and whether the name changed."""
    row = _row(session, workshop_id, activity_id, NotFound)
    new_label = _clean_label(label)
    if new_label == row["label"]:
        return row, False
    activity = _stored(session, workshop_id).get(activity_id) or Activity(
        workshop_id=workshop_id, key=activity_id
    )
    activity.label = new_label
    session.add(activity)
    return {**row, "label": new_label}, True


def remove_activity(tx: Tx, *, actor: Actor, workshop_id: int, activity_id: str) -> None:
    """The row leaves the matrix with its cells."""
    workshop = _facilitated(tx, actor, workshop_id)
    tx.record(
        workshop.id,  # type: ignore[arg-type]
        "activity.removed",
        drop_activity(tx.session, workshop_id=workshop_id, activity_id=activity_id),
    )


def drop_activity(session: Session, *, workshop_id: int, activity_id: str) -> dict[str, Any]:
    """Take the row and its cells out of the matrix; returns what the record says of it."""
    _row(session, workshop_id, activity_id, NotFound)
    activity = _stored(session, workshop_id).get(activity_id) or Activity(
        workshop_id=workshop_id, key=activity_id
    )
    activity.removed = True
    session.add(activity)
    cells = list(
        session.exec(
            select(ResponsibilityCell).where(
                ResponsibilityCell.workshop_id == workshop_id, ResponsibilityCell.activity_key == activity_id
            )
        )
    )
    for cell in cells:
        session.delete(cell)
    session.flush()
    gaps = responsibility_matrix(session, workshop_id=workshop_id)["gaps"]
    return {"activity_id": activity_id, "cells_removed": len(cells), "gap_count": len(gaps)}


def set_cell(
    tx: Tx,
    *,
    actor: Actor,
    workshop_id: int,
    activity_id: str,
    stakeholder_id: int,
    mark: str | None,
    target_groups: list[str] | None = None,
) -> dict[str, Any] | None:
    """Mark who does what in one row, for which target groups; no mark empties the cell."""
    workshop = _facilitated(tx, actor, workshop_id)
    cell, data = mark_cell(
        tx.session,
        workshop_id=workshop_id,
        activity_id=activity_id,
        stakeholder_id=stakeholder_id,
        mark=mark,
        target_groups=target_groups,
    )
    if data is not None:
        tx.record(workshop.id, "responsibility.set", data)  # type: ignore[arg-type]
    return cell_data(cell) if cell else None


def mark_cell(
    session: Session,
    *,
    workshop_id: int,
    activity_id: str,
    stakeholder_id: int,
    mark: str | None,
    target_groups: list[str] | None,
) -> tuple[ResponsibilityCell | None, dict[str, Any] | None]:
    """The cell after the change, and what the record says of the change (None: nothing changed)."""
    _row(session, workshop_id, activity_id, Invalid)
    stakeholder = session.get(Stakeholder, stakeholder_id)
    if stakeholder is None or stakeholder.workshop_id != workshop_id:
        raise Invalid("Stakeholder {id} is not on this workshop's map.", id=stakeholder_id)
    if stakeholder.merged_into_id is not None:
        raise Invalid("This stakeholder was merged into another one; set the cell there.")
    mark = (mark or "").strip() or None
    if mark is not None and mark not in MARKS:
        raise Invalid("Unknown mark {mark}; choose one of: {known}.", mark=mark, known=", ".join(MARKS))
    known = [group["key"] for group in target_groups_of(session, workshop_id=workshop_id)]
    unknown = [group for group in target_groups or [] if group not in known]
    if unknown:
        raise Invalid(
            "Unknown target group {group}; this matrix has: {known}.",
            group=unknown[0],
            known=", ".join(known),
        )
    if mark is None and target_groups:
        raise Invalid("Choose a mark (responsible, contributes or informed) for the target groups.")
    groups = [group for group in known if group in (target_groups or [])]
    cell = session.exec(
        select(ResponsibilityCell).where(
            ResponsibilityCell.stakeholder_id == stakeholder_id,
            ResponsibilityCell.activity_key == activity_id,
        )
    ).first()
    before = (cell.mark, list(cell.target_groups)) if cell else None
    if before == ((mark, groups) if mark else None):
        return cell, None
    if mark is None:
        assert cell is not None
        session.delete(cell)
        cell = None
    else:
        cell = cell or ResponsibilityCell(
            workshop_id=workshop_id, activity_key=activity_id, stakeholder_id=stakeholder_id, mark=mark
        )
        cell.mark, cell.target_groups, cell.updated_at = mark, groups, datetime.now(UTC)
        session.add(cell)
    session.flush()
    gaps = responsibility_matrix(session, workshop_id=workshop_id)["gaps"]
    return cell, {
        "activity_id": activity_id,
        "stakeholder_id": stakeholder_id,
        "mark": mark,
        "target_groups": groups,
        # What screens need to redraw the row without asking: its gaps, the count, the choices.
        "row_gaps": [gap for gap in gaps if gap["activity_id"] == activity_id],
        "gap_count": len(gaps),
        "target_group_options": known,
    }


# --- queries --------------------------------------------------------------------------------------------


def cell_data(cell: ResponsibilityCell) -> dict[str, Any]:
    return {
        "activity_id": cell.activity_key,
        "stakeholder_id": cell.stakeholder_id,
        "mark": cell.mark,
        "target_groups": list(cell.target_groups),
    }


def find_gaps(
    rows: list[dict[str, Any]], cells: list[dict[str, Any]], groups: list[str], names: dict[int, str]
) -> list[dict[str, Any]]:
    """Rows with nobody responsible, and rows with several responsible for one target group."""
    responsible: dict[str, list[dict[str, Any]]] = {}
    for cell in cells:
        if cell["mark"] == "responsible":
            responsible.setdefault(cell["activity_id"], []).append(cell)

    def covers(cell: dict[str, Any], group: str) -> bool:
        return not cell["target_groups"] or group in cell["target_groups"]

    gaps = []
    for row in rows:
        here = responsible.get(row["id"], [])
        if not here:
            gaps.append(_gap(row["id"], "nobody_responsible", [], [], names))
            continue
        if len(here) < 2:
            continue
        if not groups:
            gaps.append(_gap(row["id"], "several_responsible", here, [], names))
            continue
        crowded = [group for group in groups if sum(covers(cell, group) for cell in here) > 1]
        if crowded:
            twice = [cell for cell in here if any(covers(cell, group) for group in crowded)]
            gaps.append(_gap(row["id"], "several_responsible", twice, crowded, names))
    return gaps


def _gap(
    activity_id: str, kind: str, cells: list[dict[str, Any]], groups: list[str], names: dict[int, str]
) -> dict[str, Any]:
    ids = [cell["stakeholder_id"] for cell in cells]
    return {
        "activity_id": activity_id,
        "kind": kind,
        "stakeholder_ids": ids,
        "stakeholder_names": [names.get(i, "") for i in ids],
        "target_groups": groups,
    }


def responsibility_matrix(session: Session, *, workshop_id: int) -> dict[str, Any]:
    """Rows, stakeholder columns, the marked cells and the gaps of a workshop's matrix."""
    rows = activity_rows(session, workshop_id=workshop_id)
    stakeholders = live_stakeholders(session, workshop_id=workshop_id)
    live = {s.id for s in stakeholders}
    row_ids = {row["id"] for row in rows}
    query = (
        select(ResponsibilityCell)
        .where(ResponsibilityCell.workshop_id == workshop_id)
        .order_by(col(ResponsibilityCell.id))
    )
    cells = [
        cell_data(cell)
        for cell in session.exec(query)
        if cell.stakeholder_id in live and cell.activity_key in row_ids
    ]
    groups = target_groups_of(session, workshop_id=workshop_id)
    names = {s.id: s.name for s in stakeholders}
    return {
        "workshop_id": workshop_id,
        "activities": rows,
        "stakeholders": [
            {"id": s.id, "name": s.name, "family": s.family, "level": s.level, "role": s.role}
            for s in stakeholders
        ],
        "cells": cells,
        "gaps": find_gaps(rows, cells, [g["key"] for g in groups], names),  # type: ignore[arg-type]
        "target_groups": groups,
        "marks": marks(),
    }


def responsibilities(session: Session, *, actor: Actor, workshop_id: int) -> dict[str, Any]:
    """The matrix for the workshop's participants and facilitators."""
    workshop = get_workshop(session, workshop_id=workshop_id)
    actor.check_member(workshop)
    return responsibility_matrix(session, workshop_id=workshop_id)


def _labels(table: dict[str, dict[str, str]], key: str | None) -> dict[str, str] | None:
    return table.get(key) if key else None


def interface_document(session: Session, *, workshop_id: int, actor: Actor | None = None) -> dict[str, Any]:
    """The seed's interface document as data: responsibilities, contact persons and details, by target group.

    Contact details appear only where they were given with consent (they are stored no other way).
    Texts are given in every language ({en, de, es}), so an export can pick the reader's.
    """
    workshop = get_workshop(session, workshop_id=workshop_id)
    if actor is not None:
        actor.check_facilitator(workshop)
    matrix = responsibility_matrix(session, workshop_id=workshop_id)
    stakeholders = [
        {
            **item,
            "family_label": _labels(FAMILIES, item["family"]),
            "level_label": _labels(LEVELS, item["level"]),
            "role_label": _labels(ROLES, item["role"]),
        }
        for item in list_stakeholders(session, workshop_id=workshop_id, include_contact=True)
    ]
    names = {s["id"]: s["name"] for s in stakeholders}
    activities = []
    for row in matrix["activities"]:
        entry: dict[str, Any] = {"id": row["id"], "label": row["label"], **{mark: [] for mark in MARKS}}
        for cell in matrix["cells"]:
            if cell["activity_id"] == row["id"]:
                entry[cell["mark"]].append(
                    {
                        "stakeholder_id": cell["stakeholder_id"],
                        "name": names.get(cell["stakeholder_id"], ""),
                        "target_groups": cell["target_groups"],
                    }
                )
        entry["gaps"] = [gap for gap in matrix["gaps"] if gap["activity_id"] == row["id"]]
        activities.append(entry)
    return {
        "workshop": {
            "id": workshop.id,
            "title": workshop.title,
            "code": workshop.code,
            "language": workshop.language,
            "format": workshop.format_id,
            "created_at": _iso(aware(workshop.created_at)),
        },
        "generated_at": _iso(datetime.now(UTC)),
        "stakeholders": stakeholders,
        "contacts": [
            {"stakeholder_id": s["id"], "name": s["name"], **s["contact"]}
            for s in stakeholders
            if s["contact"]
        ],
        "activities": activities,
        "gaps": matrix["gaps"],
        "target_groups": matrix["target_groups"],
        "marks": matrix["marks"],
    }


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
