"""The first account, made in the browser with the setup link that `cowork serve` printed (SetupLink)."""

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from cowork import i18n
from cowork.domain.accounts import MIN_PASSWORD, create_first_account, has_accounts
from cowork.domain.errors import DomainError
from cowork.domain.record import Tx
from cowork.web.deps import RuntimeDep
from cowork.web.errors import error_response, status_of

router = APIRouter(include_in_schema=False)


def _refusal(request: Request, runtime: RuntimeDep, token: str, accounts: bool) -> Response | None:
    """Why this link does not open the setup page (a page with a sentence), or None when it does."""
    link = runtime.setup_link
    if link.was_used(token):
        return error_response(
            request,
            403,
            i18n.gettext("This setup link has been used already. Sign in with the account it made."),
        )
    if accounts:
        return error_response(
            request, 404, i18n.gettext("There is no setup page: an account exists already. Please sign in.")
        )
    if not link.opens(token):
        return error_response(
            request,
            403,
            i18n.gettext(
                "This setup link is not right. Use the link cowork printed in its terminal when it started."
            ),
        )
    return None


def _render(request: Request, runtime: RuntimeDep, status: int = 200, **context: object) -> Response:
    context = {"min_password": MIN_PASSWORD, **context}
    return runtime.templates.TemplateResponse(request, "setup.html", context, status_code=status)


@router.get("/setup/{token}")
async def setup_page(request: Request, token: str, runtime: RuntimeDep) -> Response:
    accounts = await runtime.commands.query(has_accounts)
    return _refusal(request, runtime, token, accounts) or _render(request, runtime, token=token)


def _make_first(tx: Tx, *, email: str, password: str) -> int | None:
    return create_first_account(tx.session, email=email, password=password).id


@router.post("/setup/{token}")
async def make_first_account(
    request: Request,
    token: str,
    runtime: RuntimeDep,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    repeat: Annotated[str, Form()] = "",
) -> Response:
    async with runtime.setup_link.lock:
        accounts = await runtime.commands.query(has_accounts)
        if refused := _refusal(request, runtime, token, accounts):
            return refused
        if password != repeat:
            message = i18n.gettext("The two passwords are not the same.")
            return _render(request, runtime, 422, token=token, email=email, message=message)
        try:
            user_id = await runtime.commands.run(_make_first, email=email, password=password)
        except DomainError as exc:
            return _render(
                request, runtime, status_of(exc), token=token, email=email, message=i18n.error_text(exc)
            )
        runtime.setup_link.used = True
    request.session.clear()
    request.session["user_id"] = user_id
    return RedirectResponse("/f", status_code=303)
