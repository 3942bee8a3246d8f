"""How each event type shows on screens, one module per wing; `registry` holds what they register with.

Importing this package imports every view module, so each has registered its event types.
"""

from cowork.live.views import board, exports, program, stakeholders, votes, workshop  # noqa: F401
