"""Formats of the organisation: a workshop's design saved as a format, or a TOML file imported as one.

cowork has no organisations (yet): one installation serves one organisation, so its formats are shared by
all of its facilitator accounts (the staff). A format is kept as the plain data of a built-in file
(`formats.format_data`), checked by the same rules, and listed beside the built-in formats.
"""

import re
import unicodedata
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, Session, SQLModel, col, select

from cowork.domain.actors import Actor
from cowork.domain.errors import Conflict, Invalid, NotAllowed, NotFound
from cowork.domain.models import Stage, Workshop, _when, utcnow
from cowork.domain.record import Tx
from cowork.domain.text import N_, check_storable, one_line
from cowork.formats import FormatError, FormatSpec, all_formats, check_format, format_data, read_toml
from cowork.formats.writer import dump_format
from cowork.settings import LANGUAGES

MAX_NAME = 200
MAX_TOML = 512 * 1024
NAME_TOO_LONG = N_("A format's name has at most {limit} characters.")


class OrganisationFormat(SQLModel, table=True):
    """A format of the organisation; `data` is the format as a built-in file holds it."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, index=True, max_length=64)
    title: dict[str, str] = Field(sa_column=Column(JSON, nullable=False))
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = _when()
    updated_at: datetime = _when()


# Whoever runs `cowork formats ...` on the server acts for the installation: no account, all its formats.
COMMAND_LINE = Actor(is_admin=True)


def _is_staff(actor: Actor | None) -> bool:
    return actor is not None and not actor.is_participant and (actor.user_id is not None or actor.is_admin)


def _check_staff(actor: Actor) -> None:
    if not _is_staff(actor):
        raise NotAllowed("Only facilitators keep formats.")


def _row(session: Session, key: str) -> OrganisationFormat | None:
    return session.exec(select(OrganisationFormat).where(OrganisationFormat.key == key)).first()


def find_format(session: Session, key: str) -> FormatSpec | None:
    """A built-in format or one of the organisation's, by its key."""
    spec = all_formats().get(key)
    if spec is None and (row := _row(session, key)) is not None:
        spec = FormatSpec.model_validate(row.data)
    return spec


def list_formats(session: Session, *, actor: Actor | None) -> list[tuple[str, FormatSpec]]:
    """("builtin" | "organisation", format): the built-in ones, then the organisation's for its staff."""
    found = [("builtin", spec) for spec in all_formats().values()]
    if _is_staff(actor):
        rows = session.exec(select(OrganisationFormat).order_by(col(OrganisationFormat.key)))
        found += [("organisation", FormatSpec.model_validate(row.data)) for row in rows]
    return found


# --- a workshop's design as a format ----------------------------------------------------------------------


def _facilitated(session: Session, actor: Actor, workshop_id: int) -> Workshop:
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise NotFound("There is no such workshop.")
    actor.check_facilitator(workshop)
    return workshop


def _complete(value: Any, language: str) -> Any:
    """Every text in every language: a text given in fewer (an added stage, own questions) shows its
    workshop-language words in the others, which is what the screens showed for it anyway."""
    if isinstance(value, dict):
        if value and any(lang in value for lang in LANGUAGES):
            given = [t for t in value.values() if isinstance(t, str) and t.strip()]
            fallback = value.get(language) or value.get("en") or (given[0] if given else "")
            return {lang: value.get(lang) or fallback for lang in LANGUAGES}
        return {k: _complete(v, language) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_complete(v, language) for v in value if v is not None]
    return value


def design_of(session: Session, workshop: Workshop, *, key: str, title: dict[str, str]) -> dict[str, Any]:
    """The workshop's agenda as a format: stages with their kind, titles, minutes and settings; nothing of
    its people, cards, votes or record."""
    stages = session.exec(
        select(Stage)
        .where(Stage.workshop_id == workshop.id, col(Stage.archived).is_(False))
        .order_by(col(Stage.position), col(Stage.id))
    )
    raw = {
        "id": key,
        "title": title,
        "stages": [
            {
                "kind": s.kind,
                **({"minutes": s.minutes} if s.minutes is not None else {}),
                "title": _complete(dict(s.title), workshop.language),
                **_complete(dict(s.config), workshop.language),
            }
            for s in stages
        ],
    }
    try:
        return format_data(check_format(raw))
    except FormatError as exc:
        raise Invalid("This agenda cannot be kept as a format: {problems}", problems=str(exc)) from None


def slug(name: str) -> str:
    """A format's key from its name: plain lowercase letters, digits and hyphens."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:56] or "format"


def workshop_format_toml(session: Session, *, actor: Actor, workshop_id: int) -> tuple[str, str]:
    """The file name and TOML of a workshop's design, to download without keeping it."""
    workshop = _facilitated(session, actor, workshop_id)
    key = slug(workshop.title)
    data = design_of(session, workshop, key=key, title=dict.fromkeys(LANGUAGES, workshop.title))
    return f"{key}.toml", dump_format(data)


def _named(session: Session, name: str) -> OrganisationFormat | None:
    wanted = name.casefold()
    for row in session.exec(select(OrganisationFormat)):
        if any(text.casefold() == wanted for text in row.title.values()):
            return row
    return None


def _free_key(session: Session, base: str) -> str:
    key, n = base, 2
    while key in all_formats() or _row(session, key) is not None:
        key, n = f"{base}-{n}", n + 1
    return key


def _name(name: str) -> str:
    # The field as the API's body and a format file call it: the format's title.
    name = one_line(name, field="title", limit=MAX_NAME, too_long=NAME_TOO_LONG)
    if not name:
        raise Invalid("A format needs a name.")
    return name


def save_workshop_as_format(
    tx: Tx, *, actor: Actor, workshop_id: int, title: str, replace: bool = False
) -> OrganisationFormat:
    """Keep the workshop's design as the organisation's format named `title`; the same name again
    replaces it only with `replace` (the page asks first)."""
    _check_staff(actor)
    session: Session = tx.session
    workshop = _facilitated(session, actor, workshop_id)
    name = _name(title)
    row = _named(session, name)
    if row is not None and not replace:
        raise Conflict("There is already a format named {name}.", name=name)
    key = row.key if row is not None else _free_key(session, slug(name))
    titles = dict(row.title) if row is not None else dict.fromkeys(LANGUAGES, name)
    return _store(session, actor, row, design_of(session, workshop, key=key, title=titles))


def _store(
    session: Session, actor: Actor, row: OrganisationFormat | None, data: dict[str, Any]
) -> OrganisationFormat:
    if row is None:
        row = OrganisationFormat(key=data["id"], title=data["title"], data=data, created_by=actor.user_id)
    else:
        row.title, row.data, row.updated_at = data["title"], data, utcnow()
    session.add(row)
    session.flush()
    return row


# --- TOML in and out, rename, delete ---------------------------------------------------------------------


def _storable(value: Any, place: str) -> None:
    """An escape in the file (\\u0000) must not smuggle in what the databases refuse (domain/text.py)."""
    if isinstance(value, str):
        check_storable(value, place)
    elif isinstance(value, dict):
        for key, item in value.items():
            _storable(item, f"{place}.{key}" if place else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _storable(item, f"{place}[{i}]")


def import_format(tx: Tx, *, actor: Actor, text: str, replace: bool = False) -> OrganisationFormat:
    """A format file kept as the organisation's, under its `id`; an id in use is replaced only with
    `replace`, a built-in's never."""
    _check_staff(actor)
    if len(text) > MAX_TOML:
        raise Invalid("A format file has at most {limit} characters.", limit=MAX_TOML)
    try:
        raw = read_toml(text)
        # First: a control character is named as in every other text, whatever else is wrong with it.
        _storable(raw, "")
        data = format_data(check_format(raw))
    except FormatError as exc:
        # A sentence like every other answer: the problems' own last full stop, if any, is the one.
        problems = str(exc).rstrip(".")
        raise Invalid("This is not a valid format: {problems}.", problems=problems) from None
    key = data["id"]
    if key in all_formats():
        raise Conflict("{key} is a built-in format; give yours another id in its file.", key=key)
    row = _row(tx.session, key)
    if row is not None and not replace:
        raise Conflict("The organisation has a format {key} already.", key=key)
    return _store(tx.session, actor, row, data)


def export_format(session: Session, *, actor: Actor, key: str) -> str:
    """A format's TOML: the same bytes for the same format, built-in or the organisation's."""
    spec = all_formats().get(key)
    if spec is not None:
        return dump_format(format_data(spec))
    _check_staff(actor)
    row = _row(session, key)
    if row is None:
        raise NotFound("There is no format {key}.", key=key)
    return dump_format(row.data)


def rename_format(tx: Tx, *, actor: Actor, key: str, title: str) -> OrganisationFormat:
    _check_staff(actor)
    row = _organisation_row(tx.session, key)
    name = _name(title)
    other = _named(tx.session, name)
    if other is not None and other.key != key:
        raise Conflict("There is already a format named {name}.", name=name)
    return _store(tx.session, actor, row, {**row.data, "title": dict.fromkeys(LANGUAGES, name)})


def delete_format(tx: Tx, *, actor: Actor, key: str) -> dict[str, str]:
    """Workshops made from it keep their agenda; they only no longer name a format one can pick. Returns
    the title it had (per language), so the page can say which one went."""
    _check_staff(actor)
    row = _organisation_row(tx.session, key)
    title = dict(row.data.get("title") or {})
    tx.session.delete(row)
    return title


def _organisation_row(session: Session, key: str) -> OrganisationFormat:
    if key in all_formats():
        raise Conflict("{key} is a built-in format; it cannot be changed or deleted.", key=key)
    row = _row(session, key)
    if row is None:
        raise NotFound("There is no format {key}.", key=key)
    return row


def format_cards(session: Session, *, actor: Actor | None) -> list[dict[str, Any]]:
    """What a page shows of each format to pick: the organisation's first (they were made for this
    place), then the built-in ones."""
    found = list_formats(session, actor=actor)
    found.sort(key=lambda pair: pair[0] != "organisation")
    return [
        {
            "id": spec.id,
            "source": source,
            "title": spec.title,
            "description": spec.description,
            "stages": len(spec.stages),
            "minutes": sum(s.minutes or 0 for s in spec.stages),
            "agenda": [s.title for s in spec.stages],
        }
        for source, spec in found
    ]
