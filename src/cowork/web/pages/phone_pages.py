"""A room's phones share their stage page: loaded once for a participant with nothing of their own yet.

When the QR code appears, hundreds of phones ask for the same stage page within seconds. What it shows (the
cards, the votes, the agenda) is the same for every participant who has not done anything in the workshop
yet, so it is loaded once per workshop, stage and language (for a participant nobody is: id 0) and kept

- while the record holds nothing but joins after it: `participant.joined` moves only the present count, which
  each page counts itself. Any other event (a card, an erased card, a vote), from this worker or another,
  and the next page loads it again;
- for at most MAX_AGE seconds, for what changes with the clock alone (a board's window before the day);
- for the participants who joined after it was loaded (a higher id) only: anything of a participant's own
  (a card, a ballot, a seat) comes with an event after their join, which the first rule would have seen.
  Everyone else gets their page loaded for them alone, as before.

The timer's and the agenda's clock are worked out for each page from what was kept.

The join page (`JoinCodes`) needs only the workshop of its code: it is kept for MAX_AGE seconds too.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from cowork.domain import workshops
from cowork.domain.actors import Actor
from cowork.domain.models import Participant, Workshop, utcnow
from cowork.domain.participants import newest_participant_id
from cowork.domain.program import agenda
from cowork.domain.record import only_between
from cowork.web.pages.stages import StageRequest, stage_context

MAX_AGE = 2.0
MAX_KEPT = 256  # loads kept at once, over all workshops, stages and languages
JOINS = ("participant.joined",)
NOBODY = 0  # no participant has this id: loaders find nothing of theirs


@dataclass
class Shared:
    since: int  # the record's seq it was loaded at
    seq: int  # the record's seq up to which it is known to hold
    newest: int  # participants with a higher id joined after it was loaded: nothing of their own yet
    loaded: float
    stage: dict[str, Any]
    context: dict[str, Any]
    programme: dict[str, Any]  # agenda.programme_facts


class PhonePages:
    def __init__(self, max_age: float = MAX_AGE, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_age, self.clock = max_age, clock
        self._shared: dict[tuple[int, int, str], Shared] = {}
        self._missed: dict[tuple[int, int, str], float] = {}
        self._lock = threading.Lock()

    def context(self, session: Session, workshop: Workshop, participant: Participant) -> dict[str, Any]:
        """The stage page of `participant`: workshop, stage and the stage's context (in the page's read
        transaction, on a worker thread)."""
        assert workshop.id is not None and workshop.current_stage_id is not None
        key = (workshop.id, workshop.current_stage_id, participant.language)
        with self._lock:
            shared = self._shared.get(key)
        if shared is not None and workshop.last_seq < shared.since:
            return own_context(session, workshop, participant)  # a page older than it (PostgreSQL)
        if shared is not None:
            joins_only = self._joins_only(session, shared, workshop)
            if not joins_only:
                shared = None
            elif self.clock() - shared.loaded > self.max_age:
                # Loaded again for what moves with the clock; whoever joined after the first load still
                # has nothing of their own (nothing but joins since), so `newest` stays.
                shared = self._load(session, key, workshop, participant.language, newest=shared.newest)
        if shared is None and self._asked_again(key):
            shared = self._load(session, key, workshop, participant.language)
        if shared is not None and participant.id is not None and participant.id > shared.newest:
            present = workshops.participant_count(session, workshop_id=workshop.id)
            programme = agenda.programme_on_screen(shared.programme, utcnow(), present)
            context = {**shared.context, "programme": {**programme, "design": None}}
            return {"workshop": workshop, "stage": shared.stage, **context}
        return own_context(session, workshop, participant)

    def _joins_only(self, session: Session, shared: Shared, workshop: Workshop) -> bool:
        """Whether the record holds nothing but joins after what `shared` was loaded from."""
        if workshop.last_seq <= shared.seq:
            return True
        assert workshop.id is not None
        if not only_between(
            session, workshop_id=workshop.id, after=shared.seq, upto=workshop.last_seq, types=JOINS
        ):
            return False
        with self._lock:
            shared.seq = max(shared.seq, workshop.last_seq)
        return True

    def _asked_again(self, key: tuple[int, int, str]) -> bool:
        """Loaded for a room at the second page of a stage within MAX_AGE: a lone page is not loaded twice."""
        now = self.clock()
        with self._lock:
            self._shared.pop(key, None)
            asked = self._missed.get(key)
            self._missed[key] = now
            if len(self._missed) > 1000:  # stages no page asked for lately
                self._missed = {k: at for k, at in self._missed.items() if now - at <= self.max_age}
        return asked is not None and now - asked <= self.max_age

    def _load(
        self,
        session: Session,
        key: tuple[int, int, str],
        workshop: Workshop,
        language: str,
        newest: int | None = None,
    ) -> Shared:
        assert workshop.id is not None
        if newest is None:
            newest = newest_participant_id(session, workshop_id=workshop.id)
        nobody = Participant(id=NOBODY, workshop_id=workshop.id, language=language, token_hash="")
        loaded = own_context(session, workshop, nobody)
        context = {k: v for k, v in loaded.items() if k not in ("workshop", "stage", "programme")}
        programme = agenda.programme_facts(session, workshop=workshop)
        last = workshop.last_seq
        shared = Shared(last, last, newest, self.clock(), loaded["stage"], context, programme)
        with self._lock:
            self._shared[key] = shared
            if len(self._shared) > MAX_KEPT:  # stages whose rooms went quiet
                now = self.clock()
                self._shared = {k: v for k, v in self._shared.items() if now - v.loaded <= self.max_age}
        return shared


def own_context(session: Session, workshop: Workshop, participant: Participant) -> dict[str, Any]:
    """The stage page of one participant, loaded for them alone."""
    assert workshop.current_stage_id is not None
    stage = workshops.stage_data(workshops.get_stage(session, stage_id=workshop.current_stage_id))
    request = StageRequest(
        workshop=workshop,
        stage=stage,
        role="participant",
        actor=Actor.of_participant(participant),
        participant=participant,
    )
    return {"workshop": workshop, "stage": stage, **stage_context(session, request)}


class JoinCodes:
    """The workshop of a join code, for the join page only (its title and code, which do not change): a room's
    phones ask for it at once. Kept for MAX_AGE seconds, so a deleted workshop's join page may show that much
    longer; the join itself reads the workshop afresh and refuses."""

    def __init__(self, max_age: float = MAX_AGE, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_age, self.clock = max_age, clock
        self._kept: dict[str, tuple[float, Workshop]] = {}

    def get(self, code: str) -> Workshop | None:
        kept = self._kept.get(code)
        return kept[1] if kept is not None and self.clock() - kept[0] <= self.max_age else None

    def keep(self, workshop: Workshop) -> None:
        now = self.clock()
        if len(self._kept) >= MAX_KEPT:  # codes no phone asked for lately
            self._kept = {c: kept for c, kept in self._kept.items() if now - kept[0] <= self.max_age}
        self._kept[workshop.code] = (now, workshop)
