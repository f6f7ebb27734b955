"""CORS: a site's responses are readable only by that site's origins, errors included.

The site of a request is found from, in this order: its `{site}` path argument, its `site` query
parameter, its JSON body's `site` field, or the comment or thread named in its path
(`{comment_id}`, `{thread_id}`). A request whose site is found is readable by that site's listed
origins and by no other. A request that names no existing site (an unknown slug or comment: the
answer is a 404 that says nothing about any site) is readable by an origin of any site, so the
widget sees the real error instead of a network failure.

Preflights (`OPTIONS`) carry no body: one whose path or query names the site is granted for that
site's origins only; one for a route that takes the site from the JSON body (posting, preview,
sign-in) is granted for an origin of any site, and the actual response is then readable only by
the body's site's origins.

Origins are cached per process for a few seconds (sites rarely change), and the site of a comment
or thread (which never changes) for as long as the process lives, within a bounded cache: most
requests cost no query here.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from typing import Any

from flask import Flask, Response, request
from sqlalchemy import select

from service.comments.models import Comment, Site, Thread
from service.db import get_db

ORIGIN_CACHE_SECONDS = 10.0
#: How many slugs (known or not: they come from requests) the process remembers origins for.
SLUG_CACHE_SIZE = 10_000
#: How many comment and thread ids the process remembers the site of.
PARENT_CACHE_SIZE = 50_000
ALLOWED_METHODS = "GET, POST, PATCH, PUT, DELETE"
ALLOWED_HEADERS = (
    "Content-Type, Authorization, If-None-Match, X-Sidenote-Edit-Token, X-Sidenote-Voter"
)
EXPOSED_HEADERS = "ETag, Retry-After"

#: `None` from a lookup: the request names no existing site.
Origins = frozenset[str] | None


class OriginCache:
    def __init__(self) -> None:
        self._by_slug: dict[str, tuple[float, Origins]] = {}
        self._all: tuple[float, frozenset[str]] = (0.0, frozenset())
        self._slug_of: OrderedDict[tuple[str, int], str | None] = OrderedDict()

    def clear(self) -> None:
        self._by_slug.clear()
        self._slug_of.clear()
        self._all = (0.0, frozenset())

    def for_slug(self, slug: str) -> Origins:
        """The site's origins; None when there is no such site."""
        cached = self._by_slug.get(slug)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        with get_db().session() as session:
            origins = session.scalar(select(Site.origins).where(Site.slug == slug))
        value = None if origins is None else frozenset(origins)
        if len(self._by_slug) >= SLUG_CACHE_SIZE:  # slugs come from requests: keep it bounded
            self._by_slug.clear()
        self._by_slug[slug] = (time.monotonic() + ORIGIN_CACHE_SECONDS, value)
        return value

    def cached_for_slug(self, slug: str) -> frozenset[str] | None:
        """The origins if this process looked them up recently, else None (no query)."""
        cached = self._by_slug.get(slug)
        return cached[1] if cached and cached[0] > time.monotonic() else None

    def for_comment(self, comment_id: int) -> Origins:
        slug = self._slug_of_parent("comment", comment_id)
        return self.for_slug(slug) if slug else None

    def for_thread(self, thread_id: int) -> Origins:
        slug = self._slug_of_parent("thread", thread_id)
        return self.for_slug(slug) if slug else None

    def _slug_of_parent(self, kind: str, row_id: int) -> str | None:
        key = (kind, row_id)
        if key in self._slug_of:
            self._slug_of.move_to_end(key)
            return self._slug_of[key]
        model = Comment if kind == "comment" else Thread
        with get_db().session() as session:
            slug = session.scalar(
                select(Site.slug).join(model, model.site_id == Site.id).where(model.id == row_id)
            )
        if slug is not None:  # an id that does not exist yet may exist soon: never cache a miss
            self._slug_of[key] = slug
            if len(self._slug_of) > PARENT_CACHE_SIZE:
                self._slug_of.popitem(last=False)
        return slug

    def any_site(self) -> frozenset[str]:
        if self._all[0] > time.monotonic():
            return self._all[1]
        with get_db().session() as session:
            rows = session.scalars(select(Site.origins)).all()
        value = frozenset(origin for origins in rows for origin in origins or ())
        self._all = (time.monotonic() + ORIGIN_CACHE_SECONDS, value)
        return value


def _path_or_query_slug() -> str | None:
    view_args = request.view_args or {}
    slug = view_args.get("site")
    if isinstance(slug, str) and slug:
        return slug
    return request.args.get("site") or None


def _body_slug() -> str | None:
    if request.mimetype == "application/json" and request.content_length:
        try:
            data: Any = json.loads(request.get_data(cache=True) or b"null")
        except (ValueError, UnicodeDecodeError):
            return None
        if isinstance(data, dict) and isinstance(data.get("site"), str):
            return str(data["site"])
    return None


def _origins_for_request(cache: OriginCache, *, preflight: bool) -> Origins:
    """The origins of the site this request is about; None when it names no existing site."""
    slug = _path_or_query_slug() or (None if preflight else _body_slug())
    if slug:
        return cache.for_slug(slug)
    view_args = request.view_args or {}
    comment_id = view_args.get("comment_id")
    if isinstance(comment_id, int):
        return cache.for_comment(comment_id)
    thread_id = view_args.get("thread_id")
    if isinstance(thread_id, int):
        return cache.for_thread(thread_id)
    return None


def origin_allowed(cache: OriginCache, origin: str, *, preflight: bool = False) -> bool:
    origins = _origins_for_request(cache, preflight=preflight)
    return origin in (cache.any_site() if origins is None else origins)


def init_app(app: Flask, prefix: str = "/api/") -> None:
    cache = OriginCache()
    app.extensions["sidenote.origins"] = cache

    @app.before_request
    def _preflight() -> Response | None:
        if request.method != "OPTIONS" or not request.path.startswith(prefix):
            return None
        response = Response(status=204)
        response.vary.add("Origin")
        origin = request.headers.get("Origin")
        try:
            allowed = bool(origin) and origin_allowed(cache, str(origin), preflight=True)
        except Exception:  # no grant beats a failed preflight
            allowed = False
        if allowed:
            response.headers["Access-Control-Allow-Origin"] = str(origin)
            response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
            response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
            response.headers["Access-Control-Max-Age"] = "600"
        return response

    @app.after_request
    def _allow_site_origin(response: Response) -> Response:
        if not request.path.startswith(prefix) or request.method == "OPTIONS":
            return response
        response.vary.add("Origin")
        origin = request.headers.get("Origin")
        if not origin or "Access-Control-Allow-Origin" in response.headers:
            return response  # e.g. origin_not_allowed, readable everywhere on purpose
        try:
            allowed = origin_allowed(cache, origin)
        except Exception:  # no CORS header beats a failed response
            allowed = False
        if allowed:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        return response
