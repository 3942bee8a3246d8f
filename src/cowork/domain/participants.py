"""Joining a workshop without an account, by its code."""

from typing import Any

from sqlmodel import Session, func, select

from cowork.domain.accounts import digest, new_secret
from cowork.domain.errors import Closed, Invalid
from cowork.domain.models import Participant
from cowork.domain.record import Tx
from cowork.domain.stakeholders.families import FAMILIES
from cowork.domain.text import N_, one_line
from cowork.domain.workshops import participant_count, workshop_by_code
from cowork.settings import LANGUAGES

MAX_NAME = 80
MAX_ORGANISATION = 120
NAME_TOO_LONG = N_("The name is too long (at most {limit} characters).")
ORGANISATION_TOO_LONG = N_("The organisation is too long (at most {limit} characters).")


def _optional(value: str | None, field: str, limit: int, too_long: str) -> str | None:
    return one_line(value, field=field, limit=limit, too_long=too_long) or None


def join_workshop(
    tx: Tx,
    *,
    code: str,
    name: str | None = None,
    organisation: str | None = None,
    group: str | None = None,
    language: str | None = None,
) -> tuple[Participant, str]:
    """Add a participant; return it with its bearer token (shown once, stored as a digest)."""
    workshop = workshop_by_code(tx.session, code=code)
    if workshop.status != "open":
        raise Closed("This workshop has ended; joining is no longer possible.")
    name = _optional(name, "name", MAX_NAME, NAME_TOO_LONG)
    organisation = _optional(organisation, "organisation", MAX_ORGANISATION, ORGANISATION_TOO_LONG)
    group = (group or "").strip() or None
    if group is not None and group not in FAMILIES:
        raise Invalid("Unknown stakeholder group {group}.", group=group)
    language = language or workshop.language
    if language not in LANGUAGES:
        raise Invalid(
            "Unknown language {language}; cowork speaks {known}.",
            language=language,
            known=", ".join(LANGUAGES),
        )
    token = new_secret()
    participant = Participant(
        workshop_id=workshop.id,
        name=name,
        organisation=organisation,
        group=group,
        language=language,
        token_hash=digest(token),
    )
    tx.session.add(participant)
    tx.session.flush()
    event = tx.record(workshop.id, "participant.joined", participant_data(participant))
    # Counted after the record's lock on the workshop row: a join running at the same moment has committed by
    # then (PostgreSQL reads committed rows per statement), so two joins never both say "10 present".
    # Not flushed before: the event is written once, with its count (not inserted, then updated).
    with tx.session.no_autoflush:
        event.data = {**event.data, "present": participant_count(tx.session, workshop_id=workshop.id)}
    return participant, token


def participant_data(participant: Participant) -> dict[str, Any]:
    return {
        "participant_id": participant.id,
        "name": participant.name,
        "organisation": participant.organisation,
        "group": participant.group,
        "language": participant.language,
    }


def participant_for_token(session: Session, token: str) -> Participant | None:
    return session.exec(select(Participant).where(Participant.token_hash == digest(token))).first()


def newest_participant_id(session: Session, *, workshop_id: int) -> int:
    """The highest participant id of a workshop (0 before anyone joined)."""
    found = session.exec(select(func.max(Participant.id)).where(Participant.workshop_id == workshop_id)).one()
    return found or 0
