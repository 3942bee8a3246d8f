"""Server-rendered pages. Every action is a plain form post; htmx and the live script only enhance."""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session

from cowork import i18n
from cowork.domain import accounts, participants, privacy, workshops
from cowork.domain.access import actor_for_user
from cowork.domain.actors import Actor
from cowork.domain.errors import DomainError, NotFound
from cowork.domain.models import Participant
from cowork.domain.program import formats as organisation_formats
from cowork.domain.program import sample
from cowork.live.hub import PARTICIPANT_COOKIE
from cowork.settings import LANGUAGES
from cowork.tickets import make_ticket
from cowork.web.deps import (
    JoinedPhone,
    PageUser,
    PhoneSession,
    RuntimeDep,
    client_key,
    joined_phone_with,
    known_workshop,
    participant_tokens,
    phone_session,
)
from cowork.web.errors import status_of
from cowork.web.pages.exports import render_dashboard
from cowork.web.pages.stages import StageRequest, stage_context
from cowork.web.urls import join_url, phones_can_join, projector_url

router = APIRouter(include_in_schema=False)
# A participant's pages: most of the requests a room makes (a join storm is hundreds of phones), so their
# routes are matched before the others (web.routers); FastAPI tries each route in turn.
phone_router = APIRouter(include_in_schema=False)
PARTICIPANT_COOKIE_DAYS = 7
FORMAT_DONE = ("saved", "imported", "renamed", "deleted")


def render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    runtime = request.app.state.runtime
    return runtime.templates.TemplateResponse(request, template, context, status_code=status)


# --- home and sign-in ---------------------------------------------------------------------------


@router.get("/")
async def home(request: Request) -> Response:
    return render(request, "home.html")


@phone_router.get("/j")
async def code_entry(code: str = "") -> Response:
    return RedirectResponse(f"/j/{workshops.normalize_code(code)}", status_code=303)


@router.get("/login")
async def login_page(request: Request, runtime: RuntimeDep, next: str = "/f") -> Response:
    first_run = not await runtime.commands.query(accounts.has_accounts)
    return render(request, "login.html", next=_safe_next(next), first_run=first_run)


@router.post("/login")
async def login(
    request: Request,
    runtime: RuntimeDep,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/f",
) -> Response:
    try:
        user = await runtime.commands.query(accounts.authenticate, email=email, password=password)
    except DomainError as exc:
        return render(
            request,
            "login.html",
            status_of(exc),
            next=_safe_next(next),
            email=email,
            message=i18n.error_text(exc),
        )
    request.session.clear()
    request.session["user_id"] = user.id
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
async def logout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/", status_code=303)


@router.post("/language")
async def choose_language(lang: Annotated[str, Form()], next: Annotated[str, Form()] = "/") -> Response:
    response = RedirectResponse(_safe_next(next), status_code=303)
    if lang in LANGUAGES:
        response.set_cookie("cowork_lang", lang, max_age=365 * 86400, httponly=True, samesite="lax")
    return response


def _safe_next(target: str) -> str:
    """Only local paths, so a crafted link cannot send people elsewhere after signing in."""
    return target if target.startswith("/") and not target.startswith("//") else "/f"


# --- facilitator ----------------------------------------------------------------------------------


@router.post("/f/workshops")
async def create_workshop(
    request: Request,
    actor: PageUser,
    runtime: RuntimeDep,
    title: Annotated[str, Form()] = "",
    format: Annotated[str, Form()] = "plain",
    language: Annotated[str, Form()] = "en",
) -> Response:
    try:
        workshop = await runtime.commands.run(
            workshops.create_workshop, actor=actor, title=title, format_id=format, language=language
        )
    except DomainError as exc:
        return await render_dashboard(
            request, actor, runtime, status_of(exc), message=i18n.error_text(exc), title=title, chosen=format
        )
    return RedirectResponse(f"/f/w/{workshop.id}", status_code=303)


@router.post("/f/workshops/sample")
async def create_sample(actor: PageUser, runtime: RuntimeDep) -> Response:
    """A filled-in sample workshop in the facilitator's language, to try every screen before the day."""
    workshop = await runtime.commands.run(
        sample.create_sample_workshop, actor=actor, language=i18n.current_language()
    )
    return RedirectResponse(f"/f/w/{workshop.id}", status_code=303)


@router.post("/f/w/{workshop_id}/copy")
async def copy_workshop(request: Request, workshop_id: int, actor: PageUser, runtime: RuntimeDep) -> Response:
    """New workshop like this one: the same agenda and settings, titled "… (copy)", opened on the console."""
    source = await runtime.commands.query(workshops.get_workshop, workshop_id=workshop_id)
    title = i18n.gettext("%(title)s (copy)") % {"title": source.title}
    try:
        workshop = await runtime.commands.run(
            workshops.copy_workshop, actor=actor, workshop_id=workshop_id, title=title[: workshops.MAX_TITLE]
        )
    except DomainError as exc:
        return await render_dashboard(request, actor, runtime, status_of(exc), message=i18n.error_text(exc))
    return RedirectResponse(f"/f/w/{workshop.id}?design=1", status_code=303)


async def console_context(runtime: Any, actor: Actor, workshop_id: int) -> dict[str, Any]:
    def load(session: Session) -> dict[str, Any]:
        info = workshops.describe_workshop(session, actor=actor, workshop_id=workshop_id)
        stage = next((s for s in info["stages"] if s["id"] == info["current_stage_id"]), info["stages"][0])
        workshop = workshops.get_workshop(session, workshop_id=workshop_id)
        request = StageRequest(workshop=workshop, stage=stage, role="facilitator", actor=actor)
        cards = organisation_formats.format_cards(session, actor=actor)
        return {
            "workshop": info,
            "stage": stage,
            "org_formats": [card for card in cards if card["source"] == "organisation"],
            **stage_context(session, request),
        }

    context = await runtime.commands.query(load)
    settings = runtime.settings
    context["join_url"] = join_url(settings, context["workshop"]["code"])
    context["projector_url"] = projector_url(settings, context["workshop"]["projector_key"])
    context["phones_can_join"] = phones_can_join(settings)
    context["live"] = {
        "workshop_id": workshop_id,
        "token": make_ticket(settings.secret_key, user_id=actor.user_id),
        "last_seq": context["workshop"]["last_seq"],
    }
    context["staff"] = True
    return context


@router.get("/f/w/{workshop_id}")
async def console(request: Request, workshop_id: int, actor: PageUser, runtime: RuntimeDep) -> Response:
    context = await console_context(runtime, actor, workshop_id)
    query = request.query_params
    # After an agenda designer's post: the editor open, focus back on the move button just used.
    context["design_open"] = query.get("design") == "1"
    context["moved"] = int(query["moved"]) if query.get("moved", "").isdigit() else None
    context["moved_dir"] = query.get("dir")
    context["design_edit"] = int(query["edit"]) if query.get("edit", "").isdigit() else None
    context["design_focus"] = query.get("focus")
    # After adding or saving a stage: its row says so ("added" or "saved").
    context["design_changed"] = int(query["changed"]) if query.get("changed", "").isdigit() else None
    context["design_done"] = query.get("done")
    # After a post of the format panel: it stays open and says what was done.
    done = next(((what, query[what]) for what in FORMAT_DONE if query.get(what)), None)
    context["formats_open"] = done is not None or query.get("formats") == "1"
    context["format_done"] = done
    context["format_done_name"] = query.get("name")  # a deleted format's name: its row is gone
    return render(request, "facilitator/console.html", **context)


@router.get("/f/w/{workshop_id}/stage")
async def console_stage(request: Request, workshop_id: int, actor: PageUser, runtime: RuntimeDep) -> Response:
    return render(request, "facilitator/_stage.html", **await console_context(runtime, actor, workshop_id))


@router.post("/f/w/{workshop_id}/stage")
async def console_set_stage(
    request: Request, workshop_id: int, actor: PageUser, runtime: RuntimeDep, stage_id: Annotated[int, Form()]
) -> Response:
    await runtime.commands.run(
        workshops.set_current_stage, actor=actor, workshop_id=workshop_id, stage_id=stage_id
    )
    return RedirectResponse(f"/f/w/{workshop_id}", status_code=303)


# --- projector ------------------------------------------------------------------------------------


async def _screen_context(runtime: Any, key: str, user_id: int | None = None) -> dict[str, Any]:
    """The projector; opened by a signed-in facilitator of the workshop, it carries their moderation tools."""

    def load(session: Session) -> dict[str, Any]:
        workshop = workshops.workshop_by_projector_key(session, key=key)
        moderator = actor_for_user(session, user_id=user_id) if user_id else None
        if moderator is not None and not moderator.may_facilitate(workshop):
            moderator = None
        stages = workshops.stages_of(session, workshop_id=workshop.id)
        stage = workshops.stage_data(
            next((s for s in stages if s.id == workshop.current_stage_id), stages[0])
        )
        request = StageRequest(workshop=workshop, stage=stage, role="projector", actor=moderator)
        return {
            "workshop": workshop,
            "stages": [workshops.stage_data(s) for s in stages],
            "stage": stage,
            "present": workshops.participant_count(session, workshop_id=workshop.id),
            **stage_context(session, request),
            "moderator": moderator,
        }

    context = await runtime.commands.query(load)
    workshop = context["workshop"]
    i18n.set_language(workshop.language)
    context["join_url"] = join_url(runtime.settings, workshop.code)
    context["phones_can_join"] = phones_can_join(runtime.settings)
    moderator = context.pop("moderator")
    # A moderating facilitator's projector gets the staff view of board events only (cards with their tools).
    token = (
        make_ticket(runtime.settings.secret_key, user_id=moderator.user_id, screen=True) if moderator else key
    )
    context["live"] = {"workshop_id": workshop.id, "token": token, "last_seq": workshop.last_seq}
    context["staff"] = moderator is not None
    return context


PROJECTOR_THEMES = ("light", "dark")


@router.get("/s/{key}")
async def projector(
    request: Request,
    key: str,
    runtime: RuntimeDep,
    theme: str | None = None,
    page_seconds: Annotated[int, Query(ge=3, le=600)] = 12,
    preview: bool = False,
) -> Response:
    """The projector; `?theme=dark` for a dark room (else the console's switch), `?page_seconds=20` to turn
    long boards slower, `?preview=1` as the room sees it even for a signed-in facilitator (the console's
    small preview)."""
    user_id = None if preview else request.session.get("user_id")
    context = await _screen_context(runtime, key, user_id)
    context["theme"] = theme if theme in PROJECTOR_THEMES else context["screen"]["theme"]
    context["page_seconds"] = page_seconds
    context["preview"] = preview
    return render(request, "projector/screen.html", **context)


@router.get("/s/{key}/stage")
async def projector_stage(request: Request, key: str, runtime: RuntimeDep, preview: bool = False) -> Response:
    user_id = None if preview else request.session.get("user_id")
    return render(request, "projector/_stage.html", **await _screen_context(runtime, key, user_id))


@router.get("/s/{key}/qr.svg")
async def projector_qr(key: str, runtime: RuntimeDep) -> Response:
    import qrcode.image.svg  # here, not at the server's start

    workshop = await runtime.commands.query(workshops.workshop_by_projector_key, key=key)
    image = qrcode.make(
        join_url(runtime.settings, workshop.code),
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=2,
    )
    return Response(image.to_string(encoding="unicode"), media_type="image/svg+xml")


# --- participants ---------------------------------------------------------------------------------


async def _joined_already(request: Request, code: str, runtime: Any) -> tuple[PhoneSession, Response | None]:
    """A phone with a participant cookie asking to join (the join link, the join form sent again): the
    workshop of the code, and a 303 to the phone's page if it has already joined that one."""
    phone = await phone_session(request, await known_workshop(request, code, runtime), runtime)
    if phone.participant is None:
        return phone, None
    return phone, RedirectResponse(f"/j/{phone.workshop.code}/stage", status_code=303)


@phone_router.get("/j/{code}")
async def join_page(request: Request, code: str, runtime: RuntimeDep) -> Response:
    # A phone without the workshop's participant cookie (a room scanning the code) needs no database read.
    workshop = runtime.join_codes.get(workshops.normalize_code(code))
    if workshop is None or PARTICIPANT_COOKIE.format(workshop_id=workshop.id) in request.cookies:
        phone, to_page = await _joined_already(request, code, runtime)
        if to_page is not None:
            return to_page
        workshop = phone.workshop
        runtime.join_codes.keep(workshop)
    else:
        await runtime.throttle.before_code_lookup(client_key(request, runtime))  # as known_workshop does
    # The page of a phone that has not joined is the same for every phone of a language: rendered once.
    language = i18n.current_language()
    html = runtime.join_codes.page(workshop.code, language)
    if html is None:
        html = runtime.env.get_template("participant/join.html").render(
            request=request, workshop=workshop, form={}
        )
        runtime.join_codes.keep_page(workshop, language, html)
    return HTMLResponse(html)


@phone_router.post("/j/{code}")
async def join(
    request: Request,
    code: str,
    runtime: RuntimeDep,
    name: Annotated[str, Form()] = "",
    organisation: Annotated[str, Form()] = "",
    group: Annotated[str, Form()] = "",
    language: Annotated[str, Form()] = "",
) -> Response:
    form = {"name": name, "organisation": organisation, "group": group, "language": language}
    code = workshops.normalize_code(code)
    if participant_tokens(request.cookies):  # the form sent again by a phone that joined: no new join
        _phone, to_page = await _joined_already(request, code, runtime)
        if to_page is not None:
            return to_page
    # The join finds the workshop itself (one transaction, not a lookup first); a wrong code counts
    # against the client as on every phone page.
    client = client_key(request, runtime)
    await runtime.throttle.before_code_lookup(client)
    await runtime.throttle.before_join(code)
    try:
        # The phone page is read after the join's commit on the same worker thread (one hop, not two).
        (participant, token), context = await runtime.commands.run_then_read(
            participants.join_workshop,
            _joined_stage(runtime),
            code=code,
            name=name,
            organisation=organisation,
            group=group,
            language=language or i18n.current_language(),
        )
    except NotFound:
        await runtime.throttle.code_not_found(client)
        raise
    except DomainError as exc:
        workshop = await runtime.commands.query(workshops.workshop_by_code, code=code)
        return render(
            request,
            "participant/join.html",
            status_of(exc),
            workshop=workshop,
            form=form,
            message=i18n.error_text(exc),
        )
    # The phone page itself, not a 303 to it: one request fewer for each phone of a room scanning the code.
    # The page gives its own address (/j/CODE/stage, which cowork.js puts in the address bar), so a reload
    # asks for the page, not for the join again; a phone without the script that sends the form again is
    # answered as a joined phone (above).
    i18n.set_language(participant.language)
    phone = PhoneSession(context["workshop"], participant)
    response = _stage_response(request, _served(request, runtime, phone, context, token))
    response.set_cookie(
        PARTICIPANT_COOKIE.format(workshop_id=participant.workshop_id),
        token,
        max_age=PARTICIPANT_COOKIE_DAYS * 86400,
        httponly=True,
        samesite="lax",
        secure=runtime.settings.cookies_secure,
    )
    return response


async def phone_context(runtime: Any, phone: PhoneSession) -> dict[str, Any]:
    """Everything a participant's stage page shows; features' participant forms re-render with it."""
    return _phone_page(phone, await runtime.commands.query(_phone_stage(runtime), phone=phone))


def _phone_stage(runtime: Any) -> Callable[[Session, PhoneSession], dict[str, Any]]:
    def load(session: Session, phone: PhoneSession) -> dict[str, Any]:
        assert phone.participant is not None
        return _stage_of(runtime, session, phone.participant)

    return load


def _joined_stage(runtime: Any) -> Callable[[Session, tuple[Participant, str]], dict[str, Any]]:
    """The stage page of a participant who just joined (`join_workshop`'s result)."""

    def load(session: Session, joined: tuple[Participant, str]) -> dict[str, Any]:
        return _stage_of(runtime, session, joined[0])

    return load


def _stage_of(runtime: Any, session: Session, participant: Participant) -> dict[str, Any]:
    """A participant's stage page, read afresh (their workshop's current stage and seq)."""
    current = workshops.get_workshop(session, workshop_id=participant.workshop_id)
    return runtime.phone_pages.context(session, current, participant)


def _phone_page(phone: PhoneSession, context: dict[str, Any]) -> dict[str, Any]:
    context["participant"] = phone.participant
    context["live"] = {"workshop_id": phone.workshop.id, "last_seq": context["workshop"].last_seq}
    context["staff"] = False
    return context


async def _stage_page(request: Request, code: str, runtime: Any) -> dict[str, Any]:
    """The stage page's context, with the stage's own part from the room's load where it came from one."""
    phone, context = await joined_phone_with(request, runtime, code, _phone_stage(runtime))
    token = request.cookies.get(PARTICIPANT_COOKIE.format(workshop_id=phone.workshop.id), "")
    return _served(request, runtime, phone, context, token)


def _served(
    request: Request, runtime: Any, phone: PhoneSession, context: dict[str, Any], token: str
) -> dict[str, Any]:
    context = _phone_page(phone, context)
    context["stage_body"] = runtime.phone_pages.stage_body(runtime.env, context, request)
    runtime.hub.page_served(token, phone.participant)  # its socket comes next
    return context


def _stage_response(request: Request, context: dict[str, Any]) -> Response:
    runtime = request.app.state.runtime
    html = runtime.phone_pages.page(runtime.env, context, request)  # the room's page, its shell kept
    return render(request, "participant/stage.html", **context) if html is None else HTMLResponse(html)


@phone_router.get("/j/{code}/stage")
async def participant_page(request: Request, code: str, runtime: RuntimeDep) -> Response:
    return _stage_response(request, await _stage_page(request, code, runtime))


@phone_router.get("/j/{code}/mine")
async def my_cards_page(
    request: Request, phone: JoinedPhone, runtime: RuntimeDep, erased: bool = False
) -> Response:
    cards = await runtime.commands.query(privacy.my_cards, actor=phone.actor)
    return render(
        request,
        "participant/mine.html",
        workshop=phone.workshop,
        participant=phone.participant,
        cards=cards,
        erased=erased,
    )


@phone_router.post("/j/{code}/cards/{card_id}/erase")
async def erase_my_card(card_id: int, phone: JoinedPhone, runtime: RuntimeDep) -> Response:
    await runtime.commands.run(privacy.erase_my_card, actor=phone.actor, card_id=card_id)
    return RedirectResponse(f"/j/{phone.workshop.code}/mine?erased=1", status_code=303)  # it says so


@phone_router.get("/j/{code}/stage/fragment")
async def participant_stage(request: Request, code: str, runtime: RuntimeDep) -> Response:
    return render(request, "participant/_stage.html", **await _stage_page(request, code, runtime))
