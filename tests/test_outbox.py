"""Coalesced pushes: after a quiet spell an event goes out at once; the ones right after share a frame."""

import asyncio
from typing import Any

import pytest

from cowork.live.outbox import Outbox
from tests.conftest import PATIENCE


class Room:
    """Where the outbox sends: keeps each frame as the seqs it carried."""

    def __init__(self) -> None:
        self.frames: list[tuple[str, list[int]]] = []
        self.arrived = asyncio.Event()

    async def send(self, room: str, frame: list[dict[str, Any]]) -> None:
        self.frames.append((room, [body["seq"] for body in frame]))
        self.arrived.set()

    async def wait_for(self, count: int) -> None:
        while len(self.frames) < count:
            self.arrived.clear()
            await asyncio.wait_for(self.arrived.wait(), PATIENCE)


async def test_the_first_event_goes_at_once_and_the_next_ones_share_a_frame_in_seq_order() -> None:
    screens = Room()
    outbox = Outbox(screens.send, interval=0.2)
    await outbox.put(1, [("w1:staff", {"seq": 1})])
    assert screens.frames == [("w1:staff", [1])]

    # Two commands came back to the event loop in the other order than they committed.
    await outbox.put(1, [("w1:staff", {"seq": 3}), ("w1:public:en", {"seq": 3})])
    await outbox.put(1, [("w1:staff", {"seq": 2}), ("w1:public:en", {"seq": 2})])
    assert len(screens.frames) == 1
    await screens.wait_for(3)
    assert screens.frames[1:] == [("w1:staff", [2, 3]), ("w1:public:en", [2, 3])]


async def test_workshops_do_not_wait_for_each_other_and_no_interval_sends_each_event_alone() -> None:
    screens = Room()
    outbox = Outbox(screens.send, interval=0.5)
    await outbox.put(1, [("w1:staff", {"seq": 7})])
    await outbox.put(2, [("w2:staff", {"seq": 4})])
    assert screens.frames == [("w1:staff", [7]), ("w2:staff", [4])]

    direct = Room()
    unbatched = Outbox(direct.send, interval=0)
    for seq in (1, 2, 3):
        await unbatched.put(1, [("w1:staff", {"seq": seq})])
    assert direct.frames == [("w1:staff", [1]), ("w1:staff", [2]), ("w1:staff", [3])]


async def test_a_frame_waits_until_the_frame_before_it_has_gone_out() -> None:
    steps: list[str] = []
    first_started, first_may_finish = asyncio.Event(), asyncio.Event()

    async def send(room: str, frame: list[dict[str, Any]]) -> None:
        steps.append(f"start {room}")
        if room == "w1:staff":
            first_started.set()
            await first_may_finish.wait()  # a fan-out yielding to the loop between slices of phones
        steps.append(f"end {room}")

    outbox = Outbox(send, interval=0)
    first = asyncio.create_task(outbox.put(1, [("w1:staff", {"seq": 1})]))
    second = asyncio.create_task(outbox.put(2, [("w2:staff", {"seq": 1})]))
    await asyncio.wait_for(first_started.wait(), 5)  # by now the second has run up to its turn
    first_may_finish.set()
    await asyncio.gather(first, second)
    assert steps == ["start w1:staff", "end w1:staff", "start w2:staff", "end w2:staff"]


async def test_quiet_events_wait_longer_and_the_next_event_takes_them_along_in_seq_order() -> None:
    """Joins during a storm: each only moves the count, so they share a frame; a card does not wait."""
    screens = Room()
    outbox = Outbox(screens.send, interval=0.05, quiet_interval=30)
    await outbox.put(1, [("w1:public:en", {"seq": 1})], quiet=True)  # after a quiet spell: at once
    for seq in (2, 3, 4):
        await outbox.put(1, [("w1:public:en", {"seq": seq})], quiet=True)
    await asyncio.sleep(0.2)  # four times the interval, far less than the quiet one
    assert screens.frames == [("w1:public:en", [1])]
    await outbox.put(1, [("w1:public:en", {"seq": 5})])
    await screens.wait_for(2)
    assert screens.frames == [("w1:public:en", [1]), ("w1:public:en", [2, 3, 4, 5])]

    alone = Room()
    lone = Outbox(alone.send, interval=0.05, quiet_interval=0.1)
    await lone.put(1, [("w1:staff", {"seq": 1})], quiet=True)
    await lone.put(1, [("w1:staff", {"seq": 2})], quiet=True)
    await alone.wait_for(2)  # nothing takes it along: it goes after the quiet interval
    assert alone.frames == [("w1:staff", [1]), ("w1:staff", [2])]


class Clock:
    """A clock the test moves by hand: how the window adapts depends only on the events' times."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_the_window_widens_while_events_come_faster_than_it_and_narrows_after_a_quiet_spell() -> None:
    clock, screens = Clock(), Room()
    outbox = Outbox(screens.send, interval=0.05, clock=clock)
    await outbox.put(1, [("w1:public:en", {"seq": 1})])  # a lone card: at once, the window as set
    assert screens.frames == [("w1:public:en", [1])]
    assert outbox.window(1) == 0.05

    widths = []
    for seq in range(2, 8):  # 20 cards a second: each within the window after the one before
        clock.now += 0.04
        await outbox.put(1, [("w1:public:en", {"seq": seq})])
        widths.append(outbox.window(1))
    assert widths == pytest.approx([0.075, 0.1125, 0.15, 0.15, 0.15, 0.15])  # up to three times the interval
    assert outbox.window(2) == 0.05  # another workshop keeps its own pace

    clock.now += 0.2  # the planned frame goes out with all six
    await screens.wait_for(2)
    assert screens.frames[1] == ("w1:public:en", [2, 3, 4, 5, 6, 7])
    clock.now += 1  # after a quiet spell a card narrows the window by half, and goes out at once
    await outbox.put(1, [("w1:public:en", {"seq": 8})])
    assert screens.frames[2] == ("w1:public:en", [8])
    assert outbox.window(1) == pytest.approx(0.075)
    clock.now += 1
    await outbox.put(1, [("w1:public:en", {"seq": 9})])
    assert outbox.window(1) == pytest.approx(0.05)


async def test_a_busy_workshop_still_gets_every_event_once_and_in_seq_order() -> None:
    screens = Room()
    outbox = Outbox(screens.send, interval=0.01)
    # 40 cards, each publishing its event to two rooms, faster than the window.
    for seq in range(1, 41):
        await outbox.put(1, [("w1:staff", {"seq": seq}), ("w1:public:en", {"seq": seq})])
        await asyncio.sleep(0)
    while sum(len(seqs) for _room, seqs in screens.frames) < 80:
        await screens.wait_for(len(screens.frames) + 1)
    for name in ("w1:staff", "w1:public:en"):
        frames = [seqs for room, seqs in screens.frames if room == name]
        assert [seq for seqs in frames for seq in seqs] == list(range(1, 41))
        assert len(frames) < 40  # they shared frames
