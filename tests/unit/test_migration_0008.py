"""Migration 0008 adds the source installation to an imported comment's identity: rows written
before it keep working (installation ""), and a second installation's ids fit beside them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from service.db import make_engine
from service.db.migrate import alembic_config, upgrade
from tests.conftest import (
    create_postgres_database,
    drop_postgres_database,
    require_postgres_admin_url,
)

BEFORE = "0006_comment_marks"
AFTER = "0008_import_installation"
NOW = "2026-11-20 10:00:00"


@pytest.fixture(params=["sqlite", "postgresql"])
def url_at_0006(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A scratch database at 0006 with one site and one imported-comment row (WordPress id 1)."""
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
                {"now": NOW},
            )
            connection.execute(
                text(
                    "INSERT INTO imported_comments (site_id, source, source_id, imported_at)"
                    " VALUES (1, 'wordpress', '1', :now)"
                ),
                {"now": NOW},
            )
        engine.dispose()
        yield url
    finally:
        if admin is not None:
            drop_postgres_database(admin, url)


def insert(url: str, installation: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO imported_comments (site_id, source, installation, source_id,"
                    " imported_at) VALUES (1, 'wordpress', :installation, '1', :now)"
                ),
                {"installation": installation, "now": NOW},
            )
    finally:
        engine.dispose()


def test_existing_rows_get_no_installation_and_other_installations_fit_beside_them(
    url_at_0006: str,
) -> None:
    upgrade(url_at_0006, AFTER)
    engine = make_engine(url_at_0006)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT installation, source_id FROM imported_comments"))
        assert rows.all() == [("", "1")]
    engine.dispose()
    insert(url_at_0006, "https://two.example")
    with pytest.raises(IntegrityError):
        insert(url_at_0006, "https://two.example")


def test_downgrade_keeps_one_row_per_old_key(url_at_0006: str) -> None:
    upgrade(url_at_0006, AFTER)
    insert(url_at_0006, "https://two.example")
    command.downgrade(alembic_config(url_at_0006), BEFORE)
    engine = make_engine(url_at_0006)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM imported_comments")).scalar() == 1
    engine.dispose()
