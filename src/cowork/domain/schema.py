"""Every module that defines tables, imported once so SQLModel's metadata (and Alembic) sees them all."""

from cowork.domain import models  # noqa: F401
from cowork.domain.actions import proposals  # noqa: F401
from cowork.domain.program import formats as program_formats  # noqa: F401
from cowork.domain.program import look as program_look  # noqa: F401
from cowork.domain.program import models as program_models  # noqa: F401
from cowork.domain.stakeholders import models as stakeholder_models  # noqa: F401
from cowork.domain.votes import polls  # noqa: F401
