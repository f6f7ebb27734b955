"""The response cache for thread reads: serialized bytes and a gzip copy, keyed by the ETag.

The ETag already names the site, thread, query, content version and score window, so a changed
thread simply asks for a new key and nothing is ever invalidated by hand. Each process keeps a
bounded LRU; with `SIDENOTE_REDIS_URL` set, processes also share entries through Redis (a Redis
failure only costs a cache miss).
"""

from __future__ import annotations

import gzip
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

log = logging.getLogger(__name__)

REDIS_TTL_SECONDS = 600
MAX_CACHED_BYTES = 64 * 1024 * 1024
GZIP_LEVEL = 6


@dataclass
class CachedBody:
    """A serialized response; its gzip copy is made once, when a client first asks for it."""

    raw: bytes
    _gzipped: bytes | None = None

    @property
    def gzipped(self) -> bytes:
        if self._gzipped is None:
            self._gzipped = gzip.compress(self.raw, GZIP_LEVEL, mtime=0)
        return self._gzipped

    @property
    def size(self) -> int:
        return len(self.raw) * 2


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


def response_cache() -> ResponseCache:
    cache: ResponseCache = current_app.extensions["sidenote.response_cache"]
    return cache


def init_app(app: Flask) -> None:
    config = app.config["SIDENOTE"]
    app.extensions["sidenote.response_cache"] = ResponseCache(
        config.response_cache_entries, config.redis_url
    )
