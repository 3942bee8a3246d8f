"""The stakeholder map on pages: the stage's context, and the phones' and the console's forms for it.

Every form works as a plain post (303 on success, the page again with the reason and a 4xx on refusal);
the pins answer htmx with their partial. The matrix has its own pages (`matrix.py`).
"""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from sqlmodel import Session

from cowork import i18n
from cowork.domain.actors import Actor
from cowork.domain.errors import DomainError, Invalid
from cowork.domain.models import Stage
from cowork.domain.stakeholders import map as stakeholder_map
from cowork.domain.stakeholders import merges as stakeholder_merges
from cowork.domain.stakeholders import names as stakeholder_names
from cowork.domain.stakeholders import ratings as stakeholder_ratings
from cowork.domain.stakeholders import registry as domain
from cowork.domain.stakeholders.families import shown_families
from cowork.domain.workshops import get_workshop
from cowork.web.deps import JoinedPhone, PageUser, RuntimeDep, is_htmx
from cowork.web.errors import status_of
from cowork.web.pages.forms import STORE_ERRORS, phone_not_saved, to_console
from cowork.web.pages.matrix import matrix_context
from cowork.web.pages.stages import StageRequest, register
from cowork.web.pages.workshops import phone_context, render

router = APIRouter(include_in_schema=False)


# --- what a stakeholder stage shows ------------------------------------------------------------------------


@register(domain.KIND)
def _stakeholder_stage(session: Session, request: StageRequest) -> dict[str, Any]:
    workshop = request.workshop
    assert workshop.id is not None
    stage = session.get(Stage, request.stage["id"])
    config = stage.config if stage is not None else {}
    view = "matrix" if config.get("view") == "matrix" else "map"
    items = stakeholder_map.list_stakeholders(session, workshop_id=workshop.id, include_contact=request.staff)
    sh: dict[str, Any] = {
        "view": view,
        "wid": workshop.id,
        "code": workshop.code,
        "all": items,
        "suggestions": config.get("suggestions", []),
        "families": shown_families(config),
        "mine": {},
        "similar": stakeholder_names.likely_duplicates(items) if request.staff else {},
    }
    if request.participant is not None and request.participant.id is not None:
        sh["mine"] = stakeholder_ratings.ratings_of(session, participant_id=request.participant.id)
    context: dict[str, Any] = {"sh": sh}
    if request.staff or view == "matrix":
        context.update(matrix_context(session, workshop, request.role))
    return context


# --- phones ----------------------------------------------------------------------------------------------


def _score(value: str) -> int | None:
    return int(value) if value.strip().isdigit() else None


class StakeholderForm(BaseModel):
    """The form that puts a stakeholder on the map, on phones and on the console."""

    stage_id: int
    name: str = ""
    family: str = ""
    level: str = ""
    role: str = ""
    tasks: str = ""
    consent: str = ""
    contact_person: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    client_id: str = ""

    def proposal(self) -> dict[str, Any]:
        """The arguments of domain.propose_stakeholder."""
        return {
            "stage_id": self.stage_id,
            **self.model_dump(include={"name", "family", "level", "role", "tasks"}),
            "contact": {
                "person": self.contact_person,
                "email": self.contact_email,
                "phone": self.contact_phone,
            },
            "consent": bool(self.consent),
            "client_id": self.client_id or None,
        }


@router.post("/j/{code}/stakeholders")
async def phone_propose(
    request: Request, phone: JoinedPhone, runtime: RuntimeDep, form: Annotated[StakeholderForm, Form()]
) -> Response:
    draft = form.model_dump(exclude={"stage_id", "client_id"})
    try:
        stakeholder, duplicate = await runtime.commands.run(
            domain.propose_stakeholder, actor=phone.actor, **form.proposal()
        )
    except STORE_ERRORS as exc:  # the store cannot save now: keep what was typed on the page
        return await phone_not_saved(
            request,
            runtime,
            phone,
            exc,
            say=lambda reason: {"sh_message": reason},
            sh_draft={**draft, "consent": bool(form.consent)},
        )
    except DomainError as exc:
        context = await phone_context(runtime, phone)
        return render(
            request,
            "participant/stage.html",
            status_of(exc),
            **context,
            sh_message=i18n.error_text(exc),
            sh_draft={**draft, "consent": bool(form.consent)},
        )
    if duplicate:
        context = await phone_context(runtime, phone)
        notice = i18n.gettext("%(name)s is already on the map. Please rate it below.") % {
            "name": stakeholder.name
        }
        return render(request, "participant/stage.html", **context, sh_notice=notice, sh_open=stakeholder.id)
    return RedirectResponse(f"/j/{phone.workshop.code}/stage#sh-rate-{stakeholder.id}", status_code=303)


@router.post("/j/{code}/stakeholders/{stakeholder_id}/rating")
async def phone_rate(
    request: Request,
    stakeholder_id: int,
    phone: JoinedPhone,
    runtime: RuntimeDep,
    influence: Annotated[str, Form()] = "",
    interest: Annotated[str, Form()] = "",
) -> Response:
    try:
        rating, _ = await runtime.commands.run(
            stakeholder_ratings.rate_stakeholder,
            actor=phone.actor,
            stakeholder_id=stakeholder_id,
            influence=_score(influence),
            interest=_score(interest),
        )
    except STORE_ERRORS as exc:  # the store cannot save now: the form again with the choices made
        return await phone_not_saved(
            request,
            runtime,
            phone,
            exc,
            say=lambda reason: {"sh_rate_message": {stakeholder_id: reason}},
            sh_open=stakeholder_id,
            sh_rate_draft={stakeholder_id: {"influence": _score(influence), "interest": _score(interest)}},
        )
    except DomainError as exc:
        context = await phone_context(runtime, phone)
        return render(
            request,
            "participant/stage.html",
            status_of(exc),
            **context,
            sh_rate_message={stakeholder_id: i18n.error_text(exc)},
            sh_open=stakeholder_id,
        )
    return RedirectResponse(
        f"/j/{phone.workshop.code}/stage#sh-rate-{rating.stakeholder_id}", status_code=303
    )


# --- facilitators ------------------------------------------------------------------------------------------


async def _staff_item(runtime: Any, actor: Actor, stakeholder_id: int) -> dict[str, Any]:
    return await runtime.commands.query(domain.staff_entry, actor=actor, stakeholder_id=stakeholder_id)


@router.get("/f/stakeholders/{stakeholder_id}/entry")
async def console_entry(
    request: Request, stakeholder_id: int, actor: PageUser, runtime: RuntimeDep
) -> Response:
    """The inside of a stakeholder's entry on the console, refetched by the console after a merge."""
    item = await _staff_item(runtime, actor, stakeholder_id)
    return render(request, "stakeholders/_staff_entry.html", s=item, staff=True)


@router.post("/f/w/{workshop_id}/stakeholders")
async def console_propose(
    workshop_id: int, actor: PageUser, runtime: RuntimeDep, form: Annotated[StakeholderForm, Form()]
) -> Response:
    stakeholder, _ = await runtime.commands.run(domain.propose_stakeholder, actor=actor, **form.proposal())
    return to_console(stakeholder.workshop_id, f"sh-staff-{stakeholder.id}")


def _pin_values(action: str, influence: str, interest: str) -> dict[str, Any]:
    """What the pin form asks of `pin_stakeholder`: a position, or none to unpin."""

    def number(value: str) -> float | str | None:
        try:
            return float(value.replace(",", ".")) if value.strip() else None
        except ValueError:
            return value  # the domain explains what a position is

    if action == "unpin":
        return {"influence": None, "interest": None}
    values = {"influence": number(influence), "interest": number(interest)}
    if values["influence"] is None and values["interest"] is None:
        values["influence"] = ""  # an empty pin form is a mistake, not an unpin
    return values


@router.post("/f/stakeholders/{stakeholder_id}/pin")
async def console_pin(
    request: Request,
    stakeholder_id: int,
    actor: PageUser,
    runtime: RuntimeDep,
    action: Annotated[str, Form()] = "pin",
    influence: Annotated[str, Form()] = "",
    interest: Annotated[str, Form()] = "",
) -> Response:
    try:
        stakeholder = await runtime.commands.run(
            stakeholder_ratings.pin_stakeholder,
            actor=actor,
            stakeholder_id=stakeholder_id,
            **_pin_values(action, influence, interest),
        )
    except DomainError as exc:
        if not is_htmx(request):
            raise
        item = await _staff_item(runtime, actor, stakeholder_id)
        return render(
            request,
            "stakeholders/_staff_item.html",
            status_of(exc),
            s=item,
            staff=True,
            item_message=i18n.error_text(exc),
        )
    if is_htmx(request):
        item = await _staff_item(runtime, actor, stakeholder.id)
        return render(request, "stakeholders/_staff_item.html", s=item, staff=True)
    return to_console(stakeholder.workshop_id, f"sh-staff-{stakeholder.id}")


@router.post("/f/stakeholders/{stakeholder_id}/merge")
async def console_merge(
    stakeholder_id: int, actor: PageUser, runtime: RuntimeDep, into_id: Annotated[int, Form()]
) -> Response:
    """A merge hint's button: this stakeholder goes into the one it looks like."""
    kept = await runtime.commands.run(
        stakeholder_merges.merge_stakeholders, actor=actor, stakeholder_id=stakeholder_id, into_id=into_id
    )
    return to_console(kept.workshop_id, f"sh-staff-{kept.id}")


@router.post("/f/w/{workshop_id}/stakeholders/merge")
async def console_merge_by_name(
    workshop_id: int,
    actor: PageUser,
    runtime: RuntimeDep,
    name: Annotated[str, Form()] = "",
    into_name: Annotated[str, Form()] = "",
) -> Response:
    """The merge form names both stakeholders (a datalist offers the names on the map)."""
    drop = await runtime.commands.query(_id_by_name, actor=actor, workshop_id=workshop_id, name=name)
    keep = await runtime.commands.query(_id_by_name, actor=actor, workshop_id=workshop_id, name=into_name)
    kept = await runtime.commands.run(
        stakeholder_merges.merge_stakeholders, actor=actor, stakeholder_id=drop, into_id=keep
    )
    return to_console(kept.workshop_id, f"sh-staff-{kept.id}")


def _id_by_name(session: Session, *, actor: Actor, workshop_id: int, name: str) -> int:
    actor.check_facilitator(get_workshop(session, workshop_id=workshop_id))
    key = stakeholder_names.normalise_name(name)
    for other in stakeholder_map.live_stakeholders(session, workshop_id=workshop_id):
        if other.name_key == key:
            return other.id  # type: ignore[return-value]
    raise Invalid("No stakeholder on the map is called {name}.", name=name.strip())


@router.get("/f/stakeholders/{stakeholder_id}/edit")
async def console_edit_page(
    request: Request, stakeholder_id: int, actor: PageUser, runtime: RuntimeDep
) -> Response:
    item = await _staff_item(runtime, actor, stakeholder_id)
    return render(request, "stakeholders/edit.html", s=item, form=_form_of(item))


def _form_of(item: dict[str, Any]) -> dict[str, Any]:
    contact = item.get("contact") or {}
    return {
        **{k: item.get(k) or "" for k in ("name", "family", "level", "role", "tasks")},
        **{f"contact_{k}": contact.get(k) or "" for k in ("person", "email", "phone")},
        "consent": bool(contact),
    }


@router.post("/f/stakeholders/{stakeholder_id}/edit")
async def console_edit(
    request: Request,
    stakeholder_id: int,
    actor: PageUser,
    runtime: RuntimeDep,
    action: Annotated[str, Form()] = "save",
    name: Annotated[str, Form()] = "",
    family: Annotated[str, Form()] = "",
    level: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    tasks: Annotated[str, Form()] = "",
    consent: Annotated[str, Form()] = "",
    contact_person: Annotated[str, Form()] = "",
    contact_email: Annotated[str, Form()] = "",
    contact_phone: Annotated[str, Form()] = "",
) -> Response:
    contact = {"person": contact_person, "email": contact_email, "phone": contact_phone}
    if action == "erase_contact":
        changes: dict[str, Any] = {"contact": None}
    else:
        changes = {
            "name": name,
            "family": family,
            "level": level,
            "role": role,
            "tasks": tasks,
            "contact": contact,
            "consent": bool(consent),
        }
    try:
        stakeholder = await runtime.commands.run(
            domain.update_stakeholder, actor=actor, stakeholder_id=stakeholder_id, **changes
        )
    except DomainError as exc:
        item = await _staff_item(runtime, actor, stakeholder_id)
        form = {
            **{k: v for k, v in changes.items() if k not in ("contact",)},
            **{f"contact_{k}": v for k, v in contact.items()},
        }
        return render(
            request, "stakeholders/edit.html", status_of(exc), s=item, form=form, message=i18n.error_text(exc)
        )
    return to_console(stakeholder.workshop_id, f"sh-staff-{stakeholder.id}")
