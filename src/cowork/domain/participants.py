"""Joining a workshop without an account, by its code."""

from typing import Any

from sqlalchemy import and_, bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from cowork.domain.accounts import digest, new_secret
from cowork.domain.errors import Closed, Invalid, NotFound
from cowork.domain.models import Participant, Workshop
from cowork.domain.record import Tx
from cowork.domain.stakeholders.families import FAMILIES
from cowork.domain.text import N_, one_line
from cowork.domain.workshops import NO_SUCH_CODE, normalize_code, participant_count
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
    workshop = _joinable(tx.session, code)
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
    # One INSERT through Core, built once (the ORM's flush of one new row cost about a third of the join's
    # transaction); the participant is returned as the ORM would have left it, with its id.
    values = {name: getattr(participant, name) for name in _JOINED_COLUMNS}
    participant.id = tx.session.connection().execute(_INSERT_PARTICIPANT, values).scalar_one()
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


# The reads every phone of a join storm makes, built once (building a statement costs more than running
# it) and, where no row object is needed, run through SQLAlchemy Core rather than the ORM.
_WORKSHOP, _PARTICIPANT = Workshop.__table__.c, Participant.__table__.c  # type: ignore[attr-defined]
_JOINED_COLUMNS = ("workshop_id", "name", "organisation", "group", "language", "token_hash", "joined_at")
_INSERT_PARTICIPANT = Participant.__table__.insert().returning(_PARTICIPANT.id)  # type: ignore[attr-defined]
_JOINABLE = sa_select(_WORKSHOP.id, _WORKSHOP.status, _WORKSHOP.language).where(
    _WORKSHOP.code == bindparam("code")
)
_PHONE = sa_select(_PARTICIPANT.id, _PARTICIPANT.workshop_id, _PARTICIPANT.language).where(
    _PARTICIPANT.token_hash == bindparam("digest")
)
_PHONE_OF = (
    select(Workshop, Participant)
    .outerjoin(
        Participant,
        and_(
            Participant.workshop_id == Workshop.id,  # type: ignore[arg-type]
            col(Participant.token_hash).in_(bindparam("digests", expanding=True)),
        ),
    )
    .where(Workshop.code == bindparam("code"))
)


def _joinable(session: Session, code: str) -> Any:
    """The id, status and language of the workshop of a code: all a join reads of it."""
    found = session.connection().execute(_JOINABLE, {"code": normalize_code(code)}).first()
    if found is None:
        raise NotFound(NO_SUCH_CODE)
    return found


def participant_for_token(session: Session, token: str) -> Participant | None:
    return session.exec(select(Participant).where(Participant.token_hash == digest(token))).first()


def phone_for_token(session: Session, token: str) -> Any:
    """The id, workshop_id and language of a participant token's holder (None if none): what a phone's
    socket needs."""
    return session.connection().execute(_PHONE, {"digest": digest(token)}).first()


def phone_of(session: Session, *, code: str, tokens: dict[int, str]) -> tuple[Workshop, Participant | None]:
    """The workshop of a join code and the participant a phone's token for it belongs to (None if none),
    in one statement: a phone page's first read. `tokens` holds the phone's participant tokens by the
    workshop id of their cookies' names; only the one for this workshop counts."""
    digests = {workshop_id: digest(token) for workshop_id, token in tokens.items()}
    found = session.execute(
        _PHONE_OF, {"code": normalize_code(code), "digests": sorted(set(digests.values()))}
    ).all()
    if not found:
        raise NotFound(NO_SUCH_CODE)
    workshop = found[0][0]
    mine = digests.get(workshop.id)  # type: ignore[arg-type]
    participant = next((p for _w, p in found if p is not None and p.token_hash == mine), None)
    return workshop, participant


def newest_participant_id(session: Session, *, workshop_id: int) -> int:
    """The highest participant id of a workshop (0 before anyone joined)."""
    found = session.exec(select(func.max(Participant.id)).where(Participant.workshop_id == workshop_id)).one()
    return found or 0
