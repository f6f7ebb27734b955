"""Public reads: thread pages, pagination, tombstones, permalinks, counts, latest, feed, config."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from service.comments.schemas import (
    CommentDetail,
    CountsOut,
    LatestOut,
    RepliesOut,
    SiteConfigOut,
    ThreadPageOut,
)
from tests.factories import Factories
from tests.functional.helpers import error_of, read_thread

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def ids(items: list[dict[str, object]]) -> list[object]:
    return [item["id"] for item in items]


def test_a_thread_that_does_not_exist_yet_is_empty(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    page = read_thread(client, site.slug, "/new")
    assert page == {
        "thread": {"key": "/new", "url": None, "title": None, "locked": False, "comment_count": 0},
        "comments": [],
        "next_cursor": None,
    }


def test_an_unknown_site_is_404(client: FlaskClient, make: Factories) -> None:
    response = client.get("/api/v1/comments?site=nope&thread=/x")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_thread_page_matches_the_documented_schema(client: FlaskClient, make: Factories) -> None:
    root = make.comment()
    make.comment(make.site_of(root), parent=root)
    ThreadPageOut.model_validate(read_thread(client, make.slug_of(root)))


def test_replies_are_flat_in_preorder_with_siblings_oldest_first(
    client: FlaskClient, make: Factories
) -> None:
    site = make.site()
    root = make.comment(site, created_at=at(0))
    a = make.comment(site, parent=root, created_at=at(1))
    b = make.comment(site, parent=root, created_at=at(2))
    a1 = make.comment(site, parent=a, created_at=at(3))
    a1x = make.comment(site, parent=a1, created_at=at(4))
    page = read_thread(client, site.slug)
    replies = page["comments"][0]["replies"]
    assert ids(replies) == [a.id, a1.id, a1x.id, b.id]
    assert [(r["parent_id"], r["depth"]) for r in replies] == [
        (root.id, 1),
        (a.id, 2),
        (a1.id, 3),
        (root.id, 1),
    ]
    assert page["thread"]["comment_count"] == 5


def test_hidden_comments_are_not_listed(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    make.comment(site, status="pending")
    make.comment(site, status="spam")
    shown = make.comment(site)
    page = read_thread(client, site.slug)
    assert ids(page["comments"]) == [shown.id]
    assert page["thread"]["comment_count"] == 1


def test_a_hidden_comment_with_visible_replies_is_a_tombstone(
    client: FlaskClient, make: Factories
) -> None:
    site = make.site()
    root = make.comment(site, body="secret words", author="Eve")
    reply = make.comment(site, parent=root)
    make.set_status(root, "rejected")
    page = read_thread(client, site.slug)
    tombstone = page["comments"][0]
    assert tombstone["deleted"] is True
    assert tombstone["author"] is None and tombstone["html"] is None
    assert "secret words" not in str(page) and "Eve" not in str(page)
    assert ids(tombstone["replies"]) == [reply.id]
    assert page["thread"]["comment_count"] == 1


def test_a_tombstone_disappears_when_its_last_visible_reply_goes(
    client: FlaskClient, make: Factories
) -> None:
    site = make.site()
    root = make.comment(site)
    middle = make.comment(site, parent=root)
    leaf = make.comment(site, parent=middle)
    make.set_status(root, "deleted")
    make.set_status(middle, "deleted")
    page = read_thread(client, site.slug)
    assert [c["deleted"] for c in [page["comments"][0], *page["comments"][0]["replies"]]] == [
        True,
        True,
        False,
    ]
    make.set_status(leaf, "spam")
    page = read_thread(client, site.slug)
    assert page["comments"] == []
    assert page["thread"]["comment_count"] == 0


@pytest.mark.parametrize("sort", ["oldest", "newest", "top"])
def test_cursor_pages_have_no_gaps_or_duplicates_while_comments_arrive(
    client: FlaskClient, make: Factories, sort: str
) -> None:
    site = make.site()
    for minute in range(7):
        make.comment(site, created_at=at(minute))
    seen: list[object] = []
    page = read_thread(client, site.slug, sort=sort, limit=3)
    seen += ids(page["comments"])
    make.comment(site, created_at=at(100))  # arrives while the reader pages
    while page["next_cursor"]:
        page = read_thread(client, site.slug, sort=sort, limit=3, cursor=page["next_cursor"])
        seen += ids(page["comments"])
    assert len(seen) == len(set(seen))
    assert len(seen) >= 7


def test_newest_sort_is_reverse_chronological(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    first = make.comment(site, created_at=at(1))
    second = make.comment(site, created_at=at(2))
    assert ids(read_thread(client, site.slug, sort="newest")["comments"]) == [second.id, first.id]


def test_top_sort_orders_by_score(client: FlaskClient, make: Factories, session: Session) -> None:
    site = make.site()
    low = make.comment(site, created_at=at(1))
    high = make.comment(site, created_at=at(2))
    high.upvotes = 5
    low.downvotes = 1
    session.commit()
    assert ids(read_thread(client, site.slug, sort="top")["comments"]) == [high.id, low.id]


def test_pinned_comments_come_first_on_the_first_page_only(
    client: FlaskClient, make: Factories, session: Session
) -> None:
    site = make.site()
    comments = [make.comment(site, created_at=at(m)) for m in range(5)]
    comments[3].pinned = True
    session.commit()
    first = read_thread(client, site.slug, limit=2)
    assert ids(first["comments"]) == [comments[3].id, comments[0].id]
    second = read_thread(client, site.slug, limit=2, cursor=first["next_cursor"])
    assert ids(second["comments"]) == [comments[1].id, comments[2].id]
    third = read_thread(client, site.slug, limit=2, cursor=second["next_cursor"])
    assert ids(third["comments"]) == [comments[4].id]
    assert third["next_cursor"] is None


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 201},
        {"limit": "many"},
        {"sort": "random"},
        {"cursor": "not-a-cursor"},
        {"cursor": "WzEsMl0"},  # [1,2]: well-formed base64 JSON of the wrong shape
    ],
)
def test_bad_listing_parameters_are_400(
    client: FlaskClient, make: Factories, params: dict[str, object]
) -> None:
    make.comment(make.site("s1"))
    response = client.get(
        "/api/v1/comments", query_string={"site": "s1", "thread": "/post", **params}
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "validation_failed"


def test_missing_site_or_thread_parameter_is_400(client: FlaskClient, make: Factories) -> None:
    make.site("s1")
    response = client.get("/api/v1/comments?site=s1")
    assert response.status_code == 400
    assert "thread" in error_of(response)["fields"]


def test_more_than_100_replies_continue_with_a_cursor(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    root = make.comment(site)
    replies = [make.comment(site, parent=root, created_at=at(i)) for i in range(105)]
    listed = read_thread(client, site.slug)["comments"][0]
    assert ids(listed["replies"]) == [r.id for r in replies[:100]]
    cursor = listed["more_replies_cursor"]
    assert cursor
    response = client.get(f"/api/v1/comments/{root.id}/replies", query_string={"cursor": cursor})
    more = RepliesOut.model_validate(response.json)
    assert [r.id for r in more.replies] == [r.id for r in replies[100:]]
    assert more.more_replies_cursor is None


def test_replies_of_a_deep_comment_are_its_subtree(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    root = make.comment(site)
    a = make.comment(site, parent=root)
    a1 = make.comment(site, parent=a)
    make.comment(site, parent=root)  # a sibling of a, not in a's subtree
    response = client.get(f"/api/v1/comments/{a.id}/replies")
    assert ids(response.json["replies"]) == [a1.id]


def test_a_permalink_returns_the_comment_with_its_ancestors(
    client: FlaskClient, make: Factories
) -> None:
    site = make.site()
    root = make.comment(site)
    middle = make.comment(site, parent=root)
    leaf = make.comment(site, parent=middle)
    response = client.get(f"/api/v1/comments/{leaf.id}")
    detail = CommentDetail.model_validate(response.json)
    assert detail.comment.id == leaf.id
    assert [a.id for a in detail.ancestors] == [root.id, middle.id]
    assert detail.thread.key == "/post"


@pytest.mark.parametrize("status", ["pending", "rejected", "spam", "deleted"])
def test_a_hidden_comment_is_404_everywhere(
    client: FlaskClient, make: Factories, status: str
) -> None:
    comment = make.comment(status=status)
    headers = {"X-Sidenote-Voter": "voter-0123456789"}
    assert client.get(f"/api/v1/comments/{comment.id}").status_code == 404
    assert client.get(f"/api/v1/comments/{comment.id}/replies").status_code == 404
    vote = client.post(f"/api/v1/comments/{comment.id}/vote", json={"value": 1}, headers=headers)
    assert vote.status_code == 404
    report = client.post(f"/api/v1/comments/{comment.id}/report", json={"reason": "spam"})
    assert report.status_code == 404


def test_counts_answer_every_key_asked(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    make.comment(site, thread="/a")
    make.comment(site, thread="/a")
    make.comment(site, thread="/b", status="pending")
    response = client.get(
        "/api/v1/counts",
        query_string=[("site", site.slug), *[("thread", k) for k in ["/a", "/b", "/c"]]],
    )
    assert CountsOut.model_validate(response.json).counts == {"/a": 2, "/b": 0, "/c": 0}


def test_counts_equal_the_thread_comment_count(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    root = make.comment(site)
    make.comment(site, parent=root)
    make.comment(site, parent=root, status="rejected")
    counted = client.get(f"/api/v1/counts?site={site.slug}&thread=/post").json["counts"]["/post"]
    assert counted == read_thread(client, site.slug)["thread"]["comment_count"] == 2


def test_counts_refuse_more_than_100_keys(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    query = [("site", site.slug)] + [("thread", f"/{i}") for i in range(101)]
    response = client.get("/api/v1/counts", query_string=query)
    assert response.status_code == 400
    assert "thread" in error_of(response)["fields"]


def test_counts_of_an_unknown_site_are_404(client: FlaskClient, make: Factories) -> None:
    assert client.get("/api/v1/counts?site=none&thread=/a").status_code == 404


def test_latest_lists_newest_approved_comments_with_threads(
    client: FlaskClient, make: Factories
) -> None:
    site = make.site()
    old = make.comment(site, thread="/a", created_at=at(1))
    new = make.comment(site, thread="/b", created_at=at(2))
    make.comment(site, thread="/b", status="pending", created_at=at(3))
    response = client.get(f"/api/v1/latest?site={site.slug}&limit=5")
    latest = LatestOut.model_validate(response.json)
    assert [c.id for c in latest.comments] == [new.id, old.id]
    assert latest.comments[0].thread.key == "/b"


@pytest.mark.parametrize("limit", [0, 51])
def test_latest_limit_is_bounded(client: FlaskClient, make: Factories, limit: int) -> None:
    site = make.site()
    assert client.get(f"/api/v1/latest?site={site.slug}&limit={limit}").status_code == 400


def test_the_atom_feed_escapes_comment_text(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    make.comment(site, body="<script>alert(1)</script> **bold**", author="<b>Eve</b>")
    response = client.get(f"/api/v1/feed.atom?site={site.slug}&thread=/post")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = ElementTree.fromstring(response.data)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entry = feed.find("a:entry", ns)
    assert entry is not None
    assert entry.findtext("a:author/a:name", namespaces=ns) == "<b>Eve</b>"
    content = entry.findtext("a:content", namespaces=ns)
    assert content is not None and "<strong>bold</strong>" in content
    assert "<script>" not in content


def test_site_config_describes_the_site(client: FlaskClient, make: Factories) -> None:
    site = make.site(moderation="first-time")
    response = client.get(f"/api/v1/sites/{site.slug}/config")
    config = SiteConfigOut.model_validate(response.json)
    assert config.moderation == "first-time"
    assert config.max_body_chars == 10_000
    assert config.edit_window_seconds == 900
    assert "max-age" in response.headers["Cache-Control"]


def test_thread_reads_carry_an_etag_and_answer_304(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    make.comment(site)
    url = f"/api/v1/comments?site={site.slug}&thread=/post"
    first = client.get(url)
    etag = first.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["ETag"] == etag
    assert again.data == b""


def test_a_new_comment_changes_the_etag(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    make.comment(site)
    url = f"/api/v1/comments?site={site.slug}&thread=/post"
    etag = client.get(url).headers["ETag"]
    make.comment(site)
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_different_pages_have_different_etags(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    make.comment(site)
    one = client.get(f"/api/v1/comments?site={site.slug}&thread=/post&limit=1")
    two = client.get(f"/api/v1/comments?site={site.slug}&thread=/post&limit=2")
    assert one.headers["ETag"] != two.headers["ETag"]
