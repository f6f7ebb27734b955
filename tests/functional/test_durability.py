"""`SIDENOTE_DURABLE_COMMITS`: whether a commit waits for the disk, one choice for both backends.

On (the default since issue 20), both wait: SQLite `synchronous=FULL`, PostgreSQL its own
`synchronous_commit`. Off, SQLite runs `synchronous=NORMAL` in WAL mode and PostgreSQL
`synchronous_commit=off`: a commit returns before its log reaches the disk.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine
from sqlalchemy.engine import make_url

from service import create_app
from service.db import get_db
from service.kernel.config import load_settings
from tests.conftest import make_settings

SQLITE_SYNCHRONOUS = {1: "NORMAL", 2: "FULL"}


@contextmanager
def app_engine(database_url: str, **overrides: object) -> Iterator[Engine]:
    """The app's own engine (the test transaction's connection does not come from it)."""
    app = create_app(make_settings(database_url, **overrides))
    try:
        yield get_db(app).engine
    finally:
        get_db(app).dispose()


@contextmanager
def app_connection(database_url: str, **overrides: object) -> Iterator[Connection]:
    with app_engine(database_url, **overrides) as engine, engine.connect() as connection:
        yield connection


def commit_waits_for_disk(connection: Connection) -> bool:
    if connection.dialect.name == "sqlite":
        level = connection.exec_driver_sql("PRAGMA synchronous").scalar()
        return SQLITE_SYNCHRONOUS[int(level)] == "FULL"  # type: ignore[arg-type]
    return connection.exec_driver_sql("SHOW synchronous_commit").scalar() != "off"


def server_default_synchronous_commit(database_url: str) -> str:
    import psycopg

    libpq = make_url(database_url).set(drivername="postgresql")
    with psycopg.connect(libpq.render_as_string(hide_password=False)) as other:
        row = other.execute("SHOW synchronous_commit").fetchone()
    assert row is not None
    return str(row[0])


def test_commits_wait_for_the_disk_by_default(database_url: str) -> None:
    assert load_settings(environ={"SIDENOTE_ENV": "test"}).durable_commits is True
    with app_connection(database_url) as connection:
        assert commit_waits_for_disk(connection)


def test_opting_out_lets_commits_return_before_the_disk(database_url: str) -> None:
    with app_connection(database_url, durable_commits=False) as connection:
        assert not commit_waits_for_disk(connection)


def test_durable_commits_wait_for_the_disk(database_url: str) -> None:
    with app_connection(database_url, durable_commits=True) as connection:
        assert commit_waits_for_disk(connection)
        if connection.dialect.name == "postgresql":  # the server's own setting, untouched
            assert connection.exec_driver_sql(
                "SHOW synchronous_commit"
            ).scalar() == server_default_synchronous_commit(database_url)


def test_the_setting_outlives_a_rolled_back_transaction(database_url: str) -> None:
    """The pool rolls back every connection it takes back; the choice must stay."""
    with app_engine(database_url, durable_commits=False) as engine:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
            connection.rollback()
            first = connection.connection.dbapi_connection
        with engine.connect() as connection:
            assert connection.connection.dbapi_connection is first
            assert not commit_waits_for_disk(connection)


def test_the_setting_is_read_from_the_environment() -> None:
    settings = load_settings(environ={"SIDENOTE_ENV": "test", "SIDENOTE_DURABLE_COMMITS": "false"})
    assert settings.durable_commits is False
