"""The report's sections, one module per part of the workshop; SECTIONS lists them in the report's order."""

from collections.abc import Callable

from cowork.exports.document import Context, Section
from cowork.exports.sections.actions import actions_section
from cowork.exports.sections.agenda import agenda_section
from cowork.exports.sections.evaluation import evaluation_section
from cowork.exports.sections.needs import needs_section
from cowork.exports.sections.outcome import outcome_section
from cowork.exports.sections.participants import participants_section
from cowork.exports.sections.record import record_section
from cowork.exports.sections.responsibilities import interface_section, responsibilities_section
from cowork.exports.sections.stakeholders import stakeholders_section
from cowork.exports.sections.votes import polls_section

# The outcome first (what was decided), the plan in full, then how the group got there; the record last.
SECTIONS: list[Callable[[Context], Section]] = [
    outcome_section,
    actions_section,
    needs_section,
    stakeholders_section,
    responsibilities_section,
    interface_section,
    polls_section,
    evaluation_section,
    agenda_section,
    participants_section,
    record_section,
]

# Parts that are exported on their own (`part=`): the sections each holds, in the order shown.
PARTS: dict[str, list[str]] = {
    "actions": ["outcome", "actions"],  # a one-page summary and the plan
    "interface": ["interface", "responsibilities"],  # the partners' handout
}
APPENDIX = "record"  # the section the report can leave out (`appendix=false`)
