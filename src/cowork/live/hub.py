"""The socket.io server: who may connect to which workshop, rooms, publishing and catch-up."""

import logging
from collections.abc import Sequence
from typing import Any

import socketio
from jinja2 import Environment
from socketio.exceptions import ConnectionRefusedError as Refused  # its message reaches the client
from starlette.requests import cookie_parser

from cowork.commands import query_in_thread
from cowork.db import store_fault
from cowork.domain.access import Viewer, phone_viewer, viewer_for
from cowork.domain.errors import DomainError
from cowork.domain.models import Event, Participant
from cowork.domain.record import events_since, events_to_last
from cowork.domain.redaction import disk_wipe
from cowork.domain.workshops import get_workshop
from cowork.live import direct, wire
from cowork.live.arrivals import Arrivals
from cowork.live.catchup import CatchUp, Read, Room
from cowork.live.fanout import RESYNC, OnePassManager, OnePassRedisManager
from cowork.live.outbox import Outbox
from cowork.live.recent import Recent
from cowork.live.views.registry import payload, view_of
from cowork.settings import LANGUAGES, Settings
from cowork.tickets import Ticket, read_ticket

log = logging.getLogger("cowork.live")
PARTICIPANT_COOKIE = "cowork_p_{workshop_id}"
CATCH_UP_LIMIT = 500
FRAME = 100  # bodies per catch-up frame: an old page's hundreds of events in a few frames, not one each
STORE_AWAY = "the record cannot be read now; ask again in a moment"


STAFF, MODERATOR, PUBLIC = "staff", "moderator", "public"


def room(workshop_id: int, audience: str, language: str) -> str:
    """Staff see everything in the workshop's language; a moderating projector sees the staff view of
    moderation events only; public screens get pushes in their own language."""
    return f"w{workshop_id}:public:{language}" if audience == PUBLIC else f"w{workshop_id}:{audience}"


def sees_staff_view(audience: str, event: Event) -> bool:
    return audience == STAFF or (audience == MODERATOR and view_of(event).moderation)


def allowed_origins(settings: Settings) -> list[str]:
    return settings.allowed_origins


def make_server(settings: Settings) -> socketio.AsyncServer:
    manager = (
        OnePassRedisManager(settings.redis_url, channel=settings.redis_channel)
        if settings.redis_url
        else OnePassManager()
    )
    sio = socketio.AsyncServer(
        async_mode="asgi",
        client_manager=manager,
        cors_allowed_origins=allowed_origins(settings),
        transports=["websocket"] if settings.websocket_only else ["polling", "websocket"],
        max_http_buffer_size=16_384,
        json=wire,
        ping_interval=20,
        ping_timeout=20,
    )
    direct.install(sio.eio)  # broadcasts written to each phone's websocket in place (live/direct.py)
    return sio


class Hub:
    def __init__(self, sio: socketio.AsyncServer, engine: Any, env: Environment, settings: Settings) -> None:
        self.sio, self.engine, self.env, self.settings = sio, engine, env, settings
        self._languages: dict[int, str] = {}
        self.outbox = Outbox(self._send, settings.push_interval_ms / 1000)
        # Without Redis every push of this workshop passes here; with it, other workers' do not.
        self.recent = None if settings.redis_url else Recent()
        self.arrivals = None if settings.redis_url else Arrivals()  # sockets a served page announced
        self.catch_up = CatchUp(self._read_public, self._deliver, self._resync, self.recent)
        self.throttle: Any = None  # set by create_app: the sockets' budgets (connects, messages)
        sio.on("connect", self.connect)
        sio.on("sync", self.sync)
        sio.on("*", self.unexpected)

    def payload(self, event: Event, audience: str, language: str) -> dict[str, Any]:
        return payload(self.env, event, staff=sees_staff_view(audience, event), language=language)

    async def publish(self, events: Sequence[Event]) -> None:
        """Push committed events to each workshop's rooms (through Redis to other workers when set)."""
        bodies: dict[int, list[tuple[str, dict[str, Any]]]] = {}
        quiet = all(view_of(event).quiet for event in events)
        for event in events:
            if self.recent is not None:
                self.recent.published(event.workshop_id, event.seq)
            if disk_wipe([(event.type, event.data)]) is not None:
                self.forget(event.workshop_id)
            staff_language = await self._language(event.workshop_id)
            rooms = [(STAFF, staff_language), (MODERATOR, staff_language)]
            rooms += [(PUBLIC, language) for language in LANGUAGES]
            for audience, language in rooms:
                name = room(event.workshop_id, audience, language)
                if self._nobody_in(name):
                    continue  # rendering swaps for an empty room is wasted work
                body = self.payload(event, audience, language)
                bodies.setdefault(event.workshop_id, []).append((name, body))
                if self.recent is not None and audience == PUBLIC:
                    self.recent.pushed(event.workshop_id, name, body)
        for workshop_id, pairs in bodies.items():
            await self.outbox.put(workshop_id, pairs, quiet=quiet)

    def page_served(self, token: str, participant: Participant) -> None:
        """A phone's stage page was just served for this token: its socket may connect without a read."""
        if self.arrivals is not None and token:
            self.arrivals.expect(token, phone_viewer(participant))

    def forget(self, workshop_id: int) -> None:
        """An erase, a purge or a deletion: earlier bodies may carry the erased words, and a purge's or a
        deletion's tokens no longer open the workshop."""
        if self.recent is not None:
            self.recent.forget(workshop_id)
        if self.arrivals is not None:
            self.arrivals.forget(workshop_id)

    async def close(self, workshop_id: int) -> None:
        """A deleted workshop: forget what is kept of it and end its sockets. SQLite may give a new workshop
        the deleted one's id (its rows are gone), and a socket left in the old rooms would get its events."""
        self.forget(workshop_id)
        self._languages.pop(workshop_id, None)
        names = [room(workshop_id, STAFF, ""), room(workshop_id, MODERATOR, "")]
        names += [room(workshop_id, PUBLIC, language) for language in LANGUAGES]
        for name in names:
            for sid, _ in list(self.sio.manager.get_participants("/", name)):
                await self.sio.disconnect(sid)  # this worker's: its reconnect is refused (no token opens it)
            await self.sio.close_room(name)  # other workers' too, through Redis: they hear nothing more

    async def _send(self, name: str, frame: list[dict[str, Any]]) -> None:
        """One event as `event` (as catch-up sends it), several coalesced ones as `events`, in seq order."""
        if len(frame) == 1:
            await self.sio.emit("event", frame[0], room=name)
        else:
            await self.sio.emit("events", frame, room=name)

    def _nobody_in(self, name: str) -> bool:
        """Only knowable without Redis: with it, other workers may hold screens in this room."""
        if self.settings.redis_url:
            return False
        return next(iter(self.sio.manager.get_participants("/", name)), None) is None

    async def connect(self, sid: str, environ: dict[str, Any], auth: dict[str, Any] | None) -> None:
        auth = auth if isinstance(auth, dict) else {}
        try:
            workshop_id = int(auth.get("workshop_id", 0))
        except (TypeError, ValueError):
            raise Refused("workshop_id must be a number") from None
        token = str(auth.get("token") or "") or _cookie(
            environ, PARTICIPANT_COOKIE.format(workshop_id=workshop_id)
        )
        ticket = read_ticket(self.settings.secret_key or "", token) if token.startswith("t.") else None
        viewer = self.arrivals.take(token, workshop_id) if self.arrivals and token and not ticket else None
        if viewer is None:
            viewer = await self._viewer(workshop_id, token, ticket)
        if viewer is None:
            raise Refused("This token does not open this workshop.")
        if viewer.participant_id is not None and not await self._within_budget(viewer, sid, connect=True):
            raise Refused("Too many connections from this phone; wait a minute.")
        audience = PUBLIC if not viewer.staff else MODERATOR if ticket and ticket.screen else STAFF
        await self.sio.save_session(sid, {"viewer": viewer, "audience": audience})
        await self.sio.enter_room(sid, room(workshop_id, audience, viewer.language))
        since = auth.get("since")
        if isinstance(since, int) and since >= 0:
            # Sent after the handshake completes; the client drops any event it already has (by seq).
            self.sio.start_background_task(self._catch_up, sid, viewer, audience, since)

    async def _viewer(self, workshop_id: int, token: str, ticket: Ticket | None) -> Viewer | None:
        try:
            return await self._query(
                viewer_for,
                workshop_id=workshop_id,
                token=None if ticket else token,
                user_id=ticket.user_id if ticket else None,
            )
        except DomainError as exc:  # a token no database keeps (a lone surrogate, a NUL): say so
            raise Refused(exc.message) from None
        except Exception as exc:
            # Any other error leaves the client waiting for an answer that never comes (no reconnect):
            # a store that cannot be read now is refused with `retry`, and the client connects again.
            if store_fault(exc) is None:
                raise
            raise Refused(STORE_AWAY, {"retry": True}) from None

    async def _catch_up(self, sid: str, viewer: Viewer, audience: str, since: int) -> None:
        """Public screens (phones, projectors) share reads and this worker's memory (live/catchup.py); staff
        screens, each in its reader's language, read the record for themselves."""
        name = room(viewer.workshop_id, audience, viewer.language)
        if audience == PUBLIC:
            await self.catch_up.ask(Room(viewer.workshop_id, name, viewer.language), sid, since)
            return
        try:
            bodies = await self._events(viewer, audience, since)
        except Exception as exc:
            if store_fault(exc) is None:
                raise
            await self._resync([sid])
            return
        await self._deliver([sid], bodies)

    async def _read_public(self, public: Room, since: int) -> Read:
        events, last = await self._query(
            events_to_last, workshop_id=public.workshop_id, since=since, limit=CATCH_UP_LIMIT
        )
        bodies = [self.payload(e, PUBLIC, public.language) for e in events]
        return Read(bodies, max([last, *(e.seq for e in events)]), whole=len(events) < CATCH_UP_LIMIT)

    async def _deliver(self, sids: list[str], bodies: list[dict[str, Any]]) -> None:
        """Catch-up to sockets of this worker (not through Redis): each frame encoded once for all of them;
        one event as `event`, several as `events`, as pushes are sent."""
        for start in range(0, len(bodies), FRAME):
            frame = bodies[start : start + FRAME]
            if len(frame) == 1:
                await self.sio.emit("event", frame[0], to=sids, ignore_queue=True)
            else:
                await self.sio.emit("events", frame, to=sids, ignore_queue=True)

    async def _resync(self, sids: list[str]) -> None:
        """The record could not be read: no later push need show these screens a gap, so tell them to ask
        (`sync` asks again until answered)."""
        await self.sio.emit(RESYNC, {}, to=sids, ignore_queue=True)

    async def sync(self, sid: str, data: Any) -> dict[str, Any]:
        """A screen that saw a gap asks for the events after its last seq (answered by the ack)."""
        session = await self.sio.get_session(sid)
        viewer: Viewer = session["viewer"]
        if not await self._within_budget(viewer, sid):
            return {"error": "too many sync requests; wait a moment"}
        since = data.get("since") if isinstance(data, dict) else None
        if not isinstance(since, int) or since < 0:
            return {"error": "since must be a whole number of 0 or more"}
        try:
            events = await self._events(viewer, session["audience"], since)
        except Exception as exc:
            if store_fault(exc) is None:
                raise
            return {"error": STORE_AWAY, "retry": True}
        return {"events": events, "complete": len(events) < CATCH_UP_LIMIT}

    async def unexpected(self, event: str, sid: str, *data: Any) -> dict[str, Any]:
        """Screens send only `sync`; anything else is answered, dropped and counted against the budget."""
        session = await self.sio.get_session(sid)
        await self._within_budget(session["viewer"], sid)
        return {"error": "unknown event"}

    async def _within_budget(self, viewer: Viewer, sid: str, *, connect: bool = False) -> bool:
        if self.throttle is None:
            return True
        screen = _screen(viewer, sid)
        return await (self.throttle.allow_connect(screen) if connect else self.throttle.allow_message(screen))

    async def _events(self, viewer: Viewer, audience: str, since: int) -> list[dict[str, Any]]:
        events = await self._query(
            events_since, workshop_id=viewer.workshop_id, since=since, limit=CATCH_UP_LIMIT
        )
        return [self.payload(e, audience, viewer.language) for e in events]

    async def _query(self, fn: Any, **kwargs: Any) -> Any:
        return await query_in_thread(self.engine, fn, **kwargs)

    async def _language(self, workshop_id: int) -> str:
        """Staff pushes are rendered in the workshop's language (it does not change while it runs)."""
        if workshop_id not in self._languages:
            workshop = await self._query(get_workshop, workshop_id=workshop_id)
            self._languages[workshop_id] = workshop.language
        return self._languages[workshop_id]


def _screen(viewer: Viewer, sid: str) -> str:
    """Whose budget a socket spends: the participant's (all their sockets), else the socket's own."""
    return f"p{viewer.participant_id}" if viewer.participant_id is not None else f"s{sid}"


def _cookie(environ: dict[str, Any], name: str) -> str:
    # Starlette's parser, as the pages read their cookies (SimpleCookie's regular expressions cost more).
    return cookie_parser(environ.get("HTTP_COOKIE", "")).get(name, "")
