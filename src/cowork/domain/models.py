"""Tables of the workshop domain."""

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Integer, UniqueConstraint, false
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def _when(**kw: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=DateTime(timezone=True), **kw)


class User(SQLModel, table=True):
    """A facilitator or organiser with a local account."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, index=True, max_length=254)
    password_hash: str | None = None
    is_admin: bool = False
    created_at: datetime = _when()


class ApiToken(SQLModel, table=True):
    """A bearer token for the JSON API; only its SHA-256 is kept."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(unique=True, max_length=64)
    created_at: datetime = _when()


class Workshop(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    code: str = Field(unique=True, index=True, max_length=12)
    language: str = Field(default="en", max_length=5)
    format_id: str = Field(max_length=64)
    status: str = Field(default="open", max_length=16)
    current_stage_id: int | None = None
    # A display device opens the projector with this secret in its URL, without an account.
    projector_key: str = Field(unique=True, max_length=64)
    owner_id: int | None = Field(default=None, foreign_key="user.id")
    # The last seq handed out; bumped in the same transaction as each event (row lock = gapless order).
    last_seq: int = 0
    created_at: datetime = _when()
    # A sample to try the screens with (domain/program/sample.py): shown as one, never counted with real ones.
    is_sample: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    # Where it takes place and when the group meets again: the report's first page tells both.
    place: str | None = Field(default=None, max_length=200)
    follow_up_on: date | None = None


class Stage(SQLModel, table=True):
    """An agenda item of a workshop, copied from its format when the workshop was made."""

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True)
    position: int
    kind: str = Field(max_length=32)
    title: dict[str, str] = Field(sa_column=Column(JSON, nullable=False))
    minutes: int | None = None
    config: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Off the agenda but kept, with what it holds, in the record and the exports (after the live stages).
    archived: bool = False


class Participant(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True)
    name: str | None = Field(default=None, max_length=80)
    organisation: str | None = Field(default=None, max_length=120)
    group: str | None = Field(default=None, max_length=64)
    language: str = Field(default="en", max_length=5)
    token_hash: str = Field(unique=True, max_length=64)
    joined_at: datetime = _when()


class Contribution(SQLModel, table=True):
    """A card on a board."""

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True)
    stage_id: int = Field(foreign_key="stage.id", index=True)
    participant_id: int | None = Field(default=None, foreign_key="participant.id")
    author_user_id: int | None = Field(default=None, foreign_key="user.id")
    text: str
    category: str | None = Field(default=None, max_length=64)
    language: str | None = Field(default=None, max_length=5)
    hidden: bool = False
    # "card", or "cluster": a titled group that merged cards point to with cluster_id.
    kind: str = Field(default="card", max_length=16)
    cluster_id: int | None = Field(default=None, foreign_key="contribution.id", index=True)
    # The format's card kinds ("now": how it works now, "missing": what is missing) and pathway phases.
    card_kind: str | None = Field(default=None, max_length=32)
    phase: str | None = Field(default=None, max_length=32)
    # False while a stage in approval mode waits for the facilitator to let the card through.
    approved: bool = True
    table_id: int | None = Field(default=None, index=True)  # a breakout table's own board
    seq: int = 0  # seq of the event that added it
    created_at: datetime = _when()
    updated_at: datetime = _when()

    @property
    def erased(self) -> bool:
        """Its author erased it: a card's text is never empty otherwise (privacy.erase_card)."""
        return self.kind == "card" and not self.text


class Event(SQLModel, table=True):
    """One entry of a workshop's session record."""

    __table_args__ = (UniqueConstraint("workshop_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True)
    seq: int
    type: str = Field(max_length=64)
    at: datetime = _when()
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))

    def public(self) -> dict[str, Any]:
        """The event as the record API and the socket push both show it."""
        at = self.at if self.at.tzinfo else self.at.replace(tzinfo=UTC)
        return {
            "seq": self.seq,
            "type": self.type,
            "at": at.isoformat().replace("+00:00", "Z"),
            "data": self.data,
        }


class Receipt(SQLModel, table=True):
    """A client-made command id already carried out, so a retry returns the first result."""

    __table_args__ = (UniqueConstraint("actor", "client_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True)
    actor: str = Field(max_length=32)
    client_id: str = Field(max_length=64)
    object_id: int
    created_at: datetime = _when()


class ExportSettings(SQLModel, table=True):
    """Per workshop: named exports or not, the retention in days, and the seq of the last purge."""

    workshop_id: int = Field(
        sa_column=Column(Integer, ForeignKey("workshop.id"), primary_key=True, autoincrement=False)
    )
    named: bool = False
    retention_days: int | None = None
    purged_seq: int | None = None  # the seq of the last workshop.purged event
