"""Replaying the boards: cards written, approved, edited, moved, merged into clusters, undone and erased, and
the boards' own settings (categories, approval mode)."""

from typing import Any

from cowork.domain import privacy
from cowork.domain.board import cards as board
from cowork.domain.board import config as board_config
from cowork.domain.board import moderation, suggestions
from cowork.domain.errors import Invalid
from cowork.domain.models import Contribution, Stage
from cowork.exports.replay.replayer import Replay, flag, replays
from cowork.formats import CARD_KINDS


def _card(replay: Replay, old: Any, stage: Stage) -> Contribution:
    card = replay.get(Contribution, "card", old)
    if card.stage_id != stage.id:
        raise Invalid("Card {id} is on another stage.", id=old)
    return card


@replays("card.added")
def card_added(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    stage = replay.stage(data.get("stage_id"), *CARD_KINDS)
    card = board.new_card(
        stage,
        # An erased card keeps its place in the record without its text.
        text="" if flag(data.get("erased")) else board.clean_text(data.get("text")),
        category=data.get("category"),
        language=data.get("language"),
        card_kind=data.get("card_kind"),
        phase=data.get("phase"),
        participant_id=replay.new_id("participant", data.get("participant_id")),
        author_user_id=replay.actor.user_id if flag(data.get("by_facilitator")) else None,
        approved=data.get("approved") is not False,
    )
    card.hidden = flag(data.get("hidden"))
    card.table_id = replay.new_id("table", data.get("table_id"))
    card.seq = replay.seq
    replay.keep(card, "card", data.get("id"))
    return replay.remap(data, "card")


@replays("card.updated")
def card_updated(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    """An edit, move or hiding of a card or cluster, as board.update_card made it."""
    card = replay.get(Contribution, "card", data.get("id"))
    stage = replay.session.get(Stage, card.stage_id)
    assert stage is not None
    changes = data["changes"]
    if "text" in changes:
        card.text = "" if flag(data.get("erased")) else board.clean_text(data.get("text"))
    if "category" in changes:
        board.move_item(replay.session, card, board_config.check_category(stage, data.get("category")))
    if "hidden" in changes:
        card.hidden = flag(data.get("hidden"))
    card.updated_at = replay.now
    replay.session.add(card)
    return replay.remap(data, "card")


@replays("card.approved")
def card_approved(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    card = replay.get(Contribution, "card", data.get("id"))
    card.approved, card.updated_at = True, replay.now
    replay.session.add(card)
    return replay.remap(data, "card")


@replays("card.erased")
def card_erased(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    privacy.erase_card(replay.session, replay.get(Contribution, "card", data.get("id")))
    return replay.remap(data, "card")


@replays("stage.settings_changed")
def settings_changed(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    stage = replay.stage(data.get("stage_id"), *CARD_KINDS)
    stage.config = {**stage.config, "approval": flag(data.get("approval"))}
    replay.session.add(stage)
    return replay.remap(data)


@replays("stage.projection_changed")
def projection_changed(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    """What the projector showed of a board: a card in the spotlight (or none), the word cloud on or off."""
    stage = replay.stage(data.get("stage_id"), *CARD_KINDS)
    fixed = replay.remap(data)
    config = {k: v for k, v in stage.config.items() if k != "spotlight_id"}
    if fixed["spotlight_id"] is not None:
        config["spotlight_id"] = fixed["spotlight_id"]
    stage.config = {**config, "word_cloud": flag(data.get("word_cloud"))}
    replay.session.add(stage)
    return fixed


@replays("stage.categories_changed")
def categories_changed(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    stage = replay.stage(data.get("stage_id"), *CARD_KINDS)
    stage.config = {
        **stage.config,
        "categories": board_config.check_categories(replay.session, stage, data["categories"]),
    }
    replay.session.add(stage)
    return replay.remap(data)


@replays("cards.merged")
def cards_merged(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    """Cards into a new cluster (made in the column of the first of them) or into one already there."""
    stage = replay.stage(data.get("stage_id"), *CARD_KINDS)
    title = moderation.clean_title(data.get("title"))
    before = data["before"]
    if flag(data.get("created")):
        category = board_config.check_category(stage, before[0]["category"] if before else None)
        cluster = moderation.new_cluster(
            stage, title=title, category=category, author_user_id=replay.actor.user_id
        )
        cluster.seq = replay.seq
        replay.keep(cluster, "card", data.get("cluster_id"))
    else:
        cluster = _card(replay, data.get("cluster_id"), stage)
        if cluster.kind != "cluster":
            raise Invalid(
                "Event {seq} points at {kind} {id}, which the record never made.",
                seq=replay.seq,
                kind="cluster",
                id=data.get("cluster_id"),
            )
        if "title_before" in data:
            if not title:
                raise Invalid("Please give the cluster a title.")
            cluster.text = title
    for old in before:
        card = _card(replay, old["id"], stage)
        if card.kind == "cluster":
            raise Invalid(
                "Clusters do not go inside other clusters: select one cluster and the cards to add to it."
            )
        moderation.join_cluster(replay.session, cluster, card)
    cluster.updated_at = replay.now
    replay.session.add(cluster)
    return replay.remap(data)


@replays("cards.moved")
def cards_moved(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    stage = replay.stage(data.get("stage_id"), *CARD_KINDS)
    items = [_card(replay, old, stage) for old in data["card_ids"]]
    moderation.move_selection(replay.session, items, board_config.check_category(stage, data.get("category")))
    return replay.remap(data)


@replays("moderation.undone")
def moderation_undone(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    """The board's last moderation step put back, as moderation.undo_last_step found and reverted it."""
    stage = replay.stage(data.get("stage_id"), *CARD_KINDS)
    step = moderation.last_step(replay.session, stage_id=stage.id, workshop_id=replay.workshop_id)  # type: ignore[arg-type]
    if step is None or step.seq != data["undone"]["seq"]:
        raise Invalid("Event {seq} undoes a step that is not the last one on its board.", seq=replay.seq)
    moderation.revert_step(replay.session, stage, step)
    return replay.remap(data)


@replays(suggestions.DISMISSED)
def suggestions_dismissed(replay: Replay, data: dict[str, Any]) -> dict[str, Any]:
    """Dismissed suggestions stay dismissed in the imported workshop (no rows: the event is all)."""
    stage = replay.stage(data.get("stage_id"), *CARD_KINDS)
    if data.get("kind") not in suggestions.KINDS or not data.get("card_ids"):
        raise Invalid("Event {seq} dismisses no suggestion.", seq=replay.seq)
    for old in data["card_ids"]:
        _card(replay, old, stage)
    return replay.remap(data)
