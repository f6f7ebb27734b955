"""Named rate limits (flask-limiter), keyed on the keyed IP hash.

Each limit is a flask-limiter string in a setting (`SIDENOTE_RATELIMIT_POST`, `_VOTE`, …) read per
request, so tests and operators change them without code. Storage is `memory://` by default or Redis
for several processes; while Redis is down the limiter falls back to per-process memory (and logs
it) instead of failing requests. A refused request gets the `rate_limited` envelope with
`Retry-After`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, Literal

from flask import Flask, Response, current_app, g
from flask_limiter import Limiter, RateLimitExceeded
from limits import parse_many

from service.http.context import ip_hash, keys, settings
from service.http.errors import error_response
from service.http.operations import LimitName, operation_of
from service.kernel.errors import RateLimited

log = logging.getLogger(__name__)

#: Limits that count failed attempts only (`check_failures` / `count_failure`).
FailureLimitName = Literal["login_failures", "login_failures_user"]


def rate_key() -> str:
    """Who a limit counts: the signed-in identity when there is one, else the keyed IP hash."""
    identity = g.get("rate_identity")
    return f"id:{identity}" if identity else f"ip:{ip_hash()}"


def limit_value(name: LimitName) -> Callable[[], str]:
    def value() -> str:
        limit: str = getattr(settings(), f"ratelimit_{name}")
        return limit

    return value


def _no_limit(name: LimitName) -> Callable[[], bool]:
    def exempt() -> bool:
        return not getattr(settings(), f"ratelimit_{name}").strip()

    return exempt


def app_limiter() -> Limiter:
    limiter: Limiter = current_app.extensions["sidenote.limiter"]
    return limiter


def check_limit(name: LimitName, key: str) -> None:
    """Count one hit of a named limit for an arbitrary key (e.g. a mail address); raise if over."""
    config = settings()
    value = getattr(config, f"ratelimit_{name}").strip()
    if not config.ratelimit_enabled or not value:
        return
    strategy = app_limiter().limiter
    hashed = _hashed(key)
    for item in parse_many(value):
        if not strategy.hit(item, name, hashed):
            raise too_many(strategy.get_window_stats(item, name, hashed).reset_time)


def _hashed(key: str) -> str:
    """A limit's counter key: keyed, so the limiter's storage never holds an address or IP."""
    return keys().hash("ratelimit", key)


def _limit_items(name: FailureLimitName) -> tuple[Any, list[Any]]:
    """The limiter's strategy and the parsed items of a named limit; no items when it is off."""
    config = settings()
    value = getattr(config, f"ratelimit_{name}").strip()
    if not config.ratelimit_enabled or not value:
        return None, []
    return app_limiter().limiter, list(parse_many(value))


def check_failures(name: FailureLimitName, keys: list[str]) -> None:
    """Refuse (429) when any of `keys` has used up the named limit of *failures*; counts nothing.

    Pair with `count_failure` after the attempt failed: only failures count, so a correct
    password is refused only when this very key failed too often (never for others' failures).
    """
    strategy, items = _limit_items(name)
    for key in keys:
        hashed = _hashed(key)
        for item in items:
            if not strategy.test(item, name, hashed):
                raise too_many(strategy.get_window_stats(item, name, hashed).reset_time)


def count_failure(name: FailureLimitName, keys: list[str]) -> None:
    """Count one failed attempt against each of `keys` (see `check_failures`)."""
    strategy, items = _limit_items(name)
    for key in keys:
        hashed = _hashed(key)
        for item in items:
            strategy.hit(item, name, hashed)


def too_many(reset_at: float) -> RateLimited:
    wait = max(1, int(reset_at - time.time()))
    seconds = "second" if wait == 1 else "seconds"
    return RateLimited(
        f"Too many requests. Please wait {wait} {seconds}.",
        headers={"Retry-After": str(wait)},
    )


def limited_endpoints(app: Flask) -> dict[str, LimitName]:
    """Endpoint -> the named limit it takes, from the operations the app's views declare."""

    limited: dict[str, LimitName] = {}
    for endpoint, view in app.view_functions.items():
        found = operation_of(view)
        if found is not None and found.rate_limit is not None:
            limited[endpoint] = found.rate_limit
    return limited


def init_app(app: Flask) -> None:
    """One limiter per app (tests build many apps; each gets clean storage and state)."""
    config = app.config["SIDENOTE"]
    app.config.update(
        RATELIMIT_ENABLED=config.ratelimit_enabled,
        RATELIMIT_STORAGE_URI=config.ratelimit_storage_uri,
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        RATELIMIT_STRATEGY="moving-window",
        RATELIMIT_HEADERS_ENABLED=False,
    )
    limiter = Limiter(
        rate_key,
        key_prefix="sidenote",
        in_memory_fallback_enabled=True,
        storage_options={"socket_connect_timeout": 1, "socket_timeout": 1}
        if config.ratelimit_storage_uri.startswith("redis")
        else {},
    )
    limiter.init_app(app)
    app.extensions["sidenote.limiter"] = limiter
    for endpoint, name in limited_endpoints(app).items():
        limit = limiter.limit(limit_value(name), scope=name, exempt_when=_no_limit(name))
        app.view_functions[endpoint] = limit(app.view_functions[endpoint])  # type: ignore[assignment]

    @app.errorhandler(RateLimitExceeded)
    def _rate_limited(_exc: RateLimitExceeded) -> Response:
        current = limiter.current_limit
        reset_at = current.reset_at if current is not None else time.time() + 60
        return error_response(too_many(reset_at))


def storage_healthy() -> bool:
    """False while the configured storage is unreachable (the in-memory fallback is in use)."""
    try:
        return bool(app_limiter().storage.check())
    except Exception:  # any storage failure means "not healthy"
        log.warning("rate limit storage unreachable")
        return False
