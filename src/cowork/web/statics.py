"""Static files, each text file gzipped once per worker instead of once per answer.

Every phone's first page loads the stylesheet and the scripts (176 KB); GZipMiddleware compressed them again
for each phone, 12-16 ms of server CPU per new phone, as much as its whole join. Here a file's gzip body is
kept per worker (with its ETag: a file changed on disk is compressed again) and sent with `Content-Encoding`,
which GZipMiddleware passes through. Range requests, HEAD, clients without gzip and other types are served as
Starlette serves them.
"""

import gzip
import os
from pathlib import Path

import anyio.to_thread
from starlette.datastructures import Headers
from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

TEXT = ("text/", "application/javascript", "application/json", "image/svg+xml")
MINIMUM_SIZE = 600  # as GZipMiddleware's: smaller files go as they are


class Statics(StaticFiles):
    def __init__(self, directory: str | os.PathLike[str]) -> None:
        super().__init__(directory=directory)
        self._gzipped: dict[str, tuple[str, bytes]] = {}  # path -> (etag, gzip body)

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if not (
            isinstance(response, FileResponse)
            and response.status_code == 200
            and (response.media_type or "").startswith(TEXT)
            and int(response.headers.get("content-length", 0)) >= MINIMUM_SIZE
            and _wants_whole_gzip(scope)
        ):
            return response
        etag = response.headers["etag"]
        kept = self._gzipped.get(str(response.path))
        if kept is None or kept[0] != etag:
            kept = etag, await anyio.to_thread.run_sync(_gzip, response.path)
            self._gzipped[str(response.path)] = kept
        headers = {name: value for name, value in response.headers.items() if name != "content-length"}
        return Response(kept[1], headers={**headers, "content-encoding": "gzip", "vary": "Accept-Encoding"})


def _wants_whole_gzip(scope: Scope) -> bool:
    headers = Headers(scope=scope)
    return (
        scope["method"] == "GET" and "range" not in headers and "gzip" in headers.get("accept-encoding", "")
    )


def _gzip(path: str | os.PathLike[str]) -> bytes:
    return gzip.compress(Path(path).read_bytes(), compresslevel=9, mtime=0)
