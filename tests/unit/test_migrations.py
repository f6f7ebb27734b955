"""The migrations build exactly the schema the models describe, on every backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

import service.models  # noqa: F401 - every table on the metadata
from service.db import Base
from service.db.migrate import current_revision, head_revision


def test_models_and_migrations_do_not_drift(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_the_test_database_is_at_the_head_revision(engine: Engine, database_url: str) -> None:
    assert current_revision(engine) == head_revision(database_url)
