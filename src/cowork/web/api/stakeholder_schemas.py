"""Shapes of the stakeholder mapping's JSON bodies. They check form only; the domain checks the rules."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator


class ContactIn(BaseModel):
    person: str | None = Field(default=None, max_length=120, examples=["Anja Stephan"])
    email: str | None = Field(default=None, max_length=254, examples=["a.stephan@example.org"])
    phone: str | None = Field(default=None, max_length=40, examples=["+49 351 4161345"])


class StakeholderIn(BaseModel):
    name: str = Field(examples=["Jobcenter Offenbach"])
    family: str = Field(examples=["job_centre"], description="A key of GET /stakeholder-families")
    level: str | None = Field(default=None, examples=["operational"])
    role: str | None = Field(default=None, examples=["matching"])
    tasks: str | None = Field(default=None, examples=["Placement and benefits"])
    contact: ContactIn | None = None
    consent: StrictBool = Field(
        default=False, description="true: the contact person agreed to share these details (JSON true only)"
    )
    client_id: str | None = Field(
        default=None, max_length=64, description="Retries with it store nothing new"
    )


class StakeholderPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    family: str | None = None
    level: str | None = None
    role: str | None = None
    tasks: str | None = None
    contact: ContactIn | None = Field(default=None, description="null erases the contact details")
    consent: StrictBool | None = Field(
        default=None, description="true with new contact details; false withdraws consent: the contact goes"
    )


class Spread(BaseModel):
    sd: float
    min: int
    max: int


class SpreadPair(BaseModel):
    influence: Spread
    interest: Spread


class Point(BaseModel):
    influence: float
    interest: float


class ContactOut(BaseModel):
    person: str | None
    email: str | None
    phone: str | None


class StakeholderOut(BaseModel):
    id: int
    seq: int
    stage_id: int
    name: str
    family: str
    level: str | None
    role: str | None
    tasks: str | None
    influence: float | None = Field(description="Mean of the ratings, 1 to 5")
    interest: float | None = Field(description="Mean of the ratings, 1 to 5")
    ratings: int = Field(description="How many participants rated it")
    spread: SpreadPair | None = Field(description="Standard deviation, lowest and highest rating")
    pinned: Point | None = Field(description="Where the facilitator pinned it")
    position: Point | None = Field(description="Where it is drawn: the pin, else the means")
    has_contact: bool
    by_facilitator: bool
    contact: ContactOut | None = Field(default=None, description="Facilitators only")
    duplicate_of: int | None = Field(default=None, description="Set when the name was already on the map")


class StakeholderList(BaseModel):
    items: list[StakeholderOut]


class RatingIn(BaseModel):
    influence: int = Field(examples=[4], description="1 (low) to 5 (high)")
    interest: int = Field(examples=[2], description="1 (low) to 5 (high)")


class RatingOut(BaseModel):
    stakeholder_id: int
    influence: int
    interest: int
    replaced: bool = Field(description="True when it replaced this participant's earlier rating")
    stakeholder: StakeholderOut


class PinIn(BaseModel):
    influence: float | None = Field(default=None, examples=[4.5])
    interest: float | None = Field(default=None, examples=[2.0])


class MergeIn(BaseModel):
    into: int = Field(description="The stakeholder that stays; this one's ratings and cells move there")


class ActivityIn(BaseModel):
    label: str = Field(examples=["Debt counselling"])


class ActivityOut(BaseModel):
    id: str
    label: dict[str, str]
    custom: bool


class CellIn(BaseModel):
    activity_id: str = Field(examples=["housing"])
    stakeholder_id: int
    mark: str | None = Field(
        examples=["responsible"], description="responsible, contributes, informed or null"
    )
    target_groups: list[str] = Field(default_factory=list, description="None listed: all target groups")

    @field_validator("activity_id", mode="before")
    @classmethod
    def _key(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class Cell(BaseModel):
    activity_id: str
    stakeholder_id: int
    mark: str
    target_groups: list[str]


class Gap(BaseModel):
    activity_id: str
    kind: str = Field(description="nobody_responsible or several_responsible")
    stakeholder_ids: list[int]
    stakeholder_names: list[str]
    target_groups: list[str] = Field(description="For several_responsible: the groups they share")


class Keyed(BaseModel):
    key: str
    label: dict[str, str]


class Mark(Keyed):
    symbol: str


class MatrixStakeholder(BaseModel):
    id: int
    name: str
    family: str
    level: str | None
    role: str | None


class MatrixOut(BaseModel):
    workshop_id: int
    activities: list[ActivityOut]
    stakeholders: list[MatrixStakeholder]
    cells: list[Cell]
    gaps: list[Gap]
    target_groups: list[Keyed]
    marks: list[Mark]


class Choice(BaseModel):
    key: str
    label: str
    symbol: str | None = None


class FamiliesOut(BaseModel):
    language: str
    families: list[Choice]
    levels: list[Choice]
    roles: list[Choice]
    marks: list[Choice]
    target_groups: list[Choice] = Field(description="The defaults; a workshop's own are in its matrix")
    activity_areas: list[Choice] = Field(description="The default rows; a workshop's own are in its matrix")
