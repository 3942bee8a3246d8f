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
from cowork.domain.errors import (
    Closed,
    Conflict,
    DomainError,
    Invalid,
    NotAllowed,
    NotFound,
    TooLarge,
    Unsupported,
)
from cowork.domain.text import UNSTORABLE, check_storable
from cowork.web.deps import NeedsJoin, NotSignedIn
from cowork.web.throttle import TooManyAttempts

STATUS: dict[type[DomainError], int] = {
    NotFound: 404,
    NotAllowed: 403,
    Invalid: 422,
    Closed: 409,
    Conflict: 409,
    TooLarge: 413,
    Unsupported: 415,
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
            if err["type"] == "string_unicode" and isinstance(err.get("input"), str):
                # pydantic refuses a lone surrogate in a constrained string before the domain sees it.
                try:
                    check_storable(err["input"], where)
                except Invalid as refusal:
                    return error_response(request, 422, i18n.error_text(refusal))
            problems.append(f"{where}: {err['msg']}" if where else err["msg"])
        message = i18n.gettext("The request is not valid:") + " " + "; ".join(problems)
        message = message if message.endswith(".") else message + "."  # a sentence, like every other answer
        if _wants_json(request):
            return JSONResponse({"detail": message, "errors": jsonable(exc.errors())}, status_code=422)
        return error_response(request, 422, message)

    @app.exception_handler(OverflowError)
    @app.exception_handler(UnicodeEncodeError)
    @app.exception_handler(DataError)
    @app.exception_handler(StatementError)
    @app.exception_handler(PoolTimeout)
    async def _database(request: Request, exc: Exception) -> Response:
        fault = store_fault(exc)
        if fault:
            health_of(request.app.state.runtime.engine).failed(fault, exc)
            return store_unavailable(request, fault)
        # Input the database refused is bad input, and the answer names what was wrong with it.
        message = storage_refusal(exc)
        if message is None:
            raise exc
        return error_response(request, 422, message)

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


# PostgreSQL's SQLSTATEs for a number out of its column's range (numeric, integer, datetime field).
OUT_OF_RANGE = frozenset({"22003", "22008"})


def storage_refusal(exc: BaseException) -> str | None:
    """Why the database refused a value, for the reader; None when it was no refusal of a value.

    The domain refuses text neither database can keep (`domain/text.py`) before it reaches them; this
    is the net behind it, so a value that slips through is still a 422 that says what is wrong.
    """
    cause = exc.orig if isinstance(exc, StatementError) and exc.orig is not None else exc
    if isinstance(cause, UnicodeEncodeError):
        return i18n.error_text(Invalid(UNSTORABLE, position=cause.start + 1))
    if isinstance(cause, OverflowError) or getattr(cause, "sqlstate", None) in OUT_OF_RANGE:
        return i18n.gettext("A number in the request is out of range.")
    if isinstance(exc, DataError) and "NUL (0x00)" in str(cause):
        # psycopg refuses U+0000 as it writes the value (PostgreSQL text cannot hold it); SQLite keeps it.
        return i18n.gettext("A text in the request contains a NUL character, which cannot be stored.")
    if isinstance(exc, DataError):
        return i18n.gettext("A value in the request cannot be stored.")
    return None


def jsonable(errors: object) -> object:
    return _storable(jsonable_encoder(errors, custom_encoder={Exception: str}))


def _storable(value: object) -> object:
    """The value with any lone surrogate (in an input quoted back) replaced, so the answer can be UTF-8."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_storable(v) for v in value]
    return value
