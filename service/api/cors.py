"""CORS: a site's responses are readable only by that site's origins, errors included.

The site of a request is found from its `site` query parameter or JSON field, or from the comment
named in its path. Origins are cached per process for a few seconds (sites rarely change), so
most requests cost no query here.
"""

from __future__ import annotations

import json
import time
from typing import Any

from flask import Flask, Response, request
from sqlalchemy import select

from service.db import get_db
from service.models import Comment, Site

ORIGIN_CACHE_SECONDS = 10.0
ALLOWED_HEADERS = (
    "Content-Type, Authorization, If-None-Match, X-Sidenote-Edit-Token, X-Sidenote-Voter"
)
EXPOSED_HEADERS = "ETag, Retry-After"


class OriginCache:
    def __init__(self) -> None:
        self._by_slug: dict[str, tuple[float, frozenset[str]]] = {}
        self._all: tuple[float, frozenset[str]] = (0.0, frozenset())

    def clear(self) -> None:
        self._by_slug.clear()
        self._all = (0.0, frozenset())

    def for_slug(self, slug: str) -> frozenset[str]:
        cached = self._by_slug.get(slug)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        with get_db().session() as session:
            origins = session.scalar(select(Site.origins).where(Site.slug == slug))
        value = frozenset(origins or ())
        self._by_slug[slug] = (time.monotonic() + ORIGIN_CACHE_SECONDS, value)
        return value

    def cached_for_slug(self, slug: str) -> frozenset[str] | None:
        """The origins if this process looked them up recently, else None (no query)."""
        cached = self._by_slug.get(slug)
        return cached[1] if cached and cached[0] > time.monotonic() else None

    def for_comment(self, comment_id: int) -> frozenset[str]:
        with get_db().session() as session:
            slug = session.scalar(
                select(Site.slug)
                .join(Comment, Comment.site_id == Site.id)
                .where(Comment.id == comment_id)
            )
        return self.for_slug(slug) if slug else frozenset()

    def any_site(self) -> frozenset[str]:
        if self._all[0] > time.monotonic():
            return self._all[1]
        with get_db().session() as session:
            rows = session.scalars(select(Site.origins)).all()
        value = frozenset(origin for origins in rows for origin in origins or ())
        self._all = (time.monotonic() + ORIGIN_CACHE_SECONDS, value)
        return value


def _request_site_slug() -> str | None:
    slug = request.args.get("site")
    if slug:
        return slug
    if request.mimetype == "application/json" and request.content_length:
        try:
            data: Any = json.loads(request.get_data(cache=True) or b"null")
        except (ValueError, UnicodeDecodeError):
            return None
        if isinstance(data, dict) and isinstance(data.get("site"), str):
            return str(data["site"])
    return None


def _origins_for_request(cache: OriginCache) -> frozenset[str]:
    slug = _request_site_slug()
    if slug:
        return cache.for_slug(slug)
    view_args = request.view_args or {}
    comment_id = view_args.get("comment_id")
    if isinstance(comment_id, int):
        return cache.for_comment(comment_id)
    return frozenset()


def init_app(app: Flask, prefix: str = "/api/") -> None:
    cache = OriginCache()
    app.extensions["sidenote.origins"] = cache

    @app.before_request
    def _preflight() -> Response | None:
        if request.method != "OPTIONS" or not request.path.startswith(prefix):
            return None
        response = Response(status=204)
        origin = request.headers.get("Origin")
        if origin and origin in cache.any_site():
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, PATCH, PUT, DELETE"
            response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
            response.headers["Access-Control-Max-Age"] = "600"
        response.vary.add("Origin")
        return response

    @app.after_request
    def _allow_site_origin(response: Response) -> Response:
        if not request.path.startswith(prefix) or request.method == "OPTIONS":
            return response
        response.vary.add("Origin")
        origin = request.headers.get("Origin")
        if not origin:
            return response
        try:
            allowed = origin in _origins_for_request(cache)
        except Exception:  # no CORS header beats a failed response
            allowed = False
        if allowed:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        return response
