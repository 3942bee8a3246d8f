"""The agenda and the shared timer: arithmetic on the server's clock (moved by hand here, never slept)."""

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from cowork.commands import run_command
from cowork.db import read_session
from cowork.domain import participants, workshops
from cowork.domain.errors import Closed, Invalid, NotAllowed
from cowork.domain.program import agenda
from tests.conftest import World, make_facilitator, run


class Clock:
    """A clock the test moves: `clock.tick(90)` is a minute and a half later."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 6, 27, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def _timer(world: World, clock: Clock, action: str, seconds: int | None = None, actor=None) -> dict:  # type: ignore[no-untyped-def]
    return run(
        world.engine,
        agenda.control_timer,
        actor=actor or world.facilitator,
        workshop_id=world.workshop.id,
        action=action,
        seconds=seconds,
        clock=clock,
    )


def _left(data: dict, clock: Clock) -> float:
    return agenda.left_at(data["ends_at"], data["remaining"], clock())


def test_a_started_timer_ends_its_seconds_after_the_servers_now(world: World) -> None:
    clock = Clock()
    started = _timer(world, clock, "start", 60)
    assert started["state"] == "running"
    assert started["ends_at"] == "2026-06-27T09:01:00.000Z"
    assert started["remaining"] is None
    clock.tick(15)
    assert _left(started, clock) == 45


def test_pause_keeps_the_time_left_and_resume_counts_on_from_the_new_now(world: World) -> None:
    clock = Clock()
    _timer(world, clock, "start", 120)
    clock.tick(30)
    paused = _timer(world, clock, "pause")
    assert (paused["state"], paused["ends_at"], paused["remaining"]) == ("paused", None, 90)
    clock.tick(600)  # a long discussion while paused costs no time
    resumed = _timer(world, clock, "resume")
    assert resumed["state"] == "running"
    assert resumed["ends_at"] == agenda.iso(clock() + timedelta(seconds=90))


def test_adding_a_minute_moves_the_end_while_running_and_the_rest_while_paused(world: World) -> None:
    clock = Clock()
    _timer(world, clock, "start", 60)
    clock.tick(50)
    added = _timer(world, clock, "add")  # one minute by default
    assert _left(added, clock) == 70
    assert added["duration"] == 120
    paused = _timer(world, clock, "pause")
    more = _timer(world, clock, "add", 30)
    assert (more["state"], more["remaining"]) == ("paused", paused["remaining"] + 30)


def test_a_minute_added_after_zero_counts_from_now_not_from_the_past_end(world: World) -> None:
    clock = Clock()
    _timer(world, clock, "start", 60)
    clock.tick(90)  # 30 seconds over time
    added = _timer(world, clock, "add", 60)
    assert _left(added, clock) == 60


def test_reset_stops_the_timer_at_its_full_length(world: World) -> None:
    clock = Clock()
    _timer(world, clock, "start", 300)
    clock.tick(100)
    reset = _timer(world, clock, "reset")
    assert (reset["state"], reset["ends_at"], reset["remaining"]) == ("idle", None, 300)
    with pytest.raises(Closed, match="not running"):
        _timer(world, clock, "pause")
    with pytest.raises(Closed, match="not paused"):
        _timer(world, clock, "resume")


def test_start_without_seconds_takes_the_stages_planned_minutes(world: World) -> None:
    clock = Clock()
    started = _timer(world, clock, "start")
    assert started["duration"] == 45 * 60  # the plain format's board is planned for 45 minutes


@pytest.mark.parametrize(
    ("action", "seconds", "reason"),
    [
        ("explode", None, "Unknown timer action explode"),
        ("start", 0, "between 1 and"),
        ("start", 24 * 3600, "between 1 and"),
        ("start", 1.5, "whole number"),
        ("add", -60, "between 1 and"),
    ],
)
def test_bad_timer_commands_are_refused_and_nothing_is_recorded(
    world: World, action: str, seconds: float | None, reason: str
) -> None:
    clock = Clock()
    if action == "add":
        _timer(world, clock, "start", 60)
    before = _last_seq(world)
    with pytest.raises(Invalid, match=reason):
        _timer(world, clock, action, seconds)  # type: ignore[arg-type]
    assert _last_seq(world) == before


def test_pausing_before_any_start_says_to_start_first(world: World) -> None:
    with pytest.raises(Closed, match="start one first"):
        _timer(world, Clock(), "pause")


def test_only_the_workshops_facilitators_run_its_timer(world: World) -> None:
    participant, _ = world.join()
    with pytest.raises(NotAllowed):
        _timer(world, Clock(), "start", 60, actor=world.participant_actor(participant))
    other, _ = make_facilitator(world.engine, email="other@example.org")
    with pytest.raises(NotAllowed):
        _timer(world, Clock(), "start", 60, actor=other)


def test_every_timer_change_is_one_timer_event_in_the_record_with_the_servers_end(world: World) -> None:
    clock = Clock()
    for action in ("start", "pause", "resume", "add", "reset"):
        result, events = run_command(
            world.engine,
            agenda.control_timer,
            actor=world.facilitator,
            workshop_id=world.workshop.id,
            action=action,
            seconds=60 if action == "start" else None,
            clock=clock,
        )
        assert len(events) == 1
        assert "timer" in events[0].type
        assert events[0].data["ends_at"] == result["ends_at"]
        clock.tick(5)
    types = [e.type for e in _events(world) if "timer" in e.type]
    assert types == ["timer.started", "timer.paused", "timer.resumed", "timer.extended", "timer.reset"]


def test_a_timer_shows_only_on_the_stage_it_was_started_on(world: World) -> None:
    clock = Clock()
    _timer(world, clock, "start", 60)
    stages = _stages(world)
    run(
        world.engine,
        workshops.set_current_stage,
        actor=world.facilitator,
        workshop_id=world.workshop.id,
        stage_id=stages[1].id,
    )
    with read_session(world.engine) as session:
        workshop = workshops.get_workshop(session, workshop_id=world.workshop.id)
        assert agenda.timer_on_stage(session, workshop=workshop)["state"] == "idle"


def test_the_clock_text_rounds_up_and_shows_overtime_with_a_plus() -> None:
    assert [agenda.clock_text(s) for s in (60, 59.2, 0.4, 0, -0.4, -61, 3725)] == [
        "1:00",
        "1:00",
        "0:01",
        "0:00",
        "0:00",
        "+1:01",
        "1:02:05",
    ]


# --- the agenda ---------------------------------------------------------------------------------------


def test_the_agenda_says_where_we_are_and_when_the_stage_runs_over_its_minutes(world: World) -> None:
    stages = _stages(world)
    run(
        world.engine,
        workshops.set_current_stage,
        actor=world.facilitator,
        workshop_id=world.workshop.id,
        stage_id=stages[1].id,
    )
    with read_session(world.engine) as session:
        workshop = workshops.get_workshop(session, workshop_id=world.workshop.id)
        started = agenda.stage_started_at(session, workshop)
        on_time = agenda.describe_agenda(session, workshop=workshop, now=started + timedelta(minutes=9))
        late = agenda.describe_agenda(session, workshop=workshop, now=started + timedelta(minutes=13))
    assert (on_time["position"], on_time["count"]) == (2, 2)
    assert [s["status"] for s in on_time["stages"]] == ["done", "current"]
    assert [s["kind"] for s in on_time["stages"]] == ["board", "information"]
    assert on_time["over_time"] is False and on_time["planned_seconds"] == 600
    assert late["over_time"] is True and late["over_by_seconds"] == 180
    assert late["planned_end"] == agenda.iso(started + timedelta(minutes=10))


def test_the_first_stage_runs_from_the_workshops_creation(world: World) -> None:
    with read_session(world.engine) as session:
        workshop = workshops.get_workshop(session, workshop_id=world.workshop.id)
        assert agenda.stage_started_at(session, workshop) == workshop.created_at.replace(tzinfo=UTC)


# --- over HTTP ------------------------------------------------------------------------------------------


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_the_timer_api_answers_with_the_servers_end_and_refuses_bad_input(
    client: httpx.AsyncClient, world: World
) -> None:
    url = f"/api/v1/workshops/{world.workshop.id}/timer"
    started = await client.post(url, json={"action": "start", "seconds": 60}, headers=_auth(world.api_token))
    assert started.status_code == 200, started.text
    body = started.json()
    ends = datetime.fromisoformat(body["ends_at"].replace("Z", "+00:00"))
    now = datetime.fromisoformat(body["server_now"].replace("Z", "+00:00"))
    assert 58 <= (ends - now).total_seconds() <= 60
    paused = await client.post(url, json={"action": "pause"}, headers=_auth(world.api_token))
    assert paused.json()["state"] == "paused" and 55 <= paused.json()["remaining"] <= 60
    read = await client.get(url, headers=_auth(world.api_token))
    assert read.json()["state"] == "paused"

    for bad, status in (
        ({"action": "fly"}, 422),
        ({"action": "start", "seconds": 0}, 422),
        ({"action": "start", "seconds": "soon"}, 422),
        ({"seconds": 5}, 422),
        ({"action": "resume", "seconds": None}, 200),
        ({"action": "resume"}, 409),
    ):
        answer = await client.post(url, json=bad, headers=_auth(world.api_token))
        assert answer.status_code == status, (bad, answer.text)
        assert status == 200 or answer.json()["detail"]
    _, participant_token = world.join()
    refused = await client.post(url, json={"action": "start"}, headers=_auth(participant_token))
    assert refused.status_code == 403


async def test_the_agenda_api_gives_each_stage_its_kind_and_minutes(
    client: httpx.AsyncClient, world: World
) -> None:
    answer = await client.get(f"/api/v1/workshops/{world.workshop.id}/agenda", headers=_auth(world.api_token))
    assert answer.status_code == 200
    body = answer.json()
    assert [(s["kind"], s["minutes"]) for s in body["stages"]] == [("board", 45), ("information", 10)]
    assert body["current_stage_id"] == world.stage_id and body["over_time"] is False


async def test_the_console_starts_the_timer_with_a_plain_form_and_every_screen_shows_the_end(
    client: httpx.AsyncClient, world: World
) -> None:
    await client.post("/login", data={"email": "fac@example.org", "password": "correct horse battery"})
    sent = await client.post(f"/f/w/{world.workshop.id}/timer", data={"action": "start", "minutes": "2"})
    assert sent.status_code == 303
    console = await client.get(f"/f/w/{world.workshop.id}")
    assert 'id="timer"' in console.text and "data-ends-at=" in console.text
    assert "Ends at" in console.text and 'name="action" value="pause"' in console.text
    # The time sits right below the board, before the long votes panel, where the facilitator sees it.
    assert console.text.index('id="timer"') < console.text.index('id="polls"')
    screen = await client.get(f"/s/{world.workshop.projector_key}")
    assert "data-ends-at=" in screen.text and "data-server-now=" in screen.text
    assert "Stage 1 of 2" in screen.text
    bad = await client.post(f"/f/w/{world.workshop.id}/timer", data={"action": "start", "minutes": "0"})
    assert bad.status_code == 422 and "between 1 and" in bad.text


def _last_seq(world: World) -> int:
    with read_session(world.engine) as session:
        return workshops.get_workshop(session, workshop_id=world.workshop.id).last_seq


def _events(world: World) -> list:  # type: ignore[type-arg]
    with read_session(world.engine) as session:
        events, _ = workshops.read_record(session, actor=world.facilitator, workshop_id=world.workshop.id)
        return events


def _stages(world: World) -> list:  # type: ignore[type-arg]
    with read_session(world.engine) as session:
        return workshops.stages_of(session, workshop_id=world.workshop.id)


async def test_the_projector_and_console_warn_above_the_formats_participant_limit(
    client: httpx.AsyncClient, world: World
) -> None:
    formats = await client.get("/api/v1/formats")
    assert {f["id"]: f["max_participants"] for f in formats.json()}["regional-workshop"] == 25
    workshop = run(
        world.engine,
        workshops.create_workshop,
        actor=world.facilitator,
        title="Regional workshop",
        format_id="regional-workshop",
    )
    for i in range(25):
        run(world.engine, participants.join_workshop, code=workshop.code, name=f"P{i}")
    screen = await client.get(f"/s/{workshop.projector_key}")
    assert re.search(r'<p id="capacity-warning"[^>]*hidden', screen.text)
    run(world.engine, participants.join_workshop, code=workshop.code, name="P25")
    screen = await client.get(f"/s/{workshop.projector_key}")
    warning = re.search(r'<p id="capacity-warning"[^>]*>(.*?)</p>', screen.text, re.S)
    assert warning and "hidden" not in warning.group(0).split(">")[0]
    assert "at most 25 participants" in warning.group(1) and "26" in warning.group(1)
    await client.post("/login", data={"email": "fac@example.org", "password": "correct horse battery"})
    console = await client.get(f"/f/w/{workshop.id}")
    assert "at most 25 participants" in console.text
    plain = await client.get(f"/s/{world.workshop.projector_key}")
    assert "capacity-warning" not in plain.text  # the open board has no limit
