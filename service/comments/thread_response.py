"""The answer to a thread read (`GET /api/v1/comments`), built in one place for both read paths.

Two paths answer a thread read: the Flask view (`api.public.list_comments`), which asks the
database, and the fast path in front of Flask (`api.fast_reads`), which answers a repeated read
from this process's caches. Both get their status line, headers and body from `thread_answer`,
so the two cannot drift; the after-request hooks (CORS, gzip) find nothing left to add.

A 304 builds no body and never touches gzip: it is the cheaper answer, and should cost less.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, overload

from werkzeug.datastructures import ETags
from werkzeug.http import parse_accept_header, parse_etags

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
