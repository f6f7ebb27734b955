"""POST /api/v1/comments: creating comments, replies and threads; every bad input is a clear 4xx."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from service.comments import posting
from service.models import Comment, Thread
from service.moderation.pipeline import evaluate
from tests.factories import ORIGIN, Factories
from tests.functional.helpers import ANCHOR, error_of, post_comment, read_thread


def count_comments(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Comment)) or 0


def test_a_comment_is_created_with_its_thread(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    response = post_comment(client, site.slug, body="Hello *there*", thread_title="My post")
    assert response.status_code == 201
    body = response.json
    assert body["comment"]["status"] == "approved"
    assert body["comment"]["html"] == "<p>Hello <em>there</em></p>"
    assert body["edit_token"]
    assert body["edit_expires_at"].endswith("Z")
    thread = read_thread(client, site.slug)["thread"]
    assert thread == {
        "key": "/post",
        "url": "https://blog.example/post",
        "title": "My post",
        "locked": False,
        "comment_count": 1,
    }


def test_the_answer_never_contains_email_or_ip(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    response = post_comment(client, site.slug, author={"name": "Ann", "email": "ann@example.org"})
    text = response.get_data(as_text=True)
    assert "ann@example.org" not in text
    assert "127.0.0.1" not in text
    assert set(response.json["comment"]["author"]) == {"name", "website", "avatar", "verified"}


def test_author_fields_are_stored(client: FlaskClient, make: Factories, session: Session) -> None:
    site = make.site()
    post_comment(
        client,
        site.slug,
        author={"name": "Ann", "email": "ann@example.org", "website": "https://ann.example"},
    )
    comment = session.scalars(select(Comment)).one()
    assert (comment.author_name, comment.author_email, comment.author_website) == (
        "Ann",
        "ann@example.org",
        "https://ann.example",
    )
    assert comment.ip_hash and "127.0.0.1" not in comment.ip_hash


def test_a_reply_is_threaded_under_its_parent(client: FlaskClient, make: Factories) -> None:
    parent = make.comment()
    response = post_comment(client, make.slug_of(parent), parent_id=parent.id, body="A reply")
    assert response.status_code == 201
    reply = response.json["comment"]
    assert (reply["parent_id"], reply["depth"]) == (parent.id, 1)
    listed = read_thread(client, make.slug_of(parent))["comments"][0]["replies"]
    assert [r["id"] for r in listed] == [reply["id"]]


def test_replying_to_a_hidden_comment_is_refused(client: FlaskClient, make: Factories) -> None:
    parent = make.comment(status="pending")
    response = post_comment(client, make.slug_of(parent), parent_id=parent.id)
    assert response.status_code == 400
    assert error_of(response)["fields"].keys() == {"parent_id"}


def test_replying_across_threads_is_refused(client: FlaskClient, make: Factories) -> None:
    parent = make.comment(thread="/one")
    response = post_comment(client, make.slug_of(parent), thread="/two", parent_id=parent.id)
    assert response.status_code == 400
    assert "parent_id" in error_of(response)["fields"]


def test_replying_to_a_missing_comment_is_refused(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    response = post_comment(client, site.slug, parent_id=999_999)
    assert response.status_code == 400
    assert "parent_id" in error_of(response)["fields"]


def test_a_thread_outside_the_site_origins_is_refused(
    client: FlaskClient, make: Factories, session: Session
) -> None:
    site = make.site()
    response = post_comment(client, site.slug, thread_url="https://evil.example/post")
    assert response.status_code == 400
    assert error_of(response)["fields"] == {
        "thread_url": "The page URL is not on one of this site's origins."
    }
    assert session.scalar(select(func.count()).select_from(Thread)) == 0


def test_an_unknown_site_is_not_found(client: FlaskClient, make: Factories) -> None:
    response = post_comment(client, "nosuchsite")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_a_locked_thread_refuses_comments(
    client: FlaskClient, make: Factories, session: Session
) -> None:
    first = make.comment()
    thread = make.thread_of(first)
    thread.locked = True
    session.commit()
    response = post_comment(client, make.slug_of(first))
    assert response.status_code == 403
    assert error_of(response)["code"] == "thread_locked"


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"body": ""}, "body"),
        ({"body": "   \n "}, "body"),
        ({"body": "x" * 10_001}, "body"),
        ({"author": {"website": "javascript:alert(1)"}}, "author.website"),
        ({"author": {"email": "not-an-email"}}, "author.email"),
        ({"author": {"name": "two\nlines"}}, "author.name"),
        ({"author": {"name": "x" * 101}}, "author.name"),
        ({"parent_id": "abc"}, "parent_id"),
        ({"parent_id": 0}, "parent_id"),
        ({"thread": ""}, "thread"),
        ({"thread": "x" * 501}, "thread"),
        ({"notify": "always"}, "notify"),
        ({"unknown_field": 1}, "unknown_field"),
        ({"anchor": {**ANCHOR, "quote": {**ANCHOR["quote"], "exact": ""}}}, "anchor.quote.exact"),
        ({"anchor": {**ANCHOR, "v": 2}}, "anchor.v"),
        ({"anchor": {**ANCHOR, "kind": "passage"}}, "anchor"),
        ({"anchor": {**ANCHOR, "quote_length": 13}}, "anchor"),
        ({"anchor": {**ANCHOR, "doc": {"length": 5000, "fp": "XYZ"}}}, "anchor.doc.fp"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(
    client: FlaskClient,
    make: Factories,
    session: Session,
    fields: dict[str, Any],
    path: str,
) -> None:
    site = make.site()
    response = post_comment(client, site.slug, **fields)
    assert response.status_code == 400, response.json
    error = error_of(response)
    assert error["code"] == "validation_failed"
    assert path in error["fields"], error
    assert count_comments(session) == 0


def test_body_length_limit_follows_the_setting(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    assert post_comment(client, site.slug, body="x" * 10_000).status_code == 201


def test_a_top_level_comment_may_quote_a_passage(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    response = post_comment(client, site.slug, anchor=ANCHOR)
    assert response.status_code == 201
    assert response.json["comment"]["anchor"] == ANCHOR
    listed = read_thread(client, site.slug)["comments"][0]
    assert listed["anchor"] == ANCHOR


def test_anchor_lengths_count_utf16_units(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    emoji = dict(ANCHOR, quote={"exact": "a😀b"}, quote_length=4, position={"start": 0, "end": 4})
    assert post_comment(client, site.slug, anchor=emoji).status_code == 201


def test_a_passage_anchor_carries_its_key_and_question(
    client: FlaskClient, make: Factories
) -> None:
    site = make.site()
    passage = dict(
        ANCHOR,
        kind="passage",
        passage={"key": "pricing", "question": "Is <b>this</b> fair?"},
    )
    response = post_comment(client, site.slug, anchor=passage)
    assert response.status_code == 201
    assert response.json["comment"]["anchor"]["passage"] == {
        "key": "pricing",
        "question": "Is <b>this</b> fair?",
    }


def test_a_reply_cannot_carry_an_anchor(client: FlaskClient, make: Factories) -> None:
    parent = make.comment()
    response = post_comment(client, make.slug_of(parent), parent_id=parent.id, anchor=ANCHOR)
    assert response.status_code == 400
    assert "anchor" in error_of(response)["fields"]


def test_premoderated_site_holds_comments(client: FlaskClient, make: Factories) -> None:
    site = make.site(moderation="pre")
    response = post_comment(client, site.slug)
    assert response.status_code == 201
    assert response.json["comment"]["status"] == "pending"
    page = read_thread(client, site.slug)
    assert page["comments"] == []
    assert page["thread"]["comment_count"] == 0


def test_first_time_mode_holds_guests(client: FlaskClient, make: Factories) -> None:
    site = make.site(moderation="first-time")
    assert post_comment(client, site.slug).json["comment"]["status"] == "pending"


def test_stored_html_of_hostile_input_is_inert(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    response = post_comment(
        client,
        site.slug,
        body="<img src=x onerror=alert(1)> [x](javascript:alert(1))",
        author={"name": "<script>alert(1)</script>"},
    )
    comment = response.json["comment"]
    assert "<img" not in comment["html"]
    assert "javascript:" not in comment["html"].replace("[x](javascript:", "")
    assert comment["author"]["name"] == "<script>alert(1)</script>"  # plain text, never HTML


def test_a_reply_is_stored_with_its_place_in_the_tree(make: Factories, session: Session) -> None:
    root = make.comment()
    reply = make.comment(make.site_of(root), parent=root)
    answer = make.comment(make.site_of(root), parent=reply)
    session.expire_all()
    stored = [session.get_one(Comment, c.id) for c in (root, reply, answer)]
    assert [c.path for c in stored] == [
        f"{root.id:010d}",
        f"{root.id:010d}/{reply.id:010d}",
        f"{root.id:010d}/{reply.id:010d}/{answer.id:010d}",
    ]
    assert {c.root_id for c in stored} == {root.id}
    assert [c.depth for c in stored] == [0, 1, 2]


def test_a_posted_comment_has_nothing_left_to_load(make: Factories, session: Session) -> None:
    site = make.site()
    with make.app.app_context():
        posted = posting.create_comment(
            session,
            posting.NewComment(
                site=site.slug, thread="/p", thread_url=f"{ORIGIN}/p", body="Loaded at once."
            ),
            judge=evaluate,
            max_body_chars=10_000,
            sanitizer="bleach",
        )
    state = inspect(posted.comment)
    assert state.persistent and not state.expired_attributes and not state.unloaded


def test_comment_ids_go_on_from_rows_written_another_way(make: Factories, session: Session) -> None:
    """Posting draws the id as the table's own default would (the sequence, or SQLite's next
    rowid), so rows written either way never collide."""
    first = make.comment()
    other = Comment(
        site_id=first.site_id, thread_id=first.thread_id, path="", body_source="x", body_html="x"
    )
    session.add(other)
    session.commit()
    after = make.comment(make.site_of(first))
    assert first.id < other.id < after.id
