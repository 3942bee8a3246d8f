"""The action plan's section: the plan at a glance, then each action in full (impact, means-end reasoning,
indicators of success and failure, milestones, resources, the needs it answers, its vote and commitment),
then the work plan: every milestone on one dated list."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select

from cowork.domain.actions import commitments
from cowork.domain.actions.proposals import Proposal
from cowork.domain.models import Contribution
from cowork.domain.votes import polls
from cowork.domain.votes import results as poll_results
from cowork.exports.document import Cell, Context, Section, Table
from cowork.exports.sections.votes import outcome
from cowork.i18n import gettext as _


@dataclass
class Action:
    """One line of the plan: a commitment (with the proposal it came from) or a proposal not yet decided."""

    title: str
    owner: str | None
    due: str | None
    status: str
    proposal: Proposal | None
    commitment: dict[str, Any] | None


def actions_section(ctx: Context) -> Section:
    """What / Who / By when / Indicators / Status at a glance; then every action in full and the work plan."""
    columns = [_("What"), _("Who"), _("By when"), _("Indicators"), _("Status")]
    table = Table("actions-overview", _("Action plan"), columns, show_empty=True)
    sheet = Table("actions", _("Action plan"), sheet_columns())
    workplan = Table("workplan", _("Work plan"), [_("Date"), _("Milestone"), _("Action"), _("Who")])
    section = Section(
        "actions", _("Action plan"), tables=[table], sheets=[sheet, workplan], empty=_("No actions yet.")
    )
    votes = proposal_votes(ctx)
    needs = need_texts(ctx)
    for action in plan(ctx):
        proposal = action.proposal
        table.rows.append(
            [action.title, action.owner, ctx.day(action.due), indicators(proposal, None), action.status]
        )
        vote = votes.get(proposal.id, "") if proposal else ""
        answers = "\n".join(needs[n] for n in (proposal.needs if proposal else []) if n in needs)
        section.subsections.append(action_item(action, vote=vote, needs=answers, when=ctx.day))
        sheet.rows.append(sheet_row(action, vote=vote, needs=answers))
        for milestone in (proposal.milestones if proposal else []) or []:
            workplan.rows.append([milestone.get("due"), milestone["title"], action.title, action.owner])
        if action.due:
            workplan.rows.append([action.due, _("Deadline"), action.title, action.owner])
    workplan.rows.sort(key=lambda row: (row[0] is None, str(row[0] or "")))
    if workplan.rows:
        # The sheet keeps ISO dates (they sort); documents say them in the report's language.
        shown = Table(
            workplan.key, workplan.title, workplan.columns, [[ctx.day(r[0]), *r[1:]] for r in workplan.rows]
        )  # type: ignore[arg-type]
        section.subsections.append(
            Section(
                "workplan",
                _("Work plan"),
                paragraphs=[_("Every milestone and deadline of the plan, by date.")],
                tables=[shown],
            )
        )
    return section


def plan(ctx: Context) -> list[Action]:
    """Commitments first (in the order made), then the proposals not committed and not refused."""
    statuses = {"open": _("Open"), "in_progress": _("In progress"), "done": _("Done")}
    decisions = {None: _("Proposed"), "adopted": _("Adopted"), "rejected": _("Rejected")}
    proposals = {
        p.id: p
        for p in ctx.session.exec(
            select(Proposal).where(Proposal.workshop_id == ctx.workshop_id).order_by(col(Proposal.id))
        )
    }
    actions = []
    committed = set()
    for item in commitments.list_commitments(ctx.session, workshop_id=ctx.workshop_id):
        committed.add(item.get("proposal_id"))
        actions.append(
            Action(
                item["title"],
                item.get("owner_name"),
                item.get("due"),
                statuses.get(item.get("status"), item.get("status")),
                proposals.get(item.get("proposal_id")),
                item,
            )
        )
    for proposal in proposals.values():
        if proposal.id in committed or proposal.decision == "rejected":
            continue
        actions.append(
            Action(
                proposal.title,
                commitments.owner_name(ctx.session, proposal),
                proposal.due.isoformat() if proposal.due else None,
                decisions.get(proposal.decision, proposal.decision),
                proposal,
                None,
            )
        )
    return actions


def sheet_columns() -> list[str]:
    return [
        _("What"),
        _("Who"),
        _("Contact"),
        _("By when"),
        _("Status"),
        _("Intended impact"),
        _("Means-end reasoning"),
        _("Indicators of success"),
        _("Indicators of failure"),
        _("Milestones"),
        _("Resources"),
        _("Needs it answers"),
        _("Vote"),
        _("Description"),
    ]


def sheet_row(action: Action, *, vote: str, needs: str) -> list[Cell]:
    p = action.proposal
    contact = (action.commitment or {}).get("contact") or (p.contact if p else None)
    return [
        action.title,
        action.owner,
        contact,
        action.due,
        action.status,
        p.impact if p else None,
        p.rationale if p else None,
        indicators(p, "success"),
        indicators(p, "failure"),
        milestones(p),
        p.resources if p else None,
        needs,
        vote,
        p.description if p else None,
    ]


def action_item(action: Action, *, vote: str, needs: str, when: Callable[[str | None], str]) -> Section:
    """The action told in full: the chain from impact to its measures, then its plan and its decision."""
    p = action.proposal
    contact = (action.commitment or {}).get("contact") or (p.contact if p else None)
    fields = [
        (_("Who"), action.owner or ""),
        (_("Contact"), contact or ""),
        (_("By when"), when(action.due)),
        (_("Status"), action.status),
        (_("Description"), (p.description if p else None) or ""),
        (_("Intended impact"), (p.impact if p else None) or ""),
        (_("Means-end reasoning"), (p.rationale if p else None) or ""),
        (_("Indicators of success"), indicators(p, "success")),
        (_("Indicators of failure"), indicators(p, "failure")),
        (_("Milestones"), milestones(p, when)),
        (_("Resources"), (p.resources if p else None) or ""),
        (_("Needs it answers"), needs),
        (_("Vote"), vote),
    ]
    if action.commitment:
        origin = action.commitment.get("imported_from")
        fields.append(
            (
                _("Commitment"),
                _("Carried over from %(title)s") % {"title": origin["title"]}
                if origin
                else _("Adopted as a commitment"),
            )
        )
    return Section("action", action.title, fields=[(label, text) for label, text in fields if text])


def indicators(proposal: Proposal | None, kind: str | None) -> str:
    """The proposal's indicators of one kind, one a line; or all of them named by kind on one line."""
    found = (proposal.indicators if proposal else None) or {}
    if kind is not None:
        return "\n".join(found.get(kind) or [])
    names = {"success": _("Success"), "failure": _("Failure")}
    return "; ".join(f"{names.get(k, k)}: {', '.join(v)}" for k, v in found.items() if v)


def iso_day(value: str | None) -> str:
    return value or ""


def milestones(proposal: Proposal | None, when: Callable[[str | None], str] = iso_day) -> str:
    """The milestones in date order (undated last), one a line: "2027-03-31 – Partners agreed" (the date
    as `when` writes it)."""
    items = sorted(
        (proposal.milestones if proposal else None) or [],
        key=lambda m: (not m.get("due"), m.get("due") or ""),
    )
    return "\n".join(f"{when(m['due'])} – {m['title']}" if m.get("due") else m["title"] for m in items)


def first_milestone(proposal: Proposal | None, when: Callable[[str | None], str] = iso_day) -> str:
    items = [m for m in (proposal.milestones if proposal else None) or [] if m.get("due")]
    if not items:
        return ""
    first = min(items, key=lambda m: m["due"])
    return f"{when(first['due'])} – {first['title']}"


def proposal_votes(ctx: Context) -> dict[int, str]:
    """Each proposal's vote in a line: the vote's title and the proposal's result in it (the latest vote)."""
    query = (
        select(polls.Poll, polls.PollOption)
        .join(polls.PollOption, col(polls.PollOption.poll_id) == col(polls.Poll.id))
        .where(
            polls.Poll.workshop_id == ctx.workshop_id,
            polls.Poll.status != "draft",
            col(polls.PollOption.proposal_id).is_not(None),
        )
        .order_by(col(polls.Poll.id))
    )
    found: dict[int, str] = {}
    results: dict[int, dict[str, Any]] = {}
    for poll, option in ctx.session.exec(query):
        if poll.id not in results:
            results[poll.id] = (  # type: ignore[index]
                poll.result
                if poll.status == "closed" and poll.result
                else poll_results.compute_results(ctx.session, poll)
            )
        row = next((r for r in results[poll.id].get("results", []) if r.get("option_id") == option.id), None)  # type: ignore[index]
        title = poll.title or _("Vote")
        found[option.proposal_id] = f"{title}: {outcome(poll.method, row)}"  # type: ignore[index]
    return found


def need_texts(ctx: Context) -> dict[int, str]:
    """The cards a proposal can name as the needs it answers, by id; hidden cards are left out, an erased
    card (its text is gone) is named as one."""
    cards = ctx.session.exec(
        select(Contribution.id, Contribution.text).where(
            Contribution.workshop_id == ctx.workshop_id, col(Contribution.hidden).is_(False)
        )
    )
    return {card_id: text or _("an erased card") for card_id, text in cards if card_id is not None}
