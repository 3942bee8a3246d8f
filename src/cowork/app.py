"""create_app(settings) -> the ASGI app: socket.io in front of FastAPI. Nothing is built at import time.
serve_app() is the same app as `cowork serve` runs it, in a process of its own."""

import gc
import sys

import socketio
from anyio import CapacityLimiter
from fastapi import FastAPI, Request
from fastapi.middleware.gzip import GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from cowork import __version__, i18n, logs
from cowork.assets import asset_dir
from cowork.commands import Commands
from cowork.db import make_engine
from cowork.live.hub import Hub, make_server
from cowork.logs import AccessLogMiddleware
from cowork.rendering import load_language, make_environment, make_templates
from cowork.runtime import Runtime, SetupLink
from cowork.settings import Settings
from cowork.web import errors, routers
from cowork.web.api import health, openapi
from cowork.web.limits import BodyLimitMiddleware
from cowork.web.security import SecurityMiddleware
from cowork.web.statics import Statics
from cowork.web.throttle import DeviceMiddleware, Throttle


class LanguageMiddleware:
    """Each request starts in the language its reader chose (cookie) or the browser asks for."""

    def __init__(self, app: ASGIApp, default: str) -> None:
        self.app, self.default = app, default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope)
            chosen = request.cookies.get("cowork_lang") or i18n.from_accept_language(
                request.headers.get("accept-language"), self.default
            )
            i18n.set_language(chosen)
        await self.app(scope, receive, send)


# Database work runs on worker threads, which need the GIL back after every SQLite call. While the event
# loop is busy writing a frame to hundreds of phones, each such call waits up to the switch interval (5 ms
# by default), and a card's transaction holds SQLite's single writer slot all that time. At 1 ms, a card's
# transaction took a p95 of 12-18 ms instead of 25-36 ms in benchmarks/fanout.py (500 phones, 20 cards/s).
GIL_SWITCH_INTERVAL = 0.001


def create_app(settings: Settings | None = None) -> socketio.ASGIApp:
    settings = (settings or Settings()).prepare()
    sys.setswitchinterval(GIL_SWITCH_INTERVAL)
    logs.configure(settings.log_level)
    engine = make_engine(settings.db_url)
    env = make_environment(websocket_only=settings.websocket_only)
    load_language(settings.default_language)
    sio = make_server(settings)
    hub = Hub(sio, engine, env, settings)
    runtime = Runtime(
        settings=settings,
        engine=engine,
        env=env,
        templates=make_templates(env),
        sio=sio,
        hub=hub,
        commands=Commands(engine, hub.publish),
        throttle=Throttle(settings),
        renderers=CapacityLimiter(settings.export_processes),
        setup_link=SetupLink(token=settings.setup_token) if settings.setup_token else SetupLink(),
    )
    hub.throttle = runtime.throttle

    app = FastAPI(
        title="cowork",
        version=__version__,
        description="Live co-creation workshops: join by QR code, contribute from phones, decide by vote.",
        # Swagger UI would load from a CDN and run inline script; the spec itself is at /openapi.json.
        docs_url=None,
        redoc_url=None,
        # FastAPI's own OpenTelemetry hooks look up the global providers on every request; cowork exports
        # no telemetry (its logs are the record of requests), so they stay off.
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    app.state.runtime = runtime
    _add_middleware(app, runtime)
    errors.install(app)
    openapi.install(app)
    app.include_router(health.router)
    for router in routers():
        app.include_router(router)
    app.mount("/static", Statics(asset_dir("static")), name="static")

    # The pool's connections are the server's to return when it stops (PostgreSQL counts them).
    return socketio.ASGIApp(sio, other_asgi_app=app, on_shutdown=engine.dispose)


# What a worker built at its start (modules, templates, SQLAlchemy's tables, the language data) lives as long
# as it does: frozen, the collector stops walking it, and with 10,000 new objects between young collections
# instead of 700 a joining phone's requests set one off about once in thirty phones instead of once in two.
# Measured in `cowork serve` (benchmarks/README.md, "seventh session"): the collector's CPU per joining phone
# 0.8 → 0.1 ms. Not in create_app: a test process builds many apps and would freeze what each leaves behind.
GC_YOUNG_THRESHOLD = 10_000


def serve_app() -> socketio.ASGIApp:
    """The app as each `cowork serve` worker runs it: create_app, then the collector set for a long-lived
    server."""
    app = create_app()
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    return app


def _add_middleware(app: FastAPI, runtime: Runtime) -> None:
    """The layers around every request; the last added runs first (security headers, then device id, …)."""
    settings = runtime.settings
    # Innermost, so its 413 is in the reader's language; no layer outside it reads a body.
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_body_bytes)
    app.add_middleware(LanguageMiddleware, default=settings.default_language)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="cowork_session",
        same_site="lax",
        https_only=settings.cookies_secure,
        max_age=14 * 86400,
    )
    # Phones on venue Wi-Fi: compress pages and scripts (the first load budget is 75 KB transferred). Level 6
    # (zlib's default, not Starlette's 9): the stylesheet 0.7 % larger for 30 % less CPU, paid per new phone.
    app.add_middleware(GZipMiddleware, minimum_size=600, compresslevel=6)
    app.add_middleware(AccessLogMiddleware)
    app.add_middleware(DeviceMiddleware, throttle=runtime.throttle, secure=settings.cookies_secure)
    app.add_middleware(SecurityMiddleware, settings=settings)
