"""PostgreSQL and Redis are optional parts (`sidenote[postgres]`, `sidenote[redis]`): a setting
that needs one that is not installed stops the start with one line naming the extra."""

from __future__ import annotations

import pytest

from service.kernel import config
from service.kernel.config import ConfigError, load_settings

SECRET = {"SIDENOTE_SECRET_KEY": "x" * 32, "SIDENOTE_PUBLIC_URL": "https://comments.example"}


def without(monkeypatch: pytest.MonkeyPatch, package: str) -> None:
    monkeypatch.setattr(config, "_importable", lambda module: module.split(".")[0] != package)


def test_postgresql_without_psycopg_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    without(monkeypatch, "psycopg")
    with pytest.raises(ConfigError, match=r"SIDENOTE_DATABASE_URL: .*'sidenote\[postgres\]'"):
        load_settings({**SECRET, "SIDENOTE_DATABASE_URL": "postgresql://db.internal/sidenote"})


def test_sqlite_needs_no_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    without(monkeypatch, "psycopg")
    without(monkeypatch, "redis")
    assert load_settings({**SECRET, "SIDENOTE_DATABASE_URL": "sqlite:////tmp/s.db"})


def test_a_redis_cache_without_redis_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    without(monkeypatch, "redis")
    with pytest.raises(ConfigError, match=r"SIDENOTE_REDIS_URL: .*'sidenote\[redis\]'"):
        load_settings({**SECRET, "SIDENOTE_REDIS_URL": "redis://127.0.0.1:6379/1"})


def test_redis_rate_limits_without_redis_name_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    without(monkeypatch, "redis")
    with pytest.raises(ConfigError, match=r"SIDENOTE_RATELIMIT_STORAGE_URI: .*'sidenote\[redis\]'"):
        load_settings({**SECRET, "SIDENOTE_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"})
