"""Pooled PostgreSQL connections: one the server has closed is replaced, a live one is reused.

The check happens at checkout without a round trip (no `SELECT 1` per request): an idle pooled
connection whose socket has something to read was closed by the server.
"""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import Engine, event

from service.db import make_engine
from tests.conftest import require_postgres_admin_url


@pytest.fixture
def engine() -> Iterator[Engine]:
    database_engine = make_engine(require_postgres_admin_url(), pool_size=1, max_overflow=0)
    yield database_engine
    database_engine.dispose()


def backend_pid(engine: Engine) -> int:
    with engine.connect() as connection:
        pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    assert isinstance(pid, int)
    return pid


def terminate(pid: int) -> None:
    """End backend `pid` from another connection (what a restart or an idle timeout does)."""
    with psycopg.connect(require_postgres_admin_url(), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", (pid,))
    time.sleep(0.2)  # the backend writes its goodbye and closes the socket


def test_a_live_pooled_connection_is_reused(engine: Engine) -> None:
    assert backend_pid(engine) == backend_pid(engine)


def test_a_live_connection_on_a_high_file_descriptor_is_reused(engine: Engine) -> None:
    """A busy process has many files open; `select()` refuses descriptors above 1023."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard, max(soft, 4096))
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    fillers = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        assert backend_pid(engine) == backend_pid(engine)  # its socket is above 1100
    finally:
        for descriptor in fillers:
            os.close(descriptor)
        engine.dispose()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_a_connection_the_server_closed_is_replaced_at_checkout(engine: Engine) -> None:
    first = backend_pid(engine)
    terminate(first)

    assert backend_pid(engine) != first  # no error reaches the caller


def test_checking_a_pooled_connection_sends_nothing_to_the_server(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend_pid(engine)
    sent: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: sent.append(args[2]))
    pings: list[object] = []
    real_ping = engine.dialect.do_ping
    monkeypatch.setattr(
        engine.dialect,
        "do_ping",
        lambda connection: pings.append(connection) or real_ping(connection),
    )

    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")

    assert sent == ["SELECT 1"]
    assert pings == []
