"""The needs' section: every card board's cards, ranked by their dots where there was a dot vote."""

from sqlmodel import Session, col, select

from cowork import numbers
from cowork.domain.board.ranking import stage_ranking
from cowork.domain.models import Contribution, Stage
from cowork.exports.document import Cell, Context, Section, Table
from cowork.formats import CARD_KINDS
from cowork.i18n import gettext as _


def needs_section(ctx: Context) -> Section:
    """Every card board's cards, ranked by their dots where there was a dot vote; hidden cards left out."""
    columns = [_("Place"), _("Card"), _("Category"), _("Dots"), _("Written by"), _("Board")]
    sheet = Table("needs", _("Needs and ideas"), columns)
    section = Section("needs", _("Needs and ideas"), sheets=[sheet], empty=_("No cards yet."))
    for stage in ctx.stages:
        if stage.kind not in CARD_KINDS:
            continue
        rows = board_rows(ctx, stage)
        if not rows:
            continue
        # Documents show a board's places and dots only after a dot vote, its categories only if it has any.
        kept = [0, 1, 2, 3, 4] if any(row[3] is not None for row in rows) else [1, 2, 4]
        if not any(row[2] for row in rows):
            kept.remove(2)
        shown = Table(
            f"needs-{stage.id}",
            ctx.text(stage.title),
            [columns[i] for i in kept],
            [[row[i] for i in kept] for row in rows],
        )
        section.tables.append(shown)
        sheet.rows.extend(rows)
    return section


def board_rows(ctx: Context, stage: Stage) -> list[list[Cell]]:
    """One row per visible card or cluster, most dots first; a cluster lists its merged cards."""
    cards = visible_cards(ctx.session, stage)
    dots = stage_dots(ctx.session, stage)
    categories = {c["key"]: c.get("label") for c in stage.config.get("categories", [])}
    members: dict[int, list[Contribution]] = {}
    for card in cards:
        if getattr(card, "cluster_id", None):
            members.setdefault(card.cluster_id, []).append(card)  # type: ignore[arg-type]
    tops = [c for c in cards if not getattr(c, "cluster_id", None)]
    tops.sort(key=lambda c: (-(dots.get(c.id) or 0), c.id))  # type: ignore[arg-type]
    rows: list[list[Cell]] = []
    for card in tops:
        text = card.text
        merged = members.get(card.id, [])  # type: ignore[arg-type]
        if merged:
            text += "\n" + "\n".join(f"– {m.text}" for m in merged)
        # A card without dots has no place: ten of them would all be "7th".
        mine = dots.get(card.id) or 0  # type: ignore[arg-type]
        place = 1 + sum((dots.get(o.id) or 0) > mine for o in tops) if mine else None  # type: ignore[arg-type]
        author = (
            _("Group of %(count)s cards") % {"count": numbers.count(len(merged))}
            if getattr(card, "kind", "card") == "cluster"
            else ctx.author(card.participant_id, card.author_user_id is not None)
        )
        rows.append(
            [
                place,
                text,
                ctx.text(categories.get(card.category)) if card.category else "",
                dots.get(card.id) if dots else None,  # type: ignore[arg-type]
                author,
                ctx.text(stage.title),
            ]
        )
    return rows


def visible_cards(session: Session, stage: Stage) -> list[Contribution]:
    """The board's cards and clusters in the order written, without hidden ones and ones awaiting approval."""
    cards = session.exec(
        select(Contribution)
        .where(Contribution.stage_id == stage.id, col(Contribution.hidden).is_(False))
        .order_by(col(Contribution.id))
    )
    return [c for c in cards if getattr(c, "approved", True)]


def stage_dots(session: Session, stage: Stage) -> dict[int, int]:
    """Dots per card or cluster from the stage's dot votes (empty when there was none)."""
    ranking = stage_ranking(session, stage_id=stage.id, staff=True)
    return {item["id"]: item["dots"] for item in ranking["items"] if item["dots"] is not None}
