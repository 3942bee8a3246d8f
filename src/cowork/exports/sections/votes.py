"""The votes' section: each vote's method, quorum and result, overall and by stakeholder group."""

from typing import Any

from sqlmodel import col, select

from cowork import numbers
from cowork.domain.votes import polls
from cowork.domain.votes import results as poll_results
from cowork.exports.charts import vote_chart
from cowork.exports.document import Cell, Context, Section, Table
from cowork.i18n import gettext as _
from cowork.i18n import ngettext


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
    query = (
        select(polls.Poll)
        .where(polls.Poll.workshop_id == ctx.workshop_id, polls.Poll.status != "draft")
        .order_by(col(polls.Poll.id))
    )
    for number, poll in enumerate(ctx.session.exec(query), start=1):
        result = (
            poll.result
            if poll.status == "closed" and poll.result
            else poll_results.compute_results(ctx.session, poll)
        )
        title = poll.title or _("Vote %(number)s") % {"number": number}
        quorum: Cell = numbers.Share(poll.quorum) if poll.quorum else _("none")
        met = _("yes") if result.get("quorum_met") else _("no")
        method = method_names().get(poll.method, poll.method)
        part = Section(f"poll-{poll.id}", title)
        part.paragraphs.append(_sentence(result, title=title, method=method, quorum=quorum, met=met))
        if result.get("results"):
            names = [group_name(ctx, g) for g in result.get("by_group", {})]
            part.figures.append(
                vote_chart(result, names=names, title=title, method=poll.method, outcome=outcome)
            )
        part.tables.append(_result_table(result, key=f"poll-{poll.id}", title=title, method=poll.method))
        if result.get("by_group"):
            part.tables.append(
                _group_table(ctx, result, key=f"poll-{poll.id}-groups", title=title, method=poll.method)
            )
        section.subsections.append(part)
        base = [title, method, poll.status, quorum, result.get("ballots"), result.get("eligible"), met]
        sheet.rows.extend(_sheet_rows(ctx, result, base=base, method=poll.method))
    return section


def _sentence(result: dict[str, Any], *, title: str, method: str, quorum: Cell, met: str) -> str:
    """A vote in one sentence: its method, how many of the eligible voted, and the quorum."""
    return _(
        "%(title)s: %(method)s, %(ballots)s of %(eligible)s voted, quorum %(quorum)s (met: %(met)s)."
    ) % {
        "title": title,
        "method": method,
        "ballots": numbers.count(result.get("ballots", 0)),
        "eligible": numbers.count(result.get("eligible", 0)),
        "quorum": numbers.number(quorum),
        "met": met,
    }


def _result_table(result: dict[str, Any], *, key: str, title: str, method: str) -> Table:
    """What documents show of a vote overall: each option's place and result."""
    table = Table(key, title, [_("Place"), _("Option"), _("Result")])
    for row in result.get("results", []):
        table.rows.append([row.get("place"), row["label"], outcome(method, row)])
    return table


def _group_table(ctx: Context, result: dict[str, Any], *, key: str, title: str, method: str) -> Table:
    """Each option's result in each stakeholder group: a column per group, on a page turned sideways."""
    by_group = _by_group(result)
    table = Table(
        key,
        _("%(title)s by stakeholder group") % {"title": title},
        [_("Option"), *[group_name(ctx, g) for g in by_group]],
        wide=True,
    )
    for row in result.get("results", []):
        table.rows.append(
            [
                row["label"] or _("an erased card"),
                *[
                    outcome(method, options.get(row["option_id"]), short=True)
                    for options in by_group.values()
                ],
            ]
        )
    return table


def _sheet_rows(ctx: Context, result: dict[str, Any], *, base: list[Cell], method: str) -> list[list[Cell]]:
    """What spreadsheets get of a vote: per option a flat row for all, then one per stakeholder group."""
    by_group = _by_group(result)
    rows: list[list[Cell]] = []
    for row in result.get("results", []):
        rows.append(
            [*base, row["label"] or _("an erased card"), row.get("place"), outcome(method, row), _("All")]
        )
        for g, options in by_group.items():
            rows.append(
                [
                    *base,
                    row["label"] or _("an erased card"),
                    None,
                    outcome(method, options.get(row["option_id"])),
                    group_name(ctx, g),
                ]
            )
    return rows


def _by_group(result: dict[str, Any]) -> dict[str, dict[Any, dict[str, Any]]]:
    """Each stakeholder group's result rows by option, in the order the result lists the groups."""
    return {g: {r["option_id"]: r for r in rows} for g, rows in result.get("by_group", {}).items()}


def method_names() -> dict[str, str]:
    return {
        "dots": _("Dot voting"),
        "approval": _("Approval voting"),
        "yes_no_abstain": _("Yes / no / abstain"),
        "ranking": _("Ranking"),
        "scale": _("Scale 1 to 5"),
    }


def group_name(ctx: Context, key: str) -> str:
    return _("No group given") if key == "none" else ctx.group(key)


def outcome(method: str, row: dict[str, Any] | None, short: bool = False) -> str:
    """The numbers of one option as a reader says them (short: without whether the option was adopted)."""
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
        if "adopted" in row and not short:
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
