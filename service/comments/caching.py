"""What a thread read needs to know without asking the database: its head (`ThreadHead`: the
ETag's parts), kept per process by `HeadCache`, and which threads a transaction changed, so the
app forgets their heads after it commits. The bytes themselves are `read_api.ResponseCache`'s.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy.orm import Session

MAX_HEADS = 10_000
CHANGED_THREADS = "sidenote.changed_threads"
CREATED_THREADS = "sidenote.created_threads"


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


def forget_noted_changes(session: Session) -> None:
    """After a rollback: nothing it noted changed."""
    session.info.pop(CHANGED_THREADS, None)
    session.info.pop(CREATED_THREADS, None)


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
