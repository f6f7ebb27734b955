"""Fixtures for import, export and privacy tests: run an import inside the test's transaction,
and check that a site's derived counters and paths agree with its comments."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db import get_db
from service.models import PATH_WIDTH, Comment, Site, Thread
from service.portability.import_run import ImportHooks, ImportOptions, ImportSummary
from service.portability.importer import run_import
from tests.factories import Factories
from tests.functional.moderation.conftest import Credentials

ORIGIN = "https://blog.example"
Importer = Callable[..., ImportSummary]


@pytest.fixture
def blog(make: Factories) -> Site:
    return make.site("blog", origins=[ORIGIN])


@pytest.fixture
def run_import_file(app: Flask, session: Session) -> Importer:
    """`run_import_file(source, path, site, remap=..., dry_run=..., hooks=...)`."""

    def run(
        source: str,
        path: Path,
        site: Site,
        *,
        hooks: ImportHooks | None = None,
        **options: Any,
    ) -> ImportSummary:
        with app.app_context():
            summary = run_import(
                get_db(app), source, path, ImportOptions(site=site.slug, **options), hooks
            )
        session.expire_all()
        return summary

    return run


@pytest.fixture
def creds(app: Flask, session: Session) -> Credentials:
    return Credentials(app, session)


def assert_consistent(session: Session, site: Site) -> None:
    """Paths, roots, depths and the visibility counters of every comment of `site` are right."""
    session.expire_all()
    comments = {c.id: c for c in session.scalars(select(Comment).where(Comment.site_id == site.id))}
    for comment in comments.values():
        own = str(comment.id).zfill(PATH_WIDTH)
        parent = comments.get(comment.parent_id) if comment.parent_id else None
        assert comment.path == (f"{parent.path}/{own}" if parent else own)
        assert comment.depth == (parent.depth + 1 if parent else 0)
        assert comment.root_id == (parent.root_id if parent else comment.id)
        if parent is not None:
            assert parent.thread_id == comment.thread_id
        below = [
            other
            for other in comments.values()
            if other.path.startswith(comment.path + "/") and other.status == "approved"
        ]
        assert comment.visible_descendants == len(below), comment.path
    for thread in session.scalars(select(Thread).where(Thread.site_id == site.id)):
        approved = [
            c for c in comments.values() if c.thread_id == thread.id and c.status == "approved"
        ]
        assert thread.approved_count == len(approved), thread.key
