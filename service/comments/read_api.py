"""The answer to a thread read (`GET /api/v1/comments`), built in one place for both read paths,
and the response cache it is served from: an edge (HTTP bytes and headers), like `api`.

Two paths answer a thread read: the Flask view (`comments.api.list_comments`), which asks the
database, and the fast path in front of Flask (`comments.fast_reads`), which answers a repeated
read from this process's caches. Both get their status line, headers and body from `thread_answer`,
so the two cannot drift; the after-request hooks (CORS, gzip) find nothing left to add.

A 304 builds no body and never touches gzip: it is the cheaper answer, and should cost less.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any, overload

from flask import Flask, current_app
from werkzeug.datastructures import ETags
from werkzeug.http import parse_accept_header, parse_etags

from service.comments.caching import HeadCache, forget_changed_threads, forget_noted_changes
from service.db import get_db
from service.http.compression import CachedBody
from service.http.cors import EXPOSED_HEADERS

#: Browsers revalidate every read (`no-cache` with the ETag: a 304 is one indexed query), so a
#: reload after someone posted shows the new comment. Only CDNs may keep a read for a few
#: seconds, through the fields meant for them alone (RFC 9213 `CDN-Cache-Control`, and
#: `Surrogate-Control` for Fastly, Varnish and Akamai): see docs/deploying.md.
THREAD_CACHE_CONTROL = "public, no-cache"
THREAD_CDN_CACHE_CONTROL = "public, max-age=5, stale-while-revalidate=30"
THREAD_SURROGATE_CONTROL = "max-age=5, stale-while-revalidate=30"
#: All three, in the order they are sent (thread reads, counts, latest, the feed).
THREAD_CACHE_HEADERS = (
    ("Cache-Control", THREAD_CACHE_CONTROL),
    ("CDN-Cache-Control", THREAD_CDN_CACHE_CONTROL),
    ("Surrogate-Control", THREAD_SURROGATE_CONTROL),
)
#: The answer depends on both (CORS grant, gzip), on a 304 as on a 200.
THREAD_VARY = ("Vary", "Origin, Accept-Encoding")
#: Werkzeug's status lines, so both paths send the same bytes.
OK = "200 OK"
NOT_MODIFIED = "304 NOT MODIFIED"

_HEAD = (*THREAD_CACHE_HEADERS, THREAD_VARY)
_EXPOSE = ("Access-Control-Expose-Headers", EXPOSED_HEADERS)
_JSON = ("Content-Type", "application/json")
_GZIP = ("Content-Encoding", "gzip")


@dataclass(frozen=True, slots=True)
class ThreadAnswer:
    status: str
    headers: list[tuple[str, str]]
    #: Empty for a 304.
    body: bytes


def page_key(sort: str, limit: int, cursor: str | None) -> str:
    """The query's part of the ETag (`reading.thread_etag`): which page, in which order."""
    return f"{sort}|{limit}|{cursor}"


@overload
def thread_answer(
    environ: dict[str, Any],
    etag: str,
    allowed_origins: Collection[str],
    cached_body: Callable[[], CachedBody],
) -> ThreadAnswer: ...


@overload
def thread_answer(
    environ: dict[str, Any],
    etag: str,
    allowed_origins: Collection[str],
    cached_body: Callable[[], CachedBody | None],
) -> ThreadAnswer | None: ...


def thread_answer(
    environ: dict[str, Any],
    etag: str,
    allowed_origins: Collection[str],
    cached_body: Callable[[], CachedBody | None],
) -> ThreadAnswer | None:
    """The answer to this request for the page tagged `etag`; None when `cached_body` has none.

    `allowed_origins` are the site's (the CORS grant); `cached_body` is asked only for a 200.
    """
    origin = environ.get("HTTP_ORIGIN")
    granted = origin if origin and origin in allowed_origins else None
    if etag_matches(environ.get("HTTP_IF_NONE_MATCH"), etag):
        return ThreadAnswer(NOT_MODIFIED, thread_headers(etag, granted), b"")
    cached = cached_body()
    if cached is None:
        return None
    gzipped = accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING"))
    body = thread_body(cached, gzipped)
    return ThreadAnswer(OK, thread_headers(etag, granted, body, gzipped), body)


def thread_headers(
    etag: str, origin: str | None, body: bytes | None = None, gzipped: bool = False
) -> list[tuple[str, str]]:
    """Every header of a thread read, in order; a 304 (`body` None) has no entity headers."""
    headers = [*_HEAD]
    if origin is not None:
        headers += (("Access-Control-Allow-Origin", origin), _EXPOSE)
    headers.append(("ETag", f'"{etag}"'))
    if body is not None:
        if gzipped:
            headers.append(_GZIP)
        headers += (_JSON, ("Content-Length", str(len(body))))
    return headers


def thread_body(cached: CachedBody, gzipped: bool) -> bytes:
    """The serialized page, or its gzip copy (made once per cache entry)."""
    return cached.gzipped if gzipped else cached.raw


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """If-None-Match holds this tag (weak comparison, RFC 9110 13.1.2), or is `*`."""
    if not if_none_match:
        return False
    if if_none_match == f'"{etag}"':  # what a browser sends back: no parsing needed
        return True
    return _parsed_etags(if_none_match).contains_weak(etag)


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Accept-Encoding allows gzip (q > 0, by name or `*`), as Werkzeug reads it."""
    return _gzip_quality(accept_encoding) > 0 if accept_encoding else False


@lru_cache(maxsize=256)
def _gzip_quality(accept_encoding: str) -> float:
    """Clients send a handful of distinct headers: each is parsed once per process."""
    return float(parse_accept_header(accept_encoding)["gzip"])


@lru_cache(maxsize=256)
def _parsed_etags(if_none_match: str) -> ETags:
    return parse_etags(if_none_match)


# -- the response cache ------------------------------------------------------------------------
#
# Serialized bytes and a gzip copy, keyed by the ETag. The ETag already names the site, thread,
# query, content version and score window, so a changed thread simply asks for a new key and
# nothing is ever invalidated by hand. Each process keeps a bounded LRU; with
# `SIDENOTE_REDIS_URL` set, processes also share entries through Redis (a Redis failure only
# costs a cache miss).

#: Where an app keeps its caches (`app.extensions[...]`).
HEAD_CACHE = "sidenote.head_cache"
RESPONSE_CACHE = "sidenote.response_cache"
REDIS_TTL_SECONDS = 600
MAX_CACHED_BYTES = 64 * 1024 * 1024

log = logging.getLogger(__name__)


class ResponseCache:
    def __init__(self, entries: int, redis_url: str = "") -> None:
        self.entries = entries
        self._items: OrderedDict[str, CachedBody] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._redis_url = redis_url
        self._redis: Any = None

    def _redis_client(self) -> Any:
        if self._redis is None and self._redis_url:
            import redis

            self._redis = redis.Redis.from_url(
                self._redis_url, socket_connect_timeout=0.5, socket_timeout=0.5
            )
        return self._redis

    def get(self, key: str) -> CachedBody | None:
        if self.entries == 0:
            return None
        with self._lock:
            body = self._items.get(key)
            if body is not None:
                self._items.move_to_end(key)
                return body
        body = self._redis_get(key)
        if body is not None:
            self._remember(key, body)
        return body

    def put(self, key: str, raw: bytes) -> CachedBody:
        body = CachedBody(raw)
        if self.entries == 0:
            return body
        self._remember(key, body)
        self._redis_put(key, body)
        return body

    def _remember(self, key: str, body: CachedBody) -> None:
        with self._lock:
            previous = self._items.pop(key, None)
            if previous is not None:
                self._bytes -= previous.size
            self._items[key] = body
            self._bytes += body.size
            while self._items and (
                len(self._items) > self.entries or self._bytes > MAX_CACHED_BYTES
            ):
                _key, evicted = self._items.popitem(last=False)
                self._bytes -= evicted.size

    def _redis_get(self, key: str) -> CachedBody | None:
        client = self._redis_client()
        if client is None:
            return None
        try:
            raw, gzipped = client.hmget(f"sidenote:thread:{key}", "raw", "gz")
        except Exception as error:  # any Redis failure is only a miss
            log.warning("response cache: Redis unavailable (%s)", error)
            return None
        if raw is None:
            return None
        return CachedBody(bytes(raw), bytes(gzipped) if gzipped is not None else None)

    def _redis_put(self, key: str, body: CachedBody) -> None:
        client = self._redis_client()
        if client is None:
            return
        try:
            name = f"sidenote:thread:{key}"
            with client.pipeline() as pipe:
                pipe.hset(name, mapping={"raw": body.raw, "gz": body.gzipped})  # shared: zip once
                pipe.expire(name, REDIS_TTL_SECONDS)
                pipe.execute()
        except Exception as error:
            log.warning("response cache: Redis unavailable (%s)", error)

    def __len__(self) -> int:
        return len(self._items)


def head_cache() -> HeadCache:
    cache: HeadCache = current_app.extensions[HEAD_CACHE]
    return cache


def response_cache() -> ResponseCache:
    cache: ResponseCache = current_app.extensions[RESPONSE_CACHE]
    return cache


def init_app(app: Flask) -> None:
    config = app.config["SIDENOTE"]
    app.extensions[RESPONSE_CACHE] = ResponseCache(config.response_cache_entries, config.redis_url)
    heads = app.extensions[HEAD_CACHE] = HeadCache(config.head_cache_seconds)
    database = get_db(app)
    database.listen("after_commit", partial(forget_changed_threads, heads))
    database.listen("after_rollback", forget_noted_changes)
