"""Moderation steps on a board that act on several cards: merge into clusters, move, undo the last step.

Clusters do not nest. Merging a selection makes a new titled cluster, or, when the selection holds one
cluster, adds the other cards to it; a card that sat in another cluster leaves that one (flattened).
A selection with two clusters is refused. Merged cards are never deleted: they keep their authors and
their votes and only point at their cluster.

Every step's event keeps the values before it (`before`), so "undo" can put them back: the last
moderation step of a stage (edit, hide, move or merge) that is not undone yet is reverted, and the
undo is recorded as its own event, `moderation.undone`.
"""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, func, select

from cowork.domain.actors import Actor
from cowork.domain.board.cards import moderated_stage, move_item
from cowork.domain.board.config import category_keys, check_category
from cowork.domain.board.view import placement
from cowork.domain.errors import Conflict, Invalid, NotFound
from cowork.domain.models import Contribution, Event, Stage, Workshop, utcnow
from cowork.domain.record import Tx
from cowork.domain.redaction import card_copies, copies_card_text
from cowork.domain.text import N_, one_line

MAX_TITLE = 200
MAX_SELECTION = 200
TITLE_TOO_LONG = N_("The title is too long (at most {limit} characters).")
# The events that are moderation steps, and so may be undone.
STEPS = ("card.updated", "cards.moved", "cards.merged")
# Their `items` (where the changed cards now sit) hold the cards; `before`, what undo puts back.
copies_card_text("cards.merged", "cards.moved", "moderation.undone", redact=card_copies)


def selected_cards(tx: Tx, workshop: Workshop, stage: Stage, card_ids: Iterable[int]) -> list[Contribution]:
    """The chosen cards, in the order given, each checked to be on this stage of this workshop."""
    ids = list(dict.fromkeys(card_ids))
    if len(ids) > MAX_SELECTION:
        raise Invalid("Select at most {limit} cards at once.", limit=MAX_SELECTION)
    items = []
    for card_id in ids:
        card = tx.session.get(Contribution, card_id)
        if card is None:
            raise NotFound("There is no card {id}.", id=card_id)
        if card.workshop_id != workshop.id:
            raise Invalid("Card {id} belongs to another workshop.", id=card_id)
        if card.stage_id != stage.id:
            raise Invalid("Card {id} is on another stage.", id=card_id)
        items.append(card)
    return items


def merge_cards(
    tx: Tx, *, actor: Actor, stage_id: int, card_ids: list[int], title: str | None = None
) -> tuple[Contribution, bool]:
    """Merge cards into a new titled cluster, or into the one cluster among them; gives (cluster, created)."""
    workshop, stage = moderated_stage(tx, actor, stage_id)
    items = selected_cards(tx, workshop, stage, card_ids)
    clusters = _check_mergeable(items)
    title = clean_title(title)
    data: dict[str, Any] = {"stage_id": stage.id}
    shared = {i.cluster_id for i in items}
    if not clusters and len(shared) == 1 and None not in shared:
        # These cards already are one cluster (a double tap on "Merge"): nothing new to make.
        existing = tx.session.get(Contribution, shared.pop())
        assert existing is not None
        return existing, False
    if clusters:
        cluster, created = clusters[0], False
        if title and title != cluster.text:
            data["title_before"], cluster.text = cluster.text, title
    else:
        cluster = new_cluster(stage, title=title, category=items[0].category, author_user_id=actor.user_id)
        tx.session.add(cluster)
        tx.session.flush()
        created = True
    before = [
        join_cluster(tx.session, cluster, card)
        for card in items
        if card is not cluster and not (card.cluster_id == cluster.id and card.category == cluster.category)
    ]
    if not created and not before and "title_before" not in data:
        return cluster, False
    cluster.updated_at = utcnow()
    tx.session.add(cluster)
    event = tx.record(workshop.id, "cards.merged", {})
    if created:
        cluster.seq = event.seq
    merged = [b["id"] for b in before]
    event.data = {
        **data,
        "cluster_id": cluster.id,
        "title": cluster.text,
        "created": created,
        "card_ids": merged,
        "before": before,
        **placement(tx.session, stage, [*merged, cluster.id]),  # type: ignore[list-item]
    }
    return cluster, created


def _check_mergeable(items: list[Contribution]) -> list[Contribution]:
    """The cluster among the selected items (at most one), if they can be merged at all."""
    if len(items) < 2:
        raise Invalid("Select at least two cards to merge.")
    clusters = [i for i in items if i.kind == "cluster"]
    if len(clusters) > 1:
        raise Invalid(
            "Clusters do not go inside other clusters: select one cluster and the cards to add to it."
        )
    if waiting := next((i for i in items if not i.approved), None):
        raise Invalid("Card {id} waits for approval; approve it before merging.", id=waiting.id)
    return clusters


def clean_title(title: str | None) -> str:
    return one_line(title, field="title", limit=MAX_TITLE, too_long=TITLE_TOO_LONG)


def new_cluster(
    stage: Stage, *, title: str, category: str | None, author_user_id: int | None
) -> Contribution:
    """A titled cluster on the stage's board, in the column of the first card merged into it."""
    if not title:
        raise Invalid("Please give the cluster a title.")
    return Contribution(
        workshop_id=stage.workshop_id,
        stage_id=stage.id,  # type: ignore[arg-type]
        author_user_id=author_user_id,
        kind="cluster",
        text=title,
        category=category,
    )


def join_cluster(session: Session, cluster: Contribution, card: Contribution) -> dict[str, Any]:
    """Put a card into a cluster and its column; returns the card's values before."""
    before = {"id": card.id, "category": card.category, "cluster_id": card.cluster_id}
    card.cluster_id, card.category, card.updated_at = cluster.id, cluster.category, utcnow()
    session.add(card)
    return before


def move_cards(
    tx: Tx, *, actor: Actor, stage_id: int, card_ids: list[int], category: str | None
) -> list[Contribution]:
    """Move cards (out of their clusters) and clusters (with their cards) to one column, as one step."""
    workshop, stage = moderated_stage(tx, actor, stage_id)
    category = check_category(stage, category)
    items = selected_cards(tx, workshop, stage, card_ids)
    if not items:
        raise Invalid("Select the cards to move first.")
    before = move_selection(tx.session, items, category)
    if before:
        tx.record(
            workshop.id,
            "cards.moved",
            {
                "stage_id": stage.id,
                "category": category,
                "card_ids": [i.id for i in items],
                "before": before,
                **placement(tx.session, stage, [b["id"] for b in before]),
            },
        )
    return items


def move_selection(session: Session, items: list[Contribution], category: str | None) -> list[dict[str, Any]]:
    """Move the chosen cards and clusters to one column; returns the old values of what moved."""
    chosen = {i.id for i in items}
    before: list[dict[str, Any]] = []
    for item in items:
        if item.cluster_id in chosen:
            continue  # it moves with its cluster
        before.extend(move_item(session, item, category))
    return before


def last_step(session: Session, *, stage_id: int, workshop_id: int) -> Event | None:
    """The stage's latest moderation step that is not undone yet."""
    undone: set[int] = set()
    events = session.exec(
        select(Event)
        .where(Event.workshop_id == workshop_id, col(Event.type).in_([*STEPS, "moderation.undone"]))
        .order_by(col(Event.seq).desc())
    )
    for event in events:
        if event.data.get("stage_id") != stage_id:
            continue
        if event.type == "moderation.undone":
            undone.add(event.data["undone"]["seq"])
        elif event.seq not in undone and "before" in event.data:
            return event
    return None


def undo_last_step(tx: Tx, *, actor: Actor, stage_id: int) -> Event:
    """Revert the stage's last moderation step; returns the `moderation.undone` event."""
    workshop, stage = moderated_stage(tx, actor, stage_id)
    step = last_step(tx.session, stage_id=stage.id, workshop_id=workshop.id)  # type: ignore[arg-type]
    if step is None:
        raise Conflict("There is nothing to undo on this board.")
    touched, removed = revert_step(tx.session, stage, step)
    return tx.record(
        workshop.id,
        "moderation.undone",
        {
            "stage_id": stage.id,
            "undone": {"seq": step.seq, "type": step.type},
            **placement(tx.session, stage, touched, removed),
        },
    )


def revert_step(session: Session, stage: Stage, step: Event) -> tuple[list[int], list[int]]:
    """Put back the values a moderation step changed; returns the ids it touched and the ids it removed."""
    keys = category_keys(stage)
    touched: list[int] = []
    for old in step.data["before"]:
        item = session.get(Contribution, old["id"])
        if item is None:
            raise Conflict("This step cannot be undone: a card of it is gone.")
        if old.get("category") is not None and old["category"] not in keys:
            raise Conflict(
                "This step cannot be undone: the category {category} was removed since.",
                category=old["category"],
            )
        for field in ("text", "category", "hidden", "cluster_id"):
            if field in old:
                setattr(item, field, old[field])
        item.updated_at = utcnow()
        session.add(item)
        touched.append(item.id)  # type: ignore[arg-type]
    removed: list[int] = []
    if step.type == "cards.merged":
        cluster = session.get(Contribution, step.data["cluster_id"])
        if cluster is not None and step.data.get("created"):
            _remove_cluster(session, cluster)
            removed.append(step.data["cluster_id"])
        elif cluster is not None:
            if "title_before" in step.data:
                cluster.text = step.data["title_before"]
                session.add(cluster)
            touched.append(cluster.id)  # type: ignore[arg-type]
    return touched, removed


def _remove_cluster(session: Session, cluster: Contribution) -> None:
    """Undoing the merge that made a cluster removes it, unless something else (a vote) points at it."""
    session.flush()
    if session.exec(
        select(func.count()).select_from(Contribution).where(Contribution.cluster_id == cluster.id)
    ).one():
        raise Conflict("This cluster has other cards by now, so its merge cannot be undone.")
    if _referenced_elsewhere(session, cluster.id):  # type: ignore[arg-type]
        raise Conflict("This cluster is already part of a vote, so its merge cannot be undone.")
    session.delete(cluster)
    session.flush()


def _referenced_elsewhere(session: Session, contribution_id: int) -> bool:
    """Whether a row of another table (a poll option, a proposal, ...) names this contribution."""
    for table in SQLModel.metadata.tables.values():
        if table.name == "contribution":
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name == "contribution":
                found = session.execute(
                    sa_select(func.count()).select_from(table).where(fk.parent == contribution_id)
                ).scalar()
                if found:
                    return True
    return False
