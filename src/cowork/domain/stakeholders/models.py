"""Tables of the stakeholder map and the responsibility matrix: stakeholders, ratings, changed rows, cells."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, DateTime, UniqueConstraint
from sqlmodel import Field, SQLModel

from cowork.domain.models import utcnow

MAX_NAME = 120
MAX_TASKS = 500
MAX_PERSON = 120
MAX_EMAIL = 254
MAX_PHONE = 40


def _when(**kw: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=DateTime(timezone=True), **kw)


class Stakeholder(SQLModel, table=True):
    """An actor on the workshop's map; a merged one points to the stakeholder it was merged into."""

    __table_args__ = (UniqueConstraint("workshop_id", "name_key"),)

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True)
    stage_id: int = Field(foreign_key="stage.id")
    name: str = Field(max_length=MAX_NAME)
    # The name without case, spaces and punctuation: one stakeholder per key and workshop.
    name_key: str = Field(max_length=MAX_NAME)
    family: str = Field(max_length=32)
    level: str | None = Field(default=None, max_length=32)
    role: str | None = Field(default=None, max_length=32)
    tasks: str | None = Field(default=None, max_length=MAX_TASKS)
    contact_person: str | None = Field(default=None, max_length=MAX_PERSON)
    contact_email: str | None = Field(default=None, max_length=MAX_EMAIL)
    contact_phone: str | None = Field(default=None, max_length=MAX_PHONE)
    # When the person who gave the contact details ticked the consent box (personal data).
    contact_consent_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    pinned_influence: float | None = None
    pinned_interest: float | None = None
    merged_into_id: int | None = Field(default=None, foreign_key="stakeholder.id")
    participant_id: int | None = Field(default=None, foreign_key="participant.id")
    author_user_id: int | None = Field(default=None, foreign_key="user.id")
    seq: int = 0  # seq of the event that added it
    created_at: datetime = _when()


class Rating(SQLModel, table=True):
    """One participant's placement of one stakeholder; a new rating replaces the earlier one."""

    __table_args__ = (
        UniqueConstraint("stakeholder_id", "participant_id"),
        CheckConstraint("influence BETWEEN 1 AND 5", name="ck_rating_influence"),
        CheckConstraint("interest BETWEEN 1 AND 5", name="ck_rating_interest"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True)
    stakeholder_id: int = Field(foreign_key="stakeholder.id", index=True)
    participant_id: int = Field(foreign_key="participant.id")
    influence: int
    interest: int
    updated_at: datetime = _when()


class Activity(SQLModel, table=True):
    """A row of the responsibility matrix that differs from the format's defaults: added, renamed, removed.

    The default rows come from the workshop's stages (or `families.ACTIVITY_AREAS`) and need no row here
    until someone renames or removes one; the key is the row's id in the API and in cells.
    """

    __table_args__ = (UniqueConstraint("workshop_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True)
    key: str = Field(max_length=64)
    label: dict[str, str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    removed: bool = False
    created_at: datetime = _when()


class ResponsibilityCell(SQLModel, table=True):
    """Who does what: a stakeholder's mark in one activity row, for some target groups (none listed: all)."""

    __table_args__ = (UniqueConstraint("stakeholder_id", "activity_key"),)

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True)
    activity_key: str = Field(max_length=64)
    stakeholder_id: int = Field(foreign_key="stakeholder.id", index=True)
    mark: str = Field(max_length=16)
    target_groups: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = _when()
