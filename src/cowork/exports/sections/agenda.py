"""The agenda's section: each item with its kind and planned minutes, and the workshop's format."""

from cowork import numbers
from cowork.domain.program.formats import find_format
from cowork.exports.document import Cell, Context, Section, Table
from cowork.i18n import gettext as _


def kind_label(kind: str) -> str:
    names = {
        "information": _("Information"),
        "board": _("Board"),
        "needs": _("Needs and gaps"),
        "stakeholders": _("Stakeholder map"),
        "action_plan": _("Action plan"),
        "group_work": _("Group work"),
        "presentations": _("Presentations"),
        "evaluation": _("Evaluation"),
    }
    return names.get(kind, kind)


def agenda_section(ctx: Context) -> Section:
    columns = [_("No."), _("Agenda item"), _("Kind"), _("Minutes")]
    # Archived stages come after the agenda, without a number: they were taken off it, not held.
    rows: list[list[Cell]] = [
        [None, _("%(title)s (archived)") % {"title": ctx.text(s.title)}, kind_label(s.kind), s.minutes]
        if s.archived
        else [s.position + 1, ctx.text(s.title), kind_label(s.kind), s.minutes]
        for s in ctx.stages
    ]
    total = sum(s.minutes or 0 for s in ctx.stages if not s.archived)
    spec = find_format(ctx.session, ctx.workshop.format_id)
    paragraphs = [_("Format: %(name)s") % {"name": ctx.text(spec.title)}] if spec else []
    if total:
        paragraphs.append(_("Planned time: %(minutes)s minutes") % {"minutes": numbers.count(total)})
    table = Table("agenda", _("Agenda"), columns, rows)
    return Section("agenda", _("Agenda"), paragraphs=paragraphs, tables=[table], sheets=[table])
