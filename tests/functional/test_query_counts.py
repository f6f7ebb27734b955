"""Reads run a constant number of queries whatever the thread size; posting, whatever the number
of readers who watch the thread."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.comments.posting import NewComment, create_comment
from service.kernel import clock
from service.models import Ban, Site, Thread, Webhook
from service.moderation.pipeline import evaluate
from service.notifications.subscriptions import add_subscription, get_or_create_address
from tests.conftest import QueryCounter
from tests.factories import ORIGIN, Factories


def seed_thread(make: Factories, site: Site, comments: int) -> None:
    """`comments` comments: a third top level, the rest replies nested up to depth 3."""
    with make.app.app_context():
        roots: list[int] = []
        parents: list[int] = []
        for n in range(comments):
            parent = None
            if n % 3 and roots:
                parent = parents[-1] if n % 3 == 2 and parents else roots[-1]
            posted = create_comment(
                make.session,
                NewComment(
                    site=site.slug,
                    thread="/big",
                    thread_url=f"{ORIGIN}/big",
                    body=f"Comment number {n} with *some* text.",
                    parent_id=parent,
                    author_name=f"Reader {n % 17}",
                    ip_hash="f" * 32,
                ),
                judge=evaluate,
                max_body_chars=10_000,
                sanitizer="bleach",
            )
            if parent is None:
                roots.append(posted.comment.id)
            elif posted.comment.depth < 3:
                parents.append(posted.comment.id)
        make.session.commit()


def queries_for(client: FlaskClient, counter: QueryCounter, url: str) -> int:
    before = counter.count
    response = client.get(url)
    assert response.status_code == 200
    return counter.count - before


@pytest.mark.parametrize("size", [10, 1000])
def test_thread_read_query_count_is_constant(
    client: FlaskClient, make: Factories, count_queries: QueryCounter, size: int
) -> None:
    site = make.site()
    seed_thread(make, site, size)
    url = f"/api/v1/comments?site={site.slug}&thread=/big&limit=200"
    # head; pinned roots; other roots; their replies (later pages have no pinned query)
    assert queries_for(client, count_queries, url) == 4
    cursor_page = client.get(url).json["next_cursor"]
    if cursor_page:
        assert queries_for(client, count_queries, f"{url}&cursor={cursor_page}") == 3


@pytest.mark.parametrize("size", [10, 1000])
def test_counts_take_one_query(
    client: FlaskClient, make: Factories, count_queries: QueryCounter, size: int
) -> None:
    site = make.site()
    seed_thread(make, site, size)
    keys = "&".join(f"thread=/t{i}" for i in range(99))
    url = f"/api/v1/counts?site={site.slug}&thread=/big&{keys}"
    assert queries_for(client, count_queries, url) == 1


def test_a_304_takes_at_most_one_query(
    client: FlaskClient, make: Factories, count_queries: QueryCounter
) -> None:
    site = make.site()
    seed_thread(make, site, 10)
    url = f"/api/v1/comments?site={site.slug}&thread=/big"
    etag = client.get(url).headers["ETag"]
    before = count_queries.count
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert count_queries.count - before <= 1  # none when the read fast path knows the thread


def watch_thread(make: Factories, site: Site, thread: Thread, readers: int, frequency: str) -> None:
    """`readers` confirmed addresses watching `thread` (`immediate` mails or a `daily` digest)."""
    with make.app.test_request_context():
        for n in range(readers):
            email = f"{frequency}-{n}@reader.example"
            get_or_create_address(make.session, email).confirmed_at = clock.now()
            add_subscription(
                make.session,
                site=site,
                thread=thread,
                comment=None,
                email=email,
                kind="thread",
                frequency=frequency,
            )
        make.session.commit()


def queries_to_post(client: FlaskClient, counter: QueryCounter, site: Site, body: str) -> int:
    before = counter.count
    response = client.post(
        "/api/v1/comments",
        json={"site": site.slug, "thread": "/big", "thread_url": f"{ORIGIN}/big", "body": body},
        headers={"Origin": ORIGIN},
    )
    assert response.status_code == 201, response.text
    return counter.count - before


@pytest.mark.parametrize("frequency", ["immediate", "daily"])
def test_posting_to_a_watched_thread_takes_as_many_queries_for_forty_readers_as_for_one(
    client: FlaskClient, make: Factories, count_queries: QueryCounter, frequency: str
) -> None:
    site = make.site()
    seed_thread(make, site, 1)
    thread = make.session.scalars(
        select(Thread).where(Thread.site_id == site.id, Thread.key == "/big")
    ).one()
    queries_to_post(client, count_queries, site, "Warm-up")  # the app's first post looks up more
    watch_thread(make, site, thread, 1, frequency)
    with_one = queries_to_post(client, count_queries, site, "News for one reader")
    watch_thread(make, site, thread, 39, frequency)

    assert queries_to_post(client, count_queries, site, "News for forty readers") == with_one


#: Tables a post asks about only inside its first query when none of their rows can matter.
SKIPPED_WHEN_ABSENT = ("bans", "webhooks", "subscriptions", "spam_classifiers")


def statements_to_post(client: FlaskClient, counter: QueryCounter, site: Site) -> list[str]:
    before = len(counter.statements)
    queries_to_post(client, counter, site, "A reply with nothing to set off")
    return counter.statements[before:]


def test_posting_where_there_are_no_bans_webhooks_watchers_or_spam_score_takes_four_queries(
    client: FlaskClient, make: Factories, count_queries: QueryCounter
) -> None:
    site = make.site()
    seed_thread(make, site, 1)
    queries_to_post(client, count_queries, site, "Warm-up")

    statements = statements_to_post(client, count_queries, site)

    # the posting target (site, thread and what they have), repeats, the row (with its place),
    # the thread's count
    assert len(statements) == 4
    assert all(table in statements[0] for table in SKIPPED_WHEN_ABSENT)
    later = " ".join(statements[1:])
    assert not any(f"FROM {table}" in later for table in SKIPPED_WHEN_ABSENT)


def test_posting_where_a_site_has_a_ban_and_a_webhook_looks_both_up(
    client: FlaskClient, make: Factories, count_queries: QueryCounter, session: Session
) -> None:
    site = make.site()
    seed_thread(make, site, 1)
    session.add_all(
        [
            Ban(site_id=site.id, kind="email", value_hash="0" * 64),
            Webhook(site_id=site.id, url="https://hooks.example/in", secret="s" * 32),
        ]
    )
    session.commit()
    queries_to_post(client, count_queries, site, "Warm-up")

    later = " ".join(statements_to_post(client, count_queries, site)[1:])

    assert "FROM bans" in later
    assert "FROM webhooks" in later
