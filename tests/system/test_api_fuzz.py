"""schemathesis against /api/v1/openapi.json: no 5xx, every answer as documented.

Runs in process against a real migrated SQLite database with a site, threads, comments and an
admin token, twice: anonymously over every operation, and with the token over the moderation and
admin API (all but the route that would revoke the token itself), with a bounded number of
examples per operation; half the examples name rows that exist, so found-row paths (an export,
a decision) are checked against their documented schema too.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import Session

from service import create_app
from service.comments.posting import NewComment, create_comment
from service.comments.sites import create_site
from service.db import get_db
from service.db.migrate import upgrade
from service.kernel import actors
from service.moderation import accounts
from service.moderation.pipeline import evaluate
from service.moderation.rules import Rules, update_rules
from tests.conftest import make_settings

#: Bounded (hypothesis `max_examples`, the CLI's --max-examples) so CI stays fast.
EXAMPLES_PER_OPERATION = 25
ANONYMOUS_EXAMPLES = 15
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
        # The seeds (with a link) must be published to be replied to: on a new site the shipped
        # spam model would hold them (docs/moderation.md).
        update_rules(session, site, Rules(spam_shipped_model=False), actor=actors.CLI_ACTOR)
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
                judge=evaluate,
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
                judge=evaluate,
                max_body_chars=10_000,
                sanitizer="bleach",
            )
        _token, secret = accounts.create_token(
            session, scope="admin", site_slug=None, name="fuzz", actor=actors.CLI_ACTOR
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


#: The routes that would revoke the fuzzer's own token (every later request would be a 401).
REVOKES_OWN_TOKEN = {"DELETE /api/v1/admin/tokens/{token_id}"}
#: Path parameters that exist in the seeded database: half the examples use them, so generated
#: queries and bodies reach the code behind a found row (an export, a decision, a thread).
KNOWN = {
    "site": "fuzz",
    "comment_id": 1,
    "thread_id": 1,
    "ban_id": 1,
    "webhook_id": 1,
    "moderator_id": 1,
    "token_id": 1,
}


def fuzz(operations_: list[Any], headers: dict[str, str], examples: int) -> list[str]:
    """Run each operation with `examples` generated requests; the failures, one per operation."""
    failures: list[str] = []
    for operation in operations_:

        @settings(
            max_examples=examples,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        @given(case=operation.as_strategy(), known=st.booleans())
        def exercise(case: Any, known: bool) -> None:
            if known and case.path_parameters:
                for name in case.path_parameters:
                    if name in KNOWN:
                        case.path_parameters[name] = KNOWN[name]
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            exercise()
        except Exception as error:  # collect every failure, then report them all
            failures.append(f"{operation.label}: {str(error)[:600]}")
    return failures


def test_anonymous_requests_are_answered_as_documented(fuzzed_app: Any) -> None:
    """Every operation, without credentials: the public API, and 401s from the guarded one."""
    found = operations(fuzzed_app)
    assert len(found) >= 50
    failures = fuzz(found, {"Accept-Encoding": "identity"}, ANONYMOUS_EXAMPLES)
    assert failures == [], "\n\n".join(failures)


def test_the_moderation_and_admin_api_answer_a_token_as_documented(fuzzed_app: Any) -> None:
    """Every moderation and admin operation with an admin token (the broadest scope), except
    revoking that token."""
    guarded = [
        operation
        for operation in operations(fuzzed_app)
        if operation.path.startswith(("/api/v1/moderation", "/api/v1/admin"))
        and operation.label not in REVOKES_OWN_TOKEN
    ]
    assert len(guarded) >= 30
    headers = {
        "Authorization": f"Bearer {fuzzed_app.config['FUZZ_TOKEN']}",
        "Accept-Encoding": "identity",  # the in-process transport does not unzip
    }
    failures = fuzz(guarded, headers, EXAMPLES_PER_OPERATION)
    assert failures == [], "\n\n".join(failures)


def test_the_document_is_valid_openapi(fuzzed_app: Any, tmp_path: Path) -> None:
    document = fuzzed_app.test_client().get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.1")
    assert any(path.startswith("/api/v1/moderation") for path in document["paths"])
