"""HTTP transports: the JSON API and the server-rendered pages. Thin: parse, authorise, call a service."""

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    """Every router of the app; a feature adds its own module's router here."""
    from . import api, board, exports, pages, polls, program, program_pages, stakeholders

    # exports before pages: its /f (the organiser dashboard) replaces the foundation's list.
    return [
        api.router,
        exports.router,
        pages.router,
        program.router,
        program_pages.router,
        board.router,
        stakeholders.router,
        polls.router,
    ]
