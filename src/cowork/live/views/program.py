"""Timers, breakout tables, presentations and evaluation answers on screens (issue 6).

Pushed HTML is rendered with the same partials the pages use (templates/program/). Large things (the
presenting table's board, the evaluation bars) are refetched by the few screens that show them (`reload`
of an element only the projector and the console have), so phones get small pushes.
"""

from typing import Any

from jinja2 import Environment

from cowork.domain.models import Event, utcnow
from cowork.domain.program.agenda import timer_on_screen
from cowork.formats import get_questionnaire
from cowork.live.views.registry import EventView, register

Data = dict[str, Any]
Swaps = list[dict[str, Any]]


# --- timers -------------------------------------------------------------------------------------------


def timer_swaps(env: Environment, event: Event, data: Data, staff: bool) -> Swaps:
    # The render time is the server's "now" that the screen sets its clock offset by.
    timer = timer_on_screen(data, utcnow())
    html = env.get_template("program/_timer.html").render(timer=timer, staff=staff)
    return [{"op": "replace", "target": "#timer", "html": html}]


register(
    "timer.started",
    "timer.paused",
    "timer.resumed",
    "timer.extended",
    "timer.reset",
    view=EventView(swaps=timer_swaps),
)


# --- breakout tables ----------------------------------------------------------------------------------


def public_tables(event: Event) -> Data:
    """Who sits where reaches screens by their own reload; the push says only that tables were made."""
    data = event.data
    return {
        "stage_id": data.get("stage_id"),
        "method": data.get("method"),
        "count": len(data.get("tables", [])),
    }


register(
    "tables.created",
    view=EventView(
        public=public_tables, swaps=lambda env, event, data, staff: [{"op": "reload", "target": "#stage"}]
    ),
)


def joined_swaps(env: Environment, event: Event, data: Data, staff: bool) -> Swaps:
    member = data["member"]
    html = env.get_template("program/_member.html").render(member=member, table_id=data["table_id"])
    return [
        {"op": "remove", "target": f"#seat-{member['participant_id']}"},
        {"op": "append", "target": f"#table-members-{data['table_id']}", "html": html},
    ]


register("table.joined", view=EventView(swaps=joined_swaps))


def role_swaps(env: Environment, event: Event, data: Data, staff: bool) -> Swaps:
    template = env.get_template("program/_role.html")
    return [
        {"op": "replace", "target": f"#role-{c['participant_id']}", "html": template.render(member=c)}
        for c in data.get("changes", [])
    ]


register("table.role_changed", "tables.roles_rotated", view=EventView(swaps=role_swaps))


# --- presentations ------------------------------------------------------------------------------------


def presentation_swaps(env: Environment, event: Event, data: Data, staff: bool) -> Swaps:
    # The projector and the console refetch the presenting table's board; phones get one line.
    now_html = env.get_template("program/_presenting_now.html").render(
        presenting=data if event.type == "presentation.started" else None, finished=data.get("last", False)
    )
    return [
        {"op": "reload", "target": "#presentations"},
        {"op": "replace", "target": "#presenting-now", "html": now_html},
    ]


register("presentation.started", "presentation.finished", view=EventView(swaps=presentation_swaps))
register(
    "presentations.queued",
    view=EventView(swaps=lambda env, event, data, staff: [{"op": "reload", "target": "#presentations"}]),
)


# --- evaluation ---------------------------------------------------------------------------------------


def public_answer(event: Event) -> Data:
    """Public screens learn the numbers, never who answered what nor the text of an answer."""
    data = event.data
    return {k: data[k] for k in ("stage_id", "questionnaire", "responses", "results") if k in data}


def answer_swaps(env: Environment, event: Event, data: Data, staff: bool) -> Swaps:
    stage_id = data["stage_id"]
    swaps: Swaps = [{"op": "reload", "target": f"#eval-results-{stage_id}"}]
    spec = get_questionnaire(str(data.get("questionnaire")))
    answers = data.get("answers") or {}
    if staff:
        # The console's lists of open answers: this participant's answer replaces their earlier one. A
        # stage's own questions are not in a file: its open answers are the ones given as text.
        if spec is not None:
            open_ids = [item.id for item in spec.items if item.type == "text"]
        else:
            open_ids = [key for key, value in answers.items() if isinstance(value, str)]
        template = env.get_template("program/_text_answer.html")
        who = data.get("participant_id")
        for item_id in open_ids:
            swaps.append({"op": "remove", "target": f"#eval-text-{stage_id}-{item_id}-{who}"})
            if isinstance(answers.get(item_id), str):
                entry = {"participant_id": who, "text": answers[item_id]}
                html = template.render(answer=entry, stage_id=stage_id, item_id=item_id)
                swaps.append({"op": "append", "target": f"#eval-texts-{stage_id}-{item_id}", "html": html})
    return swaps


register("evaluation.answered", view=EventView(public=public_answer, swaps=answer_swaps))


# --- the agenda's design ------------------------------------------------------------------------------


def public_stage_change(event: Event) -> Data:
    """Public screens learn what the agenda shows; a stage's settings stay with the staff."""
    return {k: v for k, v in event.data.items() if k != "config"}


# Every screen shows the agenda (the console's stage list, the projector's agenda, the phone's "stage n
# of m") and the planned time inside its stage region: each refetches it in its own role and language.
register(
    "stage.added",
    "stage.edited",
    "stage.moved",
    "stage.removed",
    "stage.archived",
    view=EventView(
        public=public_stage_change,
        swaps=lambda env, event, data, staff: [
            {"op": "reload", "target": "#stage"},
            {"op": "reload", "target": "#agenda-rows"},  # the console's agenda designer
            {"op": "reload", "target": "#agenda-rail"},  # the console's rail
        ],
    ),
)
