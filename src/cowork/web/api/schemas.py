"""Shapes of JSON request and response bodies. They check form only; the domain checks the rules."""

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class WorkshopCreate(BaseModel):
    title: str = Field(default="", examples=["Co-working lab Offenbach"])
    format: str = Field(default="plain", examples=["plain"])
    language: str | None = Field(
        default=None, examples=["en", "de", "es"], description="Default: the caller's (Accept-Language)."
    )
    sample: bool = Field(
        default=False,
        description="A filled-in sample Co-Working Lab to try every screen (title and format are ignored).",
    )


class WorkshopCopy(BaseModel):
    title: str = Field(examples=["Co-working lab Offenbach, spring"])


class WorkshopDetails(BaseModel):
    """Only the fields sent change; null (or "") clears one."""

    place: str | None = Field(
        default=None, examples=["Haus der Wirtschaft, Offenbach"], description="At most 200"
    )
    follow_up_on: str | None = Field(
        default=None, examples=["2027-03-16"], description="The follow-up meeting's date, YYYY-MM-DD"
    )


class StageOut(BaseModel):
    id: int
    position: int
    kind: str
    title: dict[str, str]
    minutes: int | None
    categories: list[dict[str, Any]]
    takes_cards: bool


class StageDesignOut(StageOut):
    archived: bool = Field(default=False, description="Off the agenda, kept in the record and exports")
    settings: dict[str, Any] = Field(default_factory=dict, description="The stage's config as data")


class StageIn(BaseModel):
    kind: str = Field(examples=["needs"], description="information, board, needs, stakeholders, ...")
    title: dict[str, str] | str = Field(
        examples=[{"en": "Round table 2", "de": "Runder Tisch 2"}],
        description="A text per language (one is enough), or a text in the workshop's language",
    )
    minutes: int | None = Field(default=None, examples=[20], description="1 to 480")
    position: int | None = Field(
        default=None, description="Place on the agenda from 0 (first); default: the end"
    )
    settings: dict[str, Any] | None = Field(
        default=None,
        examples=[{"categories": [{"key": "housing", "label": {"en": "Housing"}}]}],
        description="description (all kinds); categories, approval (boards); questions (evaluation)",
    )


class WorkshopOut(BaseModel):
    id: int
    title: str
    code: str
    language: str
    format: str
    status: str
    sample: bool
    current_stage_id: int | None
    participants: int
    last_seq: int
    created_at: datetime
    place: str | None = None
    follow_up_on: date | None = None
    join_url: str
    projector_url: str
    stages: list[StageOut]


class CurrentStage(BaseModel):
    stage_id: int


class JoinIn(BaseModel):
    name: str | None = None
    organisation: str | None = None
    group: str | None = Field(default=None, examples=["employer"])
    language: str | None = Field(default=None, examples=["de"])


class JoinOut(BaseModel):
    participant_id: int
    token: str
    workshop_id: int


class EventOut(BaseModel):
    seq: int
    type: str
    at: datetime
    data: dict[str, Any]


class EventList(BaseModel):
    events: list[EventOut]
    last_seq: int


class FormatOut(BaseModel):
    id: str
    # A built-in format (a file of cowork) or one of the organisation's (saved from a workshop, imported).
    source: Literal["builtin", "organisation"] = "builtin"
    title: str
    description: str
    max_participants: int | None = None  # screens warn above it (the regional workshop: 25)
    stages: list[dict[str, Any]]


class FormatRename(BaseModel):
    title: str = Field(min_length=1, max_length=200)


class FormatSave(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    replace: bool = False
