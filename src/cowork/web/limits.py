"""Request bodies have a size limit: a larger one is refused with 413 before it is read whole.

A body that declares its length (Content-Length) over the limit is answered at once, unread; one sent
in chunks is counted as it arrives and refused as soon as it passes the limit. The limit is
`COWORK_MAX_BODY_BYTES` (1 MiB), far above any form or JSON body a workshop sends; a session record's
import has its own, larger one. The per-field limits (a card's 2,000 characters) stay 422s of the domain.
"""

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cowork import i18n, numbers
from cowork.web.api.exports import MAX_RECORD_BYTES
from cowork.web.errors import error_response

# Paths whose bodies may be larger: the import of a session record (the form's multipart wrapping
# around the file is allowed 64 KiB more).
LARGER: dict[str, int] = {
    "/api/v1/workshops/import": MAX_RECORD_BYTES,
    "/f/import": MAX_RECORD_BYTES + 64 * 1024,
}


class BodyTooLarge(HTTPException):
    """Raised from `receive` while the app reads a body; FastAPI passes HTTPExceptions through."""


def too_large(limit: int) -> str:
    return i18n.gettext("The request is too large: at most {limit} KB.").format(
        limit=numbers.count(limit // 1024)
    )


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = LARGER.get(scope["path"], self.limit)
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            response = error_response(Request(scope), 413, too_large(limit))
            response.headers["Connection"] = "close"  # the rest of the body is not read
            await response(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(413, too_large(limit))
            return message

        await self.app(scope, counted, send)
