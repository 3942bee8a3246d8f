"""Request dependencies, declared once: the runtime, and who is calling."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from sqlmodel import Session

from cowork.domain.access import actor_for_token, actor_for_user
from cowork.domain.actors import Actor
from cowork.domain.errors import NotAllowed, NotFound
from cowork.domain.models import Participant, Workshop
from cowork.domain.participants import participant_for_token, phone_of
from cowork.domain.workshops import workshop_by_code
from cowork.i18n import set_language
from cowork.live.hub import PARTICIPANT_COOKIE
from cowork.runtime import Runtime
from cowork.web.throttle import DEVICE_COOKIE

T = TypeVar("T")


class NotSignedIn(Exception):
    """No valid credentials: 401 for the API, the sign-in page for pages."""


async def get_runtime(request: Request) -> Runtime:
    # async: FastAPI runs a plain `def` dependency on a worker thread, a thread hop on every request.
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


UNKNOWN_TOKEN = "A valid token is needed: send `Authorization: Bearer <token>`."


async def api_token(request: Request) -> str:
    """The bearer token, unchecked: for routes that resolve it inside their command (Commands.run_as)."""
    token = bearer(request)
    if token is None:
        raise NotSignedIn(UNKNOWN_TOKEN)
    return token


async def api_actor(request: Request, runtime: RuntimeDep) -> Actor:
    """A participant or a facilitator, from `Authorization: Bearer <token>`."""
    token = bearer(request)
    actor = await runtime.commands.query(actor_for_token, token=token) if token else None
    if actor is None:
        raise NotSignedIn(UNKNOWN_TOKEN)
    return actor


async def api_facilitator(actor: Annotated[Actor, Depends(api_actor)]) -> Actor:
    if actor.is_participant:
        # Known, not allowed: 403 (401 is for no or a wrong token, docs/api.md).
        raise NotAllowed("This needs a facilitator's API token, not a participant's.")
    return actor


async def page_user(request: Request, runtime: RuntimeDep) -> Actor:
    """The signed-in facilitator of a page (session cookie)."""
    user_id = request.session.get("user_id")
    actor = await runtime.commands.query(actor_for_user, user_id=user_id) if user_id else None
    if actor is None:
        raise NotSignedIn("Please sign in.")
    return actor


ApiToken = Annotated[str, Depends(api_token)]
ApiActor = Annotated[Actor, Depends(api_actor)]
ApiFacilitator = Annotated[Actor, Depends(api_facilitator)]
PageUser = Annotated[Actor, Depends(page_user)]


class NeedsJoin(Exception):
    """A phone without a valid participant cookie for this workshop: send it to the join form."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class PhoneSession:
    """The workshop a participant page belongs to, and the participant holding the cookie (if any)."""

    workshop: Workshop
    participant: Participant | None

    @property
    def actor(self) -> Actor:
        assert self.participant is not None
        return Actor.of_participant(self.participant)


def client_key(request: Request, runtime: Runtime) -> str:
    """A phone's signed device id where it has one, else its address (many phones may share one)."""
    device = getattr(request.state, "device", None) or runtime.throttle.device_of(
        request.cookies.get(DEVICE_COOKIE)
    )
    return f"d:{device}" if device else f"ip:{request.client.host if request.client else '?'}"


async def known_workshop(request: Request, code: str, runtime: RuntimeDep) -> Workshop:
    """The workshop of a join code; wrong codes count against the client (guessing is throttled)."""
    client = client_key(request, runtime)
    await runtime.throttle.before_code_lookup(client)
    try:
        return await runtime.commands.query(workshop_by_code, code=code)
    except NotFound:
        await runtime.throttle.code_not_found(client)
        raise


async def joined_phone_with(
    request: Request, runtime: Runtime, code: str, load: Callable[[Session, PhoneSession], T]
) -> tuple[PhoneSession, T]:
    """JoinedPhone and what `load` reads for it, in one read transaction (one thread hop, not three): for
    the phone page, which a whole room asks for at once."""
    client = client_key(request, runtime)
    await runtime.throttle.before_code_lookup(client)
    tokens = participant_tokens(request.cookies)
    found = await runtime.commands.query(_joined_phone_in, code=code, tokens=tokens, load=load)
    if isinstance(found, NotFound):
        await runtime.throttle.code_not_found(client)
        raise found
    phone, loaded = found
    if phone.participant is None or loaded is None:
        raise NeedsJoin(phone.workshop.code)
    set_language(phone.participant.language)
    return phone, loaded


def _joined_phone_in(
    session: Session, *, code: str, tokens: dict[int, str], load: Callable[[Session, PhoneSession], T]
) -> tuple[PhoneSession, T | None] | NotFound:
    try:
        workshop, participant = phone_of(session, code=code, tokens=tokens)
    except NotFound as unknown:
        return unknown  # counted against the client by the caller, on the event loop
    if participant is None:
        return PhoneSession(workshop, None), None
    phone = PhoneSession(workshop, participant)
    return phone, load(session, phone)


def participant_tokens(cookies: dict[str, str]) -> dict[int, str]:
    """A phone's participant tokens by the workshop id their cookies are named for."""
    prefix, _, _ = PARTICIPANT_COOKIE.partition("{")
    found = {}
    for name, token in cookies.items():
        number = name.removeprefix(prefix)
        if name.startswith(prefix) and number.isascii() and number.isdigit() and token:
            found[int(number)] = token
    return found


KnownWorkshop = Annotated[Workshop, Depends(known_workshop)]


async def phone_session(request: Request, workshop: KnownWorkshop, runtime: RuntimeDep) -> PhoneSession:
    token = request.cookies.get(PARTICIPANT_COOKIE.format(workshop_id=workshop.id))
    participant = await runtime.commands.query(participant_for_token, token=token) if token else None
    if participant is not None and participant.workshop_id != workshop.id:
        participant = None
    if participant is not None:
        set_language(participant.language)
    return PhoneSession(workshop, participant)


async def joined_phone(phone: Annotated[PhoneSession, Depends(phone_session)]) -> PhoneSession:
    if phone.participant is None:
        raise NeedsJoin(phone.workshop.code)
    return phone


Phone = Annotated[PhoneSession, Depends(phone_session)]
JoinedPhone = Annotated[PhoneSession, Depends(joined_phone)]


def is_htmx(request: Request) -> bool:
    """htmx sent it and swaps a fragment of the answer in; without it the answer is a redirect or a page."""
    return bool(request.headers.get("hx-request"))


def is_fetch(request: Request) -> bool:
    """The live script posts forms with fetch and wants JSON back; without JavaScript it is a plain post."""
    return request.headers.get("x-cowork-fetch") == "1"


async def api_optional_facilitator(request: Request, runtime: RuntimeDep) -> Actor | None:
    """A facilitator if a valid facilitator token came along; None otherwise (public routes that show
    more to staff)."""
    token = bearer(request)
    actor = await runtime.commands.query(actor_for_token, token=token) if token else None
    return actor if actor is not None and not actor.is_participant else None


ApiMaybeFacilitator = Annotated[Actor | None, Depends(api_optional_facilitator)]
