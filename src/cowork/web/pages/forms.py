"""Form posts of the pages: reading their lines and numbers, and answering them.

A post is answered by a redirect, or by the page again with the reason and what was typed.
"""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy.exc import StatementError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from cowork import i18n
from cowork.db import health_of, store_fault
from cowork.domain.actors import Actor
from cowork.domain.errors import DomainError, Invalid
from cowork.web.deps import PhoneSession, is_fetch
from cowork.web.errors import RETRY_AFTER_SECONDS, status_of, store_message
from cowork.web.pages.workshops import console_context, phone_context, render

# What a write raises when the store cannot save now (full, read-only, unreachable): see phone_not_saved.
STORE_ERRORS = (StatementError, PoolTimeout)


def form_lines(value: Any) -> list[str]:
    """The lines of a text box that say something, trimmed."""
    return [line.strip() for line in str(value or "").splitlines() if line.strip()]


def form_number(value: Any, kind: type = int) -> Any:
    """A typed number (a decimal comma is fine), None when the field is empty."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return kind(text.replace(",", "."))
    except ValueError:
        raise Invalid("{value} is not a number.", value=text) from None


async def phone_again(
    request: Request, runtime: Any, phone: PhoneSession, exc: DomainError, **extra: Any
) -> Response:
    """The phone's stage page again, with the reason it was refused."""
    context = await phone_context(runtime, phone)
    return render(request, "participant/stage.html", status_of(exc), **context, **extra)


async def phone_not_saved(
    request: Request,
    runtime: Any,
    phone: PhoneSession,
    exc: Exception,
    say: Callable[[str], dict[str, Any]] | None = None,
    **extra: Any,
) -> Response:
    """A plain form post the store could not save: the stage page again with the reason and what was typed
    (503, Retry-After). `say` puts the reason beside its form (default: the card form's `message`). A fetch,
    or a store that cannot even be read, gets the usual 503 instead."""
    fault = store_fault(exc)
    if fault is None or is_fetch(request):
        raise exc
    health_of(runtime.engine).failed(fault, exc)
    try:
        context = await phone_context(runtime, phone)
    except Exception:
        raise exc from None
    reason = store_message(fault)
    placed = say(reason) if say else {"message": reason}
    response = render(request, "participant/stage.html", 503, **context, **placed, **extra)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


async def phone_refused(
    request: Request, runtime: Any, phone: PhoneSession, exc: DomainError, **extra: Any
) -> Response:
    """The reason a phone's form was refused: as JSON for the live script's fetch, else on the page again."""
    if is_fetch(request):
        return JSONResponse({"detail": i18n.error_text(exc)}, status_code=status_of(exc))
    return await phone_again(request, runtime, phone, exc, message=i18n.error_text(exc), **extra)


def to_console(workshop_id: int, anchor: str = "") -> Response:
    """Back to the console, at what was just changed (the element with the id `anchor`)."""
    return RedirectResponse(f"/f/w/{workshop_id}{'#' + anchor if anchor else ''}", status_code=303)


async def console_again(
    request: Request, runtime: Any, actor: Actor, workshop_id: int, exc: DomainError, **extra: Any
) -> Response:
    """The console again, with the reason it was refused."""
    context = await console_context(runtime, actor, workshop_id)
    return render(request, "facilitator/console.html", status_of(exc), **context, **extra)


async def design_refused(
    request: Request, runtime: Any, actor: Actor, workshop_id: int, exc: DomainError, **extra: Any
) -> Response:
    """The console again with the agenda editor open and the reason beside it (a 4xx)."""
    return await console_again(
        request,
        runtime,
        actor,
        workshop_id,
        exc,
        design_open=True,
        design_message=i18n.error_text(exc),
        **extra,
    )


def back_to(request: Request, next_: str, fallback: str) -> str:
    """Where a plain form post returns to: the page it came from (console or projector), never elsewhere."""
    if next_.startswith("/") and not next_.startswith("//"):
        return next_
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc == request.url.netloc and referer.path.startswith(("/f/", "/s/")):
        return referer.path
    return fallback
