"""The action plan's section: commitments, then the proposals not (yet) committed."""

from sqlmodel import col, select

from cowork.domain.actions import commitments
from cowork.domain.actions.proposals import Proposal
from cowork.exports.document import Context, Section, Table
from cowork.i18n import gettext as _


def actions_section(ctx: Context) -> Section:
    """What / Who / By when / Indicators / Status: commitments, then proposals not (yet) committed."""
    columns = [_("What"), _("Who"), _("By when"), _("Indicators"), _("Status")]
    table = Table("actions", _("Action plan"), columns, show_empty=True)
    section = Section("actions", _("Action plan"), tables=[table], sheets=[table], empty=_("No actions yet."))
    statuses = {"open": _("Open"), "in_progress": _("In progress"), "done": _("Done")}
    decisions = {None: _("Proposed"), "adopted": _("Adopted"), "rejected": _("Rejected")}
    proposals = {
        p.id: p
        for p in ctx.session.exec(
            select(Proposal).where(Proposal.workshop_id == ctx.workshop_id).order_by(col(Proposal.id))
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
