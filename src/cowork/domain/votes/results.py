"""Counting ballots: the tally of each method, results by stakeholder group, and where groups disagree.

Scores, per method (the `score` that orders the results, best first; equal scores share a place):
- dots: the dots on the option;
- approval: how many approved it;
- yes / no / abstain: the share of yes among yes and no (abstentions count for the quorum only);
  adopted when the quorum is met and that share is over one half (simple), at least two thirds
  (two_thirds) or at least the custom share;
- ranking: the Borda count: with n options, a first place gets n-1 points, a second n-2, ..., an unranked
  option 0;
- scale: the mean of the 1-5 points given.

Divergence: for each option and each stakeholder group that voted, the group's `share` (dots: the
option's part of the group's dots; approval: the part of the group's voters who approved; yes/no/abstain:
the yes share; ranking: the option's part of the group's Borda points; scale: (mean - 1) / 4). The
option's spread is the highest minus the lowest share across groups (voters who gave no group are left
out); spreads of at least DIVERGENCE_MARK are marked as the places where groups disagree.
"""

from collections import defaultdict
from typing import Any

from sqlmodel import Session, col, func, select

from cowork.domain.actors import Actor
from cowork.domain.errors import NotFound
from cowork.domain.models import Workshop
from cowork.domain.votes.polls import Ballot, Mark, Poll, PollOption, get_poll, option_labels, options_of
from cowork.domain.votes.setup import threshold_share
from cowork.domain.workshops import participant_count

DIVERGENCE_MARK = 0.25
NO_GROUP = "none"  # the by_group key of voters who did not say their stakeholder group

Counts = dict[int, dict[int, int]]  # option id -> stored value -> number of marks


def _counts(session: Session, poll: Poll) -> tuple[dict[str, Counts], dict[str, int], int]:
    """Marks per group, option and value; ballots per group; paper ballots."""
    marks: dict[str, Counts] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    rows = session.exec(
        select(Mark.option_id, Mark.value, Ballot.group, func.count())
        .join(Ballot, col(Ballot.id) == col(Mark.ballot_id))
        .where(Mark.poll_id == poll.id)
        .group_by(Mark.option_id, Mark.value, Ballot.group)
    )
    for option_id, value, group, n in rows:
        marks[group or NO_GROUP][option_id][value] += n
    voters: dict[str, int] = defaultdict(int)
    paper = 0
    for group, is_paper, n in session.exec(
        select(Ballot.group, Ballot.paper, func.count())
        .where(Ballot.poll_id == poll.id)
        .group_by(Ballot.group, Ballot.paper)
    ):
        voters[group or NO_GROUP] += n
        paper += n if is_paper else 0
    return marks, voters, paper


def _merge(by_group: dict[str, Counts]) -> Counts:
    total: Counts = defaultdict(lambda: defaultdict(int))
    for counts in by_group.values():
        for option_id, values in counts.items():
            for value, n in values.items():
                total[option_id][value] += n
    return total


def _rows(
    poll: Poll, options: list[PollOption], labels: dict[int, str], counts: Counts, voters: int
) -> list[dict[str, Any]]:
    """One row per option with the method's numbers, best first, ties sharing a place."""
    n_options = len(options)
    rows = []
    for option in options:
        values = counts.get(option.id, {})  # type: ignore[arg-type]
        row: dict[str, Any] = {
            "option_id": option.id,
            "label": labels[option.id],  # type: ignore[index]
            "contribution_id": option.contribution_id,
            "proposal_id": option.proposal_id,
            "position": option.position,
        }
        row.update(_numbers(poll, values, voters, n_options))
        rows.append(row)
    _shares(poll, rows, voters)
    rows.sort(key=lambda r: (-r["score"], r["position"]))
    for row in rows:
        row["place"] = 1 + sum(other["score"] > row["score"] for other in rows)
        row["tied"] = sum(other["score"] == row["score"] for other in rows) > 1
    return rows


def _numbers(poll: Poll, values: dict[int, int], voters: int, n_options: int) -> dict[str, Any]:
    method = poll.method
    if method == "dots":
        dots = sum(v * n for v, n in values.items())
        return {"dots": dots, "score": dots}
    if method == "approval":
        approvals = values.get(1, 0)
        return {"approvals": approvals, "score": approvals}
    if method == "yes_no_abstain":
        yes, no, abstain = values.get(1, 0), values.get(-1, 0), values.get(0, 0)
        yes_share = yes / (yes + no) if yes + no else 0.0
        return {
            "yes": yes,
            "no": no,
            "abstain": abstain,
            "votes": yes + no + abstain,
            "yes_share": round(yes_share, 4),
            "score": round(yes_share, 4),
        }
    if method == "ranking":
        points = sum((n_options - rank) * n for rank, n in values.items())
        return {
            "points": points,
            "first_places": values.get(1, 0),
            "ranked": sum(values.values()),
            "score": points,
        }
    count = sum(values.values())
    mean = sum(v * n for v, n in values.items()) / count if count else 0.0
    return {
        "mean": round(mean, 2),
        "count": count,
        "distribution": [values.get(point, 0) for point in range(1, 6)],
        "score": round(mean, 4),
    }


def _shares(poll: Poll, rows: list[dict[str, Any]], voters: int) -> None:
    """Each option's share in this set of ballots (what divergence compares across groups)."""
    method = poll.method
    total = sum(r["score"] for r in rows) if method in ("dots", "ranking") else 0
    for row in rows:
        if method in ("dots", "ranking"):
            share = row["score"] / total if total else 0.0
        elif method == "approval":
            share = row["approvals"] / voters if voters else 0.0
        elif method == "yes_no_abstain":
            share = row["yes_share"]
        else:
            share = (row["mean"] - 1) / 4 if row["count"] else 0.0
        row["share"] = round(share, 4)


def _decide(poll: Poll, rows: list[dict[str, Any]], eligible: int) -> list[int]:
    """Yes / no / abstain: each option is adopted when its quorum is met and its yes share is enough."""
    needed = threshold_share(poll.threshold)
    adopted = []
    for row in rows:
        turnout = row["votes"] / eligible if eligible else 0.0
        row["quorum_met"] = poll.quorum is None or turnout >= poll.quorum
        if poll.threshold in (None, "simple"):
            majority = row["yes"] > row["no"]
        else:
            majority = row["yes"] + row["no"] > 0 and row["yes_share"] >= needed - 1e-9
        row["adopted"] = bool(row["quorum_met"] and majority)
        if row["adopted"]:
            adopted.append(row["option_id"])
    return adopted


def divergence(by_group: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Options by how far the groups' shares lie apart, widest first (needs two groups that gave one)."""
    named = {g: rows for g, rows in by_group.items() if g != NO_GROUP}
    if len(named) < 2:
        return []
    shares: dict[Any, dict[str, float]] = defaultdict(dict)
    labels: dict[Any, str] = {}
    for group, rows in named.items():
        for row in rows:
            key = row.get("option_id", row.get("id"))
            shares[key][group] = row["share"]
            labels[key] = row.get("label", row.get("text", ""))
    found = []
    for key, per_group in shares.items():
        high = max(per_group.items(), key=lambda item: (item[1], item[0]))
        low = min(per_group.items(), key=lambda item: (item[1], item[0]))
        spread = round(high[1] - low[1], 4)
        if spread > 0:
            found.append(
                {
                    "id": key,
                    "label": labels[key],
                    "spread": spread,
                    "marked": spread >= DIVERGENCE_MARK,
                    "highest": {"group": high[0], "share": high[1]},
                    "lowest": {"group": low[0], "share": low[1]},
                    "shares": per_group,
                }
            )
    found.sort(key=lambda d: (-d["spread"], d["id"]))  # ties in the order the options were made
    return found


def compute_results(session: Session, poll: Poll) -> dict[str, Any]:
    """The full result now: overall, by group, divergence, turnout, quorum and (yes/no/abstain) adoption."""
    options = options_of(session, poll_id=poll.id)  # type: ignore[arg-type]
    labels = option_labels(session, options)
    marks, voters, paper = _counts(session, poll)
    ballots = sum(voters.values())
    eligible = participant_count(session, workshop_id=poll.workshop_id) + paper
    rows = _rows(poll, options, labels, _merge(marks), ballots)
    by_group = {
        group: _rows(poll, options, labels, marks.get(group, {}), voters[group]) for group in sorted(voters)
    }
    turnout = ballots / eligible if eligible else 0.0
    result: dict[str, Any] = {
        "poll_id": poll.id,
        "method": poll.method,
        "status": poll.status,
        "closed": poll.status == "closed",
        "ballots": ballots,
        "paper_ballots": paper,
        "eligible": eligible,
        "turnout": round(turnout, 4),
        "quorum": poll.quorum,
        "quorum_met": poll.quorum is None or turnout >= poll.quorum,
        "results": rows,
        "groups": dict(sorted(voters.items())),
        "by_group": by_group,
        "divergence": [],
    }
    if poll.method == "ranking":
        result["scoring"] = "borda"
    if poll.method == "yes_no_abstain":
        result["threshold"] = poll.threshold
        result["adopted"] = _decide(poll, rows, eligible)
    result["divergence"] = divergence(by_group)
    marked = {d["id"] for d in result["divergence"] if d["marked"]}
    for row in rows:
        row["divergent"] = row["option_id"] in marked
    return result


def live_scores(session: Session, poll: Poll) -> dict[str, Any]:
    """What a ballot changes on screens: the number of ballots and each option's numbers."""
    options = options_of(session, poll_id=poll.id)  # type: ignore[arg-type]
    marks, voters, _paper = _counts(session, poll)
    ballots = sum(voters.values())
    merged = _merge(marks)
    keep = {
        "dots": ("dots",),
        "approval": ("approvals",),
        "yes_no_abstain": ("yes", "no", "abstain"),
        "ranking": ("points",),
        "scale": ("mean", "count"),
    }[poll.method]
    tally = {}
    for option in options:
        numbers = _numbers(poll, merged.get(option.id, {}), ballots, len(options))  # type: ignore[arg-type]
        tally[str(option.id)] = {k: numbers[k] for k in keep}
    return {"ballots": ballots, "tally": tally}


def hidden_for(poll: Poll, *, staff: bool) -> bool:
    """Counts are kept from participants and the projector until the close, when the facilitator says so."""
    return poll.hide_results and poll.status != "closed" and not staff


def results_for(session: Session, poll: Poll, *, staff: bool) -> dict[str, Any]:
    """The result a viewer may see: frozen after the close, live before; counts hidden where they must be."""
    result = dict(poll.result) if poll.status == "closed" and poll.result else compute_results(session, poll)
    result["title"] = poll.title
    result["anonymous"] = poll.anonymous
    result["hidden"] = hidden_for(poll, staff=staff)
    if result["hidden"]:
        result["results"] = [
            {k: row[k] for k in ("option_id", "label", "contribution_id", "proposal_id", "position")}
            for row in sorted(result["results"], key=lambda r: r["position"])
        ]
        result.update(by_group={}, divergence=[], groups={})
        result.pop("adopted", None)
    return result


def poll_results(session: Session, *, actor: Actor, poll_id: int) -> dict[str, Any]:
    poll = get_poll(session, poll_id=poll_id)
    workshop = session.get(Workshop, poll.workshop_id)
    assert workshop is not None
    actor.check_member(workshop)
    if actor.is_participant and poll.status == "draft":
        raise NotFound("There is no such vote.")
    return results_for(session, poll, staff=actor.may_facilitate(workshop))
