"""The live pushes a worker keeps for catch-up: served only while whole and fresh, and let go when stale."""

import time

from cowork.live.recent import Recent


def body(seq: int) -> dict:
    return {"seq": seq, "type": "card.added", "swaps": []}


def test_a_phone_a_little_behind_gets_the_pushes_it_missed_in_order() -> None:
    recent = Recent()
    for seq in (1, 2, 3):
        recent.published(7, seq)
        recent.pushed(7, "public-en", body(seq))
    assert [b["seq"] for b in recent.since(7, "public-en", 1) or []] == [2, 3]
    assert recent.since(7, "public-de", 1) is None  # a room it never pushed to: the record answers


def test_a_hole_or_erased_words_send_the_phone_to_the_record() -> None:
    recent = Recent()
    recent.published(7, 1)
    recent.pushed(7, "public-en", body(1))
    recent.published(7, 2)  # published while the room was empty: not kept
    recent.published(7, 3)
    recent.pushed(7, "public-en", body(3))
    assert recent.since(7, "public-en", 0) is None
    recent.forget(7)
    assert recent.since(7, "public-en", 2) is None


def test_workshops_quiet_for_longer_than_the_age_leave_memory() -> None:
    recent = Recent(max_age=0.05)
    recent.published(1, 1)
    recent.pushed(1, "public-en", body(1))
    time.sleep(0.1)
    recent.published(2, 1)
    recent.pushed(2, "public-en", body(1))
    assert len(recent) == 1
    assert recent.since(1, "public-en", 0) is None
    assert [b["seq"] for b in recent.since(2, "public-en", 0) or []] == [1]


def test_what_a_read_of_the_record_brought_back_serves_the_phones_after_it() -> None:
    recent = Recent()
    erasures = recent.erasures
    assert recent.fill(7, "public-en", [body(2), body(3)], 3, erasures)
    assert [b["seq"] for b in recent.since(7, "public-en", 1) or []] == [2, 3]
    assert recent.since(7, "public-en", 3) == []  # up to date: nothing to send, no read
    assert recent.since(7, "public-en", 0) is None  # seq 1 was not read


def test_a_read_that_began_before_an_erase_fills_nothing() -> None:
    recent = Recent()
    erasures = recent.erasures  # the read begins
    recent.forget(8)  # words erased in any workshop while it runs
    assert not recent.fill(7, "public-en", [body(1)], 1, erasures)
    assert recent.since(7, "public-en", 0) is None
