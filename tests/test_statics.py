"""Static files: gzipped once per worker, and the same file, headers and caching as before for the phone."""

from pathlib import Path

import httpx
import pytest

from cowork.assets import asset_dir
from cowork.web import statics

CSS = asset_dir("static") / "cowork.css"


async def test_a_phone_gets_the_stylesheet_gzipped_with_the_security_headers(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.get("/static/cowork.css", headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200 and answer.headers["content-encoding"] == "gzip"
    assert answer.content == CSS.read_bytes()  # httpx decompressed it
    assert answer.headers["content-type"].startswith("text/css")
    assert "default-src 'self'" in answer.headers["content-security-policy"]
    again = await client.get(
        "/static/cowork.css", headers={"Accept-Encoding": "gzip", "If-None-Match": answer.headers["etag"]}
    )
    assert again.status_code == 304


async def test_each_file_is_compressed_once_however_many_phones_load_it(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    compressed: list[Path] = []
    real = statics._gzip
    monkeypatch.setattr(statics, "_gzip", lambda path: compressed.append(path) or real(path))
    for _ in range(3):
        answer = await client.get("/static/cowork.js", headers={"Accept-Encoding": "gzip"})
        assert answer.headers["content-encoding"] == "gzip"
    assert len(compressed) == 1


async def test_without_gzip_or_for_a_range_the_file_is_sent_as_it_is(client: httpx.AsyncClient) -> None:
    plain = await client.get("/static/cowork.css", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == CSS.read_bytes()
    part = await client.get("/static/cowork.css", headers={"Accept-Encoding": "gzip", "Range": "bytes=0-99"})
    assert part.status_code == 206 and part.content == CSS.read_bytes()[:100]
