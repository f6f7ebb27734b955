"""The database layer: declarative base, one engine per app, one session per request.

How it is used:
- Domain functions take a `Session` and never commit; they raise `ServiceError`s.
- A view that writes is wrapped in `@transactional`: it commits after the domain call returns and
  rolls back on any error, so a request never leaves half-written rows.
- `get_session()` gives the request's session (created lazily, closed at teardown).
- On SQLite we manage transactions ourselves (pysqlite's own handling breaks SAVEPOINTs), use WAL,
  a busy timeout and foreign keys; a write request begins with `BEGIN IMMEDIATE` so two writers
  queue on the lock instead of failing when one upgrades a read transaction.
- Durability is one choice for both backends (`SIDENOTE_DURABLE_COMMITS`, see `make_engine`).
"""

from __future__ import annotations

import fcntl
import functools
import logging
import os
import select
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from flask import Flask, current_app, g, request
from sqlalchemy import Connection, DateTime, Engine, MetaData, Table, create_engine, event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import NullPool
from sqlalchemy.sql.selectable import CompoundSelect, Select
from sqlalchemy.types import TypeDecorator

from service.kernel import clock
from service.kernel.config import Settings
from service.kernel.keys import Keys

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_BEGUN = "sidenote.sqlite_begun"
SQLITE_WROTE = "sidenote.sqlite_wrote"
WRITER_FD = "sidenote.writer_fd"
WRITER_HELD = "sidenote.writer_held"
_SELECTS = (Select, CompoundSelect)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in Python whatever the backend (SQLite stores no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        value = clock.utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else clock.utc(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def table_of(model: type[Base]) -> Table:
    """A model's table, for prepared Core statements on hot paths (no unit of work, no flush)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def make_engine(url: str, *, durable_commits: bool = True, **kwargs: Any) -> Engine:
    """An engine with our SQLite settings; creates the SQLite file's folder if needed.

    `durable_commits=False` (`SIDENOTE_DURABLE_COMMITS=false`, an opt-out) lets COMMIT return
    before the log is flushed to disk, on both backends alike: SQLite's `synchronous=NORMAL` in WAL
    mode, PostgreSQL's `synchronous_commit=off`. Neither can corrupt or half-apply anything; an
    operating-system crash or power cut (on PostgreSQL also a crash of the server) may lose the
    commits of the last fraction of a second. On our machine a flush waited 0.8 ms (median), a
    quarter of a post on PostgreSQL (docs/performance.md). Scripts and migrations always wait.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        kwargs.setdefault("pool_size", 5)
        kwargs.setdefault("max_overflow", 10)
        kwargs.setdefault("pool_timeout", 5)
        connect_args = kwargs.setdefault("connect_args", {})
        connect_args.setdefault("connect_timeout", 5)
        engine = create_engine(url, **kwargs)
        event.listen(engine.pool, "checkout", _replace_if_closed_by_server)
        if not durable_commits:
            event.listen(engine, "connect", _commit_without_waiting_for_the_disk)
        return engine

    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    connect_args = kwargs.setdefault("connect_args", {})
    connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT_MS / 1000)
    connect_args.setdefault("check_same_thread", False)
    in_memory = database in {"", ":memory:"} or database.startswith("file:")
    if in_memory:
        kwargs.setdefault("poolclass", NullPool)
    engine = create_engine(url, **kwargs)
    writers = None if in_memory else WriterQueue(f"{database}-writers")

    @event.listens_for(engine, "connect")
    def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see `_sqlite_begin`)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA synchronous={'FULL' if durable_commits else 'NORMAL'}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "")
        connection.info[SQLITE_BEGUN] = mode
        connection.info[SQLITE_WROTE] = False
        if writers is not None and mode == "IMMEDIATE":
            writers.acquire(connection.info)
        try:
            connection.exec_driver_sql(f"BEGIN {mode}".strip())
        except BaseException:
            if writers is not None:
                writers.release(connection.info)
            raise

    if writers is not None:
        _release_writer_after_transaction(engine, writers)
        for name in ("close", "invalidate", "close_detached"):
            event.listen(engine.pool, name, lambda _dbapi, record=None, *_: _forget(record))

        def _forget(record: Any) -> None:
            if record is not None:
                writers.close(record.info)

    @event.listens_for(engine, "before_cursor_execute")
    def _sqlite_note_write(
        connection: Connection, _c: Any, statement: str, _p: Any, context: Any, _m: bool
    ) -> None:
        if _writes(statement, context):
            connection.info[SQLITE_WROTE] = True

    return engine


def _writes(statement: str, context: Any) -> bool:
    """Whether a statement may write: a compiled SELECT never does on SQLite (it has no
    data-modifying CTEs), even when a CTE makes it begin with WITH; other SQL is judged by its
    first word."""
    if isinstance(getattr(getattr(context, "compiled", None), "statement", None), _SELECTS):
        return False
    return not statement.lstrip()[:6].upper().startswith(("SELECT", "BEGIN", "PRAGMA"))


def _commit_without_waiting_for_the_disk(dbapi_connection: Any, _record: Any) -> None:
    """Set once per connection, not per transaction: no statement is added to any request. A
    session setting, committed, so the pool's rollback on check-in keeps it."""
    dbapi_connection.execute("SET synchronous_commit TO off")
    dbapi_connection.commit()


def _replace_if_closed_by_server(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Hand out no pooled connection the server has closed (restart, failover, idle timeout).

    An idle connection in the pool is sent nothing unless the server ends it: it then writes its
    goodbye (or closes the socket), so a readable socket means the connection is gone. Checking
    that costs no round trip, unlike `pool_pre_ping`'s `SELECT 1` on every request. Raising
    `DisconnectionError` makes the pool drop the connection and open a fresh one.
    """
    closed = bool(getattr(dbapi_connection, "closed", False))
    if not closed:
        try:
            socket = dbapi_connection.fileno()
        except Exception:  # no socket to look at (psycopg: "the connection is lost")
            closed = True
        else:
            watch = select.poll()  # not select(): it fails on descriptors above 1023
            watch.register(socket, select.POLLIN)
            closed = bool(watch.poll(0))  # readable, hung up or in error
    if closed:
        raise exc.DisconnectionError("the database server closed this connection")


def _release_writer_after_transaction(engine: Engine, writers: WriterQueue) -> None:
    """Let the next writer in once COMMIT or ROLLBACK has finished, not before.

    SQLAlchemy's `commit` and `rollback` events fire before the DBAPI call. Releasing there let
    the next writer's `BEGIN IMMEDIATE` meet a transaction still committing, and SQLite's busy
    handler then put that writer to sleep for a millisecond or more. So the release wraps this
    engine's own dialect calls (each engine has its own dialect object).
    """
    dialect = engine.dialect
    commit, rollback = dialect.do_commit, dialect.do_rollback

    def release(dbapi_connection: Any) -> None:
        try:
            info = dbapi_connection.info
        except NotImplementedError:  # the engine's first connect: no transaction of ours yet
            return
        writers.release(info)

    def commit_then_release(dbapi_connection: Any) -> None:
        try:
            commit(dbapi_connection)
        finally:
            release(dbapi_connection)

    def rollback_then_release(dbapi_connection: Any) -> None:
        try:
            rollback(dbapi_connection)
        finally:
            release(dbapi_connection)

    dialect.do_commit = commit_then_release  # type: ignore[method-assign]
    dialect.do_rollback = rollback_then_release  # type: ignore[method-assign]


class WriterQueue:
    """Writers of one SQLite file wait their turn on an OS file lock, then `BEGIN IMMEDIATE`.

    SQLite's own busy handler lets a waiting writer sleep in growing steps (1, 2, 5, 10 ms …), so
    under concurrent posts writers spend most of their time asleep while the lock is free. A
    blocking `flock` wakes the next writer, in any thread or process, as soon as the lock is let
    go. Each connection keeps its own descriptor (flock locks belong to open files).
    """

    def __init__(self, path: str) -> None:
        self.path = path

    def acquire(self, info: dict[str, Any]) -> None:
        descriptor = info.get(WRITER_FD)
        if descriptor is None:
            descriptor = info[WRITER_FD] = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        info[WRITER_HELD] = True

    def release(self, info: dict[str, Any]) -> None:
        if info.pop(WRITER_HELD, False):
            fcntl.flock(info[WRITER_FD], fcntl.LOCK_UN)

    def close(self, info: dict[str, Any]) -> None:
        self.release(info)
        descriptor = info.pop(WRITER_FD, None)
        if descriptor is not None:
            os.close(descriptor)


SessionListener = Callable[[Session], None]


class Database:
    """Engine and session factory of one app. Creating it connects to nothing.

    Its sessions start with `info` (the app's event bus, …) and carry the session listeners its
    app added with `listen`: nothing is attached to SQLAlchemy's `Session` class, so the
    sessions of another app, or made by hand, never run this app's listeners.
    """

    def __init__(
        self, url: str, *, durable_commits: bool, info: dict[str, Any] | None = None
    ) -> None:
        self.url = url
        self.durable_commits = durable_commits
        self.info: dict[str, Any] = dict(info or {})
        self._listeners: list[tuple[str, SessionListener]] = []
        self._engine: Engine | None = None
        self._factory: sessionmaker[Session] | None = None
        self._write_factory: sessionmaker[Session] | None = None

    def listen(self, name: str, listener: SessionListener) -> None:
        """Run `listener` on this database's sessions' `name` event (`after_commit`, …)."""
        self._listeners.append((name, listener))
        for factory in {id(f): f for f in (self._factory, self._write_factory) if f}.values():
            event.listen(factory, name, listener)

    def _sessionmaker(self, **kwargs: Any) -> sessionmaker[Session]:
        factory = sessionmaker(expire_on_commit=False, info=self.info, **kwargs)
        for name, listener in self._listeners:
            event.listen(factory, name, listener)
        return factory

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.url, durable_commits=self.durable_commits)
        return self._engine

    @property
    def is_sqlite(self) -> bool:
        return make_url(self.url).get_backend_name() == "sqlite"

    def session(self, *, write: bool = False) -> Session:
        if self._factory is None or self._write_factory is None:
            self._factory = self._sessionmaker(bind=self.engine)
            write_bind = self.engine.execution_options(sqlite_begin="IMMEDIATE")
            self._write_factory = self._sessionmaker(bind=write_bind)
        return (self._write_factory if write else self._factory)()

    def bind_to(self, connection: Connection) -> None:
        """Run every session inside `connection`'s transaction, using savepoints (tests)."""
        factory = self._sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        self._factory = self._write_factory = factory

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


#: Where a session carries its app's settings and keys (`Session.info`, filled by `create_app`).
SETTINGS_INFO = "sidenote.settings"
KEYS_INFO = "sidenote.keys"


def settings_of(session: Session) -> Settings:
    """The settings of the app whose database made `session`: domain code's way to them."""
    value = session.info.get(SETTINGS_INFO)
    if not isinstance(value, Settings):
        raise RuntimeError("no settings on this session: use a session of the app's Database")
    return value


def keys_of(session: Session) -> Keys:
    """The keys (secret-derived hashes and signers) of the app whose database made `session`."""
    value = session.info.get(KEYS_INFO)
    if not isinstance(value, Keys):
        raise RuntimeError("no keys on this session: use a session of the app's Database")
    return value


def get_db(app: Flask | None = None) -> Database:
    database: Database = (app or current_app).extensions["sidenote.db"]
    return database


def get_session() -> Session:
    """The current request's session, created on first use."""
    if "db_session" not in g:
        write = request.method not in {"GET", "HEAD", "OPTIONS"}
        g.db_session = get_db().session(write=write)
    session: Session = g.db_session
    return session


def _close_session(_exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        try:
            session.close()
        except Exception:  # the answer is already made; a dead connection is discarded by the pool
            log.warning("closing a database session failed", exc_info=True)


def read_first(session: Session) -> None:
    """This request reads a while before it writes: on SQLite, don't take the write lock yet.

    Write requests begin with `BEGIN IMMEDIATE` so writers queue instead of failing. A request that
    does most of its work reading (posting a comment runs the whole moderation pipeline first)
    can ask to begin deferred instead, and take the lock with `begin_writes` just before its first
    write, so the lock is held only while it writes. Call it before the session's first query.
    """
    if not session.in_transaction() and session.get_bind().dialect.name == "sqlite":
        session.connection(execution_options={"sqlite_begin": "DEFERRED"})


def begin_writes(session: Session) -> None:
    """Reads are done, writes follow: on SQLite after `read_first`, take the write lock now.

    The read transaction (which wrote nothing) ends and `BEGIN IMMEDIATE` starts the writing one;
    loaded objects stay usable. Elsewhere, or once something was written, this does nothing.
    """
    if not session.in_transaction():
        return
    connection = session.connection()
    if connection.dialect.name != "sqlite" or connection.info.get(SQLITE_BEGUN) != "DEFERRED":
        return
    if connection.info.get(SQLITE_WROTE) or session.new or session.dirty or session.deleted:
        return
    session.commit()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


P = ParamSpec("P")
R = TypeVar("R")


def transactional(view: Callable[P, R]) -> Callable[P, R]:
    """Commit the request's session when the view returns; roll back if it raises."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        session = get_session()
        try:
            result = view(*args, **kwargs)
            session.commit()
        except BaseException:
            session.rollback()
            raise
        return result

    return wrapper


def init_app(
    app: Flask, url: str, *, durable_commits: bool, info: dict[str, Any] | None = None
) -> None:
    """`info` starts every session's `Session.info` (`create_app` puts the event bus there)."""
    app.extensions["sidenote.db"] = Database(url, durable_commits=durable_commits, info=info)
    app.teardown_appcontext(_close_session)
