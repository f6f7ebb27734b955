"""gzip for JSON when the client accepts it (thread reads come pre-compressed from the cache)."""

from __future__ import annotations

import gzip
from dataclasses import dataclass

from flask import Flask, Response, request

MIN_COMPRESS_BYTES = 1024
GZIP_LEVEL = 6


def _accepts_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


def cached_json_response(body: CachedBody) -> Response:
    gzipped = _accepts_gzip()
    response = Response(body.gzipped if gzipped else body.raw, mimetype="application/json")
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response


def init_app(app: Flask, prefix: str = "/api/") -> None:
    @app.after_request
    def _gzip_json(response: Response) -> Response:
        if (
            not request.path.startswith(prefix)
            or response.mimetype != "application/json"
            or response.direct_passthrough
            or "Content-Encoding" in response.headers
            or response.status_code != 200
        ):
            return response
        response.vary.add("Accept-Encoding")
        data = response.get_data()
        if len(data) < MIN_COMPRESS_BYTES or not _accepts_gzip():
            return response
        response.set_data(gzip.compress(data, GZIP_LEVEL, mtime=0))
        response.headers["Content-Encoding"] = "gzip"
        return response


@dataclass
class CachedBody:
    """A serialized response; its gzip copy is made once, when a client first asks for it."""

    raw: bytes
    _gzipped: bytes | None = None

    @property
    def gzipped(self) -> bytes:
        if self._gzipped is None:
            self._gzipped = gzip.compress(self.raw, GZIP_LEVEL, mtime=0)
        return self._gzipped

    @property
    def size(self) -> int:
        return len(self.raw) * 2
