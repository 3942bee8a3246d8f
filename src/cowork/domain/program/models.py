"""Tables of the programme: the shared timer, breakout tables with their seats, the presentation queue and
evaluation responses (issue 6)."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, UniqueConstraint
from sqlmodel import Field, SQLModel

from cowork.domain.models import utcnow


def _when(**kw: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=DateTime(timezone=True), **kw)


class Timer(SQLModel, table=True):
    """The workshop's one shared countdown, on the stage it was started on.

    running: screens count down to `ends_at`. paused: `remaining` seconds stand still. idle: reset.
    """

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", unique=True)
    stage_id: int | None = Field(default=None, foreign_key="stage.id")
    state: str = Field(default="idle", max_length=16)
    duration: int  # seconds it was started with (plus what was added)
    ends_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    remaining: float | None = None
    # What the timer is for besides the stage, e.g. {"table_id": 3, "table_number": 2} for a presentation.
    subject: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = _when()


class BreakoutTable(SQLModel, table=True):
    """A breakout group. A new split deactivates the earlier tables (their cards keep pointing at them)."""

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True)
    stage_id: int | None = Field(default=None, foreign_key="stage.id")
    number: int
    topic: dict[str, str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    method: str = Field(max_length=16)  # random, balanced or self
    active: bool = True
    created_at: datetime = _when()


class TableSeat(SQLModel, table=True):
    """A participant at a table; a role is held by one member of a table at a time (role NULL = member)."""

    __table_args__ = (
        UniqueConstraint("workshop_id", "participant_id"),
        UniqueConstraint("table_id", "role"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True)
    table_id: int = Field(foreign_key="breakouttable.id", index=True)
    participant_id: int = Field(foreign_key="participant.id")
    role: str | None = Field(default=None, max_length=16)  # note_taker or presenter
    seated_at: datetime = _when()


class PresentationSlot(SQLModel, table=True):
    """A table's place in the plenary queue of a presentations stage."""

    __table_args__ = (UniqueConstraint("stage_id", "table_id"), UniqueConstraint("stage_id", "position"))

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True)
    stage_id: int = Field(foreign_key="stage.id", index=True)
    table_id: int = Field(foreign_key="breakouttable.id")
    position: int
    status: str = Field(default="waiting", max_length=16)  # waiting, presenting, done
    started_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    finished_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class EvaluationResponse(SQLModel, table=True):
    """One participant's answers to an evaluation stage's questionnaire; a new response replaces it."""

    __table_args__ = (UniqueConstraint("stage_id", "participant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True)
    stage_id: int = Field(foreign_key="stage.id", index=True)
    participant_id: int = Field(foreign_key="participant.id")
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = _when()
    updated_at: datetime = _when()
