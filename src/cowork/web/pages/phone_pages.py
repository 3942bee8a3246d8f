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

The stage's own part of the page (its kind's template: the board, the form, the stakeholders; not the
timer or the votes, which are rendered for each page) is rendered once per kept load too (`stage_body`),
for a stand-in participant: what the template writes of the participant (their id, in the ids of the
lists that only their own pushes fill) and the forms' new client ids are marked, and filled in for each
page. A page asked for with a query string (an evaluation's "answered") is rendered whole. The page around
it (`page`: the shell, title and texts) is rendered once per load as well, with the participant's name and
the record's seq marked; the timer and the votes (`participant/_extras.html`) are rendered for each page.

The join page (`JoinCodes`) needs only the workshop of its code: it is kept for MAX_AGE seconds too, with the
page rendered for a phone that has not joined (per language).
"""

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from jinja2 import Environment
from markupsafe import Markup, escape
from sqlmodel import Session
from starlette.requests import Request

from cowork import i18n
from cowork.domain import workshops
from cowork.domain.actors import Actor
from cowork.domain.models import Participant, Workshop, utcnow
from cowork.domain.participants import newest_participant_id
from cowork.domain.program import agenda
from cowork.domain.record import only_between
from cowork.rendering import templates_for
from cowork.web.pages.stages import StageRequest, stage_context

MAX_AGE = 2.0
MAX_KEPT = 256  # loads kept at once, over all workshops, stages and languages
JOINS = ("participant.joined",)
NOBODY = 0  # no participant has this id: loaders find nothing of theirs
SHARED = "shared_load"  # the context's key for the load a page came from
# Marks in the room's rendered stage body, filled in for each page; no text a person sends can hold a NUL
# (domain/text.py refuses control characters).
PARTICIPANT_MARK = "\x00participant\x00"
CLIENT_ID_MARK = "\x00client-id\x00"
# …and in the room's whole page (`page`): the participant's name, the record's seq, the timer and votes.
NAME_MARK = "\x00name\x00"
SEQ_MARK = "\x00seq\x00"
EXTRAS_MARK = "\x00extras\x00"
BODY_MARK = "\x00body\x00"


@dataclass
class Shared:
    since: int  # the record's seq it was loaded at
    seq: int  # the record's seq up to which it is known to hold
    newest: int  # participants with a higher id joined after it was loaded: nothing of their own yet
    loaded: float
    stage: dict[str, Any]
    context: dict[str, Any]
    programme: dict[str, Any]  # agenda.programme_facts
    body: str | None = None  # the stage's own template, rendered for STAND_IN (stage_body)
    pages: dict[str, str] = field(default_factory=dict)  # the whole page for PAGE_STAND_IN, by language


@dataclass(frozen=True)
class StandIn:
    """Whom the room's stage body is rendered for: the template writes the participant's id only."""

    id: str = PARTICIPANT_MARK


STAND_IN = StandIn()


@dataclass(frozen=True)
class PageStandIn(StandIn):
    """Whom the room's whole page is rendered for: the page's shell writes the participant's name too."""

    name: str = NAME_MARK


PAGE_STAND_IN = PageStandIn()


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
            context = {**shared.context, "programme": {**programme, "design": None}, SHARED: shared}
            return {"workshop": workshop, "stage": shared.stage, **context}
        return own_context(session, workshop, participant)

    def stage_body(self, env: Environment, context: dict[str, Any], request: Request) -> Markup | None:
        """The stage's own part of a page from the room's load, rendered once for it (on the event loop);
        None for a page loaded for its participant alone, or asked for with a query string."""
        shared: Shared | None = context.get(SHARED)
        if shared is None or request.url.query:
            return None
        if shared.body is None:
            template = env.select_template(templates_for(shared.stage["kind"], "participant"))
            stand_in = {"participant": STAND_IN, "new_client_id": lambda: CLIENT_ID_MARK, "request": request}
            shared.body = template.render({**context, **stand_in})
        parts = shared.body.replace(PARTICIPANT_MARK, str(context["participant"].id)).split(CLIENT_ID_MARK)
        return Markup(parts[0] + "".join(uuid.uuid4().hex + part for part in parts[1:]))

    def page(self, env: Environment, context: dict[str, Any], request: Request) -> str | None:
        """The whole phone page from the room's load: its shell rendered once per load and language (on the
        event loop), the participant's name, the record's seq and the stage's body filled in, the timer and
        the votes rendered for the page. None where `stage_body` gave none."""
        shared: Shared | None = context.get(SHARED)
        body = context.get("stage_body")
        if shared is None or body is None or shared.body is None:
            return None
        language = i18n.current_language()
        shell = shared.pages.get(language)
        if shell is None:
            stand_in = {
                "participant": PAGE_STAND_IN,
                "live": {**context["live"], "last_seq": SEQ_MARK},
                "stage_body": Markup(BODY_MARK),
                "extras_html": Markup(EXTRAS_MARK),
                "request": request,
            }
            shell = shared.pages[language] = env.get_template("participant/stage.html").render(
                {**context, **stand_in}
            )
        participant = context["participant"]
        name = escape(participant.name) if participant.name else i18n.gettext("Guest")
        extras = env.get_template("participant/_extras.html").render({**context, "request": request})
        filled = shell.replace(NAME_MARK, name).replace(SEQ_MARK, str(context["live"]["last_seq"]))
        return filled.replace(BODY_MARK, body).replace(EXTRAS_MARK, extras)

    def forget(self, workshop_id: int) -> None:
        """A deleted workshop: none of its pages is shared again, whatever workshop gets its id next."""
        with self._lock:
            self._shared = {key: kept for key, kept in self._shared.items() if key[0] != workshop_id}
            self._missed = {key: at for key, at in self._missed.items() if key[0] != workshop_id}

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
    longer; the join itself reads the workshop afresh and refuses. The page itself, rendered for a phone that
    has not joined (an empty form: the same for every phone of a language), is kept with it, per language."""

    def __init__(self, max_age: float = MAX_AGE, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_age, self.clock = max_age, clock
        self._kept: dict[str, tuple[float, Workshop, dict[str, str]]] = {}

    def get(self, code: str) -> Workshop | None:
        kept = self._fresh(code)
        return None if kept is None else kept[1]

    def keep(self, workshop: Workshop) -> None:
        now = self.clock()
        if len(self._kept) >= MAX_KEPT:  # codes no phone asked for lately
            self._kept = {c: kept for c, kept in self._kept.items() if now - kept[0] <= self.max_age}
        self._kept[workshop.code] = (now, workshop, {})

    def page(self, code: str, language: str) -> str | None:
        """The join page kept for this code's workshop in this language, if any."""
        kept = self._fresh(code)
        return None if kept is None else kept[2].get(language)

    def keep_page(self, workshop: Workshop, language: str, html: str) -> None:
        """Keep the page rendered for a phone that has not joined; it goes with the workshop it shows."""
        kept = self._fresh(workshop.code)
        if kept is not None and kept[1] is workshop:
            kept[2][language] = html

    def _fresh(self, code: str) -> tuple[float, Workshop, dict[str, str]] | None:
        kept = self._kept.get(code)
        return kept if kept is not None and self.clock() - kept[0] <= self.max_age else None
