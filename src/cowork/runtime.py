"""What the transports share at run time, built once per app by create_app."""

from dataclasses import dataclass

import socketio
from anyio import CapacityLimiter
from jinja2 import Environment
from sqlalchemy import Engine
from starlette.templating import Jinja2Templates

from cowork.commands import Commands
from cowork.live.hub import Hub
from cowork.settings import Settings
from cowork.web.setup_link import SetupLink
from cowork.web.throttle import Throttle


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
