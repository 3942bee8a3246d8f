"""The report's sections from the features: stakeholders, responsibilities, interface document, actions,
votes and evaluation. Each reads its feature through that feature's own query functions; a feature that is
not installed, or has no data yet, gives an empty section with the same headings and sheets."""

from collections.abc import Callable

from ..report import Context, Section
from .actions import actions_section
from .evaluation import evaluation_section
from .polls import polls_section
from .responsibilities import interface_section, responsibilities_section
from .stakeholders import stakeholders_section

FEATURE_SECTIONS: list[Callable[[Context], Section]] = [
    stakeholders_section,
    responsibilities_section,
    interface_section,
    actions_section,
    polls_section,
    evaluation_section,
]
