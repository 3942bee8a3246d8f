"""Breakout tables as pages: a group-work stage's tables, the console's split and seating forms, the phones'.

Like every programme form: a plain post answered by 303 back to the page, or a 4xx with the message.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from sqlmodel import Session, col, select

from cowork.domain import workshops
from cowork.domain.errors import DomainError
from cowork.domain.models import Participant
from cowork.domain.program import seats as table_seats
from cowork.domain.program import table_boards
from cowork.domain.program import tables as breakout
from cowork.web.deps import JoinedPhone, PageUser, PhoneSession, RuntimeDep, is_fetch
from cowork.web.pages.forms import phone_refused, to_console
from cowork.web.pages.stages import StageRequest, register_common

router = APIRouter(include_in_schema=False)


# --- what a group-work stage shows ------------------------------------------------------------------------


@register_common
def _group_work(session: Session, request: StageRequest) -> dict[str, Any]:
    """Breakout tables on a group-work stage. A common loader, so the board's own loader for the stage's
    cards (group work is a card kind) keeps working beside it."""
    if request.stage["kind"] != "group_work":
        return {}
    stage = workshops.get_stage(session, stage_id=request.stage["id"])
    assert stage.id is not None and request.workshop.id is not None
    workshop_id = request.workshop.id
    tables = breakout.describe_tables(session, workshop_id=workshop_id)
    cards = table_boards.cards_by_table(
        session, table_ids=[t["id"] for t in tables], include_hidden=request.staff, stage_id=stage.id
    )
    for table in tables:
        table["cards"] = cards[table["id"]]
    mine, my_role = _my_table(tables, request.participant)
    method = tables[0]["method"] if tables else None
    config = stage.config or {}
    categories = config.get("categories") or []
    view: dict[str, Any] = {
        "tables": tables,
        "mine": mine,
        "my_role": my_role,
        # Anybody may choose while the tables are self-chosen; a latecomer without a table always may.
        "can_choose": bool(tables) and (method == "self" or mine is None),
        "method": method,
        "default_count": config.get("tables")
        or (len(categories) if config.get("one_table_per_category") else 2),
        # Cards written on the stage's board before the split stay visible under the tables.
        "loose": table_boards.loose_cards(session, stage_id=stage.id, include_hidden=request.staff)
        if tables
        else [],
    }
    if request.staff:
        view["unseated"] = _unseated(session, workshop_id, tables)
    return {"breakout": view}


def _my_table(
    tables: list[dict[str, Any]], participant: Participant | None
) -> tuple[dict[str, Any] | None, str | None]:
    """A participant's table and their role at it; (None, None) on the other screens and for the unseated."""
    if participant is None:
        return None, None
    pid = participant.id
    mine = next((t for t in tables if any(m["participant_id"] == pid for m in t["members"])), None)
    my_role = next((m["role"] for m in (mine or {}).get("members", []) if m["participant_id"] == pid), None)
    return mine, my_role


def _unseated(session: Session, workshop_id: int, tables: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The workshop's participants who sit at no table, for the console's seating form."""
    seated = {m["participant_id"] for t in tables for m in t["members"]}
    people = session.exec(
        select(Participant).where(Participant.workshop_id == workshop_id).order_by(col(Participant.id))
    )
    return [{"participant_id": p.id, "name": p.name} for p in people if p.id not in seated]


# --- facilitator forms --------------------------------------------------------------------------------


@router.post("/f/w/{workshop_id}/tables")
async def console_split(
    workshop_id: int,
    actor: PageUser,
    runtime: RuntimeDep,
    count: Annotated[str, Form()],
    method: Annotated[str, Form()] = "random",
    roles: Annotated[str, Form()] = "choose",
    topics: Annotated[str, Form()] = "",
) -> Response:
    lines = [line.strip() for line in topics.splitlines() if line.strip()]
    await runtime.commands.run(
        breakout.split_into_tables,
        actor=actor,
        workshop_id=workshop_id,
        count=int(count) if count.strip().isdigit() else count,
        method=method,
        topics=lines or None,
        roles=roles,
    )
    return to_console(workshop_id)


@router.post("/f/w/{workshop_id}/tables/rotate")
async def console_rotate(workshop_id: int, actor: PageUser, runtime: RuntimeDep) -> Response:
    await runtime.commands.run(table_seats.rotate_roles, actor=actor, workshop_id=workshop_id)
    return to_console(workshop_id)


@router.post("/f/w/{workshop_id}/tables/{table_id}/roles")
async def console_role(
    workshop_id: int,
    table_id: int,
    actor: PageUser,
    runtime: RuntimeDep,
    role: Annotated[str, Form()],
    participant_id: Annotated[int, Form()],
) -> Response:
    await runtime.commands.run(
        table_seats.set_role, actor=actor, table_id=table_id, role=role, participant_id=participant_id
    )
    return to_console(workshop_id)


@router.post("/f/w/{workshop_id}/tables/{table_id}/seat")
async def console_seat(
    workshop_id: int,
    table_id: int,
    actor: PageUser,
    runtime: RuntimeDep,
    participant_id: Annotated[int, Form()],
) -> Response:
    await runtime.commands.run(
        table_seats.join_table, actor=actor, table_id=table_id, participant_id=participant_id
    )
    return to_console(workshop_id)


# --- participant forms --------------------------------------------------------------------------------


def _stage_page(phone: PhoneSession) -> Response:
    return RedirectResponse(f"/j/{phone.workshop.code}/stage", status_code=303)


@router.post("/j/{code}/tables/{table_id}/join")
async def phone_join_table(
    request: Request, table_id: int, phone: JoinedPhone, runtime: RuntimeDep
) -> Response:
    try:
        await runtime.commands.run(table_seats.join_table, actor=phone.actor, table_id=table_id)
    except DomainError as exc:
        return await phone_refused(request, runtime, phone, exc)
    return _stage_page(phone)


@router.post("/j/{code}/tables/{table_id}/role")
async def phone_take_role(
    request: Request, table_id: int, phone: JoinedPhone, runtime: RuntimeDep, role: Annotated[str, Form()]
) -> Response:
    try:
        await runtime.commands.run(table_seats.set_role, actor=phone.actor, table_id=table_id, role=role)
    except DomainError as exc:
        return await phone_refused(request, runtime, phone, exc)
    return _stage_page(phone)


@router.post("/j/{code}/tables/{table_id}/cards")
async def phone_table_card(
    request: Request,
    table_id: int,
    phone: JoinedPhone,
    runtime: RuntimeDep,
    stage_id: Annotated[int, Form()],
    text: Annotated[str, Form()] = "",
    category: Annotated[str, Form()] = "",
    client_id: Annotated[str, Form()] = "",
) -> Response:
    assert phone.participant is not None
    try:
        card = await runtime.commands.run(
            table_boards.add_table_card,
            actor=phone.actor,
            table_id=table_id,
            stage_id=stage_id,
            text=text,
            category=category or None,
            language=phone.participant.language,
            client_id=client_id or None,
        )
    except DomainError as exc:
        return await phone_refused(request, runtime, phone, exc, draft={"text": text, "category": category})
    if is_fetch(request):
        return JSONResponse({"id": card.id, "seq": card.seq}, status_code=201)
    return RedirectResponse(f"/j/{phone.workshop.code}/stage#card-{card.id}", status_code=303)
