"""What the `cowork export`, `cowork import` and `cowork purge` commands do, on the one road like every
transport: reads through run_query, changes through run_command (one transaction each)."""

import json
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from cowork.commands import run_command, run_query
from cowork.db import make_engine
from cowork.domain.actors import Actor
from cowork.domain.errors import Invalid, NotFound
from cowork.domain.models import User
from cowork.domain.retention import purge_due
from cowork.exports import FORMATS
from cowork.exports.document import Report
from cowork.exports.replay import import_record
from cowork.exports.report import build_report


def export_workshop(
    db_url: str,
    *,
    workshop_id: int,
    fmt: str,
    lang: str | None,
    part: str | None = None,
    appendix: bool = True,
) -> tuple[Report, bytes]:
    """The report of a workshop and its file in `fmt` (the operator of the command line may export any)."""
    chosen = FORMATS.get(fmt)
    if chosen is None:
        raise Invalid(
            "Unknown export format {format}; cowork exports: {formats}.",
            format=fmt,
            formats=", ".join(FORMATS),
        )
    engine = make_engine(db_url)
    try:
        report = run_query(
            engine, build_report, workshop_id=workshop_id, language=lang or "", part=part, appendix=appendix
        )
    finally:
        engine.dispose()
    return report, chosen.render(report)


def _owner(session: Session, *, email: str | None) -> Actor:
    query = select(User)
    query = (
        query.where(User.email == email) if email else query.order_by(col(User.is_admin).desc(), col(User.id))
    )
    user = session.exec(query).first()
    if user is None:
        raise NotFound(
            "No facilitator account {email} to own the imported workshop; "
            "create one with `cowork users create`.",
            email=email or "",
        )
    return Actor.of_user(user)


def import_file(db_url: str, *, path: Path, owner_email: str | None) -> tuple[int, int]:
    """Recreate a workshop from a JSON record file; gives the new workshop's id and its number of events."""
    try:
        record: Any = json.loads(path.read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise Invalid("This file is not JSON; please give a session record exported by cowork.") from None
    engine = make_engine(db_url)
    try:
        actor = run_query(engine, _owner, email=owner_email)
        workshop, events = run_command(engine, import_record, actor=actor, record=record)
    finally:
        engine.dispose()
    assert workshop.id is not None
    return workshop.id, len(events)


def purge_due_workshops(db_url: str) -> list[int]:
    engine = make_engine(db_url)
    try:
        purged, _events = run_command(engine, purge_due)
    finally:
        engine.dispose()
    return purged
