"""A fast path for repeated thread reads, in front of Flask.

Most requests are the same thread page again: the widget's first load and its revalidations.
When this process has served that page recently, it already knows the thread's head (content
version, score window) and holds the serialized bytes in the response cache; answering then needs
no database and none of Flask's per-request machinery. This WSGI middleware answers exactly those
requests (or their 304) and passes everything else to the app, which fills both caches.

Freshness: a change committed by this app's sessions forgets the thread's head at once (see
`caching.forget_changed_threads`); a change made by another process is seen within
`SIDENOTE_HEAD_CACHE_SECONDS` (1 s by default; 0 turns the fast path off). Thread pages let
CDNs keep them for 5 s anyway (`CDN-Cache-Control`, `Surrogate-Control`); browsers revalidate
every read. The headers are `api.public.THREAD_CACHE_HEADERS`, the same on both paths.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from flask import Flask
from pydantic import ValidationError

from service.comments.api import THREAD_CACHE_HEADERS
from service.comments.caching import HeadCache, ResponseCache
from service.comments.reading import thread_etag
from service.comments.schemas import CommentListQuery
from service.http.cors import EXPOSED_HEADERS
from service.http.metrics import request_metrics

THREAD_PATH = "/api/v1/comments"
StartResponse = Callable[..., Any]


class FastThreadReads:
    """WSGI middleware: answer a repeated thread read from the caches, else call the app."""

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]], app: Flask) -> None:
        self.wsgi_app = wsgi_app
        self.heads: HeadCache = app.extensions["sidenote.head_cache"]
        self.bodies: ResponseCache = app.extensions["sidenote.response_cache"]
        self.origins = app.extensions["sidenote.origins"]
        self.refresh_seconds: int = app.config["SIDENOTE"].score_refresh_seconds
        self._metrics = request_metrics(app)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "GET" and environ.get("PATH_INFO") == THREAD_PATH:
            started = time.perf_counter()
            answer = self._answer(environ, start_response)
            if answer is not None:
                status = "304" if answer == [b""] else "200"
                self._metrics.requests.labels("GET", "api.list_comments", status).inc()
                self._metrics.latency.labels("api.list_comments").observe(
                    time.perf_counter() - started
                )
                return answer
        return self.wsgi_app(environ, start_response)

    def _answer(
        self, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes] | None:
        query = _query(environ.get("QUERY_STRING", ""))
        if query is None:
            return None
        head = self.heads.get(query.site, query.thread)
        if head is None:
            return None
        headers = [*THREAD_CACHE_HEADERS, ("Vary", "Origin, Accept-Encoding")]
        origin = environ.get("HTTP_ORIGIN")
        if origin:
            allowed = self.origins.cached_for_slug(query.site)
            if allowed is None:
                return None  # not known here yet: let the app look the origins up
            if origin in allowed:
                headers += [
                    ("Access-Control-Allow-Origin", origin),
                    ("Access-Control-Expose-Headers", EXPOSED_HEADERS),
                ]
        etag = thread_etag(head, f"{query.sort}|{query.limit}|{query.cursor}", self.refresh_seconds)
        headers.append(("ETag", f'"{etag}"'))
        if _matches(environ.get("HTTP_IF_NONE_MATCH", ""), etag):
            start_response("304 NOT MODIFIED", headers)
            return [b""]
        body = self.bodies.get(etag)
        if body is None:
            return None
        if "gzip" in environ.get("HTTP_ACCEPT_ENCODING", ""):
            payload = body.gzipped
            headers.append(("Content-Encoding", "gzip"))
        else:
            payload = body.raw
        headers += [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
        start_response("200 OK", headers)
        return [payload]


def _query(raw: str) -> CommentListQuery | None:
    values = {name: items[-1] for name, items in parse_qs(raw).items() if len(items) == 1}
    if len(values) != len(parse_qs(raw)):
        return None
    try:
        return CommentListQuery.model_validate(values)
    except ValidationError:
        return None


def _matches(header: str, etag: str) -> bool:
    """If-None-Match holds this tag (strong or weak, quoted or in a list)."""
    if not header:
        return False
    for candidate in header.split(","):
        value = candidate.strip().removeprefix("W/").strip('"')
        if value in {etag, "*"}:
            return True
    return False


def init_app(app: Flask) -> None:
    """Put the fast path in front of the app (after `caching.init_app` made the caches)."""
    if app.config["SIDENOTE"].head_cache_seconds > 0:
        app.wsgi_app = FastThreadReads(app.wsgi_app, app)  # type: ignore[method-assign]
