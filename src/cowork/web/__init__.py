"""HTTP transports: the JSON API (`api/`) and the server-rendered pages (`pages/`), one module per wing.

Thin: parse, authorise, call a service. The shared dependencies, errors, security and throttling live here.
"""

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    """Every router of the app, in the order their routes are matched; a feature adds its module here.

    Importing a pages module registers its stage loaders, so the imports keep the order of the common loaders:
    the votes', then the programme's, then the tables'.
    """
    from cowork.web.api import actions as actions_api
    from cowork.web.api import board as board_api
    from cowork.web.api import exports as exports_api
    from cowork.web.api import formats as formats_api
    from cowork.web.api import look as look_api
    from cowork.web.api import program as program_api
    from cowork.web.api import stakeholders as stakeholders_api
    from cowork.web.api import votes as votes_api
    from cowork.web.api import workshops as workshops_api
    from cowork.web.pages import (
        actions,
        board,
        designer,
        exports,
        first_account,
        formats,
        look,
        matrix,
        opening,
        program,
        projection,
        screen,
        stage_settings,
        stakeholders,
        suggestions,
        tables,
        votes,
        workshops,
    )

    # exports before workshops: its /f (the organiser dashboard) replaces the foundation's list. The phone's
    # join and stage pages first, then a phone's card post: they are most of the requests, and no other route
    # takes their paths.
    return [
        workshops.phone_router,
        board_api.cards_router,  # a phone's card post: the hot write of a live workshop
        workshops_api.router,
        formats_api.router,
        exports_api.router,
        exports.router,
        workshops.router,
        formats.router,
        screen.router,
        look.router,
        first_account.router,
        program_api.router,
        look_api.router,
        program.router,
        designer.router,
        stage_settings.router,
        opening.router,
        tables.router,
        board.router,
        suggestions.router,
        projection.router,
        board_api.router,
        stakeholders.router,
        matrix.router,
        stakeholders_api.router,
        votes_api.router,
        actions_api.router,
        votes.router,
        actions.router,
    ]
