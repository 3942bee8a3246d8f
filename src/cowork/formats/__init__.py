"""Workshop formats and evaluation questionnaires: declarative TOML files, validated on load.

A format is copied into each new workshop made from it. Every human-readable text is a table with a text in
each of cowork's languages; extra per-stage keys (phases, topics, roles, ...) are kept and copied into the
stage's `config`, and their texts are checked like the rest.
"""

import tomllib
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from cowork.settings import LANGUAGES

FORMATS_DIR = Path(__file__).parent
QUESTIONNAIRES_DIR = FORMATS_DIR / "questionnaires"
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
# Points on a likert scale.
SCALE_POINTS = 5
# Extra stage keys that must be a whole number of at least 1.
_COUNT_KEYS = ("minutes_per_presentation", "limit", "tables", "work_days")


class FormatError(ValueError):
    """A format file that cannot be used; the message names the file, the place and the field."""


def _all_languages(value: dict[str, str]) -> dict[str, str]:
    missing = [lang for lang in LANGUAGES if not value.get(lang, "").strip()]
    if missing:
        raise ValueError(f"needs a text in {', '.join(missing)}")
    return value


def _all_languages_or_none(value: dict[str, str]) -> dict[str, str]:
    return _all_languages(value) if value else value


# A human-readable text in every language: {en = "...", de = "...", es = "..."}.
Text = Annotated[dict[str, str], AfterValidator(_all_languages)]
OptionalText = Annotated[dict[str, str], AfterValidator(_all_languages_or_none)]
Key = Annotated[str, Field(pattern=r"^[a-z0-9_-]{1,64}$")]


class Category(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: Key
    label: Text
    # What belongs there, in a few words (shown under the category on phones; it also guides suggestions).
    description: OptionalText = {}


class StageSpec(BaseModel):
    model_config = ConfigDict(extra="allow")
    kind: StageKind
    title: Text
    minutes: int | None = Field(default=None, ge=1, le=600)
    categories: list[Category] = []

    def config(self) -> dict[str, Any]:
        """What a workshop copies besides kind, title and minutes."""
        data = self.model_dump(exclude={"kind", "title", "minutes"})
        for category in data["categories"]:
            if not category["description"]:
                del category["description"]
        return data


class FormatSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9-]{1,64}$")
    title: Text
    description: OptionalText = {}
    max_participants: int | None = Field(default=None, ge=1)
    stages: list[StageSpec] = Field(min_length=1)

    def localized_title(self, lang: str) -> str:
        return self.title.get(lang) or self.title["en"]


# --- evaluation questionnaires ---------------------------------------------------------------------------

Scale = Annotated[list[Text], Field(min_length=SCALE_POINTS, max_length=SCALE_POINTS)]


class QuestionItem(BaseModel):
    """One question: a likert item (5 labelled points, worst first) or an open text answer."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9_-]{1,32}$")
    type: Literal["likert", "text"]
    text: Text
    # A likert item names one of the questionnaire's scales (copied into labels on load) or gives its labels.
    scale: str | None = None
    labels: Scale | None = None

    @model_validator(mode="after")
    def _scale_or_labels(self) -> "QuestionItem":
        if self.type == "text" and (self.scale is not None or self.labels is not None):
            raise ValueError("an open text question has no scale or labels")
        return self

    def localized_text(self, lang: str) -> str:
        return self.text.get(lang) or self.text["en"]


class QuestionnaireSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9-]{1,64}$")
    title: Text
    description: OptionalText = {}
    # Named 5-point scales shared by several items: {agreement = [{en=..., de=..., es=...}, ... 5 labels]}.
    scales: dict[Key, Scale] = {}
    items: list[QuestionItem] = Field(min_length=1)

    @model_validator(mode="after")
    def _resolve_scales(self) -> "QuestionnaireSpec":
        """Copy each named scale into its items, so every likert item carries its own 5 labels."""
        for item in self.items:
            if item.type == "likert" and item.labels is None and item.scale in self.scales:
                item.labels = [dict(label) for label in self.scales[item.scale]]
        return self

    def localized_title(self, lang: str) -> str:
        return self.title.get(lang) or self.title["en"]


# --- loading -----------------------------------------------------------------------------------------------

Loc = tuple[Any, ...]


def _place(loc: Loc | list[Any], *, brackets: bool = False) -> str:
    """Where a problem is: `stages.2.minutes` for a built-in file, `stages[2].minutes` for an import."""
    if not brackets:
        return ".".join(str(p) for p in loc) or "(top)"
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out or "(top)"


Spec = TypeVar("Spec", FormatSpec, QuestionnaireSpec)


def _validate(raw: dict[str, Any], model: type[Spec]) -> tuple[Spec | None, list[tuple[Loc, str]]]:
    try:
        return model.model_validate(raw), []
    except ValidationError as exc:
        return None, [(tuple(err["loc"]), err["msg"].removeprefix("Value error, ")) for err in exc.errors()]


def _read(path: Path, model: type[Spec]) -> Spec:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise FormatError(f"{path.name}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise FormatError(f"{path.name}: cannot be read: {exc.strerror or exc}") from None
    spec, problems = _validate(raw, model)
    _fail(path, problems)
    assert spec is not None
    if spec.id != path.stem:
        raise FormatError(f"{path.name}: at id: must match the file name ({path.stem!r}), not {spec.id!r}")
    return spec


def _fail(path: Path, problems: list[tuple[Loc, str]]) -> None:
    if problems:
        raise FormatError(f"{path.name}: {'; '.join(f'at {_place(loc)}: {msg}' for loc, msg in problems)}")


def _text_problems(value: Any, place: Loc) -> Iterator[tuple[Loc, str]]:
    """Every table that holds a text in some language must hold one in all of them."""
    if isinstance(value, dict):
        if any(lang in value for lang in LANGUAGES):
            try:
                _all_languages({k: v if isinstance(v, str) else "" for k, v in value.items()})
            except ValueError as exc:
                yield place, str(exc)
            return
        for key, item in value.items():
            yield from _text_problems(item, (*place, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _text_problems(item, (*place, i))


def _key_problems(value: Any, place: Loc) -> Iterator[tuple[Loc, str]]:
    """A list of keyed entries (categories, phases, topics, ...) names each key once."""
    if isinstance(value, list):
        seen: set[Any] = set()
        for i, item in enumerate(value):
            if isinstance(item, dict) and "key" in item:
                if item["key"] in seen:
                    yield (*place, i, "key"), f"{item['key']!r} is used twice"
                seen.add(item["key"])
            yield from _key_problems(item, (*place, i))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _key_problems(item, (*place, key))


def _format_problems(spec: FormatSpec) -> list[tuple[Loc, str]]:
    """What the schema alone cannot see: stage keys, texts and counts among a stage's extra keys."""
    problems: list[tuple[Loc, str]] = []
    stage_keys: set[Any] = set()
    for i, stage in enumerate(spec.stages):
        place: Loc = ("stages", i)
        extra = stage.model_extra or {}
        # A stage may name itself (key) so that a later stage can build on its cards (builds_on).
        if "builds_on" in extra and extra["builds_on"] not in stage_keys:
            problems.append(((*place, "builds_on"), f"no earlier stage has the key {extra['builds_on']!r}"))
        if "key" in extra:
            if extra["key"] in stage_keys:
                problems.append(((*place, "key"), f"{extra['key']!r} is used twice"))
            stage_keys.add(extra["key"])
        problems.extend(_text_problems(extra, place))
        problems.extend(_key_problems(stage.config(), place))
        for key in _COUNT_KEYS:
            if key in extra and (
                isinstance(extra[key], bool) or not isinstance(extra[key], int) or extra[key] < 1
            ):
                problems.append(((*place, key), "must be a whole number of at least 1"))
        if "questionnaire" in extra:
            name = extra["questionnaire"]
            if stage.kind != "evaluation":
                problems.append(((*place, "questionnaire"), "only an evaluation stage has a questionnaire"))
            elif not isinstance(name, str) or get_questionnaire(name) is None:
                known = ", ".join(all_questionnaires()) or "none"
                problems.append(
                    ((*place, "questionnaire"), f"there is no questionnaire {name!r} (known: {known})")
                )
    return problems


def load_format(path: Path) -> FormatSpec:
    spec = _read(path, FormatSpec)
    _fail(path, _format_problems(spec))
    return spec


def check_format(raw: Any) -> FormatSpec:
    """A format given as data (an import, a design saved from a workshop), checked as a file would be;
    the message names each problem's place as `stages[2].minutes: ...`."""
    if not isinstance(raw, dict):
        raise FormatError("(top): a format is a table of keys")
    spec, problems = _validate(raw, FormatSpec)
    if spec is not None:
        problems = _format_problems(spec)
    if problems:
        raise FormatError("; ".join(f"{_place(loc, brackets=True)}: {msg}" for loc, msg in problems))
    assert spec is not None
    return spec


def read_toml(text: str) -> dict[str, Any]:
    """TOML text as data, not yet checked as a format; a syntax error names its line."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FormatError(f"not valid TOML: {_where_first(str(exc))}") from None


def parse_format(text: str) -> FormatSpec:
    """A format from TOML text; a syntax error names its line, a wrong value its field path."""
    return check_format(read_toml(text))


def _where_first(message: str) -> str:
    """tomllib says "Expected ... (at line 3, column 7)"; people look for the line first."""
    head, sep, where = message.rpartition(" (at ")
    return f"{where.rstrip(')')}: {head}" if sep else message


def format_data(spec: FormatSpec) -> dict[str, Any]:
    """A format as plain data in the built-in files' shape: what is stored, exported and compared."""
    data: dict[str, Any] = {"id": spec.id, "title": dict(spec.title)}
    if spec.description:
        data["description"] = dict(spec.description)
    if spec.max_participants is not None:
        data["max_participants"] = spec.max_participants
    data["stages"] = [
        {
            "kind": stage.kind,
            **({"minutes": stage.minutes} if stage.minutes is not None else {}),
            "title": dict(stage.title),
            **{k: v for k, v in stage.config().items() if not (k == "categories" and not v)},
        }
        for stage in spec.stages
    ]
    return data


def load_questionnaire(path: Path) -> QuestionnaireSpec:
    spec = _read(path, QuestionnaireSpec)
    problems: list[tuple[Loc, str]] = []
    seen: set[str] = set()
    for i, item in enumerate(spec.items):
        place: Loc = ("items", i)
        if item.id in seen:
            problems.append(((*place, "id"), f"{item.id!r} is used twice"))
        seen.add(item.id)
        if item.type == "likert" and item.scale is not None and item.scale not in spec.scales:
            known = ", ".join(spec.scales) or "none"
            problems.append(((*place, "scale"), f"there is no scale {item.scale!r} (known: {known})"))
        elif item.scale is not None and item.labels != spec.scales[item.scale]:
            problems.append(
                ((*place, "labels"), f"differ from the scale {item.scale!r}; give one or the other")
            )
        elif item.type == "likert" and item.labels is None:
            problems.append((place, f"a likert item needs a scale or {SCALE_POINTS} labels"))
    _fail(path, problems)
    return spec


@cache
def all_questionnaires(directory: Path = QUESTIONNAIRES_DIR) -> dict[str, QuestionnaireSpec]:
    return {path.stem: load_questionnaire(path) for path in sorted(directory.glob("*.toml"))}


def get_questionnaire(questionnaire_id: str) -> QuestionnaireSpec | None:
    return all_questionnaires().get(questionnaire_id)


@cache
def all_formats(directory: Path = FORMATS_DIR) -> dict[str, FormatSpec]:
    return {path.stem: load_format(path) for path in sorted(directory.glob("*.toml"))}


def get_format(format_id: str) -> FormatSpec | None:
    return all_formats().get(format_id)
