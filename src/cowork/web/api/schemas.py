"""Shapes of JSON request and response bodies. They check form only; the domain checks the rules."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class WorkshopCreate(BaseModel):
    title: str = Field(examples=["Co-working lab Offenbach"])
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
    title: str
    description: str
    max_participants: int | None = None  # screens warn above it (the regional workshop: 25)
    stages: list[dict[str, Any]]
