"""Reads run a constant number of queries whatever the thread size."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from service.comments.posting import NewComment, create_comment
from service.models import Site
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
