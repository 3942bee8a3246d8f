"""The workshop's own look on the projector: its logo and its accent colour (issue 14).

The facilitator uploads the logo and picks the colour on the console; every open projector follows.
The logo's bytes are kept in `WorkshopLook`, never in the record: `look.changed` carries the accent and
the logo's type, size and digest, so a record stays small and an export holds no images. An imported
record brings the accent back but not the logo (docs/api.md).
"""

import hashlib
import re
from typing import Any

from sqlalchemy import Column, ForeignKey, Integer, LargeBinary, func
from sqlmodel import Field, Session, SQLModel, select

from cowork.domain.actors import Actor
from cowork.domain.errors import Invalid
from cowork.domain.program.logo import clean_logo
from cowork.domain.record import Tx
from cowork.domain.workshops import get_workshop

ACCENT = re.compile(r"#[0-9a-f]{6}")
# Text on an accent surface: white or black, whichever contrasts more. The better of the two is never
# under 4.58:1 (WCAG AA), whatever the colour; a softer near-black would fall under 4.5 for mid greys.
LIGHT_INK, DARK_INK = "#ffffff", "#000000"


class WorkshopLook(SQLModel, table=True):
    """A workshop's logo and accent colour; no row until the facilitator sets one."""

    workshop_id: int = Field(
        sa_column=Column(Integer, ForeignKey("workshop.id"), primary_key=True, autoincrement=False)
    )
    accent: str | None = Field(default=None, max_length=7)
    logo: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    logo_type: str | None = Field(default=None, max_length=32)
    logo_digest: str | None = Field(default=None, max_length=64)


def look_data(look: WorkshopLook | None) -> dict[str, Any]:
    """What the record, the screens and the API know of a look: no image bytes."""
    if look is None:
        return {"accent": None, "logo": None}
    logo = None
    if look.logo is not None:
        logo = {"type": look.logo_type, "bytes": len(look.logo), "sha256": look.logo_digest}
    return {"accent": look.accent, "logo": logo}


def look_of(session: Session, *, workshop_id: int) -> dict[str, Any]:
    """The look as the projector draws it: the accent with the ink for text on it, the logo's digest.

    Read on every render of a projector's or console's stage, so the logo's bytes are measured in the
    database, not loaded."""
    row = session.exec(
        select(
            WorkshopLook.accent,
            WorkshopLook.logo_type,
            WorkshopLook.logo_digest,
            func.length(WorkshopLook.logo),  # type: ignore[arg-type]
        ).where(WorkshopLook.workshop_id == workshop_id)
    ).first()
    accent, kind, digest, size = row if row is not None else (None, None, None, None)
    logo = {"type": kind, "bytes": size, "sha256": digest} if digest is not None else None
    return {"accent": accent, "logo": logo, "accent_ink": accent_ink(accent) if accent else None}


def describe_look(session: Session, *, actor: Actor, workshop_id: int) -> dict[str, Any]:
    """The look for the workshop's facilitators (the API), with the key of the projector that shows it."""
    workshop = get_workshop(session, workshop_id=workshop_id)
    actor.check_facilitator(workshop)
    return {**look_of(session, workshop_id=workshop_id), "projector_key": workshop.projector_key}


def logo_of(session: Session, *, workshop_id: int) -> tuple[bytes, str] | None:
    """The logo's bytes and media type, if the workshop has one."""
    look = session.get(WorkshopLook, workshop_id)
    if look is None or look.logo is None or look.logo_type is None:
        return None
    return look.logo, look.logo_type


def check_accent(accent: Any) -> str | None:
    """A colour as #rrggbb (lower case), None for the theme's own, or Invalid."""
    if accent is None or (isinstance(accent, str) and not accent.strip()):
        return None
    value = accent.strip().lower() if isinstance(accent, str) else ""
    if not ACCENT.fullmatch(value):
        raise Invalid("An accent colour is written like #1a7f5a (# and six hex digits).")
    return value


def accent_ink(accent: str) -> str:
    """White or black text on this colour, whichever has the higher contrast ratio."""
    light = luminance(accent)
    on_white = 1.05 / (light + 0.05)
    on_black = (light + 0.05) / 0.05
    return LIGHT_INK if on_white >= on_black else DARK_INK


def luminance(colour: str) -> float:
    """WCAG 2's relative luminance of #rrggbb."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _change(tx: Tx, *, actor: Actor, workshop_id: int, **values: Any) -> dict[str, Any]:
    """Apply the changed fields; record `look.changed` (the whole look) only if something changed."""
    actor.check_facilitator(get_workshop(tx.session, workshop_id=workshop_id))
    look = tx.session.get(WorkshopLook, workshop_id) or WorkshopLook(workshop_id=workshop_id)
    before = look_data(look)
    for name, value in values.items():
        setattr(look, name, value)
    after = look_data(look)
    if after != before:
        tx.session.add(look)
        tx.record(workshop_id, "look.changed", after)
    return after


def set_logo(tx: Tx, *, actor: Actor, workshop_id: int, content: bytes) -> dict[str, Any]:
    """Keep a new logo (checked and cleaned by `clean_logo`); the projector shows it at once."""
    actor.check_facilitator(get_workshop(tx.session, workshop_id=workshop_id))
    kept, media_type = clean_logo(content)
    digest = hashlib.sha256(kept).hexdigest()
    return _change(
        tx, actor=actor, workshop_id=workshop_id, logo=kept, logo_type=media_type, logo_digest=digest
    )


def remove_logo(tx: Tx, *, actor: Actor, workshop_id: int) -> dict[str, Any]:
    return _change(tx, actor=actor, workshop_id=workshop_id, logo=None, logo_type=None, logo_digest=None)


def set_accent(tx: Tx, *, actor: Actor, workshop_id: int, accent: str | None) -> dict[str, Any]:
    """The accent colour as #rrggbb; None or "" goes back to the theme's own."""
    return _change(tx, actor=actor, workshop_id=workshop_id, accent=check_accent(accent))
