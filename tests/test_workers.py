"""Several worker processes behind one workshop: Redis carries every broadcast to every worker."""

import asyncio
import os
import uuid
from pathlib import Path

import httpx
import pytest

from .conftest import REDIS_URL, ProcessServer, cli
from .test_live import screen

pytestmark = pytest.mark.redis


@pytest.fixture
def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        message = f"Redis is not reachable at {REDIS_URL} ({exc}): the multi-worker test was NOT run"
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail(message)
        pytest.skip(message)
    return REDIS_URL


async def test_a_card_sent_to_one_worker_reaches_a_phone_connected_to_another(
    tmp_path: Path, db_url: str, redis_url: str
) -> None:
    env = {
        "COWORK_DATA_DIR": str(tmp_path / "data"),
        "COWORK_DATABASE_URL": db_url,
        "COWORK_REDIS_URL": redis_url,
        "COWORK_REDIS_CHANNEL": f"cowork-test-{uuid.uuid4().hex}",
    }
    cli("users", "create", "a@example.org", "--admin", "--password-stdin", env=env, stdin="a long password\n")
    token = cli("token", "create", "a@example.org", env=env).stdout.strip().splitlines()[-1]
    with ProcessServer(env) as one, ProcessServer(env) as two:
        async with httpx.AsyncClient() as http:
            made = await http.post(
                f"{one.url}/api/v1/workshops",
                json={"title": "Two workers"},
                headers={"Authorization": f"Bearer {token}"},
            )
            workshop = made.json()
            phone = (await http.post(f"{two.url}/api/v1/join/{workshop['code']}", json={})).json()["token"]
        async with screen(two, {"token": phone, "workshop_id": workshop["id"]}) as on_two:
            sent = await asyncio.to_thread(
                httpx.post,
                f"{one.url}/api/v1/stages/{workshop['stages'][0]['id']}/contributions",
                json={"text": "via worker one"},
                headers={"Authorization": f"Bearer {phone}"},
            )
            assert sent.status_code == 201
            event = await on_two.wait_for(lambda e: e["type"] == "card.added", within=10)
    assert event["data"]["text"] == "via worker one"
    assert event["seq"] == sent.json()["seq"]


def test_serve_with_two_workers_and_redis_starts_and_answers(
    tmp_path: Path, db_url: str, redis_url: str
) -> None:
    env = {
        "COWORK_DATA_DIR": str(tmp_path / "data"),
        "COWORK_DATABASE_URL": db_url,
        "COWORK_REDIS_URL": redis_url,
        "COWORK_REDIS_CHANNEL": f"cowork-test-{uuid.uuid4().hex}",
    }
    with ProcessServer(env, workers=2) as server:
        assert httpx.get(f"{server.url}/healthz").json() == {"status": "ok"}
