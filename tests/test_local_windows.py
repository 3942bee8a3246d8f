"""The budgets counted in one process (web/throttle.py LocalWindows): a moving window per key."""

from limits import parse

from cowork.web.throttle import LocalWindows


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_window_refuses_past_its_budget_and_takes_again_as_old_hits_leave_it() -> None:
    clock, budget = Clock(), parse("3/minute")
    windows = LocalWindows(clock)
    assert [await windows.hit(budget, "join", "ABC") for _ in range(4)] == [True, True, True, False]
    assert await windows.hit(budget, "join", "XYZ")  # another key has its own window
    assert not await windows.test(budget, "join", "ABC")
    clock.now += 59
    assert not await windows.hit(budget, "join", "ABC")
    clock.now += 1.5  # the first three hits are a minute old
    assert await windows.test(budget, "join", "ABC")
    assert await windows.test(budget, "join", "ABC")  # a test takes nothing
    assert [await windows.hit(budget, "join", "ABC") for _ in range(4)] == [True, True, True, False]


async def test_keys_nobody_asked_for_within_their_window_are_swept() -> None:
    clock, budget = Clock(), parse("60/minute")
    windows = LocalWindows(clock)
    for phone in range(1000):
        await windows.hit(budget, "socket-connects", f"p{phone}")
    clock.now += 30
    await windows.hit(budget, "socket-connects", "late")
    assert len(windows._windows) == 1001
    clock.now += 40  # the first thousand are 70 s old, "late" 40 s
    await windows.hit(budget, "socket-connects", "later")
    assert set(windows._windows) == {budget.key_for("socket-connects", k) for k in ("late", "later")}
