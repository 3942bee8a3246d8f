"""The seed's interface document as data: who does what for which target group, and whom to contact."""

from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from cowork.domain.actors import Actor
from cowork.domain.record import aware
from cowork.domain.stakeholders.families import FAMILIES, LEVELS, MARKS, ROLES
from cowork.domain.stakeholders.map import list_stakeholders
from cowork.domain.stakeholders.matrix import responsibility_matrix
from cowork.domain.workshops import get_workshop


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
    activities = _who_does_what(matrix, names={s["id"]: s["name"] for s in stakeholders})
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


def _who_does_what(matrix: dict[str, Any], *, names: dict[int, str]) -> list[dict[str, Any]]:
    """Each row of the matrix with who is responsible, contributes and is informed, and its gaps."""
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
    return activities


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
