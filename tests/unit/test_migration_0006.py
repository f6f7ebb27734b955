"""Migration 0006 moves each comment's voter key and "readers notified" mark onto the comment,
and back on a downgrade, on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, text

from service.db import make_engine
from service.db.migrate import alembic_config, upgrade
from tests.conftest import (
    create_postgres_database,
    drop_postgres_database,
    require_postgres_admin_url,
)

BEFORE = "0005_portability"
NOTIFIED_AT = "2026-11-20 10:00:00"


@pytest.fixture(params=["sqlite", "postgresql"])
def url_at_0005(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A scratch database migrated to 0005, with two comments: one posted with a voter key and
    already told to its readers, one with neither."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
        admin = None
    else:
        admin = require_postgres_admin_url()
        url = create_postgres_database(admin, "sidenote_migration")
    try:
        upgrade(url, BEFORE)
        engine = make_engine(url)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO sites (id, slug, name, origins, moderation, edit_window_seconds,"
                    " max_depth, settings, created_at) VALUES (1, 'blog', 'Blog', '[]', 'post',"
                    " 900, 5, '{}', :now)"
                ),
                {"now": NOTIFIED_AT},
            )
            connection.execute(
                text(
                    "INSERT INTO threads (id, site_id, key, url, title, locked, approved_count,"
                    " version, score_epoch, created_at) VALUES (1, 1, '/a', 'https://b.example/a',"
                    " '', false, 2, 1, 0, :now)"
                ),
                {"now": NOTIFIED_AT},
            )
            for comment_id in (1, 2):
                connection.execute(
                    text(
                        "INSERT INTO comments (id, site_id, thread_id, depth, path, root_id,"
                        " status, author_name, author_email, author_website, author_key,"
                        " body_source, body_html, created_at, edited_by_moderator, upvotes,"
                        " downvotes, pinned, moderation_reasons, report_count,"
                        " visible_descendants) VALUES (:id, 1, 1, 0, :path, :id, 'approved', '',"
                        " '', '', 'k', 'hi', '<p>hi</p>', :now, false, 0, 0, false, '[]', 0, 0)"
                    ),
                    {"id": comment_id, "path": f"{comment_id:010d}", "now": NOTIFIED_AT},
                )
            connection.execute(
                text("INSERT INTO comment_voters (comment_id, voter_key) VALUES (1, 'browser')")
            )
            connection.execute(
                text("INSERT INTO notified_comments (comment_id, notified_at) VALUES (1, :at)"),
                {"at": NOTIFIED_AT},
            )
        engine.dispose()
        yield url
    finally:
        if admin is not None:
            drop_postgres_database(admin, url)


def marks(engine: Engine) -> list[tuple[int, str | None, bool]]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT id, voter_key, notified_at IS NOT NULL FROM comments ORDER BY id")
        )
        return [(row[0], row[1], bool(row[2])) for row in rows]


def test_upgrading_moves_voter_keys_and_notified_marks_onto_their_comments(
    url_at_0005: str,
) -> None:
    upgrade(url_at_0005)
    engine = make_engine(url_at_0005)
    try:
        assert marks(engine) == [(1, "browser", True), (2, None, False)]
    finally:
        engine.dispose()


def test_downgrading_puts_them_back_in_their_tables(url_at_0005: str) -> None:
    upgrade(url_at_0005)
    command.downgrade(alembic_config(url_at_0005), BEFORE)
    engine = make_engine(url_at_0005)
    try:
        with engine.connect() as connection:
            voters = connection.execute(text("SELECT comment_id, voter_key FROM comment_voters"))
            notified = connection.execute(text("SELECT comment_id FROM notified_comments"))
            assert [tuple(row) for row in voters] == [(1, "browser")]
            assert [row[0] for row in notified] == [1]
    finally:
        engine.dispose()
