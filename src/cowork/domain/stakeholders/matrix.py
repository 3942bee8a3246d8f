"""The responsibility matrix (seed 002): who does what, for which target group, and where that has gaps.

Rows are activity areas: the ones the workshop's format names (the regional workshop's matrix stage),
else `families.ACTIVITY_AREAS`; facilitators add, rename and remove rows (`activity_areas.py`). Columns
are the stakeholders on the map. A cell holds a mark (responsible, contributes, informed) and the target
groups it covers; none listed means all of them. The gaps: a row with nobody responsible, or with several
responsible for the same target group (two partners responsible for different groups is how the seed's
matrix is meant). The interface document is built from the matrix (`interface_document.py`).
"""

from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlmodel import Session, col, select

from cowork.domain.actors import Actor
from cowork.domain.errors import DomainError, Invalid
from cowork.domain.models import Workshop
from cowork.domain.record import Tx
from cowork.domain.stakeholders.families import ACTIVITY_AREAS, MARK_SYMBOLS, MARKS, TARGET_GROUPS
from cowork.domain.stakeholders.map import live_stakeholders
from cowork.domain.stakeholders.models import Activity, ResponsibilityCell, Stakeholder
from cowork.domain.stakeholders.registry import KIND
from cowork.domain.workshops import get_workshop, stages_of
from cowork.formats import all_formats

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


def stored_activities(session: Session, workshop_id: int) -> dict[str, Activity]:
    query = select(Activity).where(Activity.workshop_id == workshop_id).order_by(col(Activity.id))
    return {activity.key: activity for activity in session.exec(query)}


def activity_rows(session: Session, *, workshop_id: int) -> list[dict[str, Any]]:
    """The matrix rows in order: the defaults (as renamed, without the removed ones), then the added rows."""
    stored = stored_activities(session, workshop_id)
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


def matrix_row(
    session: Session, workshop_id: int, activity_id: str, error: type[DomainError]
) -> dict[str, Any]:
    for row in activity_rows(session, workshop_id=workshop_id):
        if row["id"] == activity_id:
            return row
    raise error("There is no activity area {activity} in this matrix.", activity=activity_id)


def facilitated_workshop(tx: Tx, actor: Actor, workshop_id: int) -> Workshop:
    workshop = get_workshop(tx.session, workshop_id=workshop_id)
    actor.check_facilitator(workshop)
    return workshop


# --- cells ----------------------------------------------------------------------------------------------


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
    workshop = facilitated_workshop(tx, actor, workshop_id)
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
    matrix_row(session, workshop_id, activity_id, Invalid)
    _check_column(session, workshop_id, stakeholder_id)
    mark, groups, known = _check_mark(session, workshop_id, mark, target_groups)
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


def _check_column(session: Session, workshop_id: int, stakeholder_id: int) -> None:
    """A cell's stakeholder is on this workshop's map and was not merged away."""
    stakeholder = session.get(Stakeholder, stakeholder_id)
    if stakeholder is None or stakeholder.workshop_id != workshop_id:
        raise Invalid("Stakeholder {id} is not on this workshop's map.", id=stakeholder_id)
    if stakeholder.merged_into_id is not None:
        raise Invalid("This stakeholder was merged into another one; set the cell there.")


def _check_mark(
    session: Session, workshop_id: int, mark: str | None, target_groups: list[str] | None
) -> tuple[str | None, list[str], list[str]]:
    """The mark (None: empty the cell), its target groups in the matrix's order, and all groups it has."""
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
    return mark, groups, known


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
