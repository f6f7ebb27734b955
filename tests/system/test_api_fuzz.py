"""schemathesis against /api/v1/openapi.json: no 5xx, every answer as documented.

Runs in process against a real migrated SQLite database with a site, threads, comments and an
admin token (so the moderation API is reached past its auth), with a bounded number of examples
per operation.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import Session

from service import auth, create_app
from service.comments.posting import NewComment, create_comment
from service.comments.sites import create_site
from service.db import get_db
from service.migrate import upgrade
from tests.conftest import make_settings

EXAMPLES_PER_OPERATION = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def fuzzed_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.db'}"
    upgrade(url)
    app = create_app(make_settings(url))
    with app.app_context():
        session: Session = get_db(app).session(write=True)
        site = create_site(
            session, slug="fuzz", name="Fuzz", origins=["https://fuzz.example"], moderation="post"
        )
        for n in range(5):
            posted = create_comment(
                session,
                NewComment(
                    site="fuzz",
                    thread="/a",
                    thread_url="https://fuzz.example/a",
                    body=f"Seed comment {n} with a [link](https://example.org).",
                    author_name="Seed",
                ),
                max_body_chars=10_000,
                sanitizer="bleach",
            )
            create_comment(
                session,
                NewComment(
                    site="fuzz",
                    thread="/a",
                    thread_url="https://fuzz.example/a",
                    body=f"Reply {n}",
                    parent_id=posted.comment.id,
                ),
                max_body_chars=10_000,
                sanitizer="bleach",
            )
        _token, secret = auth.create_token(
            session, scope="admin", site_slug=None, name="fuzz", actor=auth.CLI_ACTOR
        )
        session.commit()
        session.close()
        assert site.id
    app.config["FUZZ_TOKEN"] = secret
    yield app
    get_db(app).dispose()


def operations(app: Any) -> list[Any]:
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return [result.ok() for result in loaded.get_all_operations()]


def test_the_api_answers_every_generated_request_as_documented(fuzzed_app: Any) -> None:
    """Each operation gets EXAMPLES_PER_OPERATION generated requests (valid and invalid)."""
    headers = {
        "Authorization": f"Bearer {fuzzed_app.config['FUZZ_TOKEN']}",
        "Accept-Encoding": "identity",  # the in-process transport does not unzip
    }
    failures: list[str] = []
    tested = 0
    for operation in operations(fuzzed_app):

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        @given(case=operation.as_strategy())
        def exercise(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            exercise()
        except Exception as error:  # collect every failure, then report them all
            failures.append(f"{operation.label}: {str(error)[:600]}")
        tested += 1
    assert tested >= 25
    assert failures == [], "\n\n".join(failures)


def test_the_document_is_valid_openapi(fuzzed_app: Any, tmp_path: Path) -> None:
    document = fuzzed_app.test_client().get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.1")
    assert any(path.startswith("/api/v1/moderation") for path in document["paths"])
