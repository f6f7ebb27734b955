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
from typing import Any, Protocol

from flask import Flask, Response, request

ALLOWED_METHODS = "GET, POST, PATCH, PUT, DELETE"
ALLOWED_HEADERS = (
    "Content-Type, Authorization, If-None-Match, X-Sidenote-Edit-Token, X-Sidenote-Voter"
)
EXPOSED_HEADERS = "ETag, Retry-After"

#: `None` from a lookup: the request names no existing site.
Origins = frozenset[str] | None


class OriginLookup(Protocol):
    """Which origins may read a site's answers (`service.comments.origins.OriginCache`)."""

    def for_slug(self, slug: str) -> Origins: ...
    def for_comment(self, comment_id: int) -> Origins: ...
    def for_thread(self, thread_id: int) -> Origins: ...
    def any_site(self) -> frozenset[str]: ...


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


def _origins_for_request(cache: OriginLookup, *, preflight: bool) -> Origins:
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


def origin_allowed(cache: OriginLookup, origin: str, *, preflight: bool = False) -> bool:
    origins = _origins_for_request(cache, preflight=preflight)
    return origin in (cache.any_site() if origins is None else origins)


def init_app(app: Flask, cache: OriginLookup, prefix: str = "/api/") -> None:
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
