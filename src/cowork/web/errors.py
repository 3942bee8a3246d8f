"""Domain errors to HTTP, in one place: JSON for the API, a page or fragment for people."""

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError, StatementError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from cowork import i18n
from cowork.db import FULL, READ_ONLY, health_of, store_fault
from cowork.domain.errors import Closed, Conflict, DomainError, Invalid, NotAllowed, NotFound
from cowork.web.deps import NeedsJoin, NotSignedIn
from cowork.web.throttle import TooManyAttempts

STATUS: dict[type[DomainError], int] = {
    NotFound: 404,
    NotAllowed: 403,
    Invalid: 422,
    Closed: 409,
    Conflict: 409,
}


def status_of(exc: DomainError) -> int:
    return next((code for cls, code in STATUS.items() if isinstance(exc, cls)), 400)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def error_response(request: Request, status: int, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": message}, status_code=status)
    templates = request.app.state.runtime.templates
    template = "_message.html" if request.headers.get("hx-request") else "error.html"
    return templates.TemplateResponse(
        request, template, {"message": message, "status": status}, status_code=status
    )


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        return error_response(request, status_of(exc), i18n.error_text(exc))

    @app.exception_handler(NotSignedIn)
    async def _not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": str(exc)}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(TooManyAttempts)
    async def _too_many(request: Request, exc: TooManyAttempts) -> Response:
        response = error_response(request, 429, i18n.gettext(exc.message))
        response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(NeedsJoin)
    async def _needs_join(request: Request, exc: NeedsJoin) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": i18n.gettext("Please join the workshop first.")}, status_code=401)
        return RedirectResponse(f"/j/{exc.code}", status_code=303)

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, exc: RequestValidationError) -> Response:
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"] if p not in ("body", "query", "path"))
            problems.append(f"{where}: {err['msg']}" if where else err["msg"])
        message = i18n.gettext("The request is not valid:") + " " + "; ".join(problems)
        if _wants_json(request):
            return JSONResponse({"detail": message, "errors": jsonable(exc.errors())}, status_code=422)
        return error_response(request, 422, message)

    @app.exception_handler(OverflowError)
    @app.exception_handler(StatementError)
    @app.exception_handler(PoolTimeout)
    async def _database(request: Request, exc: Exception) -> Response:
        fault = store_fault(exc)
        if fault:
            health_of(request.app.state.runtime.engine).failed(fault, exc)
            return store_unavailable(request, fault)
        # A number too large for the database (SQLite: OverflowError; PostgreSQL: a DataError) is bad input.
        cause = getattr(exc, "orig", exc)
        if isinstance(exc, DataError) or isinstance(cause, OverflowError):
            return error_response(request, 422, i18n.gettext("A number in the request is out of range."))
        raise exc

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else i18n.gettext("Something went wrong.")
        if exc.status_code == 404 and message == "Not Found":
            message = i18n.gettext("This page does not exist.")
        return error_response(request, exc.status_code, message)


# How long a phone's outbox waits before it sends again after a 503 (it backs off further on its own).
RETRY_AFTER_SECONDS = 5


def store_unavailable(request: Request, fault: str) -> Response:
    """503 with Retry-After: nothing was saved (its transaction rolled back); send the same again."""
    response = error_response(request, 503, store_message(fault))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def store_message(fault: str) -> str:
    if fault in (FULL, READ_ONLY):
        message = i18n.gettext(
            "The server cannot save anything right now: its storage is full or read-only. "
            "Nothing was saved yet; please try again in a moment."
        )
    else:
        message = i18n.gettext(
            "The server cannot reach its database right now. "
            "Nothing was saved yet; please try again in a moment."
        )
    return message


def jsonable(errors: object) -> object:
    return jsonable_encoder(errors, custom_encoder={Exception: str})
