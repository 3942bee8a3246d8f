"""Response headers (a CSP without inline script) and refusal of cross-site form posts."""

from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cowork.settings import Settings

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def content_security_policy(settings: Settings, *, framed: bool = False) -> str:
    """`framed`: the projector, which the console shows small in a frame of its own origin."""
    hosts = dict.fromkeys(urlsplit(origin).netloc for origin in settings.allowed_origins)
    # older Safari does not count websockets as 'self'
    sockets = " ".join(f"ws://{host} wss://{host}" for host in hosts)
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            f"connect-src 'self' {sockets}",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'self'" if framed else "frame-ancestors 'none'",
        ]
    )


class SecurityMiddleware:
    """Adds the security headers to every answer, and refuses a cookie-borne write sent from another site.

    Requests with an `Authorization` header carry no ambient credentials, so only cookie requests are checked:
    by Fetch Metadata (`Sec-Fetch-Site`) where the browser sends it, else by `Origin`.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.allowed = set(settings.allowed_origins)
        common = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
        ]
        self.headers = [
            (b"content-security-policy", content_security_policy(settings).encode()),
            (b"x-frame-options", b"DENY"),
            *common,
        ]
        # The projector page (/s/<key>) alone may be framed, by the console's preview on the same origin.
        self.framed_headers = [
            (b"content-security-policy", content_security_policy(settings, framed=True).encode()),
            (b"x-frame-options", b"SAMEORIGIN"),
            *common,
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._cross_site_write(scope):
            response = JSONResponse(
                {"detail": "This form was sent from another website, so it was refused."}, status_code=403
            )
            await response(scope, receive, self._with_headers(send, scope))
            return
        await self.app(scope, receive, self._with_headers(send, scope))

    def _cross_site_write(self, scope: Scope) -> bool:
        if scope["method"] not in UNSAFE_METHODS:
            return False
        headers = Headers(scope=scope)
        if "authorization" in headers or "cookie" not in headers:
            return False
        site = headers.get("sec-fetch-site")
        if site is not None:
            return site == "cross-site"
        origin = headers.get("origin")
        if origin is None or origin == "null":
            return origin == "null"
        own = f"{scope.get('scheme', 'http')}://{headers.get('host', '')}"
        return origin not in self.allowed and origin != own

    def _with_headers(self, send: Send, scope: Scope) -> Send:
        path = scope.get("path", "")
        framed = path.startswith("/s/") and path.count("/") == 2
        extra = self.framed_headers if framed else self.headers

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                own = list(message.get("headers", []))
                # An answer that sets a header itself keeps it (the logo's CSP allows less than a page's).
                named = {name.lower() for name, _ in own}
                message["headers"] = [*own, *(h for h in extra if h[0] not in named)]
            await send(message)

        return wrapped
