"""The needs board's ranking: dots of a stage's votes on cards, merged cards counting for their cluster."""

from collections import defaultdict
from typing import Any

from sqlmodel import Session, col, select

from cowork.domain.actors import Actor
from cowork.domain.models import Contribution
from cowork.domain.votes.polls import Poll
from cowork.domain.votes.results import compute_results, divergence, hidden_for
from cowork.domain.workshops import stage_for

DotsPerCard = dict[int, int]  # root card (a cluster or a lone card) id -> dots


def _root(session: Session, card: Contribution, cache: dict[int, Contribution]) -> Contribution:
    seen = set()
    while card.cluster_id and card.cluster_id not in seen:
        seen.add(card.id)
        parent = cache.get(card.cluster_id) or session.get(Contribution, card.cluster_id)
        if parent is None:
            break
        cache[parent.id] = parent  # type: ignore[index]
        card = parent
    return card


def stage_ranking(session: Session, *, stage_id: int, staff: bool) -> dict[str, Any]:
    """Cards and clusters of the stage's dot votes, most dots first, overall and by stakeholder group."""
    polls = [
        p
        for p in session.exec(
            select(Poll).where(Poll.stage_id == stage_id, Poll.method == "dots", Poll.status != "draft")
        )
    ]
    hidden = any(hidden_for(p, staff=staff) for p in polls)
    dots, by_group = _dots_per_card(session, polls)
    roots = {i: session.get(Contribution, i) for i in dots}
    if not staff:
        roots = {i: c for i, c in roots.items() if c is not None and not c.hidden and c.approved}
    members = _members(session, list(roots), staff=staff)
    items = _ranked(
        [_item(card, dots[i], members.get(i, [])) for i, card in roots.items() if card is not None]
    )
    groups = _group_rankings(roots, by_group)
    spread = divergence(groups)
    marked = {d["id"] for d in spread if d["marked"]}
    for item in items:
        item["divergent"] = item["id"] in marked
    answer = {
        "stage_id": stage_id,
        "polls": [p.id for p in polls],
        "hidden": hidden,
        "items": items,
        "by_group": groups,
        "divergence": spread,
    }
    if hidden:
        for item in answer["items"]:
            item["dots"] = None
        answer["items"].sort(key=lambda r: r["id"])
        answer.update(by_group={}, divergence=[])
    return answer


def _dots_per_card(session: Session, polls: list[Poll]) -> tuple[DotsPerCard, dict[str, DotsPerCard]]:
    """The votes' dots on each card's cluster (or the card), overall and by stakeholder group."""
    dots: DotsPerCard = defaultdict(int)
    by_group: dict[str, DotsPerCard] = defaultdict(lambda: defaultdict(int))
    cache: dict[int, Contribution] = {}
    for poll in polls:
        result = poll.result if poll.status == "closed" and poll.result else compute_results(session, poll)
        for group, rows in [(None, result["results"]), *result["by_group"].items()]:
            for row in rows:
                if not row.get("contribution_id"):
                    continue
                card = session.get(Contribution, row["contribution_id"])
                if card is None:
                    continue
                root = _root(session, card, cache)
                if group is None:
                    dots[root.id] += row["dots"]  # type: ignore[index]
                else:
                    by_group[group][root.id] += row["dots"]  # type: ignore[index]
    return dots, by_group


def _members(session: Session, cluster_ids: list[int], *, staff: bool) -> dict[int, list[Contribution]]:
    """The cards merged into each cluster; hidden ones only for staff."""
    members: dict[int, list[Contribution]] = defaultdict(list)
    if cluster_ids:
        for member in session.exec(
            select(Contribution)
            .where(col(Contribution.cluster_id).in_(cluster_ids))
            .order_by(col(Contribution.id))
        ):
            if staff or not member.hidden:
                members[member.cluster_id].append(member)  # type: ignore[index]
    return members


def _group_rankings(
    roots: dict[int, Contribution | None], by_group: dict[str, DotsPerCard]
) -> dict[str, list[dict[str, Any]]]:
    """Each group's ranking, with each card's share of the group's dots (what divergence compares)."""
    groups = {
        group: _ranked([_item(roots[i], n, []) for i, n in counts.items() if roots.get(i) is not None])
        for group, counts in sorted(by_group.items())
    }
    for rows in groups.values():
        total = sum(r["dots"] for r in rows)
        for row in rows:
            row["share"] = round(row["dots"] / total, 4) if total else 0.0
            row.pop("cards", None)
    return groups


def _item(card: Contribution, dots: int, cards: list[Contribution]) -> dict[str, Any]:
    return {
        "id": card.id,
        "kind": card.kind,
        "text": card.text,
        "category": card.category,
        "hidden": card.hidden,
        "dots": dots,
        "cards": [{"id": c.id, "text": c.text} for c in cards],
    }


def _ranked(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    items.sort(key=lambda r: (-r["dots"], r["id"]))
    for item in items:
        item["place"] = 1 + sum(other["dots"] > item["dots"] for other in items)
        item["tied"] = sum(other["dots"] == item["dots"] for other in items) > 1
    return items


def ranking_of_stage(session: Session, *, actor: Actor, stage_id: int) -> dict[str, Any]:
    workshop, _stage = stage_for(session, actor=actor, stage_id=stage_id)
    return stage_ranking(session, stage_id=stage_id, staff=actor.may_facilitate(workshop))
