"""gzip for JSON when the client accepts it (thread reads come pre-compressed from the cache:
`api.thread_response`)."""

from __future__ import annotations

import gzip

from flask import Flask, Response, request

from service.caching import GZIP_LEVEL

MIN_COMPRESS_BYTES = 1024


def _accepts_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


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
