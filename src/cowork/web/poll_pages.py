"""Votes, proposals and commitments as pages: ballot forms on phones, bars on the projector, the console.

Every action is a plain form post answered by a redirect (or the page again with the reason and what was
typed); the live script only refetches the pieces that events name (`#polls`, `#poll-N-bars`).
"""

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from sqlmodel import Session, col, select

from .. import i18n
from ..domain import ballots, card_ranking, commitments, poll_results, poll_setup, polls, proposals, workshops
from ..domain.actors import Actor
from ..domain.errors import DomainError, Invalid, NotFound
from ..domain.models import Contribution, Stage, Workshop
from ..formats import CARD_KINDS
from ..live.views.polls import main_number
from .deps import JoinedPhone, PageUser, PhoneSession, RuntimeDep, is_fetch
from .errors import status_of
from .pages import phone_context, render
from .stages import EXTRAS, StageRequest, register, register_common

router = APIRouter(include_in_schema=False)
MAX_MILESTONE_ROWS = 20
# A result row's main number as the reader writes it, for the templates (the text live pushes carry).
POLLFMT = {"main": main_number}


# --- page context -----------------------------------------------------------------------------------


def polls_context(session: Session, request: StageRequest) -> dict[str, Any]:
    """The stage's votes for one screen: drafts and live counts for staff, one's own ballot on phones."""
    stage_id = request.stage["id"]
    staff = request.staff
    items = []
    for poll in polls.polls_of_stage(session, stage_id=stage_id):
        if poll.status == "draft" and not staff:
            continue
        data = polls.poll_data(session, poll)
        data["results"] = poll_results.results_for(session, poll, staff=staff)
        data["on_cards"] = poll.method == "dots" and all(o["contribution_id"] for o in data["options"])
        if request.participant is not None:
            data["mine"] = ballots.my_ballot(
                session, actor=Actor.of_participant(request.participant), poll_id=poll.id
            )
        items.append(data)
    # Open votes first, then the latest closed ones.
    items.sort(key=lambda p: ({"open": 0, "draft": 1, "closed": 2}[p["status"]], -p["id"]))
    context: dict[str, Any] = {"polls": items, "pollfmt": POLLFMT}
    if any(p["on_cards"] for p in items):
        context["poll_ranking"] = card_ranking.stage_ranking(session, stage_id=stage_id, staff=staff)
    if staff:
        context["poll_sources"] = _sources(session, request)
    return context


def _sources(session: Session, request: StageRequest) -> dict[str, Any]:
    """What a facilitator can put to the vote here: the stage's visible cards and its proposals."""
    stage_id = request.stage["id"]
    cards = []
    if request.stage["kind"] in CARD_KINDS:
        query = (
            select(Contribution)
            .where(Contribution.stage_id == stage_id, col(Contribution.hidden).is_(False))
            .where(col(Contribution.cluster_id).is_(None), col(Contribution.approved).is_(True))
            .order_by(col(Contribution.id))
        )
        cards = [{"id": c.id, "text": c.text, "kind": c.kind} for c in session.exec(query)]
    stage = session.get(Stage, stage_id)
    configured = stage.config.get("poll") if stage is not None else None  # e.g. the regional workshop's vote
    return {
        "cards": cards,
        "proposals": proposals.list_proposals(session, stage_id=stage_id),
        "default_method": configured
        if configured in poll_setup.METHODS
        else ("yes_no_abstain" if request.stage["kind"] == "action_plan" else "dots"),
    }


register_common(polls_context)
EXTRAS.append("polls")


@register("action_plan")
def action_plan_context(session: Session, request: StageRequest) -> dict[str, Any]:
    stage = session.get(Stage, request.stage["id"])
    assert stage is not None
    items = commitments.list_commitments(session, workshop_id=request.workshop.id)  # type: ignore[arg-type]
    return {
        "proposals": proposals.list_proposals(session, stage_id=stage.id),  # type: ignore[arg-type]
        "plan_view": stage.config.get("view") or "proposals",
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


def _stage_request(session: Session, workshop: Workshop, role: str, **who: Any) -> StageRequest:
    stage = workshops.stage_data(workshops.get_stage(session, stage_id=workshop.current_stage_id))  # type: ignore[arg-type]
    return StageRequest(workshop=workshop, stage=stage, role=role, **who)


# --- participants ----------------------------------------------------------------------------------------


@router.get("/j/{code}/polls")
async def participant_polls(request: Request, phone: JoinedPhone, runtime: RuntimeDep) -> Response:
    """The phone's votes, refetched when a vote opens or closes."""
    participant = phone.participant

    def load(session: Session) -> dict[str, Any]:
        workshop = workshops.get_workshop(session, workshop_id=phone.workshop.id)  # type: ignore[arg-type]
        stage_request = _stage_request(
            session, workshop, "participant", actor=phone.actor, participant=participant
        )
        return {"workshop": workshop, "stage": stage_request.stage, **polls_context(session, stage_request)}

    context = await runtime.commands.query(load)
    return render(request, "polls/_participant_polls.html", **context, participant=participant, staff=False)


def _choices_from_form(poll: dict[str, Any], form: Any) -> dict[str, Any]:
    """The ballot a form describes; a +/- button (`adjust=+12`) moves one dot before it is cast."""
    choices: dict[str, Any] = {}
    for option in poll["options"]:
        raw = form.get(f"choice-{option['id']}")
        if poll["method"] == "approval":
            choices[str(option["id"])] = raw is not None
        elif poll["method"] == "dots":
            choices[str(option["id"])] = (raw or "0").strip() or "0"
        elif raw not in (None, ""):
            choices[str(option["id"])] = raw
    adjust = str(form.get("adjust") or "")
    if poll["method"] == "dots" and adjust[:1] in "+-" and adjust[1:] in choices:
        try:
            now = int(choices[adjust[1:]])
        except ValueError:
            now = 0
        choices[adjust[1:]] = str(max(0, now + (1 if adjust[0] == "+" else -1)))
    return choices


@router.post("/j/{code}/polls/{poll_id}/ballot")
async def participant_ballot(
    request: Request, poll_id: int, phone: JoinedPhone, runtime: RuntimeDep
) -> Response:
    form = await request.form()
    poll = await runtime.commands.query(polls.describe_poll, actor=phone.actor, poll_id=poll_id)
    choices = _choices_from_form(poll, form)
    client_id = str(form.get("client_id") or "") or None
    try:
        await runtime.commands.run(
            ballots.cast_ballot, actor=phone.actor, poll_id=poll_id, choices=choices, client_id=client_id
        )
    except DomainError as exc:
        return await _phone_again(
            request,
            runtime,
            phone,
            exc,
            poll_errors={poll_id: i18n.error_text(exc)},
            poll_drafts={poll_id: choices},
        )
    return RedirectResponse(f"/j/{phone.workshop.code}/stage#poll-{poll_id}", status_code=303)


async def _phone_again(
    request: Request, runtime: Any, phone: PhoneSession, exc: DomainError, **extra: Any
) -> Response:
    context = await phone_context(runtime, phone)
    return render(request, "participant/stage.html", status_of(exc), **context, **extra)


def _lines(value: Any) -> list[str]:
    return [line.strip() for line in str(value or "").splitlines() if line.strip()]


def proposal_from_form(form: Any) -> dict[str, Any]:
    """A proposal's fields from the phone's or the console's form (milestones as rows, needs as boxes)."""
    fields: dict[str, Any] = {
        name: str(form.get(name) or "")
        for name in ("title", "description", "impact", "owner", "contact", "due", "resources", "rationale")
        if form.get(name) is not None
    }
    if "success" in form or "failure" in form:
        fields["indicators"] = {
            "success": _lines(form.get("success")),
            "failure": _lines(form.get("failure")),
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
        return await _phone_again(
            request, runtime, phone, exc, proposal_message=i18n.error_text(exc), proposal_draft=dict(form)
        )
    if is_fetch(request):
        return JSONResponse({"id": proposal.id}, status_code=201)
    return RedirectResponse(f"/j/{phone.workshop.code}/stage#proposal-{proposal.id}", status_code=303)


# --- projector ----------------------------------------------------------------------------------------


def _screen(session: Session, key: str) -> tuple[Workshop, StageRequest]:
    workshop = workshops.workshop_by_projector_key(session, key=key)
    return workshop, _stage_request(session, workshop, "projector")


@router.get("/s/{key}/polls")
async def projector_polls(request: Request, key: str, runtime: RuntimeDep) -> Response:
    def load(session: Session) -> dict[str, Any]:
        workshop, stage_request = _screen(session, key)
        return {"workshop": workshop, "stage": stage_request.stage, **polls_context(session, stage_request)}

    context = await runtime.commands.query(load)
    i18n.set_language(context["workshop"].language)
    return render(request, "polls/_projector_polls.html", **context, live={"token": key}, staff=False)


def _poll_of(session: Session, workshop: Workshop, poll_id: int) -> polls.Poll:
    poll = session.get(polls.Poll, poll_id)
    if poll is None or poll.workshop_id != workshop.id or poll.status == "draft":
        raise NotFound("There is no such vote.")
    return poll


def _bars_context(session: Session, poll: polls.Poll, staff: bool) -> dict[str, Any]:
    data = polls.poll_data(session, poll)
    data["results"] = poll_results.results_for(session, poll, staff=staff)
    return {"poll": data, "pollfmt": POLLFMT}


@router.get("/s/{key}/polls/{poll_id}/bars")
async def projector_bars(request: Request, key: str, poll_id: int, runtime: RuntimeDep) -> Response:
    def load(session: Session) -> dict[str, Any]:
        workshop = workshops.workshop_by_projector_key(session, key=key)
        return {"workshop": workshop, **_bars_context(session, _poll_of(session, workshop, poll_id), False)}

    context = await runtime.commands.query(load)
    i18n.set_language(context["workshop"].language)
    return render(request, "polls/_bars.html", **context, staff=False)


@router.get("/s/{key}/ranking/{stage_id}")
async def projector_ranking(request: Request, key: str, stage_id: int, runtime: RuntimeDep) -> Response:
    def load(session: Session) -> dict[str, Any]:
        workshop = workshops.workshop_by_projector_key(session, key=key)
        stage = session.get(Stage, stage_id)
        if stage is None or stage.workshop_id != workshop.id:
            raise NotFound("There is no such stage.")
        ranking = card_ranking.stage_ranking(session, stage_id=stage_id, staff=False)
        return {"workshop": workshop, "ranking": ranking, "stage": {"id": stage_id}, "pollfmt": POLLFMT}

    context = await runtime.commands.query(load)
    i18n.set_language(context["workshop"].language)
    return render(request, "polls/_ranking.html", **context, live={"token": key}, staff=False)


# --- facilitator console --------------------------------------------------------------------------------


def _console(workshop_id: int, anchor: str = "polls") -> Response:
    return RedirectResponse(f"/f/w/{workshop_id}#{anchor}", status_code=303)


async def _console_again(
    request: Request, runtime: Any, actor: Actor, workshop_id: int, exc: DomainError, **extra: Any
) -> Response:
    from .pages import _console_context

    context = await _console_context(runtime, actor, workshop_id)
    return render(request, "facilitator/console.html", status_of(exc), **context, **extra)


@router.get("/f/w/{workshop_id}/polls")
async def console_polls(request: Request, workshop_id: int, actor: PageUser, runtime: RuntimeDep) -> Response:
    def load(session: Session) -> dict[str, Any]:
        workshop = workshops.get_workshop(session, workshop_id=workshop_id)
        actor.check_facilitator(workshop)
        stage_request = _stage_request(session, workshop, "facilitator", actor=actor)
        return {"workshop": workshop, "stage": stage_request.stage, **polls_context(session, stage_request)}

    return render(request, "polls/_facilitator_polls.html", **await runtime.commands.query(load), staff=True)


def _own_poll(session: Session, actor: Actor, poll_id: int) -> polls.Poll:
    poll = polls.get_poll(session, poll_id=poll_id)
    workshop = workshops.get_workshop(session, workshop_id=poll.workshop_id)
    actor.check_facilitator(workshop)
    return poll


@router.get("/f/polls/{poll_id}/bars")
async def console_bars(request: Request, poll_id: int, actor: PageUser, runtime: RuntimeDep) -> Response:
    def load(session: Session) -> dict[str, Any]:
        return _bars_context(session, _own_poll(session, actor, poll_id), True)

    return render(request, "polls/_bars.html", **await runtime.commands.query(load), staff=True)


@router.get("/f/stages/{stage_id}/ranking")
async def console_ranking(request: Request, stage_id: int, actor: PageUser, runtime: RuntimeDep) -> Response:
    def load(session: Session) -> dict[str, Any]:
        ranking = card_ranking.ranking_of_stage(session, actor=actor, stage_id=stage_id)
        stage = session.get(Stage, stage_id)
        assert stage is not None
        return {
            "ranking": ranking,
            "stage": {"id": stage_id},
            "workshop": {"id": stage.workshop_id},
            "pollfmt": POLLFMT,
        }

    return render(request, "polls/_ranking.html", **await runtime.commands.query(load), staff=True)


def _number(value: Any, kind: type = int) -> Any:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return kind(text.replace(",", "."))
    except ValueError:
        raise Invalid("{value} is not a number.", value=text) from None


def poll_from_form(form: Any) -> dict[str, Any]:
    """The console's "new vote" form: options ticked (card:ID, proposal:ID) plus labels, one per line."""
    options: list[dict[str, Any]] = []
    for value in form.getlist("option"):
        kind, _, raw = str(value).partition(":")
        if kind in ("card", "proposal") and raw.isdigit():
            options.append({"contribution_id" if kind == "card" else "proposal_id": int(raw)})
    options += [{"label": label} for label in _lines(form.get("labels"))]
    method = str(form.get("method") or "dots")
    threshold: Any = str(form.get("threshold") or "") or None
    if threshold == "custom":
        percent = _number(form.get("threshold_percent"), float)
        threshold = None if percent is None else percent / 100
        if threshold is None:
            raise Invalid("Please give the custom majority in percent.")
    quorum = _number(form.get("quorum_percent"), float)
    return {
        "method": method,
        "title": str(form.get("title") or ""),
        "options": options,
        "budget": _number(form.get("budget")) if method == "dots" else None,
        "max_per_option": _number(form.get("max_per_option")) if method == "dots" else None,
        "quorum": None if quorum is None else quorum / 100,
        "threshold": threshold if method == "yes_no_abstain" else None,
        "anonymous": form.get("anonymous") is not None,
        "hide_results": form.get("hide_results") is not None,
    }


@router.post("/f/stages/{stage_id}/polls")
async def console_create_poll(
    request: Request, stage_id: int, actor: PageUser, runtime: RuntimeDep
) -> Response:
    form = await request.form()
    stage = await runtime.commands.query(workshops.get_stage, stage_id=stage_id)
    try:
        fields = poll_from_form(form)
        await runtime.commands.run(poll_setup.create_poll, actor=actor, stage_id=stage_id, **fields)
    except DomainError as exc:
        return await _console_again(
            request, runtime, actor, stage.workshop_id, exc, poll_message=i18n.error_text(exc), poll_form=form
        )
    return _console(stage.workshop_id)


@router.post("/f/polls/{poll_id}/{action}")
async def console_poll_action(
    request: Request, poll_id: int, action: str, actor: PageUser, runtime: RuntimeDep
) -> Response:
    """open, close, paper (a paper ballot) or commit (adopted proposals become commitments)."""
    form = await request.form()
    poll = await runtime.commands.query(polls.describe_poll, actor=actor, poll_id=poll_id)
    try:
        if action == "open":
            await runtime.commands.run(polls.open_poll, actor=actor, poll_id=poll_id)
        elif action == "close":
            await runtime.commands.run(polls.close_poll, actor=actor, poll_id=poll_id)
        elif action == "paper":
            await runtime.commands.run(
                ballots.cast_paper_ballot,
                actor=actor,
                poll_id=poll_id,
                choices=_choices_from_form(poll, form),
                group=str(form.get("group") or "") or None,
                client_id=str(form.get("client_id") or "") or None,
            )
        elif action == "commit":
            chosen = [int(v) for v in form.getlist("option_id") if str(v).isdigit()]
            await runtime.commands.run(
                commitments.commit_poll,
                actor=actor,
                poll_id=poll_id,
                option_ids=chosen or (None if poll["method"] == "yes_no_abstain" else []),
            )
        else:
            raise NotFound("This page does not exist.")
    except DomainError as exc:
        return await _console_again(
            request, runtime, actor, poll["workshop_id"], exc, poll_errors={poll_id: i18n.error_text(exc)}
        )
    return _console(poll["workshop_id"], f"poll-{poll_id}")


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
        return await _console_again(
            request,
            runtime,
            actor,
            stage.workshop_id,
            exc,
            proposal_message=i18n.error_text(exc),
            proposal_draft=dict(form),
        )
    return _console(stage.workshop_id, f"proposal-{proposal.id}")


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
        return await _console_again(
            request,
            runtime,
            actor,
            found["workshop_id"],
            exc,
            proposal_errors={proposal_id: i18n.error_text(exc)},
        )
    return _console(found["workshop_id"], f"proposal-{proposal_id}")


# --- follow-up of commitments ---------------------------------------------------------------------------


def _commitments_context(session: Session, workshop_id: int) -> dict[str, Any]:
    items = commitments.list_commitments(session, workshop_id=workshop_id)
    return {"commitments": items, "commitments_by_owner": commitments.commitments_by_owner(items)}


@router.get("/j/{code}/commitments")
async def participant_commitments(request: Request, phone: JoinedPhone, runtime: RuntimeDep) -> Response:
    context = await runtime.commands.query(_commitments_context, workshop_id=phone.workshop.id)
    return render(request, "polls/_commitments.html", **context, staff=False)


@router.get("/s/{key}/commitments")
async def projector_commitments(request: Request, key: str, runtime: RuntimeDep) -> Response:
    def load(session: Session) -> dict[str, Any]:
        workshop = workshops.workshop_by_projector_key(session, key=key)
        return {"workshop": workshop, **_commitments_context(session, workshop.id)}  # type: ignore[arg-type]

    context = await runtime.commands.query(load)
    i18n.set_language(context["workshop"].language)
    return render(request, "polls/_commitments.html", **context, staff=False)


@router.get("/f/w/{workshop_id}/commitments/fragment")
async def console_commitments(
    request: Request, workshop_id: int, actor: PageUser, runtime: RuntimeDep
) -> Response:
    def load(session: Session) -> dict[str, Any]:
        actor.check_facilitator(workshops.get_workshop(session, workshop_id=workshop_id))
        return _commitments_context(session, workshop_id)

    context = await runtime.commands.query(load)
    return render(request, "polls/_commitments.html", **context, back=f"/f/w/{workshop_id}", staff=True)


@router.get("/f/w/{workshop_id}/commitments")
async def follow_up(request: Request, workshop_id: int, actor: PageUser, runtime: RuntimeDep) -> Response:
    """Commitments by owner, with their status; open ones of earlier workshops can be imported here."""

    def load(session: Session) -> dict[str, Any]:
        workshop = workshops.get_workshop(session, workshop_id=workshop_id)
        actor.check_facilitator(workshop)
        data = commitments.commitments_of_workshop(session, actor=actor, workshop_id=workshop_id)
        earlier = [w for w in workshops.workshops_of(session, actor=actor) if w.id != workshop_id]
        return {"workshop": workshop, "earlier": earlier, **data}

    context = await runtime.commands.query(load)
    return render(
        request,
        "polls/commitments.html",
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
    source = _number(form.get("from_workshop_id"))
    if source is None:
        raise Invalid("Please choose the earlier workshop.")
    await runtime.commands.run(
        commitments.import_commitments, actor=actor, workshop_id=workshop_id, from_workshop_id=source
    )
    return RedirectResponse(f"/f/w/{workshop_id}/commitments", status_code=303)
