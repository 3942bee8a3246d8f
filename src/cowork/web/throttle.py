"""Throttling join-code guesses without locking out a venue where every phone shares one address.

A phone's first page view gets a signed device id (cookie), minted at a bounded rate per address. Wrong
codes count against the device, so a guesser on the venue's Wi-Fi exhausts its own budget, not the phones
that scanned the QR code. Clients without a device id (API callers, cookie-less scripts) share one strict
budget per address; a forged device id counts as none. Each code takes a bounded number of joins a minute.
Sockets have budgets too: how often a participant connects and how many messages a screen sends.
"""

import logging
import secrets
import time
from collections import deque
from collections.abc import Callable

from itsdangerous import BadSignature, Signer
from limits import RateLimitItem, parse
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cowork.settings import Settings

DEVICE_COOKIE = "cowork_device"
log = logging.getLogger("cowork.live")


class TooManyAttempts(Exception):
    """Refused with 429 and a reason people understand."""

    def __init__(self, message: str, retry_after: int = 60) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class LocalWindows:
    """Moving windows counted in this process (MovingWindowRateLimiter's `hit` and `test`).

    Not limits' MemoryStorage: after every hit it swept every key, each on a thread of its own; a room of
    1,000 phones (a key per phone for its socket connects) made each join cost more than the one before.
    Here a key's window drops its old hits when it is asked, and keys nobody asked for within their window
    are swept once a minute.
    """

    SWEEP_SECONDS = 60.0

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._windows: dict[str, tuple[float, deque[float]]] = {}
        self._swept = clock()

    async def hit(self, item: RateLimitItem, *identifiers: str) -> bool:
        return self._take(item, identifiers, take=True)

    async def test(self, item: RateLimitItem, *identifiers: str) -> bool:
        return self._take(item, identifiers, take=False)

    def _take(self, item: RateLimitItem, identifiers: tuple[str, ...], *, take: bool) -> bool:
        now = self.clock()
        if now - self._swept >= self.SWEEP_SECONDS:
            self._sweep(now)
        key, expiry = item.key_for(*identifiers), item.get_expiry()
        _, hits = self._windows.get(key) or (expiry, deque())
        while hits and hits[0] <= now - expiry:
            hits.popleft()
        if len(hits) >= item.amount:
            return False
        if take:
            hits.append(now)
            self._windows[key] = (expiry, hits)
        return True

    def _sweep(self, now: float) -> None:
        self._swept = now
        self._windows = {
            key: (expiry, hits)
            for key, (expiry, hits) in self._windows.items()
            if hits and hits[-1] > now - expiry
        }


Limiter = MovingWindowRateLimiter | LocalWindows


class Throttle:
    failures_per_client = parse("12/minute")  # wrong codes per device, or per address without one
    # What a screen may send over its sockets: counted per participant across all their sockets (a phone
    # opening many sockets gets no more), per socket for staff screens and projectors.
    messages_per_screen = parse("60/minute")
    connects_per_participant = parse("60/minute")  # a page view opens one; a loop opening thousands does not

    def __init__(self, settings: Settings) -> None:
        self.limiter: Limiter = (
            MovingWindowRateLimiter(
                RedisStorage(
                    settings.redis_url.replace("redis://", "async+redis://", 1),
                    implementation="redispy",
                    key_prefix=f"{settings.redis_channel}-limits",
                    wrap_exceptions=True,
                    socket_connect_timeout=1,
                    socket_timeout=1,
                )
            )
            if settings.redis_url
            else LocalWindows()
        )
        # While Redis is away each worker counts on its own: a lost broker must not refuse every phone's
        # join, page and socket (writes go on without Redis; so do the budgets, a little wider).
        self.local = LocalWindows()
        self.storage_lost = False
        self.joins_per_code = parse(f"{settings.joins_per_code_per_minute}/minute")
        # A whole venue scanning the QR code at once, behind one address.
        self.devices_per_address = parse(f"{settings.devices_per_address_per_minute}/minute")
        self.signer = Signer(settings.secret_key or "", salt="cowork.device")

    async def _ask(self, how: str, item: RateLimitItem, *identifiers: str) -> bool:
        try:
            allowed = await getattr(self.limiter, how)(item, *identifiers)
        except StorageError as exc:
            if not self.storage_lost:
                log.warning(
                    "redis lost: budgets are counted per worker", extra={"fields": {"error": str(exc)}}
                )
            self.storage_lost = True
            return await getattr(self.local, how)(item, *identifiers)
        if self.storage_lost:
            self.storage_lost = False
            log.warning("redis back: budgets are shared again")
        return allowed

    def device_of(self, cookie: str | None) -> str | None:
        if not cookie:
            return None
        try:
            return self.signer.unsign(cookie).decode()
        except BadSignature:
            return None

    async def mint_device(self, address: str) -> str | None:
        """A new signed device cookie value, or None when this address has minted too many this minute."""
        if not await self._ask("hit", self.devices_per_address, "devices", address):
            return None
        return self.signer.sign(secrets.token_urlsafe(12)).decode()

    async def before_code_lookup(self, client: str) -> None:
        if not await self._ask("test", self.failures_per_client, "code-failures", client):
            raise TooManyAttempts(
                "Too many attempts with a wrong code. Please wait a minute and check the code on the screen."
            )

    async def code_not_found(self, client: str) -> None:
        await self._ask("hit", self.failures_per_client, "code-failures", client)

    async def before_join(self, code: str) -> None:
        if not await self._ask("hit", self.joins_per_code, "join", code.upper()):
            raise TooManyAttempts("Many people are joining right now. Please try again in a moment.", 10)

    async def allow_message(self, screen: str) -> bool:
        return await self._ask("hit", self.messages_per_screen, "socket-messages", screen)

    async def allow_connect(self, participant: str) -> bool:
        return await self._ask("hit", self.connects_per_participant, "socket-connects", participant)


class DeviceMiddleware:
    """Gives a phone's first page view a signed device id, visible to the request and set as a cookie."""

    def __init__(self, app: ASGIApp, throttle: Throttle, secure: bool) -> None:
        self.app, self.throttle, self.secure = app, throttle, secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not _is_page(scope["path"]):
            await self.app(scope, receive, send)
            return
        # Parsed as the request's own cookies are (Starlette's parser: a few calls, not SimpleCookie's
        # regular expressions), and verified once: the routes' client_key() takes it from the state.
        cookies: dict[str, str] = {}
        for name, value in scope["headers"]:
            if name == b"cookie":
                cookies.update(cookie_parser(value.decode("latin-1")))
        device = self.throttle.device_of(cookies.get(DEVICE_COOKIE))
        if device:
            scope.setdefault("state", {})["device"] = device
            await self.app(scope, receive, send)
            return
        address = scope["client"][0] if scope.get("client") else "?"
        minted = await self.throttle.mint_device(address)
        if minted is None:
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})["device"] = self.throttle.device_of(minted)
        attributes = f"Max-Age={365 * 86400}; Path=/; HttpOnly; SameSite=Lax" + (
            "; Secure" if self.secure else ""
        )
        header = (b"set-cookie", f"{DEVICE_COOKIE}={minted}; {attributes}".encode())

        async def with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        await self.app(scope, receive, with_cookie)


def _is_page(path: str) -> bool:
    return path == "/" or path == "/j" or path.startswith("/j/")
