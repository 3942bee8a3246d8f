"""The responsibility matrix and the interface document's sections: who does what, and whom to contact."""

from typing import Any

from cowork.domain.stakeholders import interface_document
from cowork.domain.stakeholders import matrix as responsibilities
from cowork.domain.stakeholders.families import MARK_SYMBOLS, MARKS, label
from cowork.exports.document import Cell, Context, Section, Table
from cowork.i18n import gettext as _


def responsibilities_section(ctx: Context) -> Section:
    """The matrix: activity areas down, stakeholders across, a mark (symbol and word) in each cell."""
    flat = Table(
        "responsibilities",
        _("Responsibilities"),
        [_("Activity area"), _("Stakeholder"), _("Responsibility"), _("Target groups")],
    )
    section = Section(
        "responsibilities",
        _("Responsibility matrix"),
        sheets=[flat],
        empty=_("No responsibilities marked yet."),
    )
    matrix = responsibilities.responsibility_matrix(ctx.session, workshop_id=ctx.workshop_id)
    if not matrix["cells"]:
        return section
    names = {s["id"]: s["name"] for s in matrix["stakeholders"]}
    groups = {g["key"]: ctx.text(g.get("label")) for g in matrix.get("target_groups", [])}
    cells = {(c["activity_id"], c["stakeholder_id"]): c for c in matrix["cells"]}
    used = [s for s in matrix["stakeholders"] if any(c["stakeholder_id"] == s["id"] for c in matrix["cells"])]
    grid = Table("matrix", _("Who is responsible for what"), [_("Activity area"), *[s["name"] for s in used]])
    for row in matrix["activities"]:
        line: list[Cell] = [ctx.text(row["label"])]
        for stakeholder in used:
            cell = cells.get((row["id"], stakeholder["id"]))
            line.append(_mark(ctx, cell) if cell else "")
            if cell:
                flat.rows.append(
                    [
                        ctx.text(row["label"]),
                        names.get(stakeholder["id"], ""),
                        label(MARKS, cell["mark"], ctx.language),
                        ", ".join(groups.get(g, g) for g in cell.get("target_groups") or []) or _("All"),
                    ]
                )
        grid.rows.append(line)
    legend = ", ".join(f"{MARK_SYMBOLS[k]} {label(MARKS, k, ctx.language)}" for k in MARKS)
    section.paragraphs.append(_("Marks: %(legend)s.") % {"legend": legend})
    section.tables.append(grid)
    return section


def _mark(ctx: Context, cell: dict[str, Any]) -> str:
    text = f"{MARK_SYMBOLS.get(cell['mark'], '')} {label(MARKS, cell['mark'], ctx.language)}".strip()
    if cell.get("target_groups"):
        text += f" ({len(cell['target_groups'])})"
    return text


def interface_section(ctx: Context) -> Section:
    """The interface document's contacts: only those given with consent (no other kind is stored)."""
    contacts = Table(
        "contacts",
        _("Contact persons"),
        [_("Stakeholder"), _("Contact person"), _("Email"), _("Phone")],
    )
    section = Section(
        "interface",
        _("Interface document"),
        sheets=[contacts],
        empty=_("No contact persons given with consent."),
    )
    document = interface_document.interface_document(ctx.session, workshop_id=ctx.workshop_id)
    for contact in document.get("contacts", []):
        contacts.rows.append(
            [contact.get("name"), contact.get("person"), contact.get("email"), contact.get("phone")]
        )
    who = Table(
        "interface",
        _("Responsibilities and contacts"),
        [_("Activity area"), _("Responsible"), _("Contributes"), _("Informed")],
    )
    for activity in document.get("activities", []):
        marks = [
            ", ".join(e["name"] for e in activity.get(m, []))
            for m in ("responsible", "contributes", "informed")
        ]
        if any(marks):
            who.rows.append([ctx.text(activity["label"]), *marks])
    if who.rows:
        section.tables.append(who)
    if contacts.rows:
        section.paragraphs.append(_("Contact details appear only where the person consented to share them."))
        section.tables.append(contacts)
    return section
