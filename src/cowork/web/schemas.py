"""Shapes of JSON request and response bodies. They check form only; the domain checks the rules."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class WorkshopCreate(BaseModel):
    title: str = Field(max_length=200, examples=["Co-working lab Offenbach"])
    format: str = Field(default="plain", examples=["plain"])
    language: str = Field(default="en", examples=["en", "de", "es"])


class StageOut(BaseModel):
    id: int
    position: int
    kind: str
    title: dict[str, str]
    minutes: int | None
    categories: list[dict[str, Any]]
    takes_cards: bool


class WorkshopOut(BaseModel):
    id: int
    title: str
    code: str
    language: str
    format: str
    status: str
    current_stage_id: int | None
    participants: int
    last_seq: int
    created_at: datetime
    join_url: str
    projector_url: str
    stages: list[StageOut]


class CurrentStage(BaseModel):
    stage_id: int


class JoinIn(BaseModel):
    name: str | None = Field(default=None, max_length=80)
    organisation: str | None = Field(default=None, max_length=120)
    group: str | None = Field(default=None, examples=["employer"])
    language: str | None = Field(default=None, examples=["de"])


class JoinOut(BaseModel):
    participant_id: int
    token: str
    workshop_id: int


class CardIn(BaseModel):
    text: str = Field(examples=["Childcare during language courses"])
    category: str | None = None
    language: str | None = None
    client_id: str | None = Field(
        default=None, max_length=64, description="Retries with it store nothing new"
    )


class CardPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str | None = None
    category: str | None = None
    hidden: bool | None = None


class Author(BaseModel):
    name: str | None
    group: str | None


class CardOut(BaseModel):
    id: int
    seq: int
    stage_id: int
    text: str | None = None
    category: str | None = None
    language: str | None = None
    hidden: bool
    participant_id: int | None = None
    author: Author | None = None
    by_facilitator: bool = False


class CardList(BaseModel):
    items: list[CardOut]


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
    title: str
    description: str
    stages: list[dict[str, Any]]
