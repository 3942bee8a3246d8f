"""Structured logs (one JSON object a line) that never contain contribution text or personal data.

The access log names the route template (`/j/{code}/cards`), not the path, so join codes, projector keys and
tokens stay out of it; query strings and bodies are never logged.
"""

import json
import logging
import time
from typing import Any

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

access = logging.getLogger("cowork.access")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "at": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger("cowork")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False


CLIENT_CLOSED = 499  # nginx's word for "the client closed the connection before the answer"


class AccessLogMiddleware:
    """One line per request; a client that went away before its answer is logged as 499, not as the 400 or
    500 its broken-off body led to, so operators see server errors only where there were some."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        answered = gone = False

        async def listen() -> Message:
            nonlocal gone
            message = await receive()
            if message["type"] == "http.disconnect" and not answered:
                gone = True
            return message

        async def capture(message: Message) -> None:
            nonlocal status, answered
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                answered = True
            await send(message)

        try:
            await self.app(scope, listen, capture)
        except ClientDisconnect:
            gone = True  # nobody is left to answer: not an error of ours
        finally:
            route = scope.get("route")
            access.info(
                "request",
                extra={
                    "fields": {
                        "method": scope["method"],
                        "route": getattr(route, "path", "(unmatched)"),
                        "status": CLIENT_CLOSED if gone else status,
                        "ms": round((time.perf_counter() - started) * 1000, 1),
                    }
                },
            )
