"""A board's stage config, checked: its categories (the columns), card kinds, pathway phases, approval."""

import re
from collections.abc import Iterable
from typing import Any

from sqlmodel import Session, func, select

from cowork.domain.errors import Conflict, Invalid
from cowork.domain.models import Contribution, Stage
from cowork.domain.text import N_, one_line
from cowork.settings import LANGUAGES

MAX_LABEL = 120
MAX_DESCRIPTION = 300
MAX_CATEGORIES = 20
LABEL_TOO_LONG = N_("A label has at most {limit} characters.")
DESCRIPTION_TOO_LONG = N_("A description has at most {limit} characters.")
KEY_PATTERN = re.compile(r"^[a-z0-9_-]{1,64}$")


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


def check_card_kind(stage: Stage, value: str | None) -> str | None:
    value = (value or "").strip() or None
    keys = [k["key"] for k in stage.config.get("card_kinds", [])]
    if value is not None and value not in keys:
        if not keys:
            raise Invalid("This board does not sort cards into kinds.")
        raise Invalid("Unknown card kind {value}; this board has: {keys}.", value=value, keys=", ".join(keys))
    return value


def check_phase(stage: Stage, value: str | None) -> str | None:
    value = (value or "").strip() or None
    keys = [p["key"] for p in stage.config.get("phases", [])]
    if value is not None and value not in keys:
        if not keys:
            raise Invalid("This board has no pathway phases.")
        raise Invalid("Unknown phase {value}; this board has: {keys}.", value=value, keys=", ".join(keys))
    return value


def approval_on(stage: Stage) -> bool:
    return bool(stage.config.get("approval"))


def board_settings(stage: Stage) -> dict[str, Any]:
    """What the board's screens need from its stage besides the categories."""
    return {
        "approval": approval_on(stage),
        "card_kinds": stage.config.get("card_kinds", []),
        "phases": stage.config.get("phases", []),
    }


# --- categories -------------------------------------------------------------------------------------


def _clean_category(raw: dict[str, Any]) -> dict[str, Any]:
    key = str(raw.get("key") or "").strip()
    if not KEY_PATTERN.match(key):
        raise Invalid(
            "A category key has 1 to 64 lowercase letters, digits, - or _; not {key}.", key=key or '""'
        )
    label = _texts(raw.get("label"), key, MAX_LABEL)
    if not label:
        raise Invalid("The category {key} needs a label.", key=key)
    description = _texts(raw.get("description"), key, MAX_DESCRIPTION)
    return {"key": key, "label": label, **({"description": description} if description else {})}


def _texts(given: Any, key: str, limit: int) -> dict[str, str]:
    """A category's label or description: a text per language, each at most `limit` characters."""
    given = given or {}
    if not isinstance(given, dict):
        raise Invalid("The label of the category {key} must give a text per language.", key=key)
    texts: dict[str, str] = {}
    for lang, value in given.items():
        if lang not in LANGUAGES:
            raise Invalid("Unknown language {language}.", language=lang)
        is_label = limit == MAX_LABEL
        value = one_line(
            str(value or ""),
            field="label" if is_label else "description",
            limit=limit,
            too_long=LABEL_TOO_LONG if is_label else DESCRIPTION_TOO_LONG,
        )
        if value:
            texts[lang] = value
    return texts


def cards_in_category(session: Session, *, stage_id: int, category: str) -> int:
    return session.exec(
        select(func.count())
        .select_from(Contribution)
        .where(Contribution.stage_id == stage_id, Contribution.category == category)
    ).one()


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


# --- card kinds and pathway phases ----------------------------------------------------------------------

MAX_TAGS = 10
# The Contribution column each list tags cards with, and how a message names one entry of it.
TAG_COLUMNS = {"card_kinds": "card_kind", "phases": "phase"}


def check_tags(session: Session, stage: Stage, setting: str, value: Any) -> list[dict[str, Any]]:
    """A board's card kinds or pathway phases, checked like its categories: each a key and a label in at
    least one language; one that cards still carry may not go."""
    column = TAG_COLUMNS[setting]
    if not isinstance(value, list):
        raise Invalid("Card kinds and phases are each a list of keys with labels.")
    if len(value) > MAX_TAGS:
        raise Invalid("A board has at most {limit} card kinds and {limit} phases.", limit=MAX_TAGS)
    cleaned = []
    for raw in value:
        if not isinstance(raw, dict):
            raise Invalid("Card kinds and phases are each a list of keys with labels.")
        key = str(raw.get("key") or "").strip()
        if not KEY_PATTERN.match(key):
            raise Invalid("A key has 1 to 64 lowercase letters, digits, - or _; not {key}.", key=key or '""')
        label = _texts(raw.get("label"), key, MAX_LABEL)
        if not label:
            raise Invalid("The entry {key} needs a label in at least one language.", key=key)
        cleaned.append({"key": key, "label": label})
    keys = [entry["key"] for entry in cleaned]
    if twice := next((k for k in keys if keys.count(k) > 1), None):
        raise Invalid("The key {key} is listed twice.", key=twice)
    for gone in (e["key"] for e in stage.config.get(setting, []) if e["key"] not in keys):
        count = session.exec(
            select(func.count())
            .select_from(Contribution)
            .where(Contribution.stage_id == stage.id, getattr(Contribution, column) == gone)
        ).one()
        if count:
            raise Conflict(
                "Cards still carry {key} ({count}); change those cards first.", key=gone, count=count
            )
    return cleaned
