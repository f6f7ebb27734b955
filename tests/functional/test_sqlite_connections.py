"""Every SQLite connection the app opens is set up for concurrent use and referential integrity."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Connection

from service import create_app
from service.db import SQLITE_BUSY_TIMEOUT_MS, get_db
from tests.conftest import make_settings


@pytest.fixture
def app_connection(tmp_path: Path) -> Iterator[Connection]:
    """A connection from the app's own engine on a new database file (WAL, once set, would stay
    in a file; so nothing else opens it first)."""
    url = f"sqlite:///{tmp_path / 'pragmas.db'}"
    app: Flask = create_app(make_settings(url))
    with get_db(app).engine.connect() as connection:
        yield connection
    get_db(app).dispose()


def pragma(connection: Connection, name: str) -> object:
    return connection.exec_driver_sql(f"PRAGMA {name}").scalar()


def test_the_journal_is_write_ahead(app_connection: Connection) -> None:
    """WAL: readers never wait for the writer."""
    assert pragma(app_connection, "journal_mode") == "wal"


def test_a_busy_database_is_waited_for(app_connection: Connection) -> None:
    """A writer queued behind another waits instead of failing with 'database is locked'."""
    assert pragma(app_connection, "busy_timeout") == SQLITE_BUSY_TIMEOUT_MS > 0


def test_foreign_keys_are_enforced(app_connection: Connection) -> None:
    assert pragma(app_connection, "foreign_keys") == 1
