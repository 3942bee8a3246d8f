"""The report's sections from the features: stakeholders, responsibilities, interface document, actions,
votes and evaluation. Each reads its feature through that feature's own query functions; a feature that is
not installed, or has no data yet, gives an empty section with the same headings and sheets."""

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any

from sqlmodel import col, select

from .. import numbers
from ..domain.families import LEVELS, MARK_SYMBOLS, MARKS, ROLES, label
from ..i18n import gettext as _
from ..i18n import ngettext
from .grid import grid_svg
from .report import Cell, Context, Figure, Section, Table, kind_label


def feature(name: str) -> ModuleType | None:
    """A feature's domain module, or None where this build does not have it."""
    try:
        return importlib.import_module(f"cowork.domain.{name}")
    except ImportError:
        return None


def _join(values: Any) -> str:
    if not values:
        return ""
    if isinstance(values, dict):
        return "; ".join(f"{k}: {_join(v)}" for k, v in values.items() if v)
    if isinstance(values, list | tuple):
        return "; ".join(str(v) for v in values if v)
    return str(values)


# --- stakeholders ---------------------------------------------------------------------------------------


def stakeholders_section(ctx: Context) -> Section:
    columns = [
        _("No."),
        _("Stakeholder"),
        _("Stakeholder group"),
        _("Level"),
        _("Role"),
        _("Tasks"),
        _("Influence"),
        _("Interest"),
        _("Ratings"),
    ]
    sheet = Table("stakeholders", _("Stakeholders"), columns)
    section = Section("stakeholders", _("Stakeholder map"), sheets=[sheet], empty=_("No stakeholders yet."))
    module = feature("stakeholder_map")
    if module is None:
        return section
    items = module.list_stakeholders(ctx.session, workshop_id=ctx.workshop_id, include_contact=False)
    points = []
    for number, item in enumerate(items, start=1):
        position = item.get("position") or {}
        sheet.rows.append(
            [
                number,
                item["name"],
                ctx.group(item.get("family")),
                label(LEVELS, item.get("level"), ctx.language),
                label(ROLES, item.get("role"), ctx.language),
                item.get("tasks"),
                position.get("influence"),
                position.get("interest"),
                item.get("ratings", 0),
            ]
        )
        if position.get("influence") is not None and position.get("interest") is not None:
            points.append((number, float(position["influence"]), float(position["interest"])))
    if points:
        section.figures.append(
            Figure(
                svg=grid_svg(points),
                alt=ngettext(
                    "Influence and interest grid: %(count)s stakeholder drawn as a numbered dot; "
                    "the table lists its number with its influence and interest.",
                    "Influence and interest grid: %(count)s stakeholders drawn as numbered dots; "
                    "the table lists each number with its stakeholder, influence and interest.",
                    len(points),
                )
                % {"count": numbers.count(len(points))},
                caption=_("Where the group placed the stakeholders (1 = low, 5 = high)."),
                table=grid_table(points),
            )
        )
    section.tables.append(sheet)
    return section


def grid_table(points: list[tuple[int, float, float]]) -> Table:
    """The grid as a table: influence 5 to 1 down, interest 1 to 5 across, stakeholders' numbers inside."""
    cells: dict[tuple[int, int], list[str]] = {}
    for number, influence, interest in points:
        cells.setdefault((round(influence), round(interest)), []).append(str(number))
    rows: list[list[Cell]] = [
        [_("Influence %(n)s") % {"n": y}, *[", ".join(cells.get((y, x), [])) for x in range(1, 6)]]
        for y in range(5, 0, -1)
    ]
    columns = ["", *[_("Interest %(n)s") % {"n": x} for x in range(1, 6)]]
    return Table("grid", _("Influence and interest grid"), columns, rows)


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
    module = feature("responsibilities")
    if module is None:
        return section
    matrix = module.responsibility_matrix(ctx.session, workshop_id=ctx.workshop_id)
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
    module = feature("interface_document")
    if module is None or not hasattr(module, "interface_document"):
        return section
    document = module.interface_document(ctx.session, workshop_id=ctx.workshop_id)
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


# --- the action plan ------------------------------------------------------------------------------------


def actions_section(ctx: Context) -> Section:
    """What / Who / By when / Indicators / Status: commitments, then proposals not (yet) committed."""
    columns = [_("What"), _("Who"), _("By when"), _("Indicators"), _("Status")]
    table = Table("actions", _("Action plan"), columns, show_empty=True)
    section = Section("actions", _("Action plan"), tables=[table], sheets=[table], empty=_("No actions yet."))
    module, commitments = feature("proposals"), feature("commitments")
    if module is None or commitments is None:
        return section
    statuses = {"open": _("Open"), "in_progress": _("In progress"), "done": _("Done")}
    decisions = {None: _("Proposed"), "adopted": _("Adopted"), "rejected": _("Rejected")}
    proposals = {
        p.id: p
        for p in ctx.session.exec(
            select(module.Proposal)
            .where(module.Proposal.workshop_id == ctx.workshop_id)
            .order_by(col(module.Proposal.id))
        )
    }
    committed = set()
    for item in commitments.list_commitments(ctx.session, workshop_id=ctx.workshop_id):
        proposal = proposals.get(item.get("proposal_id"))
        committed.add(item.get("proposal_id"))
        table.rows.append(
            [
                item["title"],
                item.get("owner_name"),
                item.get("due"),
                _indicators(proposal.indicators if proposal else None),
                statuses.get(item.get("status"), item.get("status")),
            ]
        )
    for proposal in proposals.values():
        if proposal.id in committed or proposal.decision == "rejected":
            continue
        table.rows.append(
            [
                proposal.title,
                commitments.owner_name(ctx.session, proposal),
                proposal.due.isoformat() if proposal.due else None,
                _indicators(proposal.indicators),
                decisions.get(proposal.decision, proposal.decision),
            ]
        )
    return section


def _indicators(indicators: dict[str, list[str]] | None) -> str:
    if not indicators:
        return ""
    names = {"success": _("Success"), "failure": _("Failure")}
    return "; ".join(f"{names.get(k, k)}: {', '.join(v)}" for k, v in indicators.items() if v)


# --- votes ----------------------------------------------------------------------------------------------


def polls_section(ctx: Context) -> Section:
    """Every vote with its method, quorum, result and breakdown by stakeholder group."""
    sheet = Table(
        "polls",
        _("Votes"),
        [
            _("Vote"),
            _("Method"),
            _("Status"),
            _("Quorum"),
            _("Ballots"),
            _("Eligible"),
            _("Quorum met"),
            _("Option"),
            _("Place"),
            _("Result"),
            _("Stakeholder group"),
        ],
    )
    section = Section("polls", _("Votes"), sheets=[sheet], empty=_("No votes yet."))
    polls, results = feature("polls"), feature("poll_results")
    if polls is None or results is None:
        return section
    query = (
        select(polls.Poll)
        .where(polls.Poll.workshop_id == ctx.workshop_id, polls.Poll.status != "draft")
        .order_by(col(polls.Poll.id))
    )
    for number, poll in enumerate(ctx.session.exec(query), start=1):
        result = (
            poll.result
            if poll.status == "closed" and poll.result
            else results.compute_results(ctx.session, poll)
        )
        title = poll.title or _("Vote %(number)s") % {"number": number}
        quorum: Cell = numbers.Share(poll.quorum) if poll.quorum else _("none")
        met = _("yes") if result.get("quorum_met") else _("no")
        method = method_names().get(poll.method, poll.method)
        section.paragraphs.append(
            _("%(title)s: %(method)s, %(ballots)s of %(eligible)s voted, quorum %(quorum)s (met: %(met)s).")
            % {
                "title": title,
                "method": method,
                "ballots": numbers.count(result.get("ballots", 0)),
                "eligible": numbers.count(result.get("eligible", 0)),
                "quorum": numbers.number(quorum),
                "met": met,
            }
        )
        groups = list(result.get("by_group", {}))
        table = Table(
            f"poll-{poll.id}", title, [_("Place"), _("Option"), _("All"), *[_group(ctx, g) for g in groups]]
        )
        by_group = {g: {r["option_id"]: r for r in rows} for g, rows in result.get("by_group", {}).items()}
        for row in result.get("results", []):
            table.rows.append(
                [
                    row.get("place"),
                    row["label"],
                    _outcome(poll.method, row),
                    *[_outcome(poll.method, by_group[g].get(row["option_id"])) for g in groups],
                ]
            )
            base = [title, method, poll.status, quorum, result.get("ballots"), result.get("eligible"), met]
            sheet.rows.append([*base, row["label"], row.get("place"), _outcome(poll.method, row), _("All")])
            for g in groups:
                sheet.rows.append(
                    [
                        *base,
                        row["label"],
                        None,
                        _outcome(poll.method, by_group[g].get(row["option_id"])),
                        _group(ctx, g),
                    ]
                )
        section.tables.append(table)
    return section


def method_names() -> dict[str, str]:
    return {
        "dots": _("Dot voting"),
        "approval": _("Approval voting"),
        "yes_no_abstain": _("Yes / no / abstain"),
        "ranking": _("Ranking"),
        "scale": _("Scale 1 to 5"),
    }


def _group(ctx: Context, key: str) -> str:
    return _("No group given") if key == "none" else ctx.group(key)


def _outcome(method: str, row: dict[str, Any] | None) -> str:
    """The numbers of one option as a reader says them."""
    if not row:
        return ""
    if method == "dots":
        n = row.get("dots", 0)
        return ngettext("%(n)s dot", "%(n)s dots", n) % {"n": numbers.count(n)}
    if method == "approval":
        n = row.get("approvals", 0)
        return ngettext("%(n)s approval", "%(n)s approvals", n) % {"n": numbers.count(n)}
    if method == "yes_no_abstain":
        text = _("yes %(yes)s, no %(no)s, abstain %(abstain)s") % {
            answer: numbers.count(row.get(answer, 0)) for answer in ("yes", "no", "abstain")
        }
        if "adopted" in row:
            text += " – " + (_("adopted") if row["adopted"] else _("not adopted"))
        return text
    if method == "ranking":
        n = row.get("points", 0)
        return ngettext("%(n)s point", "%(n)s points", n) % {"n": numbers.count(n)}
    if row.get("count"):
        return _("mean %(mean)s of %(count)s") % {
            "mean": numbers.decimal(row.get("mean") or 0, 1, 2),
            "count": numbers.count(row["count"]),
        }
    return ""


# --- evaluation -----------------------------------------------------------------------------------------


def evaluation_section(ctx: Context) -> Section:
    """Per question: how many answered, the mean and the distribution over 1–5; then the open answers."""
    scale = Table(
        "evaluation",
        _("Evaluation"),
        [_("Question"), _("Answers"), _("Mean"), "1", "2", "3", "4", "5"],
    )
    answers = Table("answers", _("Open answers"), [_("Question"), _("Answer")])
    section = Section(
        "evaluation", _("Evaluation"), sheets=[scale, answers], empty=_("No evaluation answers yet.")
    )
    module = feature("evaluation")
    if module is None:
        return section
    for stage in ctx.stages:
        if stage.kind != "evaluation":
            continue
        spec = module.spec_of(stage)
        texts = {item.id: item.localized_text(ctx.language) for item in spec.items}
        result = module.results(ctx.session, stage=stage, include_text=True)
        for item in result["items"]:
            if item["type"] == "likert" and item["count"]:
                dist = item.get("distribution", {})
                scale.rows.append(
                    [
                        texts.get(item["id"], item["id"]),
                        item["count"],
                        item["mean"],
                        *[dist.get(str(p), 0) for p in range(1, 6)],
                    ]
                )
            for text in item.get("answers", []) or []:
                answers.rows.append([texts.get(item["id"], item["id"]), text])
    if scale.rows:
        section.figures.extend(_bars(row) for row in scale.rows)
        section.tables.append(scale)
    if answers.rows:
        section.tables.append(answers)
    return section


def _bars(row: list[Cell]) -> Figure:
    """A horizontal bar per scale point, with its count written beside it."""
    question, counts = str(row[0]), [int(c or 0) for c in row[3:8]]
    top = max(counts) or 1
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 320 110" width="320" height="110"'
        ' aria-hidden="true" font-family="sans-serif">'
    ]
    for i, count in enumerate(counts):
        y = 4 + i * 21
        width = 240 * count / top
        parts.append(f'<text x="8" y="{y + 14}" font-size="12">{i + 1}</text>')
        parts.append(f'<rect x="24" y="{y}" width="{width:.1f}" height="16" fill="#1f4e79"/>')
        parts.append(f'<text x="{30 + width:.1f}" y="{y + 13}" font-size="12">{numbers.count(count)}</text>')
    parts.append("</svg>")
    points = (
        _("%(point)s: %(count)s") % {"point": i + 1, "count": numbers.count(c)} for i, c in enumerate(counts)
    )
    alt = question + ": " + ", ".join(points)
    return Figure(svg="".join(parts), alt=alt, caption=question)


FEATURE_SECTIONS: list[Callable[[Context], Section]] = [
    stakeholders_section,
    responsibilities_section,
    interface_section,
    actions_section,
    polls_section,
    evaluation_section,
]

__all__ = ["FEATURE_SECTIONS", "feature", "kind_label"]
