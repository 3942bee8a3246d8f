"""Liveness and readiness: /livez says the process answers; /healthz says it can serve a workshop now."""

import shutil
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.engine import make_url

from cowork.db import health_of, store_fault
from cowork.settings import Settings

router = APIRouter(tags=["health"])

# A write that failed this recently (and no write succeeded since) keeps readiness at 503.
WRITE_FAULT_WINDOW_SECONDS = 30


@router.get("/livez")
async def livez() -> JSONResponse:
    """200 while the process serves requests: restart it only when this fails."""
    return JSONResponse({"status": "alive"})


@router.get("/healthz")
async def healthz(request: Request) -> JSONResponse:
    """200 when the database answers and takes writes, the data disk has room and Redis (if set) answers."""
    runtime = request.app.state.runtime
    reason = await _database_reason(runtime) or _disk_reason(runtime.settings)
    reason = reason or await _redis_reason(runtime.settings)
    if reason:
        return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503)
    return JSONResponse({"status": "ok"})


async def _database_reason(runtime) -> str | None:  # type: ignore[no-untyped-def]
    health = health_of(runtime.engine)
    try:
        await runtime.commands.query(lambda session: session.exec(text("SELECT 1")).one())
    except Exception as exc:
        fault = store_fault(exc)
        if fault is None:
            raise
        health.failed(fault, exc)
        return f"database {fault}: {health.detail}"
    failing = health.current(WRITE_FAULT_WINDOW_SECONDS)
    return f"database cannot write ({failing})" if failing else None


def data_folder(settings: Settings) -> Path:
    """The folder whose disk fills up first: the SQLite file's, else the data folder (exports, keys)."""
    if settings.is_sqlite:
        database = make_url(settings.db_url).database
        if database and database != ":memory:":
            return Path(database.removeprefix("file:")).parent  # file:…?mode=ro is a URI filename
    return settings.data_dir


def _disk_reason(settings: Settings) -> str | None:
    folder = data_folder(settings)
    try:
        free_mb = shutil.disk_usage(folder).free // (1024 * 1024)
    except OSError as exc:
        return f"data folder {folder} cannot be read: {exc}"
    if free_mb < settings.min_free_disk_mb:
        limit = settings.min_free_disk_mb
        return f"data disk nearly full: {free_mb} MB free in {folder} (COWORK_MIN_FREE_DISK_MB={limit})"
    return None


async def _redis_reason(settings: Settings) -> str | None:
    if not settings.redis_url:
        return None
    import redis.asyncio
    from redis.exceptions import RedisError

    client = redis.asyncio.Redis.from_url(settings.redis_url, socket_connect_timeout=1, socket_timeout=1)
    try:
        await client.ping()
    except (RedisError, OSError) as exc:
        return f"redis unreachable: {exc}"
    finally:
        await client.aclose()
    return None
