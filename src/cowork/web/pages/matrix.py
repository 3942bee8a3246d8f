"""The responsibility matrix on pages: its fragments for phones, the projector and the console, its forms.

Every form works as a plain post (303 on success, the page again with the reason and a 4xx on refusal);
the matrix cells answer htmx with their partial.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from sqlmodel import Session

from cowork import i18n
from cowork.domain.actors import Actor
from cowork.domain.errors import DomainError
from cowork.domain.models import Workshop
from cowork.domain.stakeholders import activity_areas, interface_document, matrix
from cowork.domain.workshops import get_workshop, workshop_by_projector_key
from cowork.web.deps import JoinedPhone, PageUser, RuntimeDep, is_htmx
from cowork.web.errors import status_of
from cowork.web.pages.forms import to_console
from cowork.web.pages.workshops import render

router = APIRouter(include_in_schema=False)


# --- what a screen of the matrix shows ------------------------------------------------------------------


def matrix_context(session: Session, workshop: Workshop, role: str) -> dict[str, Any]:
    """The matrix with a lookup of its cells, and the address a screen reloads it from."""
    assert workshop.id is not None
    m = matrix.responsibility_matrix(session, workshop_id=workshop.id)
    m["cell_map"] = {f"{c['activity_id']}|{c['stakeholder_id']}": c for c in m["cells"]}
    m["row_gaps"] = {
        row["id"]: [g for g in m["gaps"] if g["activity_id"] == row["id"]] for row in m["activities"]
    }
    src = {
        "facilitator": f"/f/w/{workshop.id}/responsibilities/fragment",
        "projector": f"/s/{workshop.projector_key}/responsibilities",
        "participant": f"/j/{workshop.code}/responsibilities",
    }[role]
    groups = m["target_groups"]
    return {
        "m": m,
        "rm": {
            **matrix.matrix_display(
                workshop.id, [g["key"] for g in groups], {g["key"]: g["label"] for g in groups}
            ),
            "src": src,
        },
    }


# --- phones and the projector ----------------------------------------------------------------------------


@router.get("/j/{code}/responsibilities")
async def phone_matrix(request: Request, phone: JoinedPhone, runtime: RuntimeDep) -> Response:
    context = await runtime.commands.query(
        lambda session: matrix_context(
            session, get_workshop(session, workshop_id=phone.workshop.id), "participant"
        )
    )
    return render(request, "stakeholders/_matrix_areas.html", **context, staff=False)


@router.get("/s/{key}/responsibilities")
async def projector_matrix(request: Request, key: str, runtime: RuntimeDep) -> Response:
    def load(session: Session) -> dict[str, Any]:
        workshop = workshop_by_projector_key(session, key=key)
        return {**matrix_context(session, workshop, "projector"), "language": workshop.language}

    context = await runtime.commands.query(load)
    i18n.set_language(context["language"])  # the projector speaks the workshop's language
    return render(request, "stakeholders/_matrix_areas.html", **context, staff=False)


# --- facilitators ------------------------------------------------------------------------------------------


def _facilitator_matrix(session: Session, *, actor: Actor, workshop_id: int) -> dict[str, Any]:
    """The matrix as the console shows it, for a facilitator of the workshop only."""
    workshop = get_workshop(session, workshop_id=workshop_id)
    actor.check_facilitator(workshop)
    return matrix_context(session, workshop, "facilitator")


@router.post("/f/w/{workshop_id}/responsibilities/cells")
async def console_set_cell(
    request: Request,
    workshop_id: int,
    actor: PageUser,
    runtime: RuntimeDep,
    activity_id: Annotated[str, Form()],
    stakeholder_id: Annotated[int, Form()],
    mark: Annotated[str, Form()] = "",
    target_groups: Annotated[list[str] | None, Form()] = None,
) -> Response:
    message = None
    try:
        await runtime.commands.run(
            matrix.set_cell,
            actor=actor,
            workshop_id=workshop_id,
            activity_id=activity_id,
            stakeholder_id=stakeholder_id,
            mark=mark or None,
            target_groups=target_groups or [],
        )
    except DomainError as exc:
        if not is_htmx(request):
            raise
        message = i18n.error_text(exc)
        status = status_of(exc)
    if not is_htmx(request):
        return to_console(workshop_id, f"rm-cell-{activity_id}-{stakeholder_id}")

    context = await runtime.commands.query(_facilitator_matrix, actor=actor, workshop_id=workshop_id)
    cell = context["m"]["cell_map"].get(f"{activity_id}|{stakeholder_id}")
    return render(
        request,
        "stakeholders/_cell.html",
        status if message else 200,
        **context,
        staff=True,
        row_id=activity_id,
        sid=stakeholder_id,
        cell=cell,
        cell_message=message,
    )


@router.post("/f/w/{workshop_id}/activities")
async def console_add_activity(
    workshop_id: int, actor: PageUser, runtime: RuntimeDep, label: Annotated[str, Form()] = ""
) -> Response:
    row = await runtime.commands.run(
        activity_areas.add_activity, actor=actor, workshop_id=workshop_id, label=label
    )
    return to_console(workshop_id, f"rm-row-{row['id']}")


@router.post("/f/w/{workshop_id}/activities/{activity_id}")
async def console_change_activity(
    workshop_id: int,
    activity_id: str,
    actor: PageUser,
    runtime: RuntimeDep,
    action: Annotated[str, Form()] = "rename",
    label: Annotated[str, Form()] = "",
) -> Response:
    if action == "remove":
        await runtime.commands.run(
            activity_areas.remove_activity, actor=actor, workshop_id=workshop_id, activity_id=activity_id
        )
        return to_console(workshop_id, f"rm-{workshop_id}")
    await runtime.commands.run(
        activity_areas.rename_activity,
        actor=actor,
        workshop_id=workshop_id,
        activity_id=activity_id,
        label=label,
    )
    return to_console(workshop_id, f"rm-row-{activity_id}")


@router.get("/f/w/{workshop_id}/responsibilities/fragment")
async def console_matrix(
    request: Request, workshop_id: int, actor: PageUser, runtime: RuntimeDep
) -> Response:
    context = await runtime.commands.query(_facilitator_matrix, actor=actor, workshop_id=workshop_id)
    return render(request, "stakeholders/_matrix_body.html", **context, staff=True)


@router.get("/f/w/{workshop_id}/interface-document")
async def interface_document_page(
    request: Request, workshop_id: int, actor: PageUser, runtime: RuntimeDep
) -> Response:
    document = await runtime.commands.query(
        interface_document.interface_document, workshop_id=workshop_id, actor=actor
    )
    groups = [g["key"] for g in document["target_groups"]]
    return render(
        request,
        "stakeholders/interface_document.html",
        doc=document,
        rm=matrix.matrix_display(
            workshop_id, groups, {g["key"]: g["label"] for g in document["target_groups"]}
        ),
    )
