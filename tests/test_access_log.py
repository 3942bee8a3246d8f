"""The access log tells a client that went away before its answer (499) from a server error (500)."""

import json
import logging
import socket
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.conftest import ThreadServer, World


class Lines(logging.Handler):
    """The access log's entries as the operator reads them, and a way to wait for the next one."""

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[dict[str, object]] = []
        self.arrived = threading.Condition()

    def emit(self, record: logging.LogRecord) -> None:
        with self.arrived:
            self.entries.append(getattr(record, "fields", {}))
            self.arrived.notify_all()

    def wait_for(self, route: str) -> dict[str, object]:
        with self.arrived:
            assert self.arrived.wait_for(lambda: any(e.get("route") == route for e in self.entries), 15)
            return next(e for e in self.entries if e.get("route") == route)


@pytest.fixture
def access_log() -> Iterator[Lines]:
    lines = Lines()
    logger = logging.getLogger("cowork.access")
    logger.addHandler(lines)
    try:
        yield lines
    finally:
        logger.removeHandler(lines)


def test_a_client_that_hangs_up_mid_request_is_logged_as_499_not_as_a_server_error(
    server: ThreadServer, world: World, access_log: Lines
) -> None:
    address = urlsplit(server.url)
    with socket.create_connection((address.hostname, address.port)) as phone:
        # A card form whose body never arrives in full: the phone lost the Wi-Fi mid-post.
        phone.sendall(
            f"POST /j/{world.workshop.code}/cards HTTP/1.1\r\nHost: {address.netloc}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 4000\r\n\r\n"
            "text=Half a card".encode()
        )
    entry = access_log.wait_for("/j/{code}/cards")
    assert entry["status"] == 499


def test_a_complete_request_keeps_its_own_status(
    server: ThreadServer, world: World, access_log: Lines
) -> None:
    address = urlsplit(server.url)
    with socket.create_connection((address.hostname, address.port)) as client:
        client.sendall(
            f"GET /healthz HTTP/1.1\r\nHost: {address.netloc}\r\nConnection: close\r\n\r\n".encode()
        )
        answer = b""
        while chunk := client.recv(4096):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200") and json.loads(answer.split(b"\r\n\r\n", 1)[1]) == {
        "status": "ok"
    }
    assert access_log.wait_for("/healthz")["status"] == 200
