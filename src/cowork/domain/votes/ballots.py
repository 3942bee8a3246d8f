"""Ballots: one per participant and poll, replaced in place until the close, and paper ballots entered by
the facilitator for people without a phone. Each locks its poll row (see polls.py), so it is either
acknowledged before the close and counted, or refused after it."""

import secrets
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from cowork.domain.actors import Actor
from cowork.domain.errors import Closed, Invalid, NotAllowed
from cowork.domain.models import Participant, utcnow
from cowork.domain.record import Tx
from cowork.domain.votes.polls import (
    ANSWERS,
    SCALE,
    Ballot,
    Mark,
    Poll,
    PollOption,
    check_open,
    get_poll,
    options_of,
)
from cowork.domain.workshops import get_workshop


def _receipt_key(actor: Actor, poll_id: int) -> str:
    """Client ids of ballots are kept per poll, so an anonymous poll can drop them at its close."""
    return f"{actor.key}@poll:{poll_id}"


def normalize_choices(poll: Poll, options: list[PollOption], choices: dict[Any, Any]) -> dict[int, int]:
    """Check a ballot's choices against the method; return the marks {option_id: stored value}."""
    if not isinstance(choices, dict):
        raise Invalid("The choices must map option ids to values.")
    known = {o.id for o in options}
    marks: dict[int, int] = {}
    for raw_id, value in choices.items():
        try:
            option_id = int(raw_id)
        except (TypeError, ValueError):
            raise Invalid("Unknown option {option}: it is not part of this vote.", option=raw_id) from None
        if option_id not in known:
            raise Invalid("Unknown option {option}: it is not part of this vote.", option=raw_id)
        stored = _mark_value(poll, value)
        if stored is not None:
            marks[option_id] = stored
    _check_ballot(poll, marks)
    return marks


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _mark_value(poll: Poll, value: Any) -> int | None:
    """The stored mark for one choice, or None when the choice gives nothing (0 dots, not approved)."""
    method = poll.method
    if method == "dots":
        dots = _whole(value)
        if dots is None or dots < 0:
            raise Invalid("Dots are whole numbers of 0 or more, not {value}.", value=value)
        return dots or None
    if method == "approval":
        if value in (True, "true", "yes", "on", 1, "1"):
            return 1
        if value in (False, "false", "no", "off", 0, "0", None, ""):
            return None
        raise Invalid("An approval vote takes true or false, not {value}.", value=value)
    if method == "yes_no_abstain":
        if value in (None, ""):
            return None
        if not isinstance(value, str) or value not in ANSWERS:
            raise Invalid("Please answer yes, no or abstain, not {value}.", value=value)
        return ANSWERS[value]
    if method == "ranking":
        if value in (None, ""):
            return None
        rank = _whole(value)
        if rank is None or rank < 1:
            raise Invalid("A rank is a whole number from 1 (best), not {value}.", value=value)
        return rank
    if value in (None, ""):
        return None
    point = _whole(value)
    if point not in SCALE:
        raise Invalid("Please choose a point from 1 to 5, not {value}.", value=value)
    return point


def _check_ballot(poll: Poll, marks: dict[int, int]) -> None:
    if poll.method == "dots":
        assert poll.budget is not None and poll.max_per_option is not None
        used = sum(marks.values())
        if used > poll.budget:
            raise Invalid("Dots over budget: {used} of {budget}.", used=used, budget=poll.budget)
        over = max(marks.values(), default=0)
        if over > poll.max_per_option:
            raise Invalid(
                "At most {limit} dots on one option, not {dots}.", limit=poll.max_per_option, dots=over
            )
    elif poll.method == "ranking":
        ranks = sorted(marks.values())
        if ranks != list(range(1, len(ranks) + 1)):
            raise Invalid(
                "Ranks must be 1, 2, 3 … without gaps or repeats; got {ranks}.",
                ranks=", ".join(str(r) for r in ranks) or "none",
            )
    if not marks and poll.method in ("yes_no_abstain", "ranking", "scale"):
        raise Invalid("The ballot is empty: please choose at least one option.")


def cast_ballot(
    tx: Tx,
    *,
    actor: Actor,
    poll_id: int,
    choices: dict[Any, Any],
    client_id: str | None = None,
) -> tuple[Ballot, bool]:
    """A participant's ballot, replacing their earlier one; returns it and whether it is new."""
    if client_id is not None and not 1 <= len(client_id) <= 64:
        raise Invalid("client_id must have 1 to 64 characters.")
    if not actor.is_participant:
        raise NotAllowed("Only participants vote here; facilitators enter paper ballots.")
    poll = get_poll(tx.session, poll_id=poll_id, lock=True)
    workshop = get_workshop(tx.session, workshop_id=poll.workshop_id)
    actor.check_member(workshop)
    key = _receipt_key(actor, poll.id)  # type: ignore[arg-type]
    if (earlier := tx.receipt(key, client_id)) is not None and (found := tx.session.get(Ballot, earlier)):
        return found, False
    check_open(poll)
    if workshop.status != "open":
        raise Closed("This workshop has ended.")
    marks = normalize_choices(poll, options_of(tx.session, poll_id=poll.id), choices)  # type: ignore[arg-type]
    participant = tx.session.get(Participant, actor.participant_id)
    assert participant is not None
    ballot = tx.session.exec(
        select(Ballot).where(Ballot.poll_id == poll.id, Ballot.participant_id == participant.id)
    ).first()
    return _store(tx, poll, ballot, marks, key, client_id, participant=participant)


def cast_paper_ballot(
    tx: Tx,
    *,
    actor: Actor,
    poll_id: int,
    choices: dict[Any, Any],
    group: str | None = None,
    client_id: str | None = None,
) -> Ballot:
    """A facilitator enters the vote of someone without a phone; the record marks it as paper."""
    from cowork.domain.stakeholders.families import FAMILIES

    if client_id is not None and not 1 <= len(client_id) <= 64:
        raise Invalid("client_id must have 1 to 64 characters.")
    poll = get_poll(tx.session, poll_id=poll_id, lock=True)
    workshop = get_workshop(tx.session, workshop_id=poll.workshop_id)
    actor.check_facilitator(workshop)
    key = _receipt_key(actor, poll.id)  # type: ignore[arg-type]
    if (earlier := tx.receipt(key, client_id)) is not None and (found := tx.session.get(Ballot, earlier)):
        return found
    check_open(poll)
    group = (group or "").strip() or None
    if group is not None and group not in FAMILIES:
        raise Invalid("Unknown stakeholder group {group}.", group=group)
    marks = normalize_choices(poll, options_of(tx.session, poll_id=poll.id), choices)  # type: ignore[arg-type]
    ballot, _ = _store(tx, poll, None, marks, key, client_id, group=group, entered_by=actor.user_id)
    return ballot


def _store(
    tx: Tx,
    poll: Poll,
    ballot: Ballot | None,
    marks: dict[int, int],
    key: str,
    client_id: str | None,
    *,
    participant: Participant | None = None,
    group: str | None = None,
    entered_by: int | None = None,
) -> tuple[Ballot, bool]:
    session = tx.session
    created = ballot is None
    if ballot is None:
        ballot = new_ballot(
            session,
            poll,
            participant_id=participant.id if participant else None,
            group=participant.group if participant else group,
            paper=participant is None,
            entered_by=entered_by,
        )
    elif not replace_marks(session, ballot, marks, participant=participant):
        tx.remember(poll.workshop_id, key, client_id, ballot.id)  # type: ignore[arg-type]
        return ballot, False  # the same ballot again: nothing changes, nothing to tell
    put_marks(session, poll, ballot, marks)
    tx.remember(poll.workshop_id, key, client_id, ballot.id)  # type: ignore[arg-type]
    _record_ballot(tx, poll, ballot, marks, replaced=not created)
    return ballot, created


def new_ballot(
    session: Session,
    poll: Poll,
    *,
    participant_id: int | None,
    group: str | None,
    paper: bool,
    entered_by: int | None,
    voter: str | None = None,
) -> Ballot:
    """A first ballot, cast from a phone or entered on paper, under a new pseudonym (or the one given)."""
    ballot = Ballot(
        poll_id=poll.id,  # type: ignore[arg-type]
        participant_id=participant_id,
        voter=voter or ("paper-" if paper else "v-") + secrets.token_hex(6),
        group=group,
        paper=paper,
        entered_by_user_id=entered_by,
    )
    session.add(ballot)
    session.flush()
    return ballot


def replace_marks(
    session: Session, ballot: Ballot, marks: dict[int, int], *, participant: Participant | None
) -> bool:
    """Clear a ballot for its new marks (a new revision); False when the marks are the same as before."""
    current = dict(session.exec(select(Mark.option_id, Mark.value).where(Mark.ballot_id == ballot.id)).all())
    if current == marks:
        return False
    session.execute(delete(Mark).where(col(Mark.ballot_id) == ballot.id))
    ballot.revision += 1
    ballot.updated_at = utcnow()
    ballot.group = participant.group if participant else ballot.group
    session.add(ballot)
    return True


def put_marks(session: Session, poll: Poll, ballot: Ballot, marks: dict[int, int]) -> None:
    for option_id, value in marks.items():
        session.add(Mark(poll_id=poll.id, ballot_id=ballot.id, option_id=option_id, value=value))  # type: ignore[arg-type]
    session.flush()


def _record_ballot(tx: Tx, poll: Poll, ballot: Ballot, marks: dict[int, int], *, replaced: bool) -> None:
    from cowork.domain.votes.results import live_scores

    data: dict[str, Any] = {
        "poll_id": poll.id,
        "stage_id": poll.stage_id,
        "ballot_id": ballot.id,
        "voter": ballot.voter,  # a pseudonym; never the participant of an anonymous poll
        "group": ballot.group,
        "paper": ballot.paper,
        "replaced": replaced,
        "hide_results": poll.hide_results,
        "choices": {str(k): choice_value(poll.method, v) for k, v in sorted(marks.items())},
    }
    if not poll.anonymous and ballot.participant_id is not None:
        data["participant_id"] = ballot.participant_id
    data.update(live_scores(tx.session, poll))
    tx.record(poll.workshop_id, "ballot.cast", data)


def choice_value(method: str, stored: int) -> Any:
    """A mark as the voter gave it."""
    if method == "approval":
        return True
    if method == "yes_no_abstain":
        return next(answer for answer, value in ANSWERS.items() if value == stored)
    return stored


def my_ballot(session: Session, *, actor: Actor, poll_id: int) -> dict[str, Any] | None:
    """A participant's own current ballot (while the poll still knows whose it is)."""
    if not actor.is_participant:
        return None
    poll = get_poll(session, poll_id=poll_id)
    ballot = session.exec(
        select(Ballot).where(Ballot.poll_id == poll_id, Ballot.participant_id == actor.participant_id)
    ).first()
    if ballot is None:
        return None
    return ballot_data(session, poll, ballot)


def ballot_data(session: Session, poll: Poll, ballot: Ballot) -> dict[str, Any]:
    marks = session.exec(select(Mark.option_id, Mark.value).where(Mark.ballot_id == ballot.id)).all()
    return {
        "id": ballot.id,
        "poll_id": poll.id,
        "paper": ballot.paper,
        "group": ballot.group,
        "revision": ballot.revision,
        "choices": {str(o): choice_value(poll.method, v) for o, v in sorted(marks)},
        "updated_at": ballot.updated_at,
    }
