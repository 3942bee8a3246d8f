"""Request bodies over the limit are refused with 413 before they are read whole (web/limits.py)."""

import json
import socket
from collections.abc import Iterator

import httpx

from tests.conftest import ThreadServer, World, patient

TOO_LARGE = "The request is too large: at most 1,024 KB."


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _announced(server: ThreadServer, path: str, token: str, length: int) -> tuple[bytes, bytes]:
    """Headers announcing `length` bytes and the first 1,000 of them: only an answer from the headers
    alone can arrive. Returns the answer's head and body."""
    request = (
        f"POST {path} HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{server.port}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
        '{"text": "' + "x" * 1000
    ).encode()
    with socket.create_connection(("127.0.0.1", int(server.port)), timeout=20) as sock:
        sock.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return head, body


def test_a_5_mb_card_is_refused_after_its_headers_without_waiting_for_the_body(
    server: ThreadServer, world: World
) -> None:
    path = f"/api/v1/stages/{world.stage_id}/contributions"
    head, body = _announced(server, path, world.api_token, 5_000_011)
    assert head.startswith(b"HTTP/1.1 413 "), head
    assert json.loads(body) == {"detail": TOO_LARGE}
    cards = patient.get(
        f"{server.url}/api/v1/stages/{world.stage_id}/contributions", headers=_auth(world.api_token)
    )
    assert cards.json()["items"] == []


def test_a_record_s_import_has_its_own_larger_limit(server: ThreadServer, world: World) -> None:
    head, body = _announced(server, "/api/v1/workshops/import", world.api_token, 65 * 1024 * 1024)
    assert head.startswith(b"HTTP/1.1 413 "), head
    assert json.loads(body) == {"detail": "The request is too large: at most 65,536 KB."}
    # 2 MB is over the 1 MiB of other bodies but within the import's: read, and judged as a record.
    record = {"schema_version": 1, "events": [], "padding": "x" * 2_000_000}
    answer = patient.post(
        f"{server.url}/api/v1/workshops/import", json=record, headers=_auth(world.api_token), timeout=60
    )
    assert answer.status_code == 422, answer.text[:300]
    assert answer.json()["detail"] != TOO_LARGE


def test_a_body_sent_in_chunks_is_counted_and_refused_once_it_passes_the_limit(
    server: ThreadServer, world: World
) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: the server learns the size only by counting
        yield b'{"text": "'
        for _ in range(80):  # 5 MiB in all
            yield b"x" * 65536
        yield b'"}'

    try:
        answer = patient.post(
            f"{server.url}/api/v1/stages/{world.stage_id}/contributions",
            content=chunks(),
            headers={**_auth(world.api_token), "Content-Type": "application/json"},
        )
    except httpx.WriteError:  # the server answered and closed while the client was still sending
        answer = None
    if answer is not None:
        assert (answer.status_code, answer.json()) == (413, {"detail": TOO_LARGE})
    cards = patient.get(
        f"{server.url}/api/v1/stages/{world.stage_id}/contributions", headers=_auth(world.api_token)
    )
    assert cards.json()["items"] == []


def test_a_large_form_post_from_a_phone_gets_a_page_that_says_why(server: ThreadServer, world: World) -> None:
    with patient.Client(base_url=server.url) as phone:
        phone.post(f"/j/{world.workshop.code}", data={"name": "Ana"})
        refused = phone.post(
            f"/j/{world.workshop.code}/cards",
            data={"stage_id": str(world.stage_id), "text": "x" * 2_000_000},
        )
    assert refused.status_code == 413
    assert "text/html" in refused.headers["content-type"] and TOO_LARGE in refused.text


def test_a_card_over_its_own_limit_but_under_the_body_limit_stays_a_422(
    server: ThreadServer, world: World
) -> None:
    answer = patient.post(
        f"{server.url}/api/v1/stages/{world.stage_id}/contributions",
        json={"text": "x" * 5000},
        headers=_auth(world.api_token),
    )
    assert answer.status_code == 422
    assert answer.json()["detail"] == "The card is too long: 5,000 characters, at most 2,000."
