"""HTTP transports: the JSON API and the server-rendered pages. Thin: parse, authorise, call a service."""

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    """Every router of the app; a feature adds its own module's router here."""
    from . import api, pages

    return [api.router, pages.router]
