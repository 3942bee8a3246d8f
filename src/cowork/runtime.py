"""What the transports share at run time, built once per app by create_app."""

import asyncio
import secrets
from dataclasses import dataclass, field

import socketio
from anyio import CapacityLimiter
from jinja2 import Environment
from sqlalchemy import Engine
from starlette.templating import Jinja2Templates

from cowork.commands import Commands
from cowork.live.hub import Hub
from cowork.settings import Settings
from cowork.web.pages.phone_pages import JoinCodes, PhonePages
from cowork.web.throttle import Throttle


@dataclass
class SetupLink:
    """The one-time link to the first account: `cowork serve` prints it while no account exists; it opens
    the setup page (web/pages/first_account.py) until used or the server stops."""

    token: str = field(default_factory=lambda: secrets.token_urlsafe(24), repr=False)
    used: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # one first account, even from two tabs at once

    def opens(self, token: str) -> bool:
        return not self.used and secrets.compare_digest(token.encode(), self.token.encode())

    def was_used(self, token: str) -> bool:
        return self.used and secrets.compare_digest(token.encode(), self.token.encode())


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    env: Environment
    templates: Jinja2Templates
    sio: socketio.AsyncServer
    hub: Hub
    commands: Commands
    throttle: Throttle
    renderers: CapacityLimiter  # worker processes that render export files at once
    setup_link: SetupLink  # the one-time link to the first account
    phone_pages: PhonePages = field(default_factory=PhonePages)  # stage pages a room's phones share
    join_codes: JoinCodes = field(default_factory=JoinCodes)  # and the workshop of their join page
