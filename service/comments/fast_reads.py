"""A fast path for repeated thread reads, in front of Flask.

Most requests are the same thread page again: the widget's first load and its revalidations.
When this process has served that page recently, it already knows the thread's head (content
version, score window) and holds the serialized bytes in the response cache; answering then needs
no database and none of Flask's per-request machinery. This WSGI middleware only decides whether
it can answer before Flask; the answer itself (status, headers, body) comes from
`comments.read_api.thread_answer`, the function the view answers with too. Anything it cannot
answer from its caches goes to the app, which fills them.

Freshness: a change committed by this app's sessions forgets the thread's head at once (see
`caching.forget_changed_threads`); a change made by another process is seen within
`SIDENOTE_HEAD_CACHE_SECONDS` (1 s by default; 0 turns the fast path off). Thread pages let
CDNs keep them for 5 s anyway (`CDN-Cache-Control`, `Surrogate-Control`); browsers revalidate
every read.

It sits inside the access log (`access_log.AccessLog`), so its answers are logged and carry
`X-Request-Id` like the app's.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from flask import Flask
from pydantic import ValidationError

from service.comments.caching import HeadCache, ThreadHead
from service.comments.reactions import score_epoch
from service.comments.read_api import (
    HEAD_CACHE,
    RESPONSE_CACHE,
    ResponseCache,
    ThreadAnswer,
    page_key,
    thread_answer,
)
from service.comments.reading import thread_etag
from service.comments.schemas import CommentListQuery
from service.http.access_log import AccessLog
from service.http.metrics import request_metrics

THREAD_PATH = "/api/v1/comments"
ENDPOINT = "api.list_comments"
#: How many distinct query strings the process remembers the parsed page of, and how many ETags
#: (they come from requests: bounded, and forgotten all at once when full).
MAX_QUERIES = 4096
StartResponse = Callable[..., Any]
#: (site slug, thread key, page key) of a query string; None when the app should answer it.
Page = tuple[str, str, str] | None
_NO_ORIGINS: frozenset[str] = frozenset()


class FastThreadReads:
    """WSGI middleware: answer a repeated thread read from the caches, else call the app."""

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]], app: Flask) -> None:
        self.wsgi_app = wsgi_app
        self.heads: HeadCache = app.extensions[HEAD_CACHE]
        self.bodies: ResponseCache = app.extensions[RESPONSE_CACHE]
        self.origins = app.extensions["sidenote.origins"]
        self.refresh_seconds: int = app.config["SIDENOTE"].score_refresh_seconds
        self._metrics = request_metrics(app)
        self._pages: dict[str, Page] = {}
        self._etags: dict[tuple[int, str, int], tuple[ThreadHead, str]] = {}
        self._counters: dict[str, Any] = {}
        self._latency = self._metrics.latency.labels(ENDPOINT)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == THREAD_PATH and environ.get("REQUEST_METHOD") == "GET":
            started = time.perf_counter()
            answer = self._answer(environ)
            if answer is not None:
                start_response(answer.status, answer.headers)
                self._count(answer.status)
                self._latency.observe(time.perf_counter() - started)
                return [answer.body]
        return self.wsgi_app(environ, start_response)

    def _answer(self, environ: dict[str, Any]) -> ThreadAnswer | None:
        page = self._page(environ.get("QUERY_STRING", ""))
        if page is None:
            return None
        site, thread, key = page
        head = self.heads.get(site, thread)
        if head is None:
            return None
        allowed = _NO_ORIGINS
        if environ.get("HTTP_ORIGIN"):
            cached = self.origins.cached_for_slug(site)
            if cached is None:
                return None  # not known here yet: let the app look the origins up
            allowed = cached
        etag = self._etag(head, key)
        return thread_answer(environ, etag, allowed, lambda: self.bodies.get(etag))

    def _page(self, raw: str) -> Page:
        """The query string's page, parsed and validated once per distinct string."""
        try:
            return self._pages[raw]
        except KeyError:
            pass
        query = _query(raw)
        page = None if query is None else (query.site, query.thread, _key(query))
        if len(self._pages) >= MAX_QUERIES:
            self._pages.clear()
        self._pages[raw] = page
        return page

    def _etag(self, head: ThreadHead, key: str) -> str:
        """`thread_etag`, hashed once per head, page and score window: the tag is a function of
        those three alone, and most reads repeat all three."""
        memo_key = (id(head), key, score_epoch(self.refresh_seconds))
        known = self._etags.get(memo_key)
        if known is not None and known[0] is head:
            return known[1]
        etag = thread_etag(head, key, self.refresh_seconds)
        if len(self._etags) >= MAX_QUERIES:
            self._etags.clear()
        self._etags[memo_key] = (head, etag)
        return etag

    def _count(self, status: str) -> None:
        """The same request counter the app's after-request hook (`ops`) counts in."""
        counter = self._counters.get(status)
        if counter is None:
            counter = self._counters[status] = self._metrics.requests.labels(
                "GET", ENDPOINT, status[:3]
            )
        counter.inc()


def _key(query: CommentListQuery) -> str:
    return page_key(query.sort, query.limit, query.cursor)


def _query(raw: str) -> CommentListQuery | None:
    """The query, or None when anything about it is unusual (a repeated or invalid parameter):
    the app answers those, with its errors."""
    parsed = parse_qs(raw)
    if any(len(items) != 1 for items in parsed.values()):
        return None
    try:
        return CommentListQuery.model_validate({name: items[0] for name, items in parsed.items()})
    except ValidationError:
        return None


def init_app(app: Flask) -> None:
    """Put the fast path in front of Flask, inside the access log (after `read_api.init_app`
    made the caches, and after `create_app` wrapped the app in `AccessLog`)."""
    if app.config["SIDENOTE"].head_cache_seconds <= 0:
        return
    logged: Any = app.wsgi_app
    while logged is not None and not isinstance(logged, AccessLog):
        logged = getattr(logged, "app", None)  # through ProxyFix
    if logged is None:
        app.wsgi_app = FastThreadReads(app.wsgi_app, app)  # type: ignore[method-assign]
    else:
        logged.app = FastThreadReads(logged.app, app)
