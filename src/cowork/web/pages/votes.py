"""Votes as pages: ballot forms on phones, bars and rankings on the projector, the console's vote controls.

Every action is a plain form post answered by a redirect (or the page again with the reason and what was
typed; see forms.py); the live script only refetches the pieces that events name (`#polls`,
`#poll-N-bars`).
"""

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from sqlmodel import Session, col, select

from cowork import i18n
from cowork.domain import workshops
from cowork.domain.actions import commitments, proposals
from cowork.domain.actors import Actor
from cowork.domain.board import ranking as card_ranking
from cowork.domain.errors import DomainError, Invalid, NotFound
from cowork.domain.models import Contribution, Stage, Workshop
from cowork.domain.votes import ballots, closing, polls
from cowork.domain.votes import results as poll_results
from cowork.domain.votes import setup as poll_setup
from cowork.formats import CARD_KINDS
from cowork.live.views.votes import main_number
from cowork.web.deps import JoinedPhone, PageUser, RuntimeDep
from cowork.web.pages.forms import (
    STORE_ERRORS,
    console_again,
    form_lines,
    form_number,
    phone_again,
    phone_not_saved,
    to_console,
)
from cowork.web.pages.stages import StageRequest, register_common
from cowork.web.pages.workshops import render

router = APIRouter(include_in_schema=False)
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
    return render(request, "votes/_participant_polls.html", **context, participant=participant, staff=False)


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
    except STORE_ERRORS as exc:  # the store cannot save now: the ballot again as it was filled in
        return await phone_not_saved(
            request,
            runtime,
            phone,
            exc,
            say=lambda reason: {"poll_errors": {poll_id: reason}},
            poll_drafts={poll_id: choices},
        )
    except DomainError as exc:
        return await phone_again(
            request,
            runtime,
            phone,
            exc,
            poll_errors={poll_id: i18n.error_text(exc)},
            poll_drafts={poll_id: choices},
        )
    return RedirectResponse(f"/j/{phone.workshop.code}/stage#poll-{poll_id}", status_code=303)


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
    return render(request, "votes/_projector_polls.html", **context, live={"token": key}, staff=False)


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
    return render(request, "votes/_bars.html", **context, staff=False)


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
    return render(request, "votes/_ranking.html", **context, live={"token": key}, staff=False)


# --- facilitator console --------------------------------------------------------------------------------


@router.get("/f/w/{workshop_id}/polls")
async def console_polls(request: Request, workshop_id: int, actor: PageUser, runtime: RuntimeDep) -> Response:
    def load(session: Session) -> dict[str, Any]:
        workshop = workshops.get_workshop(session, workshop_id=workshop_id)
        actor.check_facilitator(workshop)
        stage_request = _stage_request(session, workshop, "facilitator", actor=actor)
        return {"workshop": workshop, "stage": stage_request.stage, **polls_context(session, stage_request)}

    return render(request, "votes/_facilitator_polls.html", **await runtime.commands.query(load), staff=True)


def _own_poll(session: Session, actor: Actor, poll_id: int) -> polls.Poll:
    poll = polls.get_poll(session, poll_id=poll_id)
    workshop = workshops.get_workshop(session, workshop_id=poll.workshop_id)
    actor.check_facilitator(workshop)
    return poll


@router.get("/f/polls/{poll_id}/bars")
async def console_bars(request: Request, poll_id: int, actor: PageUser, runtime: RuntimeDep) -> Response:
    def load(session: Session) -> dict[str, Any]:
        return _bars_context(session, _own_poll(session, actor, poll_id), True)

    return render(request, "votes/_bars.html", **await runtime.commands.query(load), staff=True)


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

    return render(request, "votes/_ranking.html", **await runtime.commands.query(load), staff=True)


def poll_from_form(form: Any) -> dict[str, Any]:
    """The console's "new vote" form: options ticked (card:ID, proposal:ID) plus labels, one per line."""
    options: list[dict[str, Any]] = []
    for value in form.getlist("option"):
        kind, _, raw = str(value).partition(":")
        if kind in ("card", "proposal") and raw.isdigit():
            options.append({"contribution_id" if kind == "card" else "proposal_id": int(raw)})
    options += [{"label": label} for label in form_lines(form.get("labels"))]
    method = str(form.get("method") or "dots")
    threshold: Any = str(form.get("threshold") or "") or None
    if threshold == "custom":
        percent = form_number(form.get("threshold_percent"), float)
        threshold = None if percent is None else percent / 100
        if threshold is None:
            raise Invalid("Please give the custom majority in percent.")
    quorum = form_number(form.get("quorum_percent"), float)
    return {
        "method": method,
        "title": str(form.get("title") or ""),
        "options": options,
        "budget": form_number(form.get("budget")) if method == "dots" else None,
        "max_per_option": form_number(form.get("max_per_option")) if method == "dots" else None,
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
        return await console_again(
            request, runtime, actor, stage.workshop_id, exc, poll_message=i18n.error_text(exc), poll_form=form
        )
    return to_console(stage.workshop_id, "polls")


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
            await runtime.commands.run(closing.close_poll, actor=actor, poll_id=poll_id)
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
        return await console_again(
            request, runtime, actor, poll["workshop_id"], exc, poll_errors={poll_id: i18n.error_text(exc)}
        )
    return to_console(poll["workshop_id"], f"poll-{poll_id}")
