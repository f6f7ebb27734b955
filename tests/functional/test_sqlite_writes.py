"""On SQLite, posting reads without the write lock and takes it only to write (a real file DB)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, func, select

from service import create_app
from service.comments.sites import create_site
from service.db import WRITER_HELD, WriterQueue, get_db
from service.db.migrate import upgrade
from service.models import Comment, Thread
from tests.conftest import make_settings

ORIGIN = "https://blog.example"


@pytest.fixture
def file_app(tmp_path: Path) -> Iterator[Flask]:
    url = f"sqlite:///{tmp_path / 'writes.db'}"
    upgrade(url)
    app = create_app(make_settings(url))
    with app.app_context():
        session = get_db(app).session(write=True)
        create_site(session, slug="blog", name="Blog", origins=[ORIGIN], moderation="post")
        session.commit()
        session.close()
    yield app
    get_db(app).dispose()


def post(app: Flask, body: str, **fields: Any) -> int:
    payload = {"site": "blog", "thread": "/p", "thread_url": f"{ORIGIN}/p", "body": body, **fields}
    return app.test_client().post("/api/v1/comments", json=payload).status_code


def test_the_write_lock_is_taken_only_after_the_checks(file_app: Flask) -> None:
    statements: list[str] = []
    engine = get_db(file_app).engine

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement.split()[0].upper() + " " + statement.split()[1].upper())

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert post(file_app, "The first comment of a new thread") == 201
    finally:
        event.remove(engine, "before_cursor_execute", record)
    lock = statements.index("BEGIN IMMEDIATE")
    assert statements[0] == "BEGIN DEFERRED"
    assert all(s.startswith(("SELECT", "WITH")) for s in statements[1:lock])
    assert any(s.startswith("INSERT") for s in statements[lock:])


def test_a_refused_post_writes_nothing(file_app: Flask) -> None:
    assert post(file_app, "x", parent_id=424242) == 400
    with get_db(file_app).session() as session:
        assert session.scalar(select(func.count()).select_from(Thread)) == 0
        assert session.scalar(select(func.count()).select_from(Comment)) == 0


def test_concurrent_posts_to_one_new_thread_all_land(file_app: Flask) -> None:
    statuses: list[int] = []
    lock = threading.Lock()

    def writer(number: int) -> None:
        for n in range(10):
            status = post(file_app, f"Concurrent comment {number}-{n} on a brand new thread")
            with lock:
                statuses.append(status)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert statuses == [201] * 80
    with get_db(file_app).session() as session:
        assert session.scalar(select(func.count()).select_from(Thread)) == 1
        assert session.scalar(select(Thread.approved_count)) == 80


def writer_lock_releases(monkeypatch: pytest.MonkeyPatch, path: Path) -> list[bool]:
    """At every release of a held writer lock: could another connection start writing at once?"""
    free: list[bool] = []
    release = WriterQueue.release

    def checked_release(self: WriterQueue, info: dict[str, Any]) -> None:
        if info.get(WRITER_HELD):
            other = sqlite3.connect(path, timeout=0, isolation_level=None)
            try:
                other.execute("BEGIN IMMEDIATE")
                other.execute("ROLLBACK")
                free.append(True)
            except sqlite3.OperationalError:  # "database is locked": still committing
                free.append(False)
            finally:
                other.close()
        release(self, info)

    monkeypatch.setattr(WriterQueue, "release", checked_release)
    return free


def test_the_writer_lock_is_let_go_only_after_the_commit_finished(
    file_app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    free = writer_lock_releases(monkeypatch, tmp_path / "writes.db")
    assert post(file_app, "A comment whose commit the next writer must not meet") == 201
    assert free == [True]


def test_the_writer_lock_is_let_go_only_after_a_rollback_finished(
    file_app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    free = writer_lock_releases(monkeypatch, tmp_path / "writes.db")
    session = get_db(file_app).session(write=True)
    session.add(Thread(site_id=1, key="/rolled-back", url=f"{ORIGIN}/rolled-back", title=""))
    session.flush()
    session.rollback()
    session.close()
    assert free == [True]
