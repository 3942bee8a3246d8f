"""The stakeholder map and the responsibility matrix on screens.

A rating or a pin moves one marker: screens get that marker, its table row and list item re-rendered
(a few hundred bytes), never the whole grid. A new stakeholder is appended everywhere; structural changes
of the matrix (rows, columns) make the screens that show a matrix refetch it; a cell change replaces the
cell and its row's gaps. Contact details (personal data) and who rated what stay with facilitators.
"""

from typing import Any

from jinja2 import Environment

from ...domain.models import Event
from ...domain.responsibilities import matrix_display
from ...domain.stakeholders import numbers_of
from . import EventView, register

Swaps = list[dict[str, Any]]


def _render(env: Environment, template: str, **context: Any) -> str:
    return env.get_template(f"stakeholders/{template}").render(**context)


def public_stakeholder(data: dict[str, Any]) -> dict[str, Any]:
    """What public screens draw of a stakeholder: no contact (personal data), no merge hints, no more."""
    return numbers_of(data)


def without_contact(event: Event) -> dict[str, Any]:
    """A proposed or corrected stakeholder as public screens see it."""
    public = public_stakeholder(event.data)
    if "workshop_code" in event.data:
        public["workshop_code"] = event.data["workshop_code"]  # the address of the phones' rating form
    return public


def moved_public(event: Event) -> dict[str, Any]:
    """Public screens learn the new means and the pin, not who gave which rating."""
    return {"stakeholder": public_stakeholder(event.data["stakeholder"])}


def merged_public(event: Event) -> dict[str, Any]:
    return {**event.data, "kept": public_stakeholder(event.data["kept"])}


def _numbers(env: Environment, s: dict[str, Any], staff: bool, op: str, wid: int) -> Swaps:
    """The marker on the grid, the table row and the list item of one stakeholder (and the staff entry)."""
    parts = [("_marker.html", "sh-marker", "sh-markers"), ("_row.html", "sh-row", "sh-rows")]
    parts.append(
        ("_staff_item.html", "sh-staff", "sh-staff-list") if staff else ("_item.html", "sh-item", "sh-list")
    )
    swaps = []
    for template, own, container in parts:
        html = _render(env, template, s=s, staff=staff, similar=s.get("similar", []))
        target = f"#{container}-{wid}" if op == "append" else f"#{own}-{s['id']}"
        swaps.append({"op": op, "target": target, "html": html})
    return swaps


def _reload_matrix(wid: int) -> dict[str, Any]:
    # Only screens that show a matrix have this element; the matrix changes shape rarely.
    return {"op": "reload", "target": f"#rm-{wid}"}


def proposed_swaps(env: Environment, event: Event, data: dict[str, Any], staff: bool) -> Swaps:
    wid = event.workshop_id
    swaps = _numbers(env, data, staff, "append", wid)
    if staff:
        option = _render(env, "_option.html", s=data)
        swaps.append({"op": "append", "target": f"#sh-names-{wid}", "html": option})
    else:
        html = _render(env, "_rate.html", s=data, code=data["workshop_code"], mine=None, open=True)
        swaps.append({"op": "append", "target": f"#sh-rate-list-{wid}", "html": html})
    return [*swaps, _reload_matrix(wid)]


def updated_swaps(env: Environment, event: Event, data: dict[str, Any], staff: bool) -> Swaps:
    wid = event.workshop_id
    swaps = _numbers(env, data, staff, "replace", wid)
    if staff:
        swaps.append(
            {"op": "replace", "target": f"#sh-opt-{data['id']}", "html": _render(env, "_option.html", s=data)}
        )
    return [*swaps, _reload_matrix(wid)]


def moved_swaps(env: Environment, event: Event, data: dict[str, Any], staff: bool) -> Swaps:
    """A rating or a pin: the stakeholder's marker moves, its numbers change."""
    s = data["stakeholder"]
    if event.type == "stakeholder.pinned" or not staff:
        return _numbers(env, s, staff, "replace", event.workshop_id)
    # A rating: the facilitators' entry keeps its forms; only its line of numbers changes.
    swaps = [
        {"op": "replace", "target": f"#sh-marker-{s['id']}", "html": _render(env, "_marker.html", s=s)},
        {"op": "replace", "target": f"#sh-row-{s['id']}", "html": _render(env, "_row.html", s=s)},
    ]
    numbers = _render(env, "_staff_numbers.html", s=s)
    return [*swaps, {"op": "replace", "target": f"#sh-staff-numbers-{s['id']}", "html": numbers}]


def merged_swaps(env: Environment, event: Event, data: dict[str, Any], staff: bool) -> Swaps:
    wid, gone = event.workshop_id, data["dropped"]["id"]
    removed = ["sh-marker", "sh-row", *(("sh-staff", "sh-opt") if staff else ("sh-item", "sh-rate"))]
    swaps = [{"op": "remove", "target": f"#{prefix}-{gone}"} for prefix in removed]
    return [*swaps, *_numbers(env, data["kept"], staff, "replace", wid), _reload_matrix(wid)]


def cell_swaps(env: Environment, event: Event, data: dict[str, Any], staff: bool) -> Swaps:
    """One cell of the matrix, the gaps of its row and the count of all gaps."""
    wid, row = event.workshop_id, data["activity_id"]
    rm = matrix_display(wid, data["target_group_options"], {})
    cell = (
        None
        if data["mark"] is None
        else {k: data[k] for k in ("activity_id", "stakeholder_id", "mark", "target_groups")}
    )
    sid = data["stakeholder_id"]
    return [
        {
            "op": "replace",
            "target": f"#rm-cell-{row}-{sid}",
            "html": _render(env, "_cell.html", rm=rm, row_id=row, sid=sid, cell=cell, staff=staff),
        },
        {
            "op": "replace",
            "target": f"#rm-gaps-{row}",
            "html": _render(env, "_row_gaps.html", rm=rm, row_id=row, gaps=data["row_gaps"]),
        },
        {
            "op": "replace",
            "target": f"#rm-gap-summary-{wid}",
            "html": _render(env, "_gap_summary.html", rm=rm, gap_count=data["gap_count"]),
        },
    ]


register("stakeholder.proposed", view=EventView(public=without_contact, swaps=proposed_swaps))
register("stakeholder.updated", view=EventView(public=without_contact, swaps=updated_swaps))
register("stakeholder.rating_set", view=EventView(public=moved_public, swaps=moved_swaps))
register("stakeholder.pinned", view=EventView(public=moved_public, swaps=moved_swaps))
register("stakeholder.merged", view=EventView(public=merged_public, swaps=merged_swaps))
register(
    "activity.added",
    "activity.renamed",
    "activity.removed",
    view=EventView(swaps=lambda env, event, data, staff: [_reload_matrix(event.workshop_id)]),
)
register("responsibility.set", view=EventView(swaps=cell_swaps))
