"""Preparing a vote: its method and settings checked, its options made from cards, proposals or labels."""

from typing import Any

from cowork.domain.actions.proposals import Proposal
from cowork.domain.actors import Actor
from cowork.domain.errors import Invalid, NotFound
from cowork.domain.models import Contribution, Stage, Workshop
from cowork.domain.record import Tx
from cowork.domain.redaction import card_copies, copies_card_text
from cowork.domain.text import N_, one_line
from cowork.domain.votes.polls import MAX_LABEL, Poll, PollOption, poll_data, shorten_label
from cowork.domain.workshops import get_workshop

METHODS = ("dots", "approval", "yes_no_abstain", "ranking", "scale")
THRESHOLDS = {"simple": 0.5, "two_thirds": 2 / 3}
MAX_OPTIONS = 40
copies_card_text("poll.created", redact=card_copies)  # its options, labelled with the cards' texts
MAX_BUDGET = 100
TITLE_TOO_LONG = N_("The title is too long (at most {limit} characters).")
DEFAULT_BUDGET = 3


def _threshold(method: str, threshold: str | float | None) -> str | None:
    if threshold is None or threshold == "":
        return "simple" if method == "yes_no_abstain" else None
    if method != "yes_no_abstain":
        raise Invalid("A majority threshold applies only to yes / no / abstain votes.")
    if isinstance(threshold, str) and threshold in THRESHOLDS:
        return threshold
    try:
        share = float(threshold)
    except (TypeError, ValueError):
        raise Invalid(
            "The threshold must be simple, two_thirds or a share between 0 and 1, not {value}.",
            value=threshold,
        ) from None
    if not 0 < share <= 1:
        raise Invalid(
            "The threshold must be simple, two_thirds or a share between 0 and 1, not {value}.",
            value=threshold,
        )
    return f"{share:.4g}"


def threshold_share(threshold: str | None) -> float:
    if threshold is None:
        return THRESHOLDS["simple"]
    return THRESHOLDS.get(threshold) or float(threshold)


def _limits(method: str, budget: int | None, max_per_option: int | None) -> tuple[int | None, int | None]:
    if method != "dots":
        if budget is not None or max_per_option is not None:
            raise Invalid("A budget of dots applies only to dot voting.")
        return None, None
    budget = DEFAULT_BUDGET if budget is None else budget
    if not 1 <= budget <= MAX_BUDGET:
        raise Invalid("The budget must be between 1 and {limit} dots.", limit=MAX_BUDGET)
    max_per_option = budget if max_per_option is None else max_per_option
    if not 1 <= max_per_option <= budget:
        raise Invalid(
            "The most dots on one option must be between 1 and the budget ({budget}).", budget=budget
        )
    return budget, max_per_option


def _make_options(tx: Tx, workshop: Workshop, specs: list[dict[str, Any]]) -> list[PollOption]:
    if not specs:
        raise Invalid("A vote needs at least one option.")
    if len(specs) > MAX_OPTIONS:
        raise Invalid("A vote has at most {limit} options.", limit=MAX_OPTIONS)
    options: list[PollOption] = []
    seen: set[tuple[str, Any]] = set()
    for position, spec in enumerate(specs):
        given = {k: v for k, v in spec.items() if k in ("contribution_id", "proposal_id", "label") and v}
        if len(given) != 1:
            raise Invalid("Each option is a card (contribution_id), a proposal (proposal_id) or a label.")
        ((kind, value),) = given.items()
        if (kind, value) in seen:
            raise Invalid("An option is listed twice.")
        seen.add((kind, value))
        option = PollOption(poll_id=0, position=position, label="")
        if kind == "contribution_id":
            card = tx.session.get(Contribution, value)
            if card is None or card.workshop_id != workshop.id:
                raise Invalid("Card {id} is not part of this workshop.", id=value)
            option.contribution_id, option.label = card.id, shorten_label(card.text)
        elif kind == "proposal_id":
            proposal = tx.session.get(Proposal, value)
            if proposal is None or proposal.workshop_id != workshop.id:
                raise Invalid("Proposal {id} is not part of this workshop.", id=value)
            if not proposal.selected:
                proposal.selected = True  # putting it to the vote selects it
                tx.session.add(proposal)
            option.proposal_id, option.label = proposal.id, shorten_label(proposal.title)
        else:
            label = one_line(str(value), field="label")
            if not label or len(label) > MAX_LABEL:
                raise Invalid("An option's label needs 1 to {limit} characters.", limit=MAX_LABEL)
            option.label = label
        options.append(option)
    return options


def create_poll(
    tx: Tx,
    *,
    actor: Actor,
    stage_id: int,
    method: str,
    options: list[dict[str, Any]],
    title: str | None = None,
    budget: int | None = None,
    max_per_option: int | None = None,
    quorum: float | None = None,
    threshold: str | float | None = None,
    anonymous: bool = False,
    hide_results: bool = False,
) -> Poll:
    """A facilitator prepares a vote on the stage's cards, proposals or plain labels; it opens later."""
    stage = tx.session.get(Stage, stage_id)
    if stage is None:
        raise NotFound("There is no such stage.")
    workshop = get_workshop(tx.session, workshop_id=stage.workshop_id)
    actor.check_facilitator(workshop)
    poll, made = build_poll(
        tx,
        workshop,
        stage,
        method=method,
        options=options,
        title=title,
        budget=budget,
        max_per_option=max_per_option,
        quorum=quorum,
        threshold=threshold,
        anonymous=anonymous,
        hide_results=hide_results,
    )
    tx.record(workshop.id, "poll.created", poll_data(tx.session, poll, made))  # type: ignore[arg-type]
    return poll


def build_poll(
    tx: Tx,
    workshop: Workshop,
    stage: Stage,
    *,
    method: str,
    options: list[dict[str, Any]],
    title: str | None,
    budget: int | None,
    max_per_option: int | None,
    quorum: float | None,
    threshold: str | float | None,
    anonymous: bool,
    hide_results: bool,
) -> tuple[Poll, list[PollOption]]:
    """A draft vote with its options, every setting checked."""
    if method not in METHODS:
        raise Invalid(
            "Unknown voting method {method}; cowork knows {known}.", method=method, known=", ".join(METHODS)
        )
    title = one_line(title, field="title", limit=200, too_long=TITLE_TOO_LONG) or None
    if quorum is not None and not 0 <= quorum <= 1:
        raise Invalid("The quorum is a share of the participants, between 0 and 1.")
    made = _make_options(tx, workshop, options)
    budget, max_per_option = _limits(method, budget, max_per_option)
    if method == "ranking" and len(made) < 2:
        raise Invalid("A ranking needs at least two options.")
    poll = Poll(
        workshop_id=workshop.id,  # type: ignore[arg-type]
        stage_id=stage.id,  # type: ignore[arg-type]
        title=title,
        method=method,
        budget=budget,
        max_per_option=max_per_option,
        quorum=quorum,
        threshold=_threshold(method, threshold),
        anonymous=anonymous,
        hide_results=hide_results,
    )
    tx.session.add(poll)
    tx.session.flush()
    for option in made:
        option.poll_id = poll.id  # type: ignore[assignment]
        tx.session.add(option)
    tx.session.flush()
    return poll, made
