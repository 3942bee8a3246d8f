"""The shipped workshop formats and evaluation questionnaires, and what a broken file says."""

import json
from pathlib import Path

import pytest

from cowork.formats import (
    FORMATS_DIR,
    QUESTIONNAIRES_DIR,
    FormatError,
    all_formats,
    all_questionnaires,
    format_data,
    get_format,
    get_questionnaire,
    load_format,
    load_questionnaire,
    parse_format,
)
from cowork.formats.writer import dump_format
from cowork.settings import LANGUAGES

TRI = '{ en = "x", de = "x", es = "x" }'


def _kinds(format_id: str) -> list[str]:
    spec = get_format(format_id)
    assert spec is not None, f"format {format_id} is missing"
    return [stage.kind for stage in spec.stages]


def _texts(value: object) -> list[dict[str, str]]:
    """Every text table inside a value (a dict holding a text in some language)."""
    if isinstance(value, dict):
        if any(lang in value for lang in LANGUAGES):
            return [value]
        return [t for item in value.values() for t in _texts(item)]
    if isinstance(value, list):
        return [t for item in value for t in _texts(item)]
    return []


def _keys(entries: list[dict[str, object]]) -> list[object]:
    return [entry["key"] for entry in entries]


# --- every shipped format ------------------------------------------------------------------------------


def test_every_shipped_format_loads_with_timed_stages_and_texts_in_every_language() -> None:
    formats = all_formats()
    assert set(formats) == {p.stem for p in FORMATS_DIR.glob("*.toml")}
    for spec in formats.values():
        assert all(spec.title[lang].strip() for lang in LANGUAGES), spec.id
        assert all(spec.description.get(lang, "").strip() for lang in LANGUAGES), spec.id
        for stage in spec.stages:
            assert stage.kind and stage.minutes, f"{spec.id}: {stage.title['en']}"
            assert all(stage.title[lang].strip() for lang in LANGUAGES)
            json.dumps(stage.config())  # a workshop stores it in a JSON column
            for text in _texts(stage.config()):
                assert all(text.get(lang, "").strip() for lang in LANGUAGES), f"{spec.id}: {text}"


def test_the_four_seed_formats_are_shipped_with_their_stage_kinds() -> None:
    assert _kinds("co-working-lab") == [
        "information",
        "information",
        "needs",
        "stakeholders",
        "action_plan",
        "group_work",
        "presentations",
        "information",
        "evaluation",
    ]
    assert {"stakeholders", "action_plan"} <= set(_kinds("regional-workshop"))
    assert {"board", "presentations", "action_plan"} <= set(_kinds("innovation-lab"))
    assert {"group_work", "presentations", "evaluation"} <= set(_kinds("working-groups-seminar"))


# --- co-working lab (seed 000) ---------------------------------------------------------------------------


def test_the_co_working_lab_keeps_the_seeds_timed_agenda() -> None:
    spec = get_format("co-working-lab")
    assert spec is not None
    minutes = [stage.minutes for stage in spec.stages]
    assert minutes[:2] == [10, 10]
    assert sum(m or 0 for m in minutes[2:5]) == 40  # the seed's 40-minute workshop: the three round tables


def test_the_co_working_lab_needs_board_has_the_five_gap_areas_of_the_seed() -> None:
    spec = get_format("co-working-lab")
    assert spec is not None
    needs = next(stage for stage in spec.stages if stage.kind == "needs")
    assert [c.key for c in needs.categories] == [
        "housing",
        "education",
        "family_support",
        "legal_psychological",
        "job_matching",
    ]
    config = needs.config()
    assert _keys(config["phases"]) == ["p1", "p2", "p3"]
    assert _keys(config["card_kinds"]) == ["now", "missing"]
    assert "Profiling" in config["phases"][0]["label"]["en"]


def test_the_co_working_lab_tables_work_on_a_project_idea_and_present_it_in_five_minutes() -> None:
    spec = get_format("co-working-lab")
    assert spec is not None
    group = next(stage for stage in spec.stages if stage.kind == "group_work").config()
    assert _keys(group["categories"]) == [
        "project_idea",
        "tasks",
        "data_collection",
        "stakeholders",
        "sustainability",
    ]
    data_collection = group["categories"][2]["label"]["en"].lower()
    for method in ("desk research", "interviews", "focus group", "survey"):
        assert method in data_collection
    assert len(group["topics"]) == 3
    assert _keys(group["roles"]) == ["note_taker", "presenter"]
    presentations = next(stage for stage in spec.stages if stage.kind == "presentations")
    assert presentations.config()["minutes_per_presentation"] == 5
    evaluation = next(stage for stage in spec.stages if stage.kind == "evaluation")
    assert evaluation.config()["questionnaire"] == "general"  # the ERSISI workshop's Q5/Q6 name its sessions


# --- regional workshop (seed 002), innovation lab (seed 003), working groups (seed 004) -----------------


def test_the_regional_workshop_is_for_at_most_25_people_and_decides_by_vote() -> None:
    spec = get_format("regional-workshop")
    assert spec is not None
    assert spec.max_participants == 25
    configs = [(stage.kind, stage.config()) for stage in spec.stages]
    assert any(kind == "stakeholders" and c.get("view") == "matrix" for kind, c in configs)
    assert any(kind == "action_plan" and c.get("decision") == "vote" for kind, c in configs)
    assert any(kind == "action_plan" and c.get("view") == "commitments" for kind, c in configs)


def test_the_innovation_lab_picks_a_co_production_focus_and_three_impacts() -> None:
    spec = get_format("innovation-lab")
    assert spec is not None
    focus = spec.stages[1]
    assert [c.key for c in focus.categories] == ["co_design", "co_assess", "co_commission", "co_deliver"]
    assert any(stage.config().get("limit") == 3 for stage in spec.stages)
    assert "100 work-days" in spec.description["en"]


def test_the_working_groups_seminar_has_one_group_per_challenge_axis() -> None:
    spec = get_format("working-groups-seminar")
    assert spec is not None
    groups = next(stage for stage in spec.stages if stage.kind == "group_work")
    assert [c.key for c in groups.categories] == ["coordination", "case_handling", "local_cooperation"]
    evaluation = next(stage for stage in spec.stages if stage.kind == "evaluation")
    assert get_questionnaire(evaluation.config()["questionnaire"]) is not None


# --- questionnaires (seed 004, annexes I and II) --------------------------------------------------------


def test_both_questionnaires_of_the_seminar_and_the_workshop_load() -> None:
    questionnaires = all_questionnaires()
    assert set(questionnaires) == {"general", "seminar", "workshop"}
    assert {p.stem for p in QUESTIONNAIRES_DIR.glob("*.toml")} == set(questionnaires)
    assert len([i for i in questionnaires["seminar"].items if i.type == "likert"]) == 11
    assert len([i for i in questionnaires["workshop"].items if i.type == "likert"]) == 8


def test_every_likert_item_has_five_labels_in_every_language() -> None:
    for questionnaire in all_questionnaires().values():
        for item in questionnaire.items:
            assert all(item.text[lang].strip() for lang in LANGUAGES)
            if item.type == "likert":
                assert item.labels is not None and len(item.labels) == 5, item.id
                for label in item.labels:
                    assert all(label[lang].strip() for lang in LANGUAGES), item.id


def test_the_agreement_scale_keeps_the_seeds_spanish_wording() -> None:
    q2 = next(i for i in all_questionnaires()["workshop"].items if i.id == "q2")
    assert q2.labels is not None
    assert [label["es"] for label in q2.labels] == [
        "No estoy de acuerdo",
        "Estoy poco de acuerdo",
        "Normal",
        "Estoy bastante de acuerdo",
        "Estoy muy de acuerdo",
    ]
    assert q2.labels[0]["en"] == "Do not agree"


def test_each_questionnaire_asks_for_the_most_positive_aspects_and_what_to_improve() -> None:
    for questionnaire in all_questionnaires().values():
        open_questions = {i.id: i for i in questionnaire.items if i.type == "text"}
        assert set(open_questions) == {"positive", "to_improve"}, questionnaire.id
        assert "positive" in open_questions["positive"].text["en"]
        assert "improve" in open_questions["to_improve"].text["en"]


# --- broken files say where and what --------------------------------------------------------------------


def _write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def _format(stages: str, format_id: str = "broken") -> str:
    return f'id = "{format_id}"\ntitle = {TRI}\n{stages}'


def test_a_stage_of_an_unknown_kind_is_named_with_its_place(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "broken.toml",
        _format(
            f'[[stages]]\nkind = "board"\nminutes = 5\ntitle = {TRI}\n'
            f'[[stages]]\nkind = "brainstorm"\nminutes = 5\ntitle = {TRI}\n'
        ),
    )
    with pytest.raises(FormatError) as caught:
        load_format(path)
    message = str(caught.value)
    assert message.startswith("broken.toml:")
    assert "stages.1.kind" in message
    assert "'information'" in message  # says which kinds there are


def test_a_title_without_spanish_is_refused(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "broken.toml",
        _format('[[stages]]\nkind = "board"\nminutes = 5\ntitle = { en = "Board", de = "Pinnwand" }\n'),
    )
    with pytest.raises(FormatError, match=r"broken\.toml: at stages\.0\.title: .*needs a text in es"):
        load_format(path)


def test_an_extra_stage_text_missing_a_language_is_refused(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "broken.toml",
        _format(
            f'[[stages]]\nkind = "needs"\nminutes = 5\ntitle = {TRI}\n'
            f'[[stages.phases]]\nkey = "p1"\nlabel = {{ en = "Profiling", es = "Perfilado" }}\n'
        ),
    )
    with pytest.raises(
        FormatError, match=r"broken\.toml: at stages\.0\.phases\.0\.label: needs a text in de"
    ):
        load_format(path)


def test_a_category_key_used_twice_is_refused(tmp_path: Path) -> None:
    category = f'[[stages.categories]]\nkey = "housing"\nlabel = {TRI}\n'
    path = _write(
        tmp_path,
        "broken.toml",
        _format(f'[[stages]]\nkind = "needs"\nminutes = 5\ntitle = {TRI}\n' + category + category),
    )
    with pytest.raises(FormatError, match=r"at stages\.0\.categories\.1\.key: 'housing' is used twice"):
        load_format(path)


def test_invalid_toml_and_a_wrong_id_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match=r"broken\.toml: not valid TOML"):
        load_format(_write(tmp_path, "broken.toml", "id = \n"))
    other = _write(tmp_path, "other.toml", _format(f'[[stages]]\nkind = "board"\ntitle = {TRI}\n'))
    with pytest.raises(FormatError, match=r"other\.toml: at id: must match the file name"):
        load_format(other)


def test_an_evaluation_with_an_unknown_questionnaire_is_refused(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "broken.toml",
        _format(
            f'[[stages]]\nkind = "evaluation"\nminutes = 10\nquestionnaire = "feedback"\ntitle = {TRI}\n'
        ),
    )
    with pytest.raises(FormatError) as caught:
        load_format(path)
    message = str(caught.value)
    assert "broken.toml" in message and "stages.0.questionnaire" in message
    assert "'feedback'" in message and "seminar, workshop" in message


def test_a_stage_can_only_build_on_an_earlier_stage(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "broken.toml",
        _format(
            f'[[stages]]\nkind = "board"\nbuilds_on = "impacts"\ntitle = {TRI}\n'
            f'[[stages]]\nkind = "board"\nkey = "impacts"\nlimit = 3\ntitle = {TRI}\n'
        ),
    )
    with pytest.raises(FormatError, match=r"at stages\.0\.builds_on: no earlier stage has the key 'impacts'"):
        load_format(path)


def test_a_presentation_time_must_be_a_positive_number(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "broken.toml",
        _format(f'[[stages]]\nkind = "presentations"\nminutes_per_presentation = "five"\ntitle = {TRI}\n'),
    )
    with pytest.raises(FormatError, match=r"at stages\.0\.minutes_per_presentation: must be a whole number"):
        load_format(path)


def _questionnaire(items: str, scales: str = "") -> str:
    return f'id = "broken"\ntitle = {TRI}\n{scales}{items}'


def test_a_likert_item_with_four_labels_is_refused(tmp_path: Path) -> None:
    labels = ", ".join([TRI] * 4)
    path = _write(
        tmp_path,
        "broken.toml",
        _questionnaire(f'[[items]]\nid = "q1"\ntype = "likert"\ntext = {TRI}\nlabels = [{labels}]\n'),
    )
    with pytest.raises(FormatError, match=r"broken\.toml: at items\.0\.labels: .*at least 5"):
        load_questionnaire(path)


def test_a_likert_item_naming_an_unknown_scale_is_refused(tmp_path: Path) -> None:
    scales = f"[scales]\nagreement = [{', '.join([TRI] * 5)}]\n"
    path = _write(
        tmp_path,
        "broken.toml",
        _questionnaire(
            f'[[items]]\nid = "q1"\ntype = "likert"\nscale = "agreement"\ntext = {TRI}\n'
            f'[[items]]\nid = "q2"\ntype = "likert"\nscale = "amount"\ntext = {TRI}\n',
            scales=scales,
        ),
    )
    with pytest.raises(
        FormatError, match=r"at items\.1\.scale: there is no scale 'amount' \(known: agreement\)"
    ):
        load_questionnaire(path)


def test_a_scale_label_without_german_is_refused(tmp_path: Path) -> None:
    half = '{ en = "Agree", es = "Normal" }'
    scales = f"[scales]\nagreement = [{', '.join([TRI] * 4 + [half])}]\n"
    path = _write(
        tmp_path,
        "broken.toml",
        _questionnaire(
            f'[[items]]\nid = "q1"\ntype = "likert"\nscale = "agreement"\ntext = {TRI}\n', scales=scales
        ),
    )
    with pytest.raises(FormatError, match=r"at scales\.agreement\.4: .*needs a text in de"):
        load_questionnaire(path)


def test_an_open_question_with_a_scale_is_refused(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "broken.toml",
        _questionnaire(f'[[items]]\nid = "positive"\ntype = "text"\nscale = "agreement"\ntext = {TRI}\n'),
    )
    with pytest.raises(FormatError, match=r"at items\.0: .*open text question has no scale"):
        load_questionnaire(path)


# --- the canonical writer ------------------------------------------------------------------------------


@pytest.mark.parametrize("format_id", sorted(all_formats()))
def test_every_built_in_format_is_written_as_toml_that_reads_back_as_the_same_format(format_id: str) -> None:
    spec = all_formats()[format_id]
    text = dump_format(format_data(spec))
    again = parse_format(text)
    assert format_data(again) == format_data(spec)
    assert dump_format(format_data(again)) == text
    # The built-in files' layout: a table per stage, a table per entry of a stage's list.
    assert text.count("\n[[stages]]\n") == len(spec.stages)
    assert text.startswith(f'id = "{format_id}"\ntitle')


def test_texts_with_quotes_backslashes_and_new_lines_survive_and_the_order_is_fixed() -> None:
    tricky = 'Say "hi" \\ then\nnext line\ttab'
    data = {
        "stages": [
            {
                "title": {"es": "t", "en": "t", "de": "t"},
                "zeta": True,
                "kind": "information",
                "description": {"de": tricky, "en": tricky, "es": tricky},
                "my key": 1.5,
            }
        ],
        "title": {"de": "F", "es": "F", "en": "F"},
        "id": "tricky",
    }
    text = dump_format(data)
    assert text.splitlines()[:6] == [
        'id = "tricky"',
        'title = { en = "F", de = "F", es = "F" }',
        "",
        "[[stages]]",
        'kind = "information"',
        'title = { en = "t", de = "t", es = "t" }',
    ]
    assert '"my key" = 1.5' in text and "zeta = true" in text
    assert 'description.en = "Say \\"hi\\" \\\\ then\\nnext line\\ttab"' in text  # long: a line per language
    spec = parse_format(text)
    assert spec.stages[0].model_extra["description"]["de"] == tricky  # type: ignore[index]
    shuffled = {"id": "tricky", "title": data["title"], "stages": [dict(reversed(data["stages"][0].items()))]}
    assert dump_format(shuffled) == text


def test_a_format_given_as_text_names_the_line_or_the_field_path() -> None:
    with pytest.raises(FormatError, match=r"^not valid TOML: line 2, column \d+: "):
        parse_format('id = "x"\ntitle = {\n')
    with pytest.raises(FormatError) as caught:
        parse_format(
            f'id = "x"\ntitle = {TRI}\n[[stages]]\nkind = "board"\ntitle = {TRI}\n[[stages]]\nkind = "nope"\n'
        )
    assert str(caught.value).startswith("stages[1].kind: Input should be ")
    assert "stages[1].title: Field required" in str(caught.value)
