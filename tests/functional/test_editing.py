"""Authors edit and delete their comments with the edit token, within the site's edit window."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from service.kernel import clock
from service.models import Comment
from tests.factories import Factories
from tests.functional.helpers import ANCHOR, error_of, post_comment, read_thread


def posted(client: FlaskClient, make: Factories, **fields: object) -> tuple[int, str, str]:
    site = make.site(**fields)
    body = post_comment(client, site.slug, body="First version").json
    return body["comment"]["id"], body["edit_token"], site.slug


def edit(client: FlaskClient, comment_id: int, token: str | None, body: str = "Second version"):  # type: ignore[no-untyped-def]
    headers = {"X-Sidenote-Edit-Token": token} if token else {}
    return client.patch(f"/api/v1/comments/{comment_id}", json={"body": body}, headers=headers)


def test_an_author_edits_their_comment(client: FlaskClient, make: Factories) -> None:
    comment_id, token, slug = posted(client, make)
    response = edit(client, comment_id, token, "Second *version*")
    assert response.status_code == 200
    assert response.json["html"] == "<p>Second <em>version</em></p>"
    assert response.json["edited_at"] is not None
    assert response.json["status"] == "approved"
    listed = read_thread(client, slug)["comments"][0]
    assert listed["html"] == "<p>Second <em>version</em></p>"


def test_an_edit_answers_the_comments_anchor(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    posted_body = post_comment(client, site.slug, anchor=ANCHOR).json
    response = edit(client, posted_body["comment"]["id"], posted_body["edit_token"])
    assert response.status_code == 200
    assert response.json["anchor"] == ANCHOR


def test_an_edit_changes_the_thread_etag(client: FlaskClient, make: Factories) -> None:
    comment_id, token, slug = posted(client, make)
    url = f"/api/v1/comments?site={slug}&thread=/post"
    etag = client.get(url).headers["ETag"]
    edit(client, comment_id, token)
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_editing_without_a_token_is_401(client: FlaskClient, make: Factories) -> None:
    comment_id, _token, _slug = posted(client, make)
    response = edit(client, comment_id, None)
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"


def test_a_token_for_another_comment_is_401(client: FlaskClient, make: Factories) -> None:
    _first, token, slug = posted(client, make)
    second = post_comment(client, slug).json["comment"]["id"]
    assert edit(client, second, token).status_code == 401


def test_a_forged_token_is_401(client: FlaskClient, make: Factories) -> None:
    comment_id, token, _slug = posted(client, make)
    assert edit(client, comment_id, token[:-2] + "xx").status_code == 401


def test_editing_after_the_window_is_403(client: FlaskClient, make: Factories) -> None:
    comment_id, token, _slug = posted(client, make)
    with clock.frozen(clock.now() + timedelta(seconds=901)):
        response = edit(client, comment_id, token)
    assert response.status_code == 403
    assert error_of(response)["code"] == "edit_window_closed"


def test_the_window_follows_the_site_setting(client: FlaskClient, make: Factories) -> None:
    comment_id, token, _slug = posted(client, make, edit_window_seconds=3600)
    with clock.frozen(clock.now() + timedelta(seconds=1800)):
        assert edit(client, comment_id, token).status_code == 200


def test_edits_are_allowed_after_replies(client: FlaskClient, make: Factories) -> None:
    comment_id, token, slug = posted(client, make)
    post_comment(client, slug, parent_id=comment_id)
    assert edit(client, comment_id, token).status_code == 200


def test_an_edit_held_by_the_pipeline_hides_the_comment(
    client: FlaskClient, make: Factories, session: Session
) -> None:
    comment_id, token, slug = posted(client, make)
    comment = session.get_one(Comment, comment_id)
    thread_id = comment.thread_id
    from service.models import Thread

    session.get_one(Thread, thread_id).moderation = "pre"
    session.commit()
    response = edit(client, comment_id, token)
    assert response.json["status"] == "pending"
    page = read_thread(client, slug)
    assert page["comments"] == []
    assert page["thread"]["comment_count"] == 0


def test_an_invalid_edit_changes_nothing(client: FlaskClient, make: Factories) -> None:
    comment_id, token, slug = posted(client, make)
    response = edit(client, comment_id, token, "")
    assert response.status_code == 400
    assert read_thread(client, slug)["comments"][0]["html"] == "<p>First version</p>"


def test_an_author_deletes_their_comment(client: FlaskClient, make: Factories) -> None:
    comment_id, token, slug = posted(client, make)
    response = client.delete(
        f"/api/v1/comments/{comment_id}", headers={"X-Sidenote-Edit-Token": token}
    )
    assert response.status_code == 204
    page = read_thread(client, slug)
    assert page["comments"] == []
    assert page["thread"]["comment_count"] == 0


def test_a_deleted_comment_with_replies_becomes_a_tombstone(
    client: FlaskClient, make: Factories, session: Session
) -> None:
    comment_id, token, slug = posted(client, make)
    reply = post_comment(client, slug, parent_id=comment_id).json["comment"]["id"]
    client.delete(f"/api/v1/comments/{comment_id}", headers={"X-Sidenote-Edit-Token": token})
    root = read_thread(client, slug)["comments"][0]
    assert root["deleted"] is True and root["html"] is None
    assert [r["id"] for r in root["replies"]] == [reply]
    stored = session.get_one(Comment, comment_id)
    session.refresh(stored)
    assert stored.body_source == "" and stored.author_name == ""


def test_deleting_twice_is_404(client: FlaskClient, make: Factories) -> None:
    comment_id, token, _slug = posted(client, make)
    headers = {"X-Sidenote-Edit-Token": token}
    client.delete(f"/api/v1/comments/{comment_id}", headers=headers)
    assert client.delete(f"/api/v1/comments/{comment_id}", headers=headers).status_code == 404


def test_deleting_after_the_window_is_403(client: FlaskClient, make: Factories) -> None:
    comment_id, token, _slug = posted(client, make)
    with clock.frozen(clock.now() + timedelta(hours=1)):
        response = client.delete(
            f"/api/v1/comments/{comment_id}", headers={"X-Sidenote-Edit-Token": token}
        )
    assert response.status_code == 403
