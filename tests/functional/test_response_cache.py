"""The thread-read cache: hits cost one query; every kind of change is seen at once; gzip."""

from __future__ import annotations

import gzip
import json
import os
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from service import create_app
from service.comments.read_api import ResponseCache
from service.db import get_db
from service.kernel import clock
from service.kernel.actors import SYSTEM_ACTOR
from service.moderation import decisions
from tests.conftest import QueryCounter, make_settings
from tests.factories import Factories
from tests.functional.helpers import post_comment

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def thread_url(slug: str) -> str:
    return f"/api/v1/comments?site={slug}&thread=/post"


def read(client: FlaskClient, slug: str) -> dict[str, Any]:
    response = client.get(thread_url(slug))
    assert response.status_code == 200
    body: dict[str, Any] = response.json
    return body


def test_a_repeated_read_is_served_from_the_cache_in_at_most_one_query(
    client: FlaskClient, make: Factories, count_queries: QueryCounter
) -> None:
    site = make.site()
    make.comment(site)
    first = client.get(thread_url(site.slug)).data
    before = count_queries.count
    again = client.get(thread_url(site.slug)).data
    assert count_queries.count - before <= 1  # none when the read fast path knows the thread
    assert again == first


def test_a_new_comment_is_seen_at_once(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    make.comment(site)
    read(client, site.slug)
    post_comment(client, site.slug, body="fresh")
    page = read(client, site.slug)
    assert len(page["comments"]) == 2 and page["thread"]["comment_count"] == 2


def test_a_new_reply_is_seen_at_once(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    root = make.comment(site)
    read(client, site.slug)
    post_comment(client, site.slug, parent_id=root.id)
    assert len(read(client, site.slug)["comments"][0]["replies"]) == 1


def test_an_edit_is_seen_at_once(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    posted = post_comment(client, site.slug, body="before").json
    read(client, site.slug)
    client.patch(
        f"/api/v1/comments/{posted['comment']['id']}",
        json={"body": "after"},
        headers={"X-Sidenote-Edit-Token": posted["edit_token"]},
    )
    assert read(client, site.slug)["comments"][0]["html"] == "<p>after</p>"


def test_a_deletion_is_seen_at_once(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    posted = post_comment(client, site.slug).json
    read(client, site.slug)
    client.delete(
        f"/api/v1/comments/{posted['comment']['id']}",
        headers={"X-Sidenote-Edit-Token": posted["edit_token"]},
    )
    assert read(client, site.slug)["comments"] == []


@pytest.mark.parametrize("status", ["rejected", "spam", "pending"])
def test_hiding_a_comment_is_seen_at_once(
    client: FlaskClient, make: Factories, status: str
) -> None:
    site = make.site()
    comment = make.comment(site)
    read(client, site.slug)
    make.set_status(comment, status)
    assert read(client, site.slug)["comments"] == []


def test_approving_a_comment_is_seen_at_once(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    comment = make.comment(site, status="pending")
    assert read(client, site.slug)["comments"] == []
    make.set_status(comment, "approved")
    assert len(read(client, site.slug)["comments"]) == 1


def test_votes_are_seen_after_the_score_window(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    comment = make.comment(site)
    with clock.frozen(clock.now()) as frozen:
        read(client, site.slug)
        client.post(
            f"/api/v1/comments/{comment.id}/vote",
            json={"value": 1},
            headers={"X-Sidenote-Voter": "voter-aaaaaaaa"},
        )
        frozen.advance(seconds=10)
        assert read(client, site.slug)["comments"][0]["upvotes"] == 1


def test_reads_are_gzipped_for_clients_that_accept_it(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    for n in range(5):
        make.comment(site, body=f"Comment {n}, long enough to be worth compressing. " * 10)
    plain = client.get(thread_url(site.slug))
    zipped = client.get(thread_url(site.slug), headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert json.loads(gzip.decompress(zipped.data)) == plain.json
    assert len(zipped.data) < len(plain.data) / 2


def test_other_large_json_is_gzipped_too(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    for n in range(30):
        make.comment(site, thread=f"/t{n}", body=f"Comment {n}: " + "some text. " * 10)
    response = client.get(
        f"/api/v1/latest?site={site.slug}&limit=30", headers={"Accept-Encoding": "gzip"}
    )
    assert response.headers["Content-Encoding"] == "gzip"
    assert len(json.loads(gzip.decompress(response.data))["comments"]) == 30


def test_the_cache_is_bounded() -> None:
    cache = ResponseCache(entries=3)
    for n in range(5):
        cache.put(str(n), b"x" * 10)
    assert len(cache) == 3
    assert cache.get("0") is None and cache.get("4") is not None


def redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.mark.skipif(not redis_available(), reason="Redis is not reachable (run .ci/run)")
def test_processes_share_cached_reads_through_redis(
    database_url: str,
    connection: Connection,
    make: Factories,
    count_queries: QueryCounter,
) -> None:
    site = make.site(f"r{uuid.uuid4().hex[:10]}")
    make.comment(site)

    def process() -> FlaskClient:
        app = create_app(make_settings(database_url, redis_url=REDIS_URL))
        get_db(app).bind_to(connection)
        return app.test_client()

    first, second = process(), process()
    body = first.get(thread_url(site.slug)).data
    before = count_queries.count
    assert second.get(thread_url(site.slug)).data == body
    assert count_queries.count - before <= 1


def test_a_dead_redis_only_costs_a_miss(
    database_url: str, connection: Connection, make: Factories
) -> None:
    site = make.site()
    make.comment(site)
    app = create_app(make_settings(database_url, redis_url="redis://127.0.0.1:1/0"))
    get_db(app).bind_to(connection)
    client = app.test_client()
    assert client.get(thread_url(site.slug)).status_code == 200
    assert client.get(thread_url(site.slug)).status_code == 200


def test_old_score_windows_do_not_hide_new_votes(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    comment = make.comment(site)
    vote: Callable[[str], Any] = lambda voter: client.post(  # noqa: E731
        f"/api/v1/comments/{comment.id}/vote",
        json={"value": 1},
        headers={"X-Sidenote-Voter": voter},
    )
    start = clock.now()
    with clock.frozen(start) as frozen:
        vote("voter-aaaaaaaa")
        read(client, site.slug)  # cached while the window is open
        vote("voter-bbbbbbbb")  # same window: the cached page lags
        frozen.advance(seconds=11)
        assert read(client, site.slug)["comments"][0]["upvotes"] == 2
        frozen.set(start + timedelta(minutes=5))
        assert read(client, site.slug)["comments"][0]["upvotes"] == 2


# -- moderators' changes -----------------------------------------------------------------------


def as_moderator(make: Factories, change: Callable[[Session], Any]) -> Any:
    """Run a moderation decision the way its route does: in the app, committed."""
    with make.app.app_context():
        result = change(make.session)
        make.session.commit()
    return result


def test_pinning_is_seen_at_once(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    make.comment(site, body="first")
    later = make.comment(site, body="second")
    read(client, site.slug)
    as_moderator(
        make,
        lambda session: decisions.edit_comment(
            session, SYSTEM_ACTOR, later, pinned=True, max_body_chars=10_000, sanitizer="bleach"
        ),
    )
    shown = read(client, site.slug)["comments"][0]
    assert shown["id"] == later.id and shown["pinned"] is True


def test_a_moderators_edit_is_seen_at_once(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    comment = make.comment(site, body="before")
    read(client, site.slug)
    as_moderator(
        make,
        lambda session: decisions.edit_comment(
            session, SYSTEM_ACTOR, comment, body="after", max_body_chars=10_000, sanitizer="bleach"
        ),
    )
    shown = read(client, site.slug)["comments"][0]
    assert shown["html"] == "<p>after</p>" and shown["edited_by_moderator"] is True


def test_locking_a_thread_is_seen_at_once(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    comment = make.comment(site)
    assert read(client, site.slug)["thread"]["locked"] is False
    as_moderator(
        make,
        lambda session: decisions.update_thread(
            session, SYSTEM_ACTOR, comment.thread_id, locked=True
        ),
    )
    assert read(client, site.slug)["thread"]["locked"] is True


def test_undoing_a_rejection_is_seen_at_once(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    comment = make.comment(site)
    outcome = as_moderator(
        make, lambda session: decisions.decide(session, SYSTEM_ACTOR, comment, "reject")
    )
    assert read(client, site.slug)["comments"] == []
    as_moderator(
        make,
        lambda session: decisions.undo(
            session,
            SYSTEM_ACTOR,
            outcome.batch,
            max_age=timedelta(minutes=5),
            sanitizer="bleach",
            max_body_chars=10_000,
        ),
    )
    assert [c["id"] for c in read(client, site.slug)["comments"]] == [comment.id]
