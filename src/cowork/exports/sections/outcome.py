"""The outcome, the report's first page: who took part, what was committed (who, by when, the first
milestone), the needs with the most dots, and the dates that come next."""

from cowork import numbers
from cowork.domain.record import aware
from cowork.domain.stakeholders.families import FAMILIES
from cowork.exports.document import Cell, Context, Section, Table
from cowork.exports.sections.actions import first_milestone, plan
from cowork.exports.sections.needs import board_rows
from cowork.formats import CARD_KINDS
from cowork.i18n import gettext as _
from cowork.i18n import ngettext

TOP_NEEDS = 3
NEXT_DATES = 3


def outcome_section(ctx: Context) -> Section:
    section = Section("outcome", _("Outcome"))
    took_part = ngettext(
        "%(count)s person took part.", "%(count)s people took part.", len(ctx.participants)
    ) % {"count": numbers.count(len(ctx.participants))}
    if ctx.participants:
        people = participants_table(ctx)
        people.title = f"{people.title} – {took_part}"
        section.tables.append(people)
    else:
        section.paragraphs.append(took_part)
    actions = plan(ctx)
    committed = [a for a in actions if a.commitment is not None]
    adopted = Table(
        "outcome-commitments",
        _("Adopted commitments"),
        [_("What"), _("Who"), _("By when"), _("First milestone")],
        [[a.title, a.owner, ctx.day(a.due), first_milestone(a.proposal, ctx.day)] for a in committed],
    )
    if committed:
        section.tables.append(adopted)
    else:
        section.paragraphs.append(_("No commitments yet."))
    needs = top_needs(ctx)
    if needs.rows:
        section.tables.append(needs)
    upcoming = next_dates(ctx, actions)
    if upcoming.rows:
        section.tables.append(upcoming)
    elif ctx.workshop.follow_up_on:  # the follow-up alone: said under the same heading
        said = follow_up(ctx)
        section.subsections.append(Section("outcome-next", _("What happens next"), paragraphs=[said]))
    section.sheets.append(overview_sheet(ctx))
    return section


def overview_sheet(ctx: Context) -> Table:
    """The workshop at a glance for spreadsheets: one field a row, dates as ISO."""
    w = ctx.workshop
    rows: list[list[Cell]] = [
        [_("Workshop"), w.title],
        [_("Date"), aware(w.created_at).date().isoformat()],
        [_("Venue"), w.place or ""],
        [_("Follow-up meeting"), w.follow_up_on.isoformat() if w.follow_up_on else ""],
        [_("People"), len(ctx.participants)],
    ]
    return Table("overview", _("Overview"), [_("Field"), _("Value")], rows)


def participants_table(ctx: Context) -> Table:
    """People by stakeholder group, two groups a row: the first page has room for the commitments."""
    counts: dict[str | None, int] = {}
    for person in ctx.participants.values():
        counts[person.group] = counts.get(person.group, 0) + 1
    pairs: list[Cell] = [
        c for key in [*FAMILIES, None] if key in counts for c in (ctx.group(key), counts[key])
    ]
    half = (len(pairs) // 2 + 1) // 2 * 2  # the first column of groups, then the second
    rows: list[list[Cell]] = []
    for i in range(0, half, 2):
        right = pairs[half + i : half + i + 2]
        rows.append([*pairs[i : i + 2], *(right or ["", ""])])
    heads = [_("Stakeholder group"), _("People")]
    return Table(
        "participants",
        _("Participants by stakeholder group"),
        [*heads, *heads] if len(pairs) > 2 else heads,
        rows if len(pairs) > 2 else [pairs],
    )


def top_needs(ctx: Context) -> Table:
    """The cards (or clusters) that got the most dots, over every board."""
    rows = [row for stage in ctx.stages if stage.kind in CARD_KINDS for row in board_rows(ctx, stage)]
    voted = sorted((r for r in rows if r[3]), key=lambda r: -int(r[3] or 0))[:TOP_NEEDS]
    return Table(
        "outcome-needs",
        _("The needs with the most dots"),
        [_("Need"), _("Dots")],
        [[r[1], r[3]] for r in voted],
    )


def next_dates(ctx: Context, actions: list) -> Table:  # type: ignore[type-arg]
    """What happens next: the follow-up meeting if set (in the title, like the count of people: page 1 has
    no line to spare), then the plan's coming milestones and deadlines, soonest first."""
    today = ctx.today.isoformat()
    dates: list[list[Cell]] = []
    for action in actions:
        for milestone in (action.proposal.milestones if action.proposal else None) or []:
            if milestone.get("due") and milestone["due"] >= today:
                dates.append([milestone["due"], milestone["title"], action.title])
        if action.due and action.due >= today:
            dates.append([action.due, _("Deadline"), action.title])
    dates.sort(key=lambda row: str(row[0]))
    title = _("What happens next")
    if ctx.workshop.follow_up_on:
        title += " – " + follow_up(ctx)
    rows = [[ctx.day(str(row[0])), *row[1:]] for row in dates[:NEXT_DATES]]
    return Table("outcome-next", title, [_("Date"), _("Milestone"), _("Action")], rows)


def follow_up(ctx: Context) -> str:
    return _("Follow-up meeting on %(date)s.") % {"date": ctx.day(ctx.workshop.follow_up_on)}
