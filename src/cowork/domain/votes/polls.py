"""Polls: a question with options, decided by dots, approval, yes/no/abstain, ranking or a 1-5 scale.

Here are the tables, reading a poll, and its opening; a new vote is prepared in setup.py, closed in
closing.py.
Integrity lives in the database and in one lock: one ballot per participant per poll (unique), marks
only on options of their own poll (composite foreign keys), and the poll row locked (`FOR UPDATE`; SQLite's
BEGIN IMMEDIATE serialises anyway) by every ballot and by the close, so a ballot is either acknowledged
before the close and counted, or refused after it with "This vote has closed.".
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, ForeignKeyConstraint, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from cowork.domain.actions.proposals import Proposal
from cowork.domain.actors import Actor
from cowork.domain.errors import Closed, NotFound
from cowork.domain.models import Contribution, Stage, utcnow
from cowork.domain.record import Tx
from cowork.domain.redaction import card_copies, copies_card_text, stores_card_text
from cowork.domain.workshops import get_workshop

ANSWERS = {"yes": 1, "abstain": 0, "no": -1}  # how a yes/no/abstain answer is stored as a mark
SCALE = range(1, 6)
MAX_LABEL = 200


class Poll(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True)
    stage_id: int = Field(foreign_key="stage.id", index=True)
    title: str | None = Field(default=None, max_length=200)
    method: str = Field(max_length=16)
    status: str = Field(default="draft", max_length=16)  # draft, open, closed
    budget: int | None = None  # dots: how many each voter has
    max_per_option: int | None = None  # dots: at most this many on one option
    quorum: float | None = None  # share of eligible participants who must vote
    threshold: str | None = Field(default=None, max_length=16)  # yes/no/abstain: simple, two_thirds, or "0.6"
    anonymous: bool = False
    hide_results: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    opened_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    closed_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    # Frozen at close: the tally, how many voted, how many could have.
    ballot_count: int | None = None
    eligible: int | None = None
    result: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class PollOption(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("poll_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    position: int
    label: str = Field(max_length=MAX_LABEL)
    contribution_id: int | None = Field(default=None, foreign_key="contribution.id", index=True)
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id", index=True)


class Ballot(SQLModel, table=True):
    """One voter's current ballot; a new one replaces it in place until the close."""

    __table_args__ = (
        UniqueConstraint("poll_id", "participant_id"),
        UniqueConstraint("poll_id", "voter"),
        UniqueConstraint("poll_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    # Nulled at the close of an anonymous poll; always null for paper ballots.
    participant_id: int | None = Field(default=None, foreign_key="participant.id")
    voter: str = Field(max_length=32)  # a random pseudonym per poll: what the record shows
    group: str | None = Field(default=None, max_length=64)  # the voter's stakeholder group when cast
    paper: bool = False
    entered_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    revision: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class Mark(SQLModel, table=True):
    """One choice of a ballot: dots, 1 (approved), 1/0/-1 (yes/abstain/no), a rank, or a scale point."""

    __table_args__ = (
        UniqueConstraint("ballot_id", "option_id"),
        ForeignKeyConstraint(["poll_id", "ballot_id"], ["ballot.poll_id", "ballot.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["poll_id", "option_id"], ["polloption.poll_id", "polloption.id"]),
    )

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(index=True)
    ballot_id: int
    option_id: int
    value: int


def _erase_option_labels(session: Session, card: Contribution) -> None:
    """An option made of the card keeps its place and its votes, not the label it was made with."""
    for option in session.exec(select(PollOption).where(PollOption.contribution_id == card.id)):
        option.label = ""
        session.add(option)


copies_card_text("poll.opened", redact=card_copies)  # its options, as poll.created
stores_card_text("polloption", redact=_erase_option_labels)


# --- reading --------------------------------------------------------------------------------------------


def get_poll(session: Session, *, poll_id: int, lock: bool = False) -> Poll:
    query = select(Poll).where(Poll.id == poll_id)
    if lock:
        # Every ballot and the close take this lock first: they happen one after the other.
        query = query.with_for_update()
    poll = session.exec(query).first()
    if poll is None:
        raise NotFound("There is no such vote.")
    return poll


def options_of(session: Session, *, poll_id: int) -> list[PollOption]:
    return list(
        session.exec(
            select(PollOption).where(PollOption.poll_id == poll_id).order_by(col(PollOption.position))
        )
    )


def poll_data(session: Session, poll: Poll, options: list[PollOption] | None = None) -> dict[str, Any]:
    options = options if options is not None else options_of(session, poll_id=poll.id)  # type: ignore[arg-type]
    labels = option_labels(session, options)
    return {
        "id": poll.id,
        "workshop_id": poll.workshop_id,
        "stage_id": poll.stage_id,
        "title": poll.title,
        "method": poll.method,
        "status": poll.status,
        "budget": poll.budget,
        "max_per_option": poll.max_per_option,
        "quorum": poll.quorum,
        "threshold": poll.threshold,
        "anonymous": poll.anonymous,
        "hide_results": poll.hide_results,
        "options": [
            {
                "id": o.id,
                "position": o.position,
                "label": labels[o.id],  # type: ignore[index]
                "contribution_id": o.contribution_id,
                "proposal_id": o.proposal_id,
            }
            for o in options
        ],
    }


def option_labels(session: Session, options: list[PollOption]) -> dict[int, str]:
    """Each option's label now: a card's or proposal's current text, else the label it was made with."""
    cards = {o.contribution_id for o in options if o.contribution_id}
    proposals = {o.proposal_id for o in options if o.proposal_id}
    card_texts: dict[int | None, str] = {}
    titles: dict[int | None, str] = {}
    if cards:
        query = select(Contribution.id, Contribution.text).where(col(Contribution.id).in_(cards))
        card_texts = {i: t for i, t in session.exec(query).all()}
    if proposals:
        query = select(Proposal.id, Proposal.title).where(col(Proposal.id).in_(proposals))  # type: ignore[assignment]
        titles = {i: t for i, t in session.exec(query).all()}
    labels = {}
    for o in options:
        text = card_texts.get(o.contribution_id) or titles.get(o.proposal_id) or o.label
        labels[o.id] = shorten_label(text)  # type: ignore[index]
    return labels  # type: ignore[return-value]


def shorten_label(text: str) -> str:
    """A card's or proposal's text as an option's label: on one line, cut to MAX_LABEL characters."""
    text = " ".join(text.split())
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def polls_of_stage(session: Session, *, stage_id: int) -> list[Poll]:
    return list(session.exec(select(Poll).where(Poll.stage_id == stage_id).order_by(col(Poll.id))))


def list_polls(session: Session, *, actor: Actor, stage_id: int) -> list[dict[str, Any]]:
    """The stage's polls; participants do not see drafts."""
    stage = _stage_for(session, actor, stage_id)
    polls = polls_of_stage(session, stage_id=stage.id)  # type: ignore[arg-type]
    return [poll_data(session, p) for p in polls if not (actor.is_participant and p.status == "draft")]


def describe_poll(session: Session, *, actor: Actor, poll_id: int) -> dict[str, Any]:
    poll = get_poll(session, poll_id=poll_id)
    actor.check_member(get_workshop(session, workshop_id=poll.workshop_id))
    if actor.is_participant and poll.status == "draft":
        raise NotFound("There is no such vote.")
    return poll_data(session, poll)


def _stage_for(session: Session, actor: Actor, stage_id: int) -> Stage:
    stage = session.get(Stage, stage_id)
    if stage is None:
        raise NotFound("There is no such stage.")
    actor.check_member(get_workshop(session, workshop_id=stage.workshop_id))
    return stage


# --- opening and closing --------------------------------------------------------------------------------


def open_poll(tx: Tx, *, actor: Actor, poll_id: int) -> Poll:
    poll = get_poll(tx.session, poll_id=poll_id, lock=True)
    workshop = get_workshop(tx.session, workshop_id=poll.workshop_id)
    actor.check_facilitator(workshop)
    if begin_voting(poll, utcnow()):
        tx.session.add(poll)
        tx.record(workshop.id, "poll.opened", poll_data(tx.session, poll))  # type: ignore[arg-type]
    return poll


def begin_voting(poll: Poll, now: datetime) -> bool:
    """Open a draft vote; False when it is open already (a closed vote does not open again)."""
    if poll.status == "open":
        return False
    if poll.status == "closed":
        raise Closed("This vote has closed.")
    poll.status, poll.opened_at = "open", now
    return True


def check_open(poll: Poll) -> None:
    if poll.status == "closed":
        raise Closed("This vote has closed.")
    if poll.status != "open":
        raise Closed("This vote is not open yet.")
