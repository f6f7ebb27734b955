"""The one clock. Every timestamp the service writes or compares comes from `now()`.

Tests freeze it with `frozen(...)`, so edit windows, token ages and retention are testable without
sleeping.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

_global_frozen: list[datetime] = []


def now() -> datetime:
    """Current time, timezone-aware UTC (or the frozen time in tests)."""
    if _global_frozen:
        return _global_frozen[-1]
    return datetime.now(UTC)


def timestamp() -> float:
    return now().timestamp()


@contextlib.contextmanager
def frozen(at: datetime) -> Iterator[FrozenClock]:
    """Freeze `now()` at `at` (for the whole process) until the block ends."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    clock = FrozenClock()
    _global_frozen.append(at)
    try:
        yield clock
    finally:
        _global_frozen.pop()


class FrozenClock:
    def advance(self, **delta: float) -> datetime:
        _global_frozen[-1] = _global_frozen[-1] + timedelta(**delta)
        return _global_frozen[-1]

    def set(self, at: datetime) -> None:
        _global_frozen[-1] = at if at.tzinfo else at.replace(tzinfo=UTC)


def utc(dt: datetime) -> datetime:
    """Interpret a naive datetime as UTC (SQLite drops the zone)."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def isoformat(dt: datetime | None) -> str | None:
    if dt is None:
        return None
    return utc(dt).isoformat(timespec="milliseconds").replace("+00:00", "Z")
