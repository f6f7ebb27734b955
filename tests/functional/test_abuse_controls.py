"""Abuse controls: rate limits (memory, Redis), client IPs behind proxies, form tokens, honeypot."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from service import create_app
from service.db import get_db
from service.kernel import clock
from service.models import Comment
from service.moderation import accounts
from tests.conftest import make_settings
from tests.factories import Factories
from tests.functional.helpers import error_of, post_comment

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


ClientWith = Callable[..., FlaskClient]


@pytest.fixture
def client_with(database_url: str, connection: Connection) -> ClientWith:
    """A client of an app with other settings, on the same test transaction."""

    def build(**overrides: Any) -> FlaskClient:
        app = create_app(make_settings(database_url, **overrides))
        get_db(app).bind_to(connection)
        return app.test_client()

    return build


@pytest.fixture
def limited(client_with: ClientWith) -> ClientWith:
    return lambda **overrides: client_with(ratelimit_enabled=True, **overrides)


def stored_comment(session: Session) -> Comment:
    session.expire_all()
    return session.scalars(select(Comment).order_by(Comment.id.desc())).first()  # type: ignore[return-value]


# -- rate limits -------------------------------------------------------------------------------


def test_posting_over_the_limit_is_429_with_retry_after(
    limited: ClientWith, make: Factories
) -> None:
    site = make.site()
    client = limited(ratelimit_post="2/minute")
    assert post_comment(client, site.slug).status_code == 201
    assert post_comment(client, site.slug).status_code == 201
    refused = post_comment(client, site.slug)
    assert refused.status_code == 429
    error = error_of(refused)
    assert error["code"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "wait" in error["message"]


@pytest.mark.parametrize(
    ("setting", "request_args"),
    [
        ("ratelimit_vote", ("vote", {"value": 1})),
        ("ratelimit_report", ("report", {"reason": "spam"})),
    ],
)
def test_votes_and_reports_have_their_own_limits(
    limited: ClientWith,
    make: Factories,
    setting: str,
    request_args: tuple[str, dict[str, Any]],
) -> None:
    comment = make.comment()
    client = limited(**{setting: "1/minute"})
    action, body = request_args
    url = f"/api/v1/comments/{comment.id}/{action}"
    headers = {"X-Sidenote-Voter": "voter-aaaaaaaa"}
    assert client.post(url, json=body, headers=headers).status_code < 300
    assert client.post(url, json=body, headers=headers).status_code == 429


def test_preview_is_limited(limited: ClientWith, make: Factories) -> None:
    site = make.site()
    client = limited(ratelimit_preview="1/minute")
    body = {"site": site.slug, "body": "hi"}
    assert client.post("/api/v1/preview", json=body).status_code == 200
    assert client.post("/api/v1/preview", json=body).status_code == 429


def test_limits_count_each_client_ip_separately(limited: ClientWith, make: Factories) -> None:
    site = make.site()
    client = limited(ratelimit_post="1/minute")
    first = {"REMOTE_ADDR": "203.0.113.1"}
    second = {"REMOTE_ADDR": "203.0.113.2"}
    payload = {"site": site.slug, "thread": "/p", "thread_url": "https://blog.example/p"}
    send = {"json": {**payload, "body": "x"}}
    assert client.post("/api/v1/comments", environ_base=first, **send).status_code == 201
    assert client.post("/api/v1/comments", environ_base=first, **send).status_code == 429
    assert client.post("/api/v1/comments", environ_base=second, **send).status_code == 201


def test_limits_can_be_switched_off(client_with: ClientWith, make: Factories) -> None:
    site = make.site()
    client = client_with(ratelimit_enabled=False, ratelimit_post="1/minute")
    for _ in range(3):
        assert post_comment(client, site.slug).status_code == 201


def test_an_empty_limit_switches_that_limit_off(limited: ClientWith, make: Factories) -> None:
    site = make.site()
    client = limited(ratelimit_post="")
    for _ in range(3):
        assert post_comment(client, site.slug).status_code == 201


def test_reads_are_not_limited(limited: ClientWith, make: Factories) -> None:
    site = make.site()
    client = limited(ratelimit_post="1/minute")
    for _ in range(10):
        assert client.get(f"/api/v1/comments?site={site.slug}&thread=/x").status_code == 200


@pytest.mark.skipif(not redis_available(), reason="Redis is not reachable (run .ci/run)")
def test_limits_are_shared_through_redis(limited: ClientWith, make: Factories) -> None:
    site = make.site()
    # A fresh client address per run: Redis outlives the test's transaction.
    address = {"REMOTE_ADDR": f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"}
    payload = {
        "site": site.slug,
        "thread": "/p",
        "thread_url": "https://blog.example/p",
        "body": "x",
    }

    def post(client: FlaskClient) -> int:
        return client.post("/api/v1/comments", json=payload, environ_base=address).status_code

    first = limited(ratelimit_post="2/minute", ratelimit_storage_uri=REDIS_URL)
    assert post(first) == 201
    # A second process with the same storage sees the same counter.
    second = limited(ratelimit_post="2/minute", ratelimit_storage_uri=REDIS_URL)
    assert post(second) == 201
    assert post(second) == 429


def test_unreachable_redis_falls_back_to_memory(
    limited: ClientWith, make: Factories, caplog: pytest.LogCaptureFixture
) -> None:
    site = make.site()
    client = limited(
        ratelimit_post="1/minute",
        ratelimit_storage_uri="redis://127.0.0.1:1/0",  # nothing listens on port 1
    )
    assert post_comment(client, site.slug).status_code == 201
    assert post_comment(client, site.slug).status_code == 429
    assert "falling back to in-memory storage" in caplog.text


# -- client IPs behind proxies ----------------------------------------------------------------


def _ip_hash_of_last_comment(session: Session) -> str | None:
    return stored_comment(session).ip_hash


def test_x_forwarded_for_is_ignored_without_trusted_proxies(
    client: FlaskClient, make: Factories, session: Session
) -> None:
    site = make.site()
    post_comment(client, site.slug, headers={"X-Forwarded-For": "203.0.113.9"})
    spoofed = _ip_hash_of_last_comment(session)
    post_comment(client, site.slug)
    assert spoofed == _ip_hash_of_last_comment(session)  # both are the socket's address


def test_the_trusted_proxy_hop_gives_the_client_ip(
    client_with: ClientWith, make: Factories, session: Session
) -> None:
    site = make.site()
    client = client_with(trusted_proxies=1)
    post_comment(client, site.slug, headers={"X-Forwarded-For": "203.0.113.9"})
    via_proxy = _ip_hash_of_last_comment(session)
    direct = client_with()
    direct.post(
        "/api/v1/comments",
        json={
            "site": site.slug,
            "thread": "/p",
            "thread_url": "https://blog.example/p",
            "body": "x",
        },
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    assert via_proxy == _ip_hash_of_last_comment(session)


def test_a_spoofed_hop_before_the_trusted_proxy_is_ignored(
    client_with: ClientWith, make: Factories, session: Session
) -> None:
    site = make.site()
    client = client_with(trusted_proxies=1)
    post_comment(client, site.slug, headers={"X-Forwarded-For": "198.51.100.66, 203.0.113.9"})
    spoofed_chain = _ip_hash_of_last_comment(session)
    post_comment(client, site.slug, headers={"X-Forwarded-For": "203.0.113.9"})
    assert spoofed_chain == _ip_hash_of_last_comment(session)


def test_limits_follow_the_client_ip_behind_a_proxy(limited: ClientWith, make: Factories) -> None:
    site = make.site()
    client = limited(ratelimit_post="1/minute", trusted_proxies=1)
    one = {"X-Forwarded-For": "203.0.113.1"}
    two = {"X-Forwarded-For": "203.0.113.2"}
    assert post_comment(client, site.slug, headers=one).status_code == 201
    assert post_comment(client, site.slug, headers=one).status_code == 429
    assert post_comment(client, site.slug, headers=two).status_code == 201


# -- form tokens and the honeypot --------------------------------------------------------------


@pytest.fixture
def strict(client_with: ClientWith) -> FlaskClient:
    return client_with(form_token_required=True, min_compose_seconds=3)


def form_token(client: FlaskClient, site: str) -> str:
    response = client.get(f"/api/v1/form-token?site={site}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    token: str = response.json["form_token"]
    return token


def reasons(session: Session) -> list[str]:
    return [r["code"] for r in stored_comment(session).moderation_reasons]


def test_a_post_with_a_valid_token_is_published(
    strict: FlaskClient, make: Factories, session: Session
) -> None:
    site = make.site()
    now = clock.now()
    with clock.frozen(now - timedelta(seconds=30)):
        token = form_token(strict, site.slug)
    response = post_comment(strict, site.slug, form_token=token)
    assert response.json["comment"]["status"] == "approved"
    assert stored_comment(session).status == "approved"


def test_a_form_token_is_reusable_until_it_expires(
    strict: FlaskClient, make: Factories, session: Session
) -> None:
    site = make.site()
    now = clock.now()
    with clock.frozen(now - timedelta(seconds=7_000)):
        token = form_token(strict, site.slug)
    assert post_comment(strict, site.slug, form_token=token).json["comment"]["status"] == "approved"
    assert post_comment(strict, site.slug, form_token=token).json["comment"]["status"] == "approved"
    with clock.frozen(now + timedelta(seconds=300)):
        late = post_comment(strict, site.slug, form_token=token)
    assert late.json["comment"]["status"] == "pending"
    assert reasons(session) == ["form_token_expired"]


@pytest.mark.parametrize(
    ("token", "reason"),
    [(None, "form_token_missing"), ("forged.token.value", "form_token_invalid")],
)
def test_a_post_without_a_valid_token_is_spam_but_looks_pending(
    strict: FlaskClient, make: Factories, session: Session, token: str | None, reason: str
) -> None:
    site = make.site()
    fields = {"form_token": token} if token else {}
    response = post_comment(strict, site.slug, **fields)
    assert response.status_code == 201
    assert response.json["comment"]["status"] == "pending"
    assert stored_comment(session).status == "spam"
    assert reasons(session) == [reason]


def test_a_token_of_another_site_is_invalid(
    strict: FlaskClient, make: Factories, session: Session
) -> None:
    site = make.site()
    other = make.site()
    with clock.frozen(clock.now() - timedelta(seconds=30)):
        token = form_token(strict, other.slug)
    post_comment(strict, site.slug, form_token=token)
    assert reasons(session) == ["form_token_invalid"]


def api_token(client: FlaskClient, session: Session, site_slug: str | None) -> str:
    with client.application.app_context():
        _row, secret = accounts.create_token(session, scope="read", site_slug=site_slug)
        session.commit()
    return secret


def test_a_post_with_an_api_token_needs_no_form_token(
    strict: FlaskClient, make: Factories, session: Session
) -> None:
    site = make.site()
    token = api_token(strict, session, site.slug)
    response = post_comment(strict, site.slug, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201
    assert response.json["comment"]["status"] == "approved"
    assert stored_comment(session).status == "approved"


def test_a_post_with_an_unknown_api_token_is_401(strict: FlaskClient, make: Factories) -> None:
    site = make.site()
    response = post_comment(strict, site.slug, headers={"Authorization": "Bearer snt_unknown"})
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"


def test_a_post_with_another_sites_api_token_is_403(
    strict: FlaskClient, make: Factories, session: Session
) -> None:
    site = make.site()
    token = api_token(strict, session, make.site().slug)
    response = post_comment(strict, site.slug, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"
    assert session.scalar(select(Comment)) is None


def test_a_fast_paster_is_held_for_a_moderator_not_filed_as_spam(
    strict: FlaskClient, make: Factories, session: Session
) -> None:
    site = make.site()
    token = form_token(strict, site.slug)
    assert post_comment(strict, site.slug, form_token=token).json["comment"]["status"] == "pending"
    stored = stored_comment(session)
    assert stored.status == "pending"  # in the Pending tab, not Spam
    assert [(r["code"], r["verdict"]) for r in stored.moderation_reasons] == [("too_fast", "hold")]


def test_posting_fast_and_filling_the_honeypot_is_spam(
    strict: FlaskClient, make: Factories, session: Session
) -> None:
    site = make.site()
    token = form_token(strict, site.slug)
    post_comment(strict, site.slug, form_token=token, homepage="http://spam.example")
    assert stored_comment(session).status == "spam"
    assert reasons(session) == ["honeypot", "too_fast"]


def test_the_age_check_can_be_disabled(
    client_with: ClientWith, make: Factories, session: Session
) -> None:
    site = make.site()
    client = client_with(form_token_required=True, min_compose_seconds=0)
    token = form_token(client, site.slug)
    assert post_comment(client, site.slug, form_token=token).json["comment"]["status"] == "approved"


def test_a_filled_honeypot_is_spam(strict: FlaskClient, make: Factories, session: Session) -> None:
    site = make.site()
    with clock.frozen(clock.now() - timedelta(seconds=30)):
        token = form_token(strict, site.slug)
    response = post_comment(strict, site.slug, form_token=token, homepage="http://spam.example")
    assert response.json["comment"]["status"] == "pending"
    assert reasons(session) == ["honeypot"]


def test_the_token_check_can_be_switched_off(
    client: FlaskClient, make: Factories, session: Session
) -> None:
    site = make.site()  # the default test settings have SIDENOTE_FORM_TOKEN_REQUIRED=false
    assert post_comment(client, site.slug).json["comment"]["status"] == "approved"


def test_form_tokens_for_unknown_sites_are_404(client: FlaskClient) -> None:
    assert client.get("/api/v1/form-token?site=nope").status_code == 404


def test_spam_never_reaches_public_reads(
    strict: FlaskClient, make: Factories, client: FlaskClient
) -> None:
    site = make.site()
    post_comment(strict, site.slug)
    page = client.get(f"/api/v1/comments?site={site.slug}&thread=/post").json
    assert page["comments"] == [] and page["thread"]["comment_count"] == 0
