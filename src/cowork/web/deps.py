"""Request dependencies, declared once: the runtime, and who is calling."""

from typing import Annotated

from fastapi import Depends, Request

from ..domain.access import actor_for_token, actor_for_user
from ..domain.actors import Actor
from ..runtime import Runtime


class NotSignedIn(Exception):
    """No valid credentials: 401 for the API, the sign-in page for pages."""


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def api_actor(request: Request, runtime: RuntimeDep) -> Actor:
    """A participant or a facilitator, from `Authorization: Bearer <token>`."""
    token = bearer(request)
    actor = await runtime.commands.query(actor_for_token, token=token) if token else None
    if actor is None:
        raise NotSignedIn("A valid token is needed: send `Authorization: Bearer <token>`.")
    return actor


async def api_facilitator(actor: Annotated[Actor, Depends(api_actor)]) -> Actor:
    if actor.is_participant:
        raise NotSignedIn("This needs a facilitator's API token, not a participant's.")
    return actor


async def page_user(request: Request, runtime: RuntimeDep) -> Actor:
    """The signed-in facilitator of a page (session cookie)."""
    user_id = request.session.get("user_id")
    actor = await runtime.commands.query(actor_for_user, user_id=user_id) if user_id else None
    if actor is None:
        raise NotSignedIn("Please sign in.")
    return actor


ApiActor = Annotated[Actor, Depends(api_actor)]
ApiFacilitator = Annotated[Actor, Depends(api_facilitator)]
PageUser = Annotated[Actor, Depends(page_user)]
