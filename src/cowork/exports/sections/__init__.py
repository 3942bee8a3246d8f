"""The report's sections, one module per part of the workshop; SECTIONS lists them in the report's order."""

from collections.abc import Callable

from ..report import Context, Section
from .actions import actions_section
from .agenda import agenda_section
from .evaluation import evaluation_section
from .needs import needs_section
from .participants import participants_section
from .polls import polls_section
from .record import record_section
from .responsibilities import interface_section, responsibilities_section
from .stakeholders import stakeholders_section

SECTIONS: list[Callable[[Context], Section]] = [
    agenda_section,
    participants_section,
    needs_section,
    stakeholders_section,
    responsibilities_section,
    interface_section,
    actions_section,
    polls_section,
    evaluation_section,
    record_section,
]
