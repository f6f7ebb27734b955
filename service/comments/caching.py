"""The response cache for thread reads: serialized bytes and a gzip copy, keyed by the ETag.

The ETag already names the site, thread, query, content version and score window, so a changed
thread simply asks for a new key and nothing is ever invalidated by hand. Each process keeps a
bounded LRU; with `SIDENOTE_REDIS_URL` set, processes also share entries through Redis (a Redis
failure only costs a cache miss).
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from sqlalchemy.orm import Session

from service.db import get_db
from service.http.compression import CachedBody

log = logging.getLogger(__name__)

REDIS_TTL_SECONDS = 600
MAX_HEADS = 10_000
CHANGED_THREADS = "sidenote.changed_threads"
CREATED_THREADS = "sidenote.created_threads"
MAX_CACHED_BYTES = 64 * 1024 * 1024


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


class HeadCache:
    """(site slug, thread key) -> the thread's head, for `SIDENOTE_HEAD_CACHE_SECONDS`.

    Lets the read fast path (`api.fast_reads`) answer a repeated read without the database. This
    process forgets a thread's head when it commits a change to it (`note_thread_changed`); other
    processes' changes are seen once the entry expires.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._heads: OrderedDict[tuple[str, str], tuple[float, ThreadHead]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, slug: str, key: str) -> ThreadHead | None:
        with self._lock:
            entry = self._heads.get((slug, key))
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, slug: str, head: ThreadHead) -> None:
        if self.seconds <= 0:
            return
        with self._lock:
            self._heads[(slug, head.key)] = (time.monotonic() + self.seconds, head)
            self._heads.move_to_end((slug, head.key))
            while len(self._heads) > MAX_HEADS:
                self._heads.popitem(last=False)

    def forget_threads(self, thread_ids: set[int], keys: set[tuple[int, str]]) -> None:
        """Forget these threads, by id, or by (site id, key) for threads created just now."""
        with self._lock:
            stale = [
                cache_key
                for cache_key, (_t, head) in self._heads.items()
                if head.id in thread_ids or (head.site_id, head.key) in keys
            ]
            for cache_key in stale:
                del self._heads[cache_key]


def note_thread_changed(session: Session, thread_id: int) -> None:
    """Remember that this transaction changed what readers of `thread_id` see."""
    session.info.setdefault(CHANGED_THREADS, set()).add(thread_id)


def note_thread_created(session: Session, site_id: int, key: str) -> None:
    """A new thread: readers may hold a head saying it does not exist yet."""
    session.info.setdefault(CREATED_THREADS, set()).add((site_id, key))


def forget_changed_threads(cache: HeadCache, session: Session) -> None:
    """After a commit of the app's session: its head cache forgets the threads it changed."""
    changed: set[int] = session.info.pop(CHANGED_THREADS, set())
    created: set[tuple[int, str]] = session.info.pop(CREATED_THREADS, set())
    if changed or created:
        cache.forget_threads(changed, created)


def _forget_noted_changes(session: Session) -> None:
    session.info.pop(CHANGED_THREADS, None)
    session.info.pop(CREATED_THREADS, None)


def head_cache() -> HeadCache:
    cache: HeadCache = current_app.extensions["sidenote.head_cache"]
    return cache


def response_cache() -> ResponseCache:
    cache: ResponseCache = current_app.extensions["sidenote.response_cache"]
    return cache


def init_app(app: Flask) -> None:
    config = app.config["SIDENOTE"]
    app.extensions["sidenote.response_cache"] = ResponseCache(
        config.response_cache_entries, config.redis_url
    )
    heads = app.extensions["sidenote.head_cache"] = HeadCache(config.head_cache_seconds)
    database = get_db(app)
    database.listen("after_commit", functools.partial(forget_changed_threads, heads))
    database.listen("after_rollback", _forget_noted_changes)


@dataclass(frozen=True)
class ThreadHead:
    """What a thread read needs before it knows whether it can answer from a cache."""

    site_id: int
    key: str
    #: None while the thread does not exist yet (it is created by its first comment).
    id: int | None
    url: str | None
    title: str | None
    locked: bool
    approved_count: int
    version: int
    score_epoch: int
