"""Which origins may read a site's answers: looked up by slug, comment id or thread id, and
remembered briefly (`service.http.cors` asks through the `OriginLookup` protocol)."""

from __future__ import annotations

import time
from collections import OrderedDict

from sqlalchemy import select

from service.comments.models import Comment, Site, Thread
from service.db import get_db

ORIGIN_CACHE_SECONDS = 10.0
#: How many slugs (known or not: they come from requests) the process remembers origins for.
SLUG_CACHE_SIZE = 10_000
#: How many comment and thread ids the process remembers the site of.
PARENT_CACHE_SIZE = 50_000

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
