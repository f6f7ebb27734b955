"""Test wiring: migrated databases, one transaction per test, the app and its client, factories.

Every database test runs on SQLite, and again on PostgreSQL when TEST_DATABASE_URL answers
(`.ci/run` sets it; elsewhere those runs are skipped with the reason shown). The migrations run
once per backend and session; each test then works inside one outer transaction that is rolled
back at its end, with the app's sessions nested in savepoints.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from service import create_app
from service.db import SETTINGS_INFO, get_db, make_engine
from service.db.migrate import upgrade
from service.kernel.config import Settings
from tests.factories import Factories

TEST_SECRET = "test-secret-key-which-is-long-enough"
ARTIFACTS = Path(__file__).parent / "artifacts"


def postgres_admin_url() -> str | None:
    """TEST_DATABASE_URL if set and reachable, else None (with the reason in `_pg_skip`)."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return None
    import psycopg

    try:
        with psycopg.connect(_libpq(url), connect_timeout=3):
            return url
    except psycopg.OperationalError:
        return None


def require_postgres_admin_url() -> str:
    """TEST_DATABASE_URL, or skip the test: PostgreSQL runs everywhere `.ci/run` starts it."""
    admin = postgres_admin_url()
    if admin is None:
        pytest.skip("PostgreSQL: TEST_DATABASE_URL is unset or not reachable (run .ci/run)")
    return admin


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def create_postgres_database(admin_url: str, prefix: str = "sidenote_test") -> str:
    import psycopg

    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_libpq(admin_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return str(make_url(admin_url).set(database=name).render_as_string(hide_password=False))


def drop_postgres_database(admin_url: str, url: str) -> None:
    import psycopg

    name = make_url(url).database
    with psycopg.connect(_libpq(admin_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def migrated_database(backend: str, sqlite_file: Path, prefix: str) -> Iterator[str]:
    """A migrated database: the SQLite file, or a scratch PostgreSQL database dropped after."""
    if backend == "sqlite":
        url = f"sqlite:///{sqlite_file}"
        upgrade(url)
        yield url
        return
    admin = require_postgres_admin_url()
    url = create_postgres_database(admin, prefix)
    try:
        upgrade(url)
        yield url
    finally:
        drop_postgres_database(admin, url)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database of each backend, for the whole session."""
    sqlite_file = tmp_path_factory.mktemp("db") / "test.db"
    with migrated_database(request.param, sqlite_file, "sidenote_test") as url:
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    database_engine = make_engine(database_url)
    yield database_engine
    database_engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            yield conn
        finally:
            transaction.rollback()


def make_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "env": "test",
        "database_url": database_url,
        "secret_key": TEST_SECRET,
        "ratelimit_enabled": False,
        "form_token_required": False,
        "min_compose_seconds": 0,
    }
    values.update(overrides)
    return Settings(**values)


def reconfigure(app: Flask, **changes: Any) -> None:
    """Change a test app's settings for the requests and sessions it makes from now on (its
    sessions carry the settings they were made with, as `service.db.settings_of` reads them)."""
    changed = app.config["SIDENOTE"].model_copy(update=changes)
    app.config["SIDENOTE"] = changed
    get_db(app).info[SETTINGS_INFO] = changed


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Override in a module or test to change the app's settings."""
    return {}


@pytest.fixture
def app(
    database_url: str, connection: Connection, settings_overrides: dict[str, Any]
) -> Iterator[Flask]:
    application = create_app(make_settings(database_url, **settings_overrides))
    get_db(application).bind_to(connection)
    yield application
    get_db(application).dispose()  # an engine made on the side (health checks) closes too


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A session of the test's transaction, for factories and assertions.

    Made by the app's database (bound to the test's connection), so it carries the app's event
    bus and session listeners like the sessions of requests (a commit forgets cached heads).
    """
    with get_db(app).session() as db_session:
        yield db_session


@pytest.fixture
def make(app: Flask, session: Session) -> Factories:
    return Factories(app, session)


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, *args: Any) -> None:
        statement = str(args[2]).strip()
        if not statement.upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(connection: Connection) -> Iterator[QueryCounter]:
    counter = QueryCounter()
    event.listen(connection, "before_cursor_execute", counter)
    yield counter
    event.remove(connection, "before_cursor_execute", counter)
