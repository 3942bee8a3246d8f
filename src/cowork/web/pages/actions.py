"""Proposals, the action plan and the follow-up of commitments as pages: phone and console forms, lists.

Every action is a plain form post answered by a redirect (or the page again with the reason and what was
typed); see forms.py.
"""

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from sqlmodel import Session, col, select

from cowork import i18n
from cowork.domain import workshops
from cowork.domain.actions import commitments, proposals
from cowork.domain.board import ranking as card_ranking
from cowork.domain.errors import DomainError, Invalid
from cowork.domain.models import Contribution, Stage
from cowork.web.deps import JoinedPhone, PageUser, RuntimeDep, is_fetch
from cowork.web.pages.forms import console_again, form_lines, form_number, phone_again, to_console
from cowork.web.pages.stages import StageRequest, register
from cowork.web.pages.workshops import render

router = APIRouter(include_in_schema=False)
MAX_MILESTONE_ROWS = 20


# --- the action plan -------------------------------------------------------------------------------------


@register("action_plan")
def action_plan_context(session: Session, request: StageRequest) -> dict[str, Any]:
    stage = session.get(Stage, request.stage["id"])
    assert stage is not None
    items = commitments.list_commitments(session, workshop_id=request.workshop.id)  # type: ignore[arg-type]
    return {
        "proposals": proposals.list_proposals(session, stage_id=stage.id),  # type: ignore[arg-type]
        "plan_view": stage.config.get("view") or "proposals",
        "required_fields": stage.config.get("required") or [],
        "commitments": items,
        "commitments_by_owner": commitments.commitments_by_owner(items),
        "needs": top_needs(session, workshop_id=request.workshop.id),  # type: ignore[arg-type]
    }


def top_needs(session: Session, *, workshop_id: int, limit: int = 12) -> list[dict[str, Any]]:
    """The needs a proposal may answer: the ranked ones of the needs boards first, else their cards."""
    stages = [
        s
        for s in workshops.stages_of(session, workshop_id=workshop_id)
        if s.kind in ("needs", "board") and s.id is not None
    ]
    ranked: list[dict[str, Any]] = []
    for stage in stages:
        ranking = card_ranking.stage_ranking(session, stage_id=stage.id, staff=False)  # type: ignore[arg-type]
        ranked += [{"id": i["id"], "text": i["text"], "dots": i["dots"]} for i in ranking["items"]]
    if ranked:
        ranked.sort(key=lambda item: -(item["dots"] or 0))
        return ranked[:limit]
    needs = [s.id for s in stages if s.kind == "needs"]
    if not needs:
        return []
    query = (
        select(Contribution)
        .where(col(Contribution.stage_id).in_(needs), col(Contribution.hidden).is_(False))
        .where(col(Contribution.cluster_id).is_(None))
        .order_by(col(Contribution.id))
        .limit(limit)
    )
    return [{"id": c.id, "text": c.text, "dots": None} for c in session.exec(query)]


# --- proposals ------------------------------------------------------------------------------------------


def proposal_from_form(form: Any) -> dict[str, Any]:
    """A proposal's fields from the phone's or the console's form (milestones as rows, needs as boxes)."""
    fields: dict[str, Any] = {
        name: str(form.get(name) or "")
        for name in ("title", "description", "impact", "owner", "contact", "due", "resources", "rationale")
        if form.get(name) is not None
    }
    if "success" in form or "failure" in form:
        fields["indicators"] = {
            "success": form_lines(form.get("success")),
            "failure": form_lines(form.get("failure")),
        }
    rows = str(form.get("milestone-rows") or "3")
    rows_shown = range(1, min(int(rows) if rows.isdigit() else 3, MAX_MILESTONE_ROWS) + 1)
    milestones = []
    for row in rows_shown:
        title = str(form.get(f"milestone-{row}") or "").strip()
        if title:
            milestones.append({"title": title, "due": str(form.get(f"milestone-{row}-due") or "") or None})
    if any(f"milestone-{row}" in form for row in rows_shown):
        fields["milestones"] = milestones
    needs = [key.removeprefix("need-") for key in form if key.startswith("need-")]
    if needs or "needs-shown" in form:
        fields["needs"] = [int(n) for n in needs if n.isdigit()]
    return fields


@router.post("/j/{code}/proposals")
async def participant_proposal(request: Request, phone: JoinedPhone, runtime: RuntimeDep) -> Response:
    form = await request.form()
    fields = proposal_from_form(form)
    try:
        stage_id = int(str(form.get("stage_id") or "0"))
        proposal = await runtime.commands.run(
            proposals.draft_proposal,
            actor=phone.actor,
            stage_id=stage_id,
            client_id=str(form.get("client_id") or "") or None,
            **fields,
        )
    except (DomainError, ValueError) as exc:
        exc = exc if isinstance(exc, DomainError) else Invalid("There is no such stage.")
        if is_fetch(request):
            raise exc from None
        return await phone_again(
            request, runtime, phone, exc, proposal_message=i18n.error_text(exc), proposal_draft=dict(form)
        )
    if is_fetch(request):
        return JSONResponse({"id": proposal.id}, status_code=201)
    return RedirectResponse(f"/j/{phone.workshop.code}/stage#proposal-{proposal.id}", status_code=303)


@router.post("/f/stages/{stage_id}/proposals")
async def console_draft_proposal(
    request: Request, stage_id: int, actor: PageUser, runtime: RuntimeDep
) -> Response:
    form = await request.form()
    stage = await runtime.commands.query(workshops.get_stage, stage_id=stage_id)
    try:
        proposal = await runtime.commands.run(
            proposals.draft_proposal,
            actor=actor,
            stage_id=stage_id,
            client_id=str(form.get("client_id") or "") or None,
            **proposal_from_form(form),
        )
    except DomainError as exc:
        return await console_again(
            request,
            runtime,
            actor,
            stage.workshop_id,
            exc,
            proposal_message=i18n.error_text(exc),
            proposal_draft=dict(form),
        )
    return to_console(stage.workshop_id, f"proposal-{proposal.id}")


@router.post("/f/proposals/{proposal_id}")
async def console_edit_proposal(
    request: Request, proposal_id: int, actor: PageUser, runtime: RuntimeDep
) -> Response:
    """Edit the fields, select for the vote (action=select/unselect) or commit (action=commit)."""
    form = await request.form()
    found = await runtime.commands.query(proposals.describe_proposal, actor=actor, proposal_id=proposal_id)
    action = str(form.get("action") or "edit")
    try:
        if action == "commit":
            await runtime.commands.run(commitments.commit_proposal, actor=actor, proposal_id=proposal_id)
        else:
            fields = proposal_from_form(form) if action == "edit" else {}
            if action in ("select", "unselect"):
                fields["selected"] = action == "select"
            await runtime.commands.run(
                proposals.update_proposal, actor=actor, proposal_id=proposal_id, **fields
            )
    except DomainError as exc:
        return await console_again(
            request,
            runtime,
            actor,
            found["workshop_id"],
            exc,
            proposal_errors={proposal_id: i18n.error_text(exc)},
        )
    return to_console(found["workshop_id"], f"proposal-{proposal_id}")


# --- follow-up of commitments ---------------------------------------------------------------------------


def _commitments_context(session: Session, workshop_id: int) -> dict[str, Any]:
    items = commitments.list_commitments(session, workshop_id=workshop_id)
    return {"commitments": items, "commitments_by_owner": commitments.commitments_by_owner(items)}


@router.get("/j/{code}/commitments")
async def participant_commitments(request: Request, phone: JoinedPhone, runtime: RuntimeDep) -> Response:
    context = await runtime.commands.query(_commitments_context, workshop_id=phone.workshop.id)
    return render(request, "actions/_commitments.html", **context, staff=False)


@router.get("/s/{key}/commitments")
async def projector_commitments(request: Request, key: str, runtime: RuntimeDep) -> Response:
    def load(session: Session) -> dict[str, Any]:
        workshop = workshops.workshop_by_projector_key(session, key=key)
        return {"workshop": workshop, **_commitments_context(session, workshop.id)}  # type: ignore[arg-type]

    context = await runtime.commands.query(load)
    i18n.set_language(context["workshop"].language)
    return render(request, "actions/_commitments.html", **context, staff=False)


@router.get("/f/w/{workshop_id}/commitments/fragment")
async def console_commitments(
    request: Request, workshop_id: int, actor: PageUser, runtime: RuntimeDep
) -> Response:
    def load(session: Session) -> dict[str, Any]:
        actor.check_facilitator(workshops.get_workshop(session, workshop_id=workshop_id))
        return _commitments_context(session, workshop_id)

    context = await runtime.commands.query(load)
    return render(request, "actions/_commitments.html", **context, back=f"/f/w/{workshop_id}", staff=True)


@router.get("/f/w/{workshop_id}/commitments")
async def follow_up(request: Request, workshop_id: int, actor: PageUser, runtime: RuntimeDep) -> Response:
    """Commitments by owner, with their status; open ones of earlier workshops can be imported here."""

    def load(session: Session) -> dict[str, Any]:
        workshop = workshops.get_workshop(session, workshop_id=workshop_id)
        actor.check_facilitator(workshop)
        data = commitments.commitments_of_workshop(session, actor=actor, workshop_id=workshop_id)
        earlier = [
            w
            for w in workshops.workshops_of(session, actor=actor)
            if w.id != workshop_id and (workshop.is_sample or not w.is_sample)  # a sample's are made up
        ]
        return {"workshop": workshop, "earlier": earlier, **data}

    context = await runtime.commands.query(load)
    return render(
        request,
        "actions/commitments.html",
        **context,
        message=request.query_params.get("message"),
        staff=True,
    )


@router.post("/f/commitments/{commitment_id}")
async def update_commitment(
    request: Request, commitment_id: int, actor: PageUser, runtime: RuntimeDep
) -> Response:
    form = await request.form()
    fields: dict[str, Any] = {
        name: str(form.get(name) or "") for name in ("owner", "contact", "due", "note") if name in form
    }
    commitment = await runtime.commands.run(
        commitments.update_commitment,
        actor=actor,
        commitment_id=commitment_id,
        status=str(form.get("status") or "") or None,
        **fields,
    )
    back = str(form.get("next") or "")
    if not back.startswith("/f/") or back.startswith("//"):
        back = f"/f/w/{commitment.workshop_id}/commitments"
    return RedirectResponse(f"{back}#commitment-{commitment_id}", status_code=303)


@router.post("/f/w/{workshop_id}/commitments/import")
async def import_commitments(
    request: Request, workshop_id: int, actor: PageUser, runtime: RuntimeDep
) -> Response:
    form = await request.form()
    source = form_number(form.get("from_workshop_id"))
    if source is None:
        raise Invalid("Please choose the earlier workshop.")
    await runtime.commands.run(
        commitments.import_commitments, actor=actor, workshop_id=workshop_id, from_workshop_id=source
    )
    return RedirectResponse(f"/f/w/{workshop_id}/commitments", status_code=303)
