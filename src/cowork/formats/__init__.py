"""Workshop formats: declarative TOML files, validated on load, copied into each new workshop."""

import tomllib
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..settings import LANGUAGES

FORMATS_DIR = Path(__file__).parent
StageKind = Literal[
    "information",
    "board",
    "needs",
    "stakeholders",
    "action_plan",
    "group_work",
    "presentations",
    "evaluation",
]
# Stages whose boards take cards from phones.
CARD_KINDS = frozenset({"board", "needs", "group_work"})


class FormatError(ValueError):
    """A format file that cannot be used; the message names the file, the place and the field."""


def _all_languages(value: dict[str, str]) -> dict[str, str]:
    missing = [lang for lang in LANGUAGES if not value.get(lang, "").strip()]
    if missing:
        raise ValueError(f"needs a text in {', '.join(missing)}")
    return value


class Category(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str = Field(pattern=r"^[a-z0-9_-]{1,64}$")
    label: dict[str, str]
    _check = field_validator("label")(_all_languages)


class StageSpec(BaseModel):
    model_config = ConfigDict(extra="allow")
    kind: StageKind
    title: dict[str, str]
    minutes: int | None = Field(default=None, ge=1, le=600)
    categories: list[Category] = []
    _check = field_validator("title")(_all_languages)

    def config(self) -> dict[str, Any]:
        """What a workshop copies besides kind, title and minutes."""
        data = self.model_dump(exclude={"kind", "title", "minutes"})
        return data


class FormatSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9-]{1,64}$")
    title: dict[str, str]
    description: dict[str, str] = {}
    max_participants: int | None = Field(default=None, ge=1)
    stages: list[StageSpec] = Field(min_length=1)
    _check = field_validator("title")(_all_languages)

    def localized_title(self, lang: str) -> str:
        return self.title.get(lang) or self.title["en"]


def load_format(path: Path) -> FormatSpec:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise FormatError(f"{path.name}: not valid TOML: {exc}") from None
    try:
        spec = FormatSpec.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"at {'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}" for err in exc.errors()
        )
        raise FormatError(f"{path.name}: {problems}") from None
    if spec.id != path.stem:
        raise FormatError(f"{path.name}: at id: must match the file name ({path.stem!r}), not {spec.id!r}")
    return spec


@cache
def all_formats(directory: Path = FORMATS_DIR) -> dict[str, FormatSpec]:
    return {path.stem: load_format(path) for path in sorted(directory.glob("*.toml"))}


def get_format(format_id: str) -> FormatSpec | None:
    return all_formats().get(format_id)
