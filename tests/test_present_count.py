"""The number present that a join tells every screen, when two phones join at the same moment."""

import threading

from cowork.db import write_session
from cowork.domain.participants import join_workshop
from cowork.domain.record import Tx
from tests.conftest import World


def _join(world: World) -> int:
    with write_session(world.engine) as session:
        tx = Tx(session)
        join_workshop(tx, code=world.workshop.code)
        return tx.events[-1].data["present"]


def test_two_joins_at_the_same_moment_tell_two_different_counts(world: World) -> None:
    told: list[int] = []
    second = threading.Thread(target=lambda: told.append(_join(world)))
    with write_session(world.engine) as session:
        tx = Tx(session)
        join_workshop(tx, code=world.workshop.code)
        second.start()
        # The second join runs while this one is still open: it reaches the workshop's lock and waits there.
        second.join(timeout=1.0)
        told.append(tx.events[-1].data["present"])
    second.join()
    assert sorted(told) == [1, 2]
