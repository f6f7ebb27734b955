"""The read fast path answers repeated thread reads without the database, and never stale here."""

from __future__ import annotations

import gzip
import json
import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service import create_app
from service.comments.visibility import bump_thread_version
from service.db import get_db
from service.models import Comment
from tests.conftest import QueryCounter, make_settings
from tests.factories import ORIGIN, Factories
from tests.functional.helpers import post_comment

COMPARED_HEADERS = (
    "Content-Type",
    "ETag",
    "Cache-Control",
    "CDN-Cache-Control",
    "Surrogate-Control",
    "Access-Control-Allow-Origin",
    "Access-Control-Expose-Headers",
    "Content-Encoding",
)


def url(slug: str, **params: Any) -> str:
    extra = "".join(f"&{k}={v}" for k, v in params.items())
    return f"/api/v1/comments?site={slug}&thread=/post{extra}"


def seen(response: Any) -> dict[str, Any]:
    return {
        "status": response.status_code,
        "body": response.data,
        **{name: response.headers.get(name) for name in COMPARED_HEADERS},
    }


@pytest.mark.parametrize(
    "headers",
    [{}, {"Origin": ORIGIN}, {"Origin": "https://elsewhere.example"}, {"Accept-Encoding": "gzip"}],
)
def test_the_fast_path_answers_exactly_like_the_app(
    database_url: str, connection: Any, make: Factories, headers: dict[str, str]
) -> None:
    site = make.site()
    make.comment(site)
    slow = create_app(make_settings(database_url, head_cache_seconds=0))
    get_db(slow).bind_to(connection)
    fast = create_app(make_settings(database_url))
    get_db(fast).bind_to(connection)
    fast_client = fast.test_client()
    fast_client.get(url(site.slug), headers=headers)  # fills this process's caches
    assert seen(fast_client.get(url(site.slug), headers=headers)) == seen(
        slow.test_client().get(url(site.slug), headers=headers)
    )


def test_a_repeated_read_needs_no_query(
    client: FlaskClient, make: Factories, count_queries: QueryCounter
) -> None:
    site = make.site()
    make.comment(site)
    first = client.get(url(site.slug))
    before = count_queries.count
    again = client.get(url(site.slug))
    assert count_queries.count == before
    assert again.data == first.data
    assert (
        client.get(url(site.slug), headers={"If-None-Match": first.headers["ETag"]}).status_code
        == 304
    )
    assert count_queries.count == before


def test_a_change_made_here_is_seen_at_once(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    make.comment(site)
    client.get(url(site.slug))
    post_comment(client, site.slug, body="Fresh")
    assert len(client.get(url(site.slug)).json["comments"]) == 2


def test_a_change_made_elsewhere_is_seen_within_the_head_cache_time(
    app: Flask, client: FlaskClient, make: Factories, session: Any
) -> None:
    site = make.site()
    make.comment(site)
    client.get(url(site.slug))
    # Another process's change: committed without this process noticing.
    comment = session.scalars(select(Comment)).one()
    comment.body_html = "<p>changed elsewhere</p>"
    bump_thread_version(session, comment.thread_id)
    session.info.clear()
    session.commit()
    assert "changed elsewhere" not in client.get(url(site.slug)).get_data(as_text=True)
    time.sleep(app.config["SIDENOTE"].head_cache_seconds + 0.1)
    assert "changed elsewhere" in client.get(url(site.slug)).get_data(as_text=True)


def test_unusual_requests_go_to_the_app(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    make.comment(site)
    client.get(url(site.slug))
    assert client.get(url(site.slug, limit=0)).status_code == 400
    assert client.get(url(site.slug) + "&thread=/other").status_code in {200, 400}


def test_gzip_from_the_fast_path_unzips_to_the_same_json(
    client: FlaskClient, make: Factories
) -> None:
    site = make.site()
    make.comment(site)
    plain = client.get(url(site.slug)).json
    zipped = client.get(url(site.slug), headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(zipped.data)) == plain


def test_the_first_comment_of_a_new_thread_is_seen_at_once(
    client: FlaskClient, make: Factories
) -> None:
    site = make.site()
    assert client.get(url(site.slug)).json["thread"]["comment_count"] == 0
    assert client.get(url(site.slug)).json["thread"]["comment_count"] == 0  # from the fast path
    post_comment(client, site.slug)
    assert client.get(url(site.slug)).json["thread"]["comment_count"] == 1
