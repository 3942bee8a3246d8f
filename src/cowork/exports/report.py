"""The report model: one domain query gathers a workshop's outcome; every file format renders it.

`build_report` reads each part (a module in sections/) through its feature's own query functions. A part
whose feature has no data (or whose module is not installed) is an empty section, so every format always has
the same sections and every spreadsheet the same sheets.
"""

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from cowork import i18n
from cowork.domain.actors import Actor
from cowork.domain.errors import Invalid
from cowork.domain.models import Contribution, Event, Participant
from cowork.domain.record import aware
from cowork.domain.retention import export_settings, scrub_event
from cowork.domain.workshops import details_data, get_workshop, stages_of
from cowork.exports.document import Context, Report, Section, iso
from cowork.exports.sections import APPENDIX, PARTS, SECTIONS
from cowork.i18n import gettext as _


def build_report(
    session: Session,
    *,
    workshop_id: int,
    language: str,
    named: bool | None = None,
    part: str | None = None,
    appendix: bool = True,
) -> Report:
    """The workshop's outcome in `language`; named (authors by name) only if asked or set for the workshop.

    `part` makes one part on its own (a key of PARTS); `appendix=False` leaves the session record out."""
    if part is not None and part not in PARTS:
        raise Invalid(
            "Unknown part {part}; cowork exports these parts on their own: {parts}.",
            part=part,
            parts=", ".join(PARTS),
        )

    workshop = get_workshop(session, workshop_id=workshop_id)
    settings = export_settings(session, workshop_id=workshop_id)
    named = settings.named if named is None else named
    language = language if language in ("en", "de", "es") else workshop.language
    ctx = Context(
        session,
        workshop,
        stages_of(session, workshop_id=workshop_id, archived=True),
        language,
        named,
        participants_of(session, workshop_id=workshop_id),
        hidden_cards=hidden_cards_of(session, workshop_id=workshop_id),
    )
    with i18n.language(language):
        sections = [build(ctx) for build in SECTIONS]
        if part is not None:
            by_key = {section.key: section for section in sections}
            sections = [by_key[key] for key in PARTS[part]]
        elif not appendix:
            sections = [section for section in sections if section.key != APPENDIX]
        part_title = {
            None: _("Workshop report"),
            "actions": _("Action plan"),
            "interface": _("Interface document"),
        }[part]
        if workshop.is_sample:
            sections.insert(0, sample_section())
        status_label = {"open": _("Open"), "archived": _("Archived")}.get(workshop.status, workshop.status)
    created = aware(workshop.created_at)
    return Report(
        workshop_id=workshop_id,
        title=workshop.title,
        date=created.date(),
        venue=workshop.place,
        follow_up_on=workshop.follow_up_on,
        language=language,
        named=named,
        status=workshop.status,
        generated_at=datetime.now(created.tzinfo),
        sections=sections,
        workshop=workshop_metadata(ctx, settings_named=settings.named, retention=settings.retention_days),
        events=record_events(session, workshop_id=workshop_id, named=named),
        status_label=status_label,
        part=part,
        part_title=part_title,
        appendix=appendix and part is None,
    )


def export_report(
    session: Session,
    *,
    actor: Actor,
    workshop_id: int,
    language: str | None = None,
    named: bool | None = None,
    part: str | None = None,
    appendix: bool = True,
) -> Report:
    """The report for the workshop's facilitators, in `language` or the workshop's own."""
    workshop = get_workshop(session, workshop_id=workshop_id)
    actor.check_facilitator(workshop)
    return build_report(
        session,
        workshop_id=workshop_id,
        language=language or workshop.language,
        named=named,
        part=part,
        appendix=appendix,
    )


def participants_of(session: Session, *, workshop_id: int) -> dict[int, Participant]:
    """The workshop's participants by id: the sections name authors through them."""
    return {
        p.id: p
        for p in session.exec(select(Participant).where(Participant.workshop_id == workshop_id))
        if p.id is not None
    }


def hidden_cards_of(session: Session, *, workshop_id: int) -> set[int]:
    """The ids of the workshop's hidden cards: the record section shows their events without the text."""
    return set(
        session.exec(
            select(Contribution.id).where(
                Contribution.workshop_id == workshop_id, col(Contribution.hidden).is_(True)
            )
        )
    )  # type: ignore[arg-type]


# --- the workshop and its record ----------------------------------------------------------------------


def sample_section() -> Section:
    """Said first in every document of a sample (domain/program/sample.py), so no one takes it for real."""
    return Section(
        key="sample",
        title=_("Sample workshop"),
        paragraphs=[
            _(
                "This is a sample workshop that cowork made to try its screens with: its participants, "
                "cards, stakeholders and votes are made up."
            )
        ],
    )


def workshop_metadata(ctx: Context, *, settings_named: bool, retention: int | None) -> dict[str, Any]:
    w = ctx.workshop
    return {
        "id": w.id,
        "title": w.title,
        "code": w.code,
        "language": w.language,
        "format": w.format_id,
        "status": w.status,
        "created_at": iso(w.created_at),
        **details_data(w),
        "last_seq": w.last_seq,
        "named": settings_named,
        "retention_days": retention,
        **({"sample": True} if w.is_sample else {}),
        "stages": [
            {
                "id": s.id,
                "position": s.position,
                "kind": s.kind,
                "title": s.title,
                "minutes": s.minutes,
                "config": s.config,
            }
            for s in ctx.stages
        ],
    }


def record_events(session: Session, *, workshop_id: int, named: bool) -> list[dict[str, Any]]:
    """Every event in seq order; without names, organisations and contact details unless named."""
    events = session.exec(select(Event).where(Event.workshop_id == workshop_id).order_by(col(Event.seq)))
    out = []
    for event in events:
        item = event.public()
        if not named:
            item["data"] = scrub_event(event.type, item["data"])
        out.append(item)
    return out
