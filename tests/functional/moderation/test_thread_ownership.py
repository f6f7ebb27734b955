"""Who decides a thread's title and page URL: a visible comment or a moderator, never a squatter.

Until a comment of the thread is approved (or a moderator edits them), each poster's title and
URL replace the stored ones; after that they are settled (docs/moderation.md, Thread titles).
"""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models import AuditEntry, Site, Thread
from tests.factories import ORIGIN, Factories
from tests.functional.helpers import error_of, post_comment, read_thread
from tests.functional.moderation.conftest import Credentials

API = "/api/v1/moderation"


def thread_of(session: Session, site: Site, key: str = "/post") -> Thread:
    session.expire_all()
    thread = session.scalar(select(Thread).where(Thread.site_id == site.id, Thread.key == key))
    assert thread is not None
    return thread


def post(client: FlaskClient, site: Site, title: str, url: str = f"{ORIGIN}/post", **fields):  # type: ignore[no-untyped-def]
    response = post_comment(client, site.slug, thread_title=title, thread_url=url, **fields)
    assert response.status_code == 201, response.json
    return response


def test_a_first_comment_held_for_review_does_not_fix_the_title(
    client: FlaskClient, make: Factories, session: Session
) -> None:
    site = make.site(moderation="pre")
    post(client, site, "FREE GIFT CARDS", f"{ORIGIN}/post?squat=1")
    post(client, site, "The real article", f"{ORIGIN}/post")
    thread = thread_of(session, site)
    assert (thread.title, thread.url) == ("The real article", f"{ORIGIN}/post")
    assert thread.settled_at is None


def test_a_first_comment_stored_as_spam_does_not_fix_the_title(
    client: FlaskClient, make: Factories, session: Session
) -> None:
    site = make.site(moderation="pre")  # held first, then judged spam: never visible
    make.comment(site, status="spam", thread_title="Buy followers")
    post(client, site, "The real article")
    assert thread_of(session, site).title == "The real article"


def test_a_visible_comment_settles_the_title_and_url(
    client: FlaskClient, make: Factories, session: Session
) -> None:
    site = make.site()
    post(client, site, "The real article")
    post(client, site, "Hijacked", f"{ORIGIN}/elsewhere")
    thread = thread_of(session, site)
    assert (thread.title, thread.url) == ("The real article", f"{ORIGIN}/post")
    assert thread.settled_at is not None


def test_approving_a_held_comment_settles_what_its_thread_shows(
    client: FlaskClient, make: Factories, session: Session, creds: Credentials
) -> None:
    site = make.site(moderation="pre")
    headers = creds.headers(site, "moderate")
    held = post(client, site, "The real article").json["comment"]["id"]
    response = client.post(
        f"{API}/comments/{held}/decision", json={"action": "approve"}, headers=headers
    )
    assert response.status_code == 200
    post(client, site, "Hijacked")
    assert thread_of(session, site).title == "The real article"


def test_an_off_origin_url_never_replaces_the_stored_one(
    client: FlaskClient, make: Factories, session: Session
) -> None:
    site = make.site(moderation="pre")
    post(client, site, "Title")
    post(client, site, "Title", "https://evil.example/post")
    assert thread_of(session, site).url == f"{ORIGIN}/post"


def test_replacing_the_title_changes_what_readers_read(
    client: FlaskClient, make: Factories
) -> None:
    site = make.site(moderation="pre")
    post(client, site, "Squatted")
    assert read_thread(client, site.slug)["thread"]["title"] == "Squatted"
    post(client, site, "The real article")
    assert read_thread(client, site.slug)["thread"]["title"] == "The real article"


# -- moderators ------------------------------------------------------------------------------


def test_a_moderator_corrects_the_title_and_url_with_an_audit_row(
    client: FlaskClient, make: Factories, session: Session, site: Site, headers: dict[str, str]
) -> None:
    comment = make.comment(site, thread_title="Squatted")
    response = client.patch(
        f"{API}/threads/{comment.thread_id}",
        json={"title": "  The real   article ", "url": f"{ORIGIN}/post/", "reason": "squatted"},
        headers=headers,
    )
    assert response.status_code == 200, response.json
    assert response.json["thread"] | {"id": 0} == {
        "id": 0,
        "key": "/post",
        "title": "The real article",
        "url": f"{ORIGIN}/post/",
        "locked": False,
        "moderation": None,
        "settled": True,
    }
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "thread.update")).one()
    assert entry.before is not None and entry.before["title"] == "Squatted"
    assert entry.after is not None and entry.after["title"] == "The real article"
    assert entry.reason == "squatted"


def test_a_moderators_title_is_not_replaced_by_the_next_poster(
    client: FlaskClient, make: Factories, session: Session, creds: Credentials
) -> None:
    site = make.site(moderation="pre")
    headers = creds.headers(site, "moderate")
    comment = make.comment(site, status="pending", thread_title="Squatted")
    client.patch(f"{API}/threads/{comment.thread_id}", json={"title": "Fixed"}, headers=headers)
    post(client, site, "Squatted again")
    assert thread_of(session, site).title == "Fixed"


def test_undo_restores_the_title(
    client: FlaskClient, make: Factories, session: Session, site: Site, headers: dict[str, str]
) -> None:
    comment = make.comment(site, thread_title="Before")
    batch = client.patch(
        f"{API}/threads/{comment.thread_id}", json={"title": "After"}, headers=headers
    ).json["undo"]["batch"]
    assert client.post(f"{API}/undo", json={"batch": batch}, headers=headers).status_code == 200
    assert thread_of(session, site).title == "Before"


def test_a_moderator_cannot_move_a_thread_off_the_sites_origins(
    client: FlaskClient, make: Factories, site: Site, headers: dict[str, str]
) -> None:
    comment = make.comment(site)
    response = client.patch(
        f"{API}/threads/{comment.thread_id}",
        json={"url": "https://evil.example/post"},
        headers=headers,
    )
    assert response.status_code == 400
    assert "url" in error_of(response)["fields"]


def test_a_multi_line_title_from_a_moderator_is_refused(
    client: FlaskClient, make: Factories, site: Site, headers: dict[str, str]
) -> None:
    comment = make.comment(site)
    response = client.patch(
        f"{API}/threads/{comment.thread_id}", json={"title": "a\u0085b\x00"}, headers=headers
    )
    assert response.status_code == 400
    assert "title" in error_of(response)["fields"]
