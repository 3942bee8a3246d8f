"""Proposals (recommendations for action) and the commitments that adopted ones become.

A proposal carries what the seeds ask of an action: owner and contact person, milestones with dates,
resources, the impact it aims at, the means-end reasoning that links the two, indicators of success and
of failure, and the needs it answers. Participants and facilitators draft; the facilitator edits and
selects which go to the vote. Adopted proposals become commitments that later workshops follow up.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from cowork.domain.actions.required import check_required
from cowork.domain.actors import Actor
from cowork.domain.errors import Closed, Invalid, NotAllowed, NotFound
from cowork.domain.models import Contribution, Participant, Stage, Workshop, utcnow
from cowork.domain.record import Tx
from cowork.domain.redaction import copies_card_text
from cowork.domain.text import N_, clean_text, one_line
from cowork.domain.workshops import get_workshop

STATUSES = ("open", "in_progress", "done")
MAX_TITLE = 200
MAX_SHORT = 200  # owner, contact
MAX_TEXT = 4000
MAX_MILESTONES = 20
MAX_INDICATORS = 10
MAX_NEEDS = 20
UNSET: Any = object()


def _when(**kw: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=DateTime(timezone=True), **kw)


class Proposal(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True)
    stage_id: int = Field(foreign_key="stage.id", index=True)
    participant_id: int | None = Field(default=None, foreign_key="participant.id")
    author_user_id: int | None = Field(default=None, foreign_key="user.id")
    title: str = Field(max_length=MAX_TITLE)
    description: str | None = None
    owner: str | None = Field(default=None, max_length=MAX_SHORT)
    # A stakeholder of the map (the stakeholders feature's table; no foreign key, it is built apart).
    owner_stakeholder_id: int | None = None
    contact: str | None = Field(default=None, max_length=MAX_SHORT)
    due: date | None = None
    milestones: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    resources: str | None = None
    impact: str | None = None
    rationale: str | None = None  # the means-end reasoning: why these means lead to that impact
    indicators: dict[str, list[str]] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    needs: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    selected: bool = False  # the facilitator puts it to the vote
    decision: str | None = Field(default=None, max_length=16)  # adopted or rejected, once decided
    created_at: datetime = _when()
    updated_at: datetime = _when()


class Commitment(SQLModel, table=True):
    """A firm commitment: who does what by when; followed up, and carried into later workshops."""

    __table_args__ = (
        UniqueConstraint("workshop_id", "proposal_id"),
        UniqueConstraint("workshop_id", "source_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True)
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id")
    poll_id: int | None = None  # the vote that adopted it, if any
    source_id: int | None = Field(default=None, foreign_key="commitment.id")  # imported from an earlier one
    title: str = Field(max_length=MAX_TITLE)
    owner: str | None = Field(default=None, max_length=MAX_SHORT)
    owner_stakeholder_id: int | None = None
    contact: str | None = Field(default=None, max_length=MAX_SHORT)
    due: date | None = None
    status: str = Field(default="open", max_length=16)
    note: str | None = None  # what the review found
    created_at: datetime = _when()
    updated_at: datetime = _when()


# --- checking input ---------------------------------------------------------------------------------------


# One message per field, so each reads well in every language.
TOO_LONG = {
    "title": N_("The title is too long (at most {limit} characters)."),
    "description": N_("The description is too long (at most {limit} characters)."),
    "owner": N_("The owner is too long (at most {limit} characters)."),
    "contact": N_("The contact is too long (at most {limit} characters)."),
    "resources": N_("The resources are too long (at most {limit} characters)."),
    "impact": N_("The impact is too long (at most {limit} characters)."),
    "rationale": N_("The reasoning is too long (at most {limit} characters)."),
    "milestone": N_("A milestone is too long (at most {limit} characters)."),
    "indicator": N_("An indicator is too long (at most {limit} characters)."),
    "note": N_("The note is too long (at most {limit} characters)."),
}
# Fields shown on one line: a newline typed into them becomes a space.
ONE_LINE = frozenset({"title", "owner", "contact", "milestone"})
NOT_A_DATE = {
    "due": N_("The due date must be a date like 2026-03-31, not {value}."),
    "milestone": N_("A milestone's date must be a date like 2026-03-31, not {value}."),
}


def check_text(value: Any, field: str, limit: int, required: bool = False) -> str | None:
    clean = one_line if field in ONE_LINE else clean_text
    text = clean(value, field=field, limit=limit, too_long=TOO_LONG[field])
    if required and not text:
        raise Invalid("Please give the proposal a title.")
    return text or None


def _date(value: Any, field: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise Invalid(NOT_A_DATE[field], value=value) from None


def _milestones(value: Any) -> list[dict[str, Any]]:
    if value in (None, ""):
        return []
    if not isinstance(value, list) or len(value) > MAX_MILESTONES:
        raise Invalid("Milestones are a list of at most {limit}.", limit=MAX_MILESTONES)
    found = []
    for item in value:
        item = {"title": item} if isinstance(item, str) else item
        if not isinstance(item, dict):
            raise Invalid("Each milestone has a title and maybe a date.")
        title = check_text(item.get("title"), "milestone", MAX_TITLE)
        if not title:
            raise Invalid("Each milestone has a title and maybe a date.")
        due = _date(item.get("due"), "milestone")
        found.append({"title": title, "due": due.isoformat() if due else None})
    return found


def _indicators(value: Any) -> dict[str, list[str]]:
    if value in (None, ""):
        return {}
    if not isinstance(value, dict) or set(value) - {"success", "failure"}:
        raise Invalid("Indicators are two lists: success and failure.")
    found: dict[str, list[str]] = {}
    for kind in ("success", "failure"):
        items = value.get(kind) or []
        items = [items] if isinstance(items, str) else items
        if not isinstance(items, list) or len(items) > MAX_INDICATORS:
            raise Invalid("At most {limit} indicators of each kind.", limit=MAX_INDICATORS)
        texts = [t for t in (check_text(i, "indicator", 500) for i in items) if t]
        if texts:
            found[kind] = texts
    return found


def _needs(session: Session, workshop: Workshop, value: Any) -> list[int]:
    if value in (None, ""):
        return []
    if not isinstance(value, list) or len(value) > MAX_NEEDS:
        raise Invalid("A proposal names at most {limit} needs.", limit=MAX_NEEDS)
    found: list[int] = []
    for raw in value:
        card = session.get(Contribution, raw) if isinstance(raw, int) and not isinstance(raw, bool) else None
        if card is None or card.workshop_id != workshop.id:
            raise Invalid("Need {id} is not a card of this workshop.", id=raw)
        if card.id not in found:
            found.append(card.id)  # type: ignore[arg-type]
    return found


def _stakeholder(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise Invalid("owner_stakeholder_id must be the id of a stakeholder on the map.")
    return value


FIELDS = (
    "title",
    "description",
    "owner",
    "owner_stakeholder_id",
    "contact",
    "due",
    "milestones",
    "resources",
    "impact",
    "rationale",
    "indicators",
    "needs",
)


def clean_fields(session: Session, workshop: Workshop, fields: dict[str, Any]) -> dict[str, Any]:
    """Check each given field; return the values to store."""
    checks = {
        "title": lambda v: check_text(v, "title", MAX_TITLE, required=True),
        "description": lambda v: check_text(v, "description", MAX_TEXT),
        "owner": lambda v: check_text(v, "owner", MAX_SHORT),
        "owner_stakeholder_id": _stakeholder,
        "contact": lambda v: check_text(v, "contact", MAX_SHORT),
        "due": lambda v: _date(v, "due"),
        "milestones": _milestones,
        "resources": lambda v: check_text(v, "resources", MAX_TEXT),
        "impact": lambda v: check_text(v, "impact", MAX_TEXT),
        "rationale": lambda v: check_text(v, "rationale", MAX_TEXT),
        "indicators": _indicators,
        "needs": lambda v: _needs(session, workshop, v),
    }
    return {name: checks[name](value) for name, value in fields.items() if name in checks}


# --- proposals ---------------------------------------------------------------------------------------


def draft_proposal(
    tx: Tx, *, actor: Actor, stage_id: int, client_id: str | None = None, **fields: Any
) -> Proposal:
    """A participant (on the current action-plan stage) or a facilitator drafts a proposal."""
    if client_id is not None and not 1 <= len(client_id) <= 64:
        raise Invalid("client_id must have 1 to 64 characters.")
    if (earlier := tx.receipt(actor.key, client_id)) is not None and (
        found := tx.session.get(Proposal, earlier)
    ):
        return found
    stage = tx.session.get(Stage, stage_id)
    if stage is None:
        raise NotFound("There is no such stage.")
    workshop = get_workshop(tx.session, workshop_id=stage.workshop_id)
    actor.check_member(workshop)
    if stage.kind != "action_plan":
        raise Invalid("Proposals belong on an action-plan stage.")
    if actor.is_participant and (workshop.status != "open" or workshop.current_stage_id != stage.id):
        raise Closed("This stage is not open for proposals right now.")
    proposal = new_proposal(
        tx.session,
        workshop,
        stage,
        fields=fields,
        participant_id=actor.participant_id,
        author_user_id=None if actor.is_participant else actor.user_id,
    )
    check_required(stage.config, {name: getattr(proposal, name) for name in FIELDS})
    tx.session.add(proposal)
    tx.session.flush()
    tx.remember(workshop.id, actor.key, client_id, proposal.id)  # type: ignore[arg-type]
    tx.record(workshop.id, "proposal.drafted", proposal_data(tx.session, proposal))  # type: ignore[arg-type]
    return proposal


def new_proposal(
    session: Session,
    workshop: Workshop,
    stage: Stage,
    *,
    fields: dict[str, Any],
    participant_id: int | None,
    author_user_id: int | None,
) -> Proposal:
    """A proposal on an action-plan stage, every field checked (a title is needed)."""
    values = clean_fields(session, workshop, {"title": fields.get("title"), **fields})
    return Proposal(
        workshop_id=workshop.id,  # type: ignore[arg-type]
        stage_id=stage.id,  # type: ignore[arg-type]
        participant_id=participant_id,
        author_user_id=author_user_id,
        **values,
    )


def update_proposal(tx: Tx, *, actor: Actor, proposal_id: int, **fields: Any) -> Proposal:
    """The facilitator edits a proposal (the plenary may modify it) or selects it for the vote."""
    proposal = tx.session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound("There is no such proposal.")
    workshop = get_workshop(tx.session, workshop_id=proposal.workshop_id)
    if not actor.may_facilitate(workshop):
        raise NotAllowed("Only the workshop's facilitators may change proposals.")
    changes = change_proposal(tx.session, workshop, proposal, fields)
    if changes:
        tx.record(
            workshop.id,  # type: ignore[arg-type]
            "proposal.updated",
            {**proposal_data(tx.session, proposal), "changes": changes},
        )
    return proposal


def change_proposal(
    session: Session, workshop: Workshop, proposal: Proposal, fields: dict[str, Any]
) -> list[str]:
    """Apply the given fields (and `selected`); returns the names of those that changed."""
    fields = dict(fields)
    selected = fields.pop("selected", None)
    values = clean_fields(session, workshop, fields)
    changes = [name for name, value in values.items() if getattr(proposal, name) != value]
    for name in changes:
        setattr(proposal, name, values[name])
    if selected is not None and bool(selected) != proposal.selected:
        proposal.selected, changes = bool(selected), [*changes, "selected"]
    if changes:
        proposal.updated_at = utcnow()
        session.add(proposal)
    return changes


def proposal_data(session: Session, proposal: Proposal) -> dict[str, Any]:
    author = session.get(Participant, proposal.participant_id) if proposal.participant_id else None
    return {
        "id": proposal.id,
        "workshop_id": proposal.workshop_id,
        "stage_id": proposal.stage_id,
        "title": proposal.title,
        "description": proposal.description,
        "owner": proposal.owner,
        "owner_stakeholder_id": proposal.owner_stakeholder_id,
        "contact": proposal.contact,
        "due": proposal.due.isoformat() if proposal.due else None,
        "milestones": proposal.milestones,
        "resources": proposal.resources,
        "impact": proposal.impact,
        "rationale": proposal.rationale,
        "indicators": proposal.indicators,
        "needs": proposal.needs,
        "need_cards": need_cards(session, proposal.needs),
        "selected": proposal.selected,
        "decision": proposal.decision,
        "participant_id": proposal.participant_id,
        "author": None if author is None else {"name": author.name, "group": author.group},
        "by_facilitator": proposal.author_user_id is not None,
    }


def need_cards(session: Session, ids: list[int]) -> list[dict[str, Any]]:
    """The cards a proposal answers, with their text now; a hidden card shows none, an erased one says so."""
    cards = [session.get(Contribution, i) for i in ids]
    return [
        {"id": c.id, "text": "" if c.hidden else c.text, "hidden": c.hidden, "erased": c.erased}
        for c in cards
        if c is not None
    ]


def _erase_need(data: dict[str, Any], card_id: int) -> dict[str, Any]:
    """A proposal's event names the erased card among its needs, without its words."""
    needs = data.get("need_cards")
    if not isinstance(needs, list) or not any(n.get("id") == card_id for n in needs):
        return data
    erased = {"id": card_id, "text": "", "hidden": True, "erased": True}
    return {**data, "need_cards": [erased if n.get("id") == card_id else n for n in needs]}


copies_card_text("proposal.drafted", "proposal.updated", redact=_erase_need)


def list_proposals(session: Session, *, stage_id: int) -> list[dict[str, Any]]:
    proposals = session.exec(select(Proposal).where(Proposal.stage_id == stage_id).order_by(col(Proposal.id)))
    return [proposal_data(session, p) for p in proposals]


def proposals_of_stage(session: Session, *, actor: Actor, stage_id: int) -> list[dict[str, Any]]:
    stage = session.get(Stage, stage_id)
    if stage is None:
        raise NotFound("There is no such stage.")
    actor.check_member(get_workshop(session, workshop_id=stage.workshop_id))
    return list_proposals(session, stage_id=stage_id)


def describe_proposal(session: Session, *, actor: Actor, proposal_id: int) -> dict[str, Any]:
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound("There is no such proposal.")
    actor.check_member(get_workshop(session, workshop_id=proposal.workshop_id))
    return proposal_data(session, proposal)
