"""Boards open before the day, as pages: on a phone, each open board's card form and the cards its participant
sent to it, above the stage that is on; on the console, how many cards came in that way.

The rule (who may add which card when) is `domain/board/opening.py`; cards go through the phone's usual post
(`/j/{code}/cards` with the board's `stage_id`).
"""

from typing import Any

from fastapi import APIRouter, Request, Response
from sqlmodel import Session

from cowork.domain import workshops
from cowork.domain.board import config as board_config
from cowork.domain.board import opening
from cowork.domain.board import view as board_view
from cowork.domain.errors import NotFound
from cowork.domain.models import Participant
from cowork.web.deps import JoinedPhone, PageUser, RuntimeDep
from cowork.web.pages.stages import StageRequest, register_common
from cowork.web.pages.workshops import render

router = APIRouter(include_in_schema=False)


def _mine(session: Session, *, stage_id: int, participant: Participant) -> list[dict[str, Any]]:
    cards = board_view.list_cards(
        session, stage_id=stage_id, include_hidden=False, participant_id=participant.id
    )
    return [c for c in cards if c["participant_id"] == participant.id and c["kind"] == "card"]


@register_common
def _before_the_day(session: Session, request: StageRequest) -> dict[str, Any]:
    """On a phone: the boards open for cards now besides the stage on."""
    if request.role != "participant" or request.participant is None:
        return {}
    boards = []
    for stage in opening.early_boards(session, request.workshop):
        window = opening.window_of(stage)
        assert window is not None and stage.id is not None
        boards.append(
            {
                "stage": workshops.stage_data(stage),
                "board": board_config.board_settings(stage),
                "description": stage.config.get("description"),
                "closes": window[1],
                "mine": _mine(session, stage_id=stage.id, participant=request.participant),
            }
        )
    return {"early_boards": boards}


@router.get("/j/{code}/early/{stage_id}")
async def phone_early_cards(
    request: Request, stage_id: int, phone: JoinedPhone, runtime: RuntimeDep
) -> Response:
    """The cards this phone sent to a board before the day (refetched when one of them arrives)."""
    participant = phone.participant
    assert participant is not None

    def load(session: Session) -> list[dict[str, Any]]:
        stage = workshops.get_stage(session, stage_id=stage_id)
        if stage.workshop_id != phone.workshop.id:
            raise NotFound("There is no such stage.")
        return _mine(session, stage_id=stage_id, participant=participant)

    mine = await runtime.commands.query(load)
    return render(request, "board/_early_mine.html", mine=mine)


@router.get("/f/w/{workshop_id}/stages/{stage_id}/early-count")
async def console_early_count(
    request: Request, workshop_id: int, stage_id: int, actor: PageUser, runtime: RuntimeDep
) -> Response:
    """The agenda editor's "n cards came in before the day" of one board, refetched as cards come in."""

    def load(session: Session) -> int:
        workshop = workshops.get_workshop(session, workshop_id=workshop_id)
        actor.check_facilitator(workshop)
        return opening.early_counts(session, workshop_id).get(stage_id, 0)

    count = await runtime.commands.query(load)
    return render(request, "program/_early_count.html", early=count)
