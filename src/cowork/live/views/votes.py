"""Votes, proposals and commitments on screens.

A ballot pushes small text swaps (the number of ballots and, when results are live, each option's
numbers) to every screen, and asks the screens that draw bars (projector, console) to refetch them;
phones have no such element, so hundreds of phones never refetch per ballot. Opening and closing a
vote reloads the polls area once. Who voted what never leaves the staff room.
"""

from typing import Any

from jinja2 import Environment

from cowork import numbers
from cowork.domain.models import Event
from cowork.live.views.registry import EventView, register


def number_text(value: Any) -> str:
    """A count with the reader's digit grouping; a mean with their decimal sign (one or two places)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return numbers.decimal(value, 1, 2)
    return numbers.count(value)


def main_number(row: dict[str, Any]) -> str:
    """The number a result row is read by: dots, approvals, Borda points, the mean, or the yes share."""
    for key in ("dots", "approvals", "points", "mean"):
        if key in row and row[key] is not None:
            return number_text(row[key])
    if "yes_share" in row:
        return numbers.percent(row["yes_share"])
    return ""


def option_numbers(tally: dict[str, Any]) -> dict[str, str]:
    """The texts an option shows, by id suffix: "" for its main number, "-yes"/"-no"/"-abstain"."""
    if "yes" in tally:
        return {f"-{answer}": number_text(tally[answer]) for answer in ("yes", "no", "abstain")}
    for key in ("dots", "approvals", "points", "mean"):
        if key in tally:
            return {"": number_text(tally[key])}
    return {}


def public_ballot(event: Event) -> dict[str, Any]:
    data = event.data
    shown = {k: data[k] for k in ("poll_id", "stage_id", "ballots", "paper") if k in data}
    if not data.get("hide_results"):
        shown["tally"] = data.get("tally", {})
    return shown


def ballot_swaps(env: Environment, event: Event, data: dict[str, Any], staff: bool) -> list[dict[str, Any]]:
    poll = data["poll_id"]
    swaps: list[dict[str, Any]] = [
        {"op": "text", "target": f"#poll-{poll}-ballots", "text": numbers.count(data["ballots"])}
    ]
    if "tally" in data and (staff or not data.get("hide_results")):
        for option_id, tally in data["tally"].items():
            for suffix, text in option_numbers(tally).items():  # the ids the bars give their numbers
                swaps.append({"op": "text", "target": f"#poll-{poll}-n-{option_id}{suffix}", "text": text})
        swaps.append({"op": "reload", "target": f"#poll-{poll}-bars"})
        swaps.append({"op": "reload", "target": f"#ranking-{data['stage_id']}"})
    return swaps


def public_closed(event: Event) -> dict[str, Any]:
    """The close in brief: screens reload the full result from the page."""
    keep = ("id", "stage_id", "method", "ballots", "eligible", "turnout", "quorum_met", "adopted", "closed")
    return {k: event.data[k] for k in keep if k in event.data}


def reload_polls(env: Environment, event: Event, data: dict[str, Any], staff: bool) -> list[dict[str, Any]]:
    swaps = [{"op": "reload", "target": "#polls"}]
    if event.type == "poll.closed":
        swaps.append({"op": "reload", "target": f"#ranking-{data['stage_id']}"})
    return swaps


register("ballot.cast", view=EventView(public=public_ballot, swaps=ballot_swaps))
# A draft is the facilitator's; screens learn of a vote when it opens.
register("poll.created", view=EventView(public=lambda event: None, swaps=reload_polls))
register("poll.opened", view=EventView(swaps=reload_polls))
register("poll.closed", view=EventView(public=public_closed, swaps=reload_polls))


def proposal_swaps(env: Environment, event: Event, data: dict[str, Any], staff: bool) -> list[dict[str, Any]]:
    html = env.get_template("actions/_proposal.html").render(proposal=data, staff=staff)
    target = f"#proposal-{data['id']}"
    if event.type == "proposal.drafted":
        return [{"op": "append", "target": f"#proposals-{data['stage_id']}", "html": html}]
    return [{"op": "replace", "target": target, "html": html}]


register("proposal.drafted", "proposal.updated", view=EventView(swaps=proposal_swaps))
register(
    "commitment.made",
    "commitment.updated",
    "commitment.imported",
    view=EventView(swaps=lambda env, event, data, staff: [{"op": "reload", "target": "#commitments"}]),
)
