"""Sockets through faults: a screen that connects while the database is away is told to try again (not left
waiting for an answer that never comes), and a lost Redis refuses no phone its join, socket or card."""

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import aiohttp
import socketio
from sqlalchemy import event

from cowork.settings import Settings
from tests.conftest import PATIENCE, PG_URL, SECRET, ThreadServer, World, free_port, patient


def _serving(tmp_path: Path, db_url: str, **more: Any) -> ThreadServer:
    port = free_port()
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=db_url,
        secret_key=SECRET,
        public_base_url=f"http://127.0.0.1:{port}",
        **more,
    )
    return ThreadServer(settings)


async def _connect(server: ThreadServer, auth: dict[str, Any]) -> tuple[bool, list[Any]]:
    """Whether the socket connected, and what its connect_error said (python-socketio's client waits up to
    wait_timeout for the server's answer: no answer at all is a refusal without data)."""
    refusals: list[Any] = []
    async with aiohttp.ClientSession() as http:
        sio = socketio.AsyncClient(reconnection=False, http_session=http)
        sio.on("connect_error", lambda data: refusals.append(data))
        try:
            await sio.connect(server.url, auth=auth, transports=["websocket"], wait_timeout=PATIENCE)
        except socketio.exceptions.ConnectionError:
            return False, refusals
        await sio.disconnect()
        return True, refusals


async def test_a_screen_that_connects_while_the_database_is_away_is_told_to_try_again(
    tmp_path: Path, world: World
) -> None:
    _participant, phone = world.join()
    gone = f"sqlite:///{tmp_path / 'unmounted' / 'cowork.db'}"
    with _serving(tmp_path, gone) as server:
        connected, refusals = await _connect(server, {"token": phone, "workshop_id": world.workshop.id})
    assert not connected
    # The browser's socket.io client does not reconnect after a refusal; `retry` tells cowork.js to.
    assert refusals == [
        {"message": "the record cannot be read now; ask again in a moment", "data": {"retry": True}}
    ]


async def test_phones_join_connect_and_send_cards_while_redis_is_away(
    tmp_path: Path, db_url: str, world: World
) -> None:
    away = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    with _serving(tmp_path, db_url, redis_url=away) as server:
        async with patient.AsyncClient(base_url=server.url) as http:
            joined = await http.post(f"/api/v1/join/{world.workshop.code}", json={})
            assert joined.status_code == 201, joined.text
            token = joined.json()["token"]
            page = await http.get(f"/j/{world.workshop.code}")  # a phone's first page (a device cookie)
            assert page.status_code == 200
            connected, refusals = await _connect(server, {"token": token, "workshop_id": world.workshop.id})
            assert connected, refusals
            card = await http.post(
                f"/api/v1/stages/{world.stage_id}/contributions",
                json={"text": "Sent while Redis was away"},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert card.status_code == 201, card.text
            health = await http.get("/healthz")
    assert health.status_code == 503 and health.json()["reason"].startswith("redis unreachable")


async def test_a_catch_up_the_record_cannot_answer_tells_the_screen_to_ask_again(
    tmp_path: Path, db_url: str, world: World
) -> None:
    """The connect was answered, then the read of what the screen missed failed: nothing later need show it
    a gap, so it is told to `resync` (its `sync` asks again until the record answers)."""
    _participant, phone = world.join()
    with _serving(tmp_path, db_url) as server:
        engine = server.server.config.app.other_asgi_app.state.runtime.engine

        def _record_unreadable(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
            if statement.lstrip().upper().startswith("SELECT") and "FROM event " in statement:
                raise (psycopg_or_sqlite_error())("the record's disk stopped answering")

        event.listen(engine, "before_cursor_execute", _record_unreadable)
        told: list[Any] = []
        try:
            async with aiohttp.ClientSession() as http:
                sio = socketio.AsyncClient(reconnection=False, http_session=http)
                resync = asyncio.Event()
                sio.on("resync", lambda *_: (told.append("resync"), resync.set()))
                auth = {"token": phone, "workshop_id": world.workshop.id, "since": 0}
                await sio.connect(server.url, auth=auth, transports=["websocket"], wait_timeout=PATIENCE)
                await asyncio.wait_for(resync.wait(), PATIENCE)
                await sio.disconnect()
        finally:
            event.remove(engine, "before_cursor_execute", _record_unreadable)
    assert told == ["resync"]


def psycopg_or_sqlite_error() -> type[Exception]:
    """The driver's own OperationalError (SQLAlchemy wraps it as it does a real one)."""
    if PG_URL:
        import psycopg

        return psycopg.OperationalError
    return sqlite3.OperationalError
