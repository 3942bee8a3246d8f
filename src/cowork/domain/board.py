"""Cards on a board: written from phones, approved, edited, hidden and moved by facilitators.

A board's columns are its stage's categories; a card may also carry one of the stage's card kinds
("how it works now" / "what is missing") and pathway phases. Clusters are contributions of kind
"cluster" whose cards point at them (`cluster_id`); merging and undo live in `moderation.py`.
"""

import re
from collections.abc import Iterable
from typing import Any

from sqlmodel import Session, col, func, select

from ..formats import CARD_KINDS
from ..settings import LANGUAGES
from .actors import Actor
from .errors import Closed, Conflict, Invalid, NotAllowed, NotFound
from .models import Contribution, Participant, Stage, Workshop, utcnow
from .record import Tx
from .workshops import stage_for

MAX_TEXT = 2000
MAX_LABEL = 120
MAX_CATEGORIES = 20
KEY_PATTERN = re.compile(r"^[a-z0-9_-]{1,64}$")


def clean_text(text: str | None) -> str:
    text = (text or "").strip()
    if not text:
        raise Invalid("Please write something on the card first.")
    if len(text) > MAX_TEXT:
        raise Invalid(
            "The card is too long: {count} characters, at most {limit}.", count=len(text), limit=MAX_TEXT
        )
    return text


def category_keys(stage: Stage) -> list[str]:
    return [c["key"] for c in stage.config.get("categories", [])]


def check_category(stage: Stage, category: str | None) -> str | None:
    category = (category or "").strip() or None
    keys = category_keys(stage)
    if category is not None and category not in keys:
        if not keys:
            raise Invalid("This board has no categories.")
        raise Invalid(
            "Unknown category {category}; this board has: {keys}.", category=category, keys=", ".join(keys)
        )
    return category


def _check_card_kind(stage: Stage, value: str | None) -> str | None:
    value = (value or "").strip() or None
    keys = [k["key"] for k in stage.config.get("card_kinds", [])]
    if value is not None and value not in keys:
        if not keys:
            raise Invalid("This board does not sort cards into kinds.")
        raise Invalid("Unknown card kind {value}; this board has: {keys}.", value=value, keys=", ".join(keys))
    return value


def _check_phase(stage: Stage, value: str | None) -> str | None:
    value = (value or "").strip() or None
    keys = [p["key"] for p in stage.config.get("phases", [])]
    if value is not None and value not in keys:
        if not keys:
            raise Invalid("This board has no pathway phases.")
        raise Invalid("Unknown phase {value}; this board has: {keys}.", value=value, keys=", ".join(keys))
    return value


def _open_stage_for(tx: Tx, actor: Actor, stage_id: int) -> tuple[Workshop, Stage]:
    workshop, stage = stage_for(tx.session, actor=actor, stage_id=stage_id)
    if stage.kind not in CARD_KINDS:
        raise Invalid("This stage does not take cards.")
    if actor.is_participant and (workshop.status != "open" or workshop.current_stage_id != stage.id):
        raise Closed("This stage is not open for cards right now.")
    return workshop, stage


def moderated_stage(tx: Tx, actor: Actor, stage_id: int) -> tuple[Workshop, Stage]:
    """A card stage its facilitator is about to change; the workshop row is locked for the change."""
    stage = tx.session.get(Stage, stage_id)
    if stage is None:
        raise NotFound("There is no such stage.")
    workshop = tx.session.exec(
        select(Workshop).where(Workshop.id == stage.workshop_id).with_for_update()
    ).one()
    if not actor.may_facilitate(workshop):
        raise NotAllowed("Only the workshop's facilitators may change cards.")
    if stage.kind not in CARD_KINDS:
        raise Invalid("This stage does not take cards.")
    return workshop, stage


def approval_on(stage: Stage) -> bool:
    return bool(stage.config.get("approval"))


def add_card(
    tx: Tx,
    *,
    actor: Actor,
    stage_id: int,
    text: str | None,
    category: str | None = None,
    language: str | None = None,
    client_id: str | None = None,
    card_kind: str | None = None,
    phase: str | None = None,
) -> Contribution:
    """Add a card; a repeated client_id returns the first card and stores nothing.

    On a stage in approval mode a participant's card waits (approved False) for a facilitator.
    """
    if client_id is not None and not 1 <= len(client_id) <= 64:
        raise Invalid("client_id must have 1 to 64 characters.")
    if (earlier := tx.receipt(actor.key, client_id)) is not None:
        card = tx.session.get(Contribution, earlier)
        assert card is not None
        return card
    workshop, stage = _open_stage_for(tx, actor, stage_id)
    card = new_card(
        stage,
        text=clean_text(text),
        category=category,
        language=language,
        card_kind=card_kind,
        phase=phase,
        participant_id=actor.participant_id,
        author_user_id=None if actor.is_participant else actor.user_id,
        approved=not (actor.is_participant and approval_on(stage)),
    )
    tx.session.add(card)
    tx.session.flush()
    assert workshop.id is not None and card.id is not None
    tx.remember(workshop.id, actor.key, client_id, card.id)
    event = tx.record(workshop.id, "card.added", {})
    card.seq = event.seq  # the card carries the seq of the event that added it
    event.data = card_data(card, _author(tx.session, card), stage)
    return card


def new_card(
    stage: Stage,
    *,
    text: str,
    category: str | None,
    language: str | None,
    card_kind: str | None,
    phase: str | None,
    participant_id: int | None,
    author_user_id: int | None,
    approved: bool,
) -> Contribution:
    """A card on the stage's board, its category, kind and phase checked against the stage."""
    if language is not None and language not in LANGUAGES:
        raise Invalid("Unknown language {language}.", language=language)
    return Contribution(
        workshop_id=stage.workshop_id,
        stage_id=stage.id,  # type: ignore[arg-type]
        participant_id=participant_id,
        author_user_id=author_user_id,
        text=text,
        category=check_category(stage, category),
        language=language,
        card_kind=_check_card_kind(stage, card_kind),
        phase=_check_phase(stage, phase),
        approved=approved,
    )


_UNSET: Any = object()


def moderated_card(tx: Tx, actor: Actor, card_id: int) -> tuple[Contribution, Workshop, Stage]:
    card = tx.session.get(Contribution, card_id)
    if card is None:
        raise NotFound("There is no such card.")
    workshop, stage = moderated_stage(tx, actor, card.stage_id)
    return card, workshop, stage


def update_card(
    tx: Tx,
    *,
    actor: Actor,
    card_id: int,
    text: str | None = None,
    category: str | None = _UNSET,
    hidden: bool | None = None,
) -> Contribution:
    """Facilitator moderation of a card or cluster: edit the text, move it to a category, hide or show it.

    A category puts a card in that column outside any cluster; a cluster moves with its cards.
    The event keeps the values before the change, so the step can be undone.
    """
    card, workshop, stage = moderated_card(tx, actor, card_id)
    changes: list[str] = []
    before: list[dict[str, Any]] = []
    old: dict[str, Any] = {"id": card.id}
    if text is not None and (new_text := clean_text(text)) != card.text:
        old["text"], card.text, changes = card.text, new_text, [*changes, "text"]
    if category is not _UNSET:
        moved = move_item(tx.session, card, check_category(stage, category))
        if moved:
            old.update(moved[0])
            before.extend(moved[1:])
            changes.append("category")
    if hidden is not None and hidden != card.hidden:
        old["hidden"], card.hidden, changes = card.hidden, hidden, [*changes, "hidden"]
    if changes:
        card.updated_at = utcnow()
        tx.session.add(card)
        data = item_data(tx.session, card, stage)
        tx.record(workshop.id, "card.updated", {**data, "changes": changes, "before": [old, *before]})
    return card


def move_item(session: Session, item: Contribution, category: str | None) -> list[dict[str, Any]]:
    """Put a card (out of its cluster) or a cluster (with its cards) in a column; returns the old values."""
    if item.kind == "cluster":
        if item.category == category:
            return []
        before = [{"id": item.id, "category": item.category}]
        for member in cluster_members(session, item.id):  # type: ignore[arg-type]
            before.append({"id": member.id, "category": member.category})
            member.category = category
            session.add(member)
        item.category = category
        return before
    if item.category == category and item.cluster_id is None:
        return []
    before = [{"id": item.id, "category": item.category, "cluster_id": item.cluster_id}]
    item.category, item.cluster_id = category, None
    session.add(item)
    return before


def approve_card(tx: Tx, *, actor: Actor, card_id: int) -> Contribution:
    """Let a waiting card through to the projector and the phones."""
    card, workshop, stage = moderated_card(tx, actor, card_id)
    if not card.approved:
        card.approved = True
        card.updated_at = utcnow()
        tx.session.add(card)
        tx.record(workshop.id, "card.approved", card_data(card, _author(tx.session, card), stage))
    return card


def set_approval(tx: Tx, *, actor: Actor, stage_id: int, approval: bool) -> Stage:
    """Approval mode: new cards from participants wait for a facilitator before anyone else sees them.

    Switching it off lets new cards straight through; cards already waiting still wait for approval.
    """
    workshop, stage = moderated_stage(tx, actor, stage_id)
    if approval_on(stage) != approval:
        stage.config = {**stage.config, "approval": approval}
        tx.session.add(stage)
        tx.record(workshop.id, "stage.settings_changed", {"stage_id": stage.id, "approval": approval})
    return stage


# --- categories -------------------------------------------------------------------------------------


def _clean_category(raw: dict[str, Any]) -> dict[str, Any]:
    key = str(raw.get("key") or "").strip()
    if not KEY_PATTERN.match(key):
        raise Invalid(
            "A category key has 1 to 64 lowercase letters, digits, - or _; not {key}.", key=key or '""'
        )
    label_in = raw.get("label") or {}
    if not isinstance(label_in, dict):
        raise Invalid("The label of the category {key} must give a text per language.", key=key)
    label: dict[str, str] = {}
    for lang, value in label_in.items():
        if lang not in LANGUAGES:
            raise Invalid("Unknown language {language}.", language=lang)
        value = str(value or "").strip()
        if len(value) > MAX_LABEL:
            raise Invalid("A label has at most {limit} characters.", limit=MAX_LABEL)
        if value:
            label[lang] = value
    if not label:
        raise Invalid("The category {key} needs a label.", key=key)
    return {"key": key, "label": label}


def cards_in_category(session: Session, *, stage_id: int, category: str) -> int:
    return session.exec(
        select(func.count())
        .select_from(Contribution)
        .where(Contribution.stage_id == stage_id, Contribution.category == category)
    ).one()


def set_categories(tx: Tx, *, actor: Actor, stage_id: int, categories: list[dict[str, Any]]) -> Stage:
    """Add, rename or remove the board's columns; a column that still holds cards stays."""
    workshop, stage = moderated_stage(tx, actor, stage_id)
    old = stage.config.get("categories", [])
    cleaned = check_categories(tx.session, stage, categories)
    if cleaned != old:
        stage.config = {**stage.config, "categories": cleaned}
        tx.session.add(stage)
        tx.record(
            workshop.id,
            "stage.categories_changed",
            {"stage_id": stage.id, "categories": cleaned, "before": old},
        )
    return stage


def check_categories(
    session: Session, stage: Stage, categories: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The board's new columns, checked; a column that still holds cards may not go."""
    cleaned = [_clean_category(c) for c in categories]
    if len(cleaned) > MAX_CATEGORIES:
        raise Invalid("A board has at most {limit} categories.", limit=MAX_CATEGORIES)
    keys = [c["key"] for c in cleaned]
    if twice := next((k for k in keys if keys.count(k) > 1), None):
        raise Invalid("The category {key} is listed twice.", key=twice)
    for gone in (c for c in stage.config.get("categories", []) if c["key"] not in keys):
        if count := cards_in_category(session, stage_id=stage.id, category=gone["key"]):  # type: ignore[arg-type]
            raise Conflict(
                "The category {key} still holds cards ({count}); move them to another category first.",
                key=gone["key"],
                count=count,
            )
    return cleaned


def new_category_key(label: str, taken: Iterable[str]) -> str:
    """A key for a category named on a form: its label in plain lowercase letters, unique on the board."""
    import unicodedata

    ascii_label = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "_", ascii_label.lower()).strip("_")[:40] or "category"
    taken = set(taken)
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


# --- what screens and the API show -------------------------------------------------------------------


def _author(session: Session, card: Contribution) -> Participant | None:
    return session.get(Participant, card.participant_id) if card.participant_id else None


def _label(options: list[dict[str, Any]] | None, key: str | None) -> dict[str, str] | None:
    return next((o["label"] for o in options or [] if o["key"] == key), None) if key else None


def card_data(card: Contribution, author: Participant | None, stage: Stage | None = None) -> dict[str, Any]:
    """A card as the record, the API and templates see it (with its stage: its kind and phase labels)."""
    config = stage.config if stage is not None else {}
    return {
        "table_id": card.table_id,
        "id": card.id,
        "seq": card.seq,
        "stage_id": card.stage_id,
        "text": card.text,
        "category": card.category,
        "language": card.language,
        "hidden": card.hidden,
        "participant_id": card.participant_id,
        "author": None if author is None else {"name": author.name, "group": author.group},
        "by_facilitator": card.author_user_id is not None,
        "kind": card.kind,
        "cluster_id": card.cluster_id,
        "card_kind": card.card_kind,
        "card_kind_label": _label(config.get("card_kinds"), card.card_kind),
        "phase": card.phase,
        "phase_label": _label(config.get("phases"), card.phase),
        "approved": card.approved,
    }


def cluster_members(session: Session, cluster_id: int) -> list[Contribution]:
    return list(
        session.exec(
            select(Contribution).where(Contribution.cluster_id == cluster_id).order_by(col(Contribution.id))
        )
    )


def item_data(session: Session, item: Contribution, stage: Stage) -> dict[str, Any]:
    """A card, or a cluster with its cards (`cards`, `card_ids`): enough to draw it on any screen."""
    data = card_data(item, _author(session, item), stage)
    if item.kind == "cluster":
        members = [card_data(m, _author(session, m), stage) for m in cluster_members(session, item.id)]  # type: ignore[arg-type]
        data["cards"] = members
        data["card_ids"] = [m["id"] for m in members]
    return data


def placement(
    session: Session, stage: Stage, ids: Iterable[int], removed: Iterable[int] = ()
) -> dict[str, Any]:
    """Where changed things now sit: screens remove `remove`, then append `items` (clusters with cards)."""
    session.flush()
    remove: list[int] = list(dict.fromkeys([*ids, *removed]))
    items: list[dict[str, Any]] = []
    placed: set[int] = set()
    for item_id in list(remove):
        item = session.get(Contribution, item_id)
        if item is None:
            continue
        top = session.get(Contribution, item.cluster_id) if item.cluster_id else item
        assert top is not None and top.id is not None
        if top.id in placed:
            continue
        placed.add(top.id)
        if top.id not in remove:
            remove.append(top.id)
        items.append(item_data(session, top, stage))
    return {"remove": remove, "items": items}


def cards_of_stage(session: Session, *, actor: Actor, stage_id: int) -> list[dict[str, Any]]:
    """The stage's cards and clusters, oldest first.

    Participants see neither hidden nor waiting cards, except their own waiting ones (approved False).
    """
    stage_for(session, actor=actor, stage_id=stage_id)  # 404 / 403 before listing
    return list_cards(
        session,
        stage_id=stage_id,
        include_hidden=not actor.is_participant,
        participant_id=actor.participant_id,
    )


def list_cards(
    session: Session, *, stage_id: int, include_hidden: bool, participant_id: int | None = None
) -> list[dict[str, Any]]:
    """A stage's cards and clusters; without include_hidden what all may see (and one's own waiting cards)."""
    stage = session.get(Stage, stage_id)
    query = (
        select(Contribution, Participant)
        .join(Participant, isouter=True)
        .where(Contribution.stage_id == stage_id)
        .order_by(col(Contribution.id))
    )
    items: dict[int, dict[str, Any]] = {}
    for card, author in session.exec(query):
        if not include_hidden and (
            card.hidden
            or (not card.approved and (participant_id is None or card.participant_id != participant_id))
        ):
            continue
        data = card_data(card, author, stage)
        if card.kind == "cluster":
            data["card_ids"] = []
        items[card.id] = data  # type: ignore[index]
    shown = []
    for data in items.values():
        if data["cluster_id"] is not None:
            cluster = items.get(data["cluster_id"])
            if cluster is None:
                continue  # its cluster is hidden
            cluster["card_ids"].append(data["id"])
        shown.append(data)
    return shown


def describe_card(session: Session, *, card_id: int) -> dict[str, Any]:
    card = session.get(Contribution, card_id)
    if card is None:
        raise NotFound("There is no such card.")
    stage = session.get(Stage, card.stage_id)
    assert stage is not None
    return item_data(session, card, stage)


def add_described_card(tx: Tx, **kwargs: Any) -> dict[str, Any]:
    """add_card (same arguments), answered with the card as describe_card shows it, from the same
    transaction: a new card's `card.added` event already holds that description (no second read)."""
    card = add_card(tx, **kwargs)
    assert card.id is not None
    added = next((e.data for e in tx.events if e.type == "card.added" and e.data["id"] == card.id), None)
    return added if added is not None else describe_card(tx.session, card_id=card.id)  # a retry


def board_settings(stage: Stage) -> dict[str, Any]:
    """What the board's screens need from its stage besides the categories."""
    return {
        "approval": approval_on(stage),
        "card_kinds": stage.config.get("card_kinds", []),
        "phases": stage.config.get("phases", []),
    }
