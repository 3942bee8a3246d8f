"""The matrix's rows (activity areas) as facilitators change them: added at the end, renamed, removed."""

from typing import Any

from sqlmodel import Session, select

from cowork.domain.actors import Actor
from cowork.domain.errors import Invalid, NotFound
from cowork.domain.record import Tx
from cowork.domain.stakeholders.matrix import (
    activity_rows,
    default_rows,
    facilitated_workshop,
    matrix_row,
    responsibility_matrix,
    stored_activities,
)
from cowork.domain.stakeholders.models import Activity, ResponsibilityCell
from cowork.domain.text import N_, one_line
from cowork.settings import LANGUAGES

MAX_LABEL = 120
MAX_ROWS = 40
LABEL_TOO_LONG = N_("The name of the activity area is too long (at most {limit} characters).")


def _clean_label(label: str | None) -> dict[str, str]:
    text = one_line(label, field="label", limit=MAX_LABEL, too_long=LABEL_TOO_LONG)
    if not text:
        raise Invalid("Please name the activity area.")
    # Words a facilitator typed are not translated: every language shows them as written.
    return dict.fromkeys(LANGUAGES, text)


def add_activity(tx: Tx, *, actor: Actor, workshop_id: int, label: str | None) -> dict[str, Any]:
    """A new row at the end of the matrix."""
    workshop = facilitated_workshop(tx, actor, workshop_id)
    row = append_activity(tx.session, workshop_id=workshop_id, label=label)
    tx.record(workshop.id, "activity.added", {"activity": row})  # type: ignore[arg-type]
    return row


def append_activity(session: Session, *, workshop_id: int, label: str | None) -> dict[str, Any]:
    """The row added at the end, with the first free key row-1, row-2, …"""
    new_label = _clean_label(label)
    if len(activity_rows(session, workshop_id=workshop_id)) >= MAX_ROWS:
        raise Invalid("The matrix has {limit} rows already; remove one first.", limit=MAX_ROWS)
    taken = set(stored_activities(session, workshop_id)) | {
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
    workshop = facilitated_workshop(tx, actor, workshop_id)
    row, changed = relabel_activity(tx.session, workshop_id=workshop_id, activity_id=activity_id, label=label)
    if changed:
        tx.record(workshop.id, "activity.renamed", {"activity": row})  # type: ignore[arg-type]
    return row


def relabel_activity(
    session: Session, *, workshop_id: int, activity_id: str, label: str | None
) -> tuple[dict[str, Any], bool]:
    """The row with its new name, and whether the name changed."""
    row = matrix_row(session, workshop_id, activity_id, NotFound)
    new_label = _clean_label(label)
    if new_label == row["label"]:
        return row, False
    activity = stored_activities(session, workshop_id).get(activity_id) or Activity(
        workshop_id=workshop_id, key=activity_id
    )
    activity.label = new_label
    session.add(activity)
    return {**row, "label": new_label}, True


def remove_activity(tx: Tx, *, actor: Actor, workshop_id: int, activity_id: str) -> None:
    """The row leaves the matrix with its cells."""
    workshop = facilitated_workshop(tx, actor, workshop_id)
    tx.record(
        workshop.id,  # type: ignore[arg-type]
        "activity.removed",
        drop_activity(tx.session, workshop_id=workshop_id, activity_id=activity_id),
    )


def drop_activity(session: Session, *, workshop_id: int, activity_id: str) -> dict[str, Any]:
    """Take the row and its cells out of the matrix; returns what the record says of it."""
    matrix_row(session, workshop_id, activity_id, NotFound)
    activity = stored_activities(session, workshop_id).get(activity_id) or Activity(
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
