"""The stakeholder map and the responsibility matrix on screens.

A rating or a pin moves one marker: screens get that marker, its table row and list item re-rendered
(a few hundred bytes), never the whole grid. The facilitators' entry of a stakeholder (contact, tasks,
merge hints, pin form) is larger: a push replaces only the parts of it an event changes, and after a merge
the console refetches it, so that every push stays within 5 KB. A new stakeholder is appended everywhere;
structural changes of the matrix (rows, columns) make the screens that show a matrix refetch it; a cell
change replaces the cell and its row's gaps. Contact details (personal data) and who rated what stay with
facilitators.
"""

from typing import Any

from jinja2 import Environment

from cowork.domain.models import Event
from cowork.domain.stakeholders.map import numbers_of
from cowork.domain.stakeholders.matrix import matrix_display
from cowork.live.views.registry import EventView, register

Swap = dict[str, Any]
Swaps = list[Swap]


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


# The elements a stakeholder is drawn as: the template, its element's id prefix, and the list a new one joins.
ELEMENTS = {
    "_marker.html": ("sh-marker", "sh-markers"),
    "_row.html": ("sh-row", "sh-rows"),
    "_item.html": ("sh-item", "sh-list"),
    "_staff_item.html": ("sh-staff", "sh-staff-list"),
    # The parts of a facilitators' entry (_staff_item.html), for pushes that change only some of it.
    "_staff_head.html": ("sh-staff-head", None),
    "_staff_numbers.html": ("sh-staff-numbers", None),
    "_staff_similar.html": ("sh-staff-similar", None),
    "_staff_tools.html": ("sh-staff-tools", None),
}


def _swap(env: Environment, template: str, s: dict[str, Any], wid: int | None = None, **context: Any) -> Swap:
    """One element of a stakeholder, replacing the one there (or with `wid` joining the workshop's list)."""
    own, container = ELEMENTS[template]
    html = _render(env, template, s=s, **context)
    if wid is not None:
        return {"op": "append", "target": f"#{container}-{wid}", "html": html}
    return {"op": "replace", "target": f"#{own}-{s['id']}", "html": html}


def _numbers(env: Environment, s: dict[str, Any], staff: bool, wid: int | None = None) -> Swaps:
    """The marker on the grid, the table row and the list item of one stakeholder (or the staff entry)."""
    entry = "_staff_item.html" if staff else "_item.html"
    return [_swap(env, "_marker.html", s, wid), _swap(env, "_row.html", s, wid), _swap(env, entry, s, wid)]


def _staff_parts(env: Environment, s: dict[str, Any], *templates: str) -> Swaps:
    """Only the parts of the facilitators' entry an event changes: the whole entry is a few KB."""
    return [_swap(env, template, s) for template in templates]


def _reload_matrix(wid: int) -> dict[str, Any]:
    # Only screens that show a matrix have this element; the matrix changes shape rarely.
    return {"op": "reload", "target": f"#rm-{wid}"}


def proposed_swaps(env: Environment, event: Event, data: dict[str, Any], staff: bool) -> Swaps:
    wid = event.workshop_id
    if staff:
        # The new entry comes empty and the console fetches it: with a long name, tasks, a contact and three
        # merge hints it would take a push over 5 KB.
        shell = _swap(env, "_staff_item.html", data, wid, shell=True)
        swaps = [
            _swap(env, "_marker.html", data, wid),
            _swap(env, "_row.html", data, wid),
            shell,
            {"op": "reload", "target": f"#sh-staff-{data['id']}"},
        ]
        option = _render(env, "_option.html", s=data)
        swaps.append({"op": "append", "target": f"#sh-names-{wid}", "html": option})
    else:
        swaps = _numbers(env, data, staff, wid)
        # Folded: a phone in the middle of its ratings keeps the one it has open (they open one at a time).
        html = _render(env, "_rate.html", s=data, code=data["workshop_code"], mine=None, open=False)
        swaps.append({"op": "append", "target": f"#sh-rate-list-{wid}", "html": html})
    return [*swaps, _reload_matrix(wid)]


def updated_swaps(env: Environment, event: Event, data: dict[str, Any], staff: bool) -> Swaps:
    """Name, family, tasks or contact: the facilitators' entry changes its head and its merge hints."""
    wid = event.workshop_id
    if not staff:
        return [*_numbers(env, data, staff), _reload_matrix(wid)]
    return [
        _swap(env, "_marker.html", data),
        _swap(env, "_row.html", data),
        *_staff_parts(env, data, "_staff_head.html", "_staff_similar.html"),
        {"op": "replace", "target": f"#sh-opt-{data['id']}", "html": _render(env, "_option.html", s=data)},
        _reload_matrix(wid),
    ]


def moved_swaps(env: Environment, event: Event, data: dict[str, Any], staff: bool) -> Swaps:
    """A rating or a pin: the stakeholder's marker moves, its numbers change."""
    s = data["stakeholder"]
    if not staff:
        return _numbers(env, s, staff)
    # The facilitators' entry keeps its head and merge hints; a pin also changes its pin form.
    pinned = event.type == "stakeholder.pinned"
    parts = ("_staff_numbers.html", "_staff_tools.html") if pinned else ("_staff_numbers.html",)
    return [_swap(env, "_marker.html", s), _swap(env, "_row.html", s), *_staff_parts(env, s, *parts)]


def merged_swaps(env: Environment, event: Event, data: dict[str, Any], staff: bool) -> Swaps:
    """The dropped stakeholder leaves every screen; the kept one is drawn anew. The console refetches the
    kept entry (contact, tasks, pin and merge hints may all have changed: too much for one push)."""
    wid, gone, kept = event.workshop_id, data["dropped"]["id"], data["kept"]
    removed = ["sh-marker", "sh-row", *(("sh-staff", "sh-opt") if staff else ("sh-item", "sh-rate"))]
    swaps = [{"op": "remove", "target": f"#{prefix}-{gone}"} for prefix in removed]
    if staff:
        drawn = [_swap(env, "_marker.html", kept), _swap(env, "_row.html", kept)]
        return [*swaps, *drawn, {"op": "reload", "target": f"#sh-staff-{kept['id']}"}, _reload_matrix(wid)]
    return [*swaps, *_numbers(env, kept, staff), _reload_matrix(wid)]


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
