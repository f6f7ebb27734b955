"""Webhooks: management API behind auth, signed deliveries to a real HTTP receiver, retries."""

from __future__ import annotations

import hashlib
import hmac
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from service.comments import events
from service.kernel import actors, clock
from service.models import Comment, Site
from service.moderation import bans
from tests.factories import Factories
from tests.functional.helpers import post_comment
from tests.functional.moderation.conftest import Credentials
from tests.notifications.conftest import Inbox, Receiver, deliver

SECRET = "whsec_test_0123456789abcdef"


@pytest.fixture
def creds(app: Flask, session: Session) -> Credentials:
    return Credentials(app, session)


def add_webhook(
    client: FlaskClient, creds: Credentials, site: Site, url: str, **fields: Any
) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/moderation/sites/{site.slug}/webhooks",
        json={"url": url, "secret": SECRET, **fields},
        headers=creds.headers(site, "admin"),
    )
    assert response.status_code == 201, response.json
    body: dict[str, Any] = response.json
    return body


def verify(hit: Any, secret: str = SECRET) -> bool:
    """The check docs/notifications.md tells receivers to make."""
    timestamp = hit.headers["X-Sidenote-Timestamp"]
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b"." + hit.body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(hit.headers["X-Sidenote-Signature"], f"sha256={expected}")


def test_webhook_routes_refuse_callers_without_credentials_or_scope(
    client: FlaskClient, make: Factories, creds: Credentials
) -> None:
    site = make.site()
    base = f"/api/v1/moderation/sites/{site.slug}/webhooks"
    assert client.get(base).status_code == 401
    assert client.post(base, json={"url": "https://hooks.example/x"}).status_code == 401
    assert client.delete(f"{base}/1").status_code == 401
    assert client.post(f"{base}/1/test").status_code == 401
    assert client.get(f"{base}/1/deliveries").status_code == 401
    moderate = creds.headers(site, "moderate")
    assert client.get(base, headers=moderate).status_code == 200
    denied = client.post(base, json={"url": "https://hooks.example/x"}, headers=moderate)
    assert denied.status_code == 403
    other = make.site()
    assert client.get(base, headers=creds.headers(other, "admin")).status_code == 403


def test_the_secret_is_shown_once_and_never_listed(
    client: FlaskClient, make: Factories, creds: Credentials
) -> None:
    site = make.site()
    response = client.post(
        f"/api/v1/moderation/sites/{site.slug}/webhooks",
        json={"url": "https://hooks.example/in"},
        headers=creds.headers(site, "admin"),
    )
    assert response.status_code == 201
    assert response.json["secret"].startswith("whsec_")
    listed = client.get(
        f"/api/v1/moderation/sites/{site.slug}/webhooks", headers=creds.headers(site)
    ).json["webhooks"]
    assert [w["url"] for w in listed] == ["https://hooks.example/in"]
    assert "secret" not in listed[0]


def test_a_new_comment_arrives_signed_with_the_documented_headers_and_body(
    app: Flask, client: FlaskClient, make: Factories, creds: Credentials, receiver: Receiver
) -> None:
    site = make.site()
    add_webhook(client, creds, site, receiver.url)
    posted = post_comment(
        client,
        site.slug,
        body="Hello <b>hooks</b>",
        author={"name": "Ann", "email": "ann@private.example"},
    )
    deliver(app)
    [hit] = receiver.hits
    assert verify(hit)
    assert hit.headers["X-Sidenote-Event"] == "comment.created"
    assert hit.headers["Content-Type"] == "application/json"
    body = hit.json
    assert set(body) == {"id", "event", "created_at", "site", "comment"}
    assert body["id"] == hit.headers["X-Sidenote-Delivery"]
    assert (body["event"], body["site"]) == ("comment.created", site.slug)
    assert body["comment"]["id"] == posted.json["comment"]["id"]
    assert body["comment"]["status"] == "approved"
    assert body["comment"]["author"]["name"] == "Ann"
    assert b"private.example" not in hit.body
    assert b"ip_hash" not in hit.body
    assert abs(int(hit.headers["X-Sidenote-Timestamp"]) - clock.timestamp()) < 60


def test_a_tampered_body_fails_the_signature_check(
    app: Flask, client: FlaskClient, make: Factories, creds: Credentials, receiver: Receiver
) -> None:
    site = make.site()
    add_webhook(client, creds, site, receiver.url)
    post_comment(client, site.slug, body="Original")
    deliver(app)
    [hit] = receiver.hits
    hit.body = hit.body.replace(b"Original", b"Forged!!")
    assert not verify(hit)
    assert not verify(receiver.hits[0], secret="whsec_another_secret_entirely")


def test_a_failing_receiver_is_retried_then_logged_as_failed(
    app: Flask, client: FlaskClient, make: Factories, creds: Credentials, receiver: Receiver
) -> None:
    site = make.site()
    hook = add_webhook(client, creds, site, receiver.url)
    receiver.statuses = [500] * 10
    post_comment(client, site.slug, body="Nobody is listening")
    with clock.frozen(clock.now()) as frozen:
        for _ in range(6):
            deliver(app)
            frozen.advance(hours=1)
    assert len(receiver.hits) == 4  # outbox_max_attempts
    assert len({hit.headers["X-Sidenote-Delivery"] for hit in receiver.hits}) == 1
    assert len({hit.body for hit in receiver.hits}) == 1
    log = client.get(
        f"/api/v1/moderation/sites/{site.slug}/webhooks/{hook['id']}/deliveries",
        headers=creds.headers(site),
    ).json["deliveries"]
    assert [(d["status"], d["attempts"], d["last_error"]) for d in log] == [
        ("failed", 4, "HTTP 500")
    ]


def test_a_receiver_that_recovers_gets_the_delivery(
    app: Flask, client: FlaskClient, make: Factories, creds: Credentials, receiver: Receiver
) -> None:
    site = make.site()
    hook = add_webhook(client, creds, site, receiver.url)
    receiver.statuses = [503, 500]
    post_comment(client, site.slug, body="Third time lucky")
    with clock.frozen(clock.now()) as frozen:
        for _ in range(3):
            deliver(app)
            frozen.advance(hours=1)
    [entry] = client.get(
        f"/api/v1/moderation/sites/{site.slug}/webhooks/{hook['id']}/deliveries",
        headers=creds.headers(site),
    ).json["deliveries"]
    assert (entry["status"], entry["attempts"], entry["last_error"]) == ("sent", 3, None)


def test_the_test_button_sends_a_signed_ping(
    app: Flask, client: FlaskClient, make: Factories, creds: Credentials, receiver: Receiver
) -> None:
    site = make.site()
    hook = add_webhook(client, creds, site, receiver.url)
    response = client.post(
        f"/api/v1/moderation/sites/{site.slug}/webhooks/{hook['id']}/test",
        headers=creds.headers(site),
    )
    assert response.status_code == 202
    deliver(app)
    [hit] = receiver.hits
    assert verify(hit)
    assert (hit.json["event"], hit.json["comment"]) == ("ping", None)
    assert hit.json["id"] == response.json["id"]


def test_webhooks_get_only_the_events_they_chose(
    app: Flask, client: FlaskClient, make: Factories, creds: Credentials, receiver: Receiver
) -> None:
    site = make.site(moderation="pre")
    add_webhook(client, creds, site, receiver.url, events=["comment.approved"])
    posted = post_comment(client, site.slug, body="Held")
    deliver(app)
    assert receiver.hits == []
    make.set_status(make.session.get_one(Comment, posted.json["comment"]["id"]), "approved")
    deliver(app)
    assert [hit.json["event"] for hit in receiver.hits] == ["comment.approved"]


def test_shadow_banned_comments_reach_no_webhook_and_no_mail(
    app: Flask,
    client: FlaskClient,
    make: Factories,
    creds: Credentials,
    receiver: Receiver,
    inbox: Inbox,
) -> None:
    site = make.site()
    make.comment(site)
    add_webhook(client, creds, site, receiver.url)
    with app.app_context():
        bans.create_ban(
            make.session,
            actors.CLI_ACTOR,
            kind="email",
            site=site,
            value="spammer@junk.example",
            shadow=True,
        )
        make.session.commit()
    posted = post_comment(
        client,
        site.slug,
        body="Buy now",
        author={"name": "S", "email": "spammer@junk.example"},
        notify="thread",
    )
    assert posted.json["comment"]["status"] == "approved"  # what the spammer is told
    assert make.session.get_one(Comment, posted.json["comment"]["id"]).status == "spam"
    deliver(app)
    assert receiver.hits == []
    assert inbox.messages == []


def test_a_spam_decision_is_a_rejected_event_that_says_spam(
    app: Flask, client: FlaskClient, make: Factories, creds: Credentials, receiver: Receiver
) -> None:
    site = make.site()
    comment = make.comment(site)
    add_webhook(client, creds, site, receiver.url, events=["comment.rejected"])
    make.set_status(comment, "spam")
    deliver(app)
    [hit] = receiver.hits
    assert (hit.json["event"], hit.json["comment"]["status"]) == ("comment.rejected", "spam")


def test_deleting_a_webhook_stops_its_deliveries(
    app: Flask, client: FlaskClient, make: Factories, creds: Credentials, receiver: Receiver
) -> None:
    site = make.site()
    hook = add_webhook(client, creds, site, receiver.url)
    post_comment(client, site.slug, body="Queued")
    base = f"/api/v1/moderation/sites/{site.slug}/webhooks/{hook['id']}"
    assert client.delete(base, headers=creds.headers(site, "admin")).status_code == 204
    deliver(app)
    assert receiver.hits == []
    assert client.get(f"{base}/deliveries", headers=creds.headers(site)).status_code == 404


def documented_receiver() -> dict[str, Any]:
    """The example receiver of docs/notifications.md, minus its serve_forever() line."""
    docs = Path(__file__).resolve().parents[2] / "docs" / "notifications.md"
    blocks = re.findall(r"```python\n(.*?)```", docs.read_text("utf-8"), flags=re.DOTALL)
    [code] = [block for block in blocks if "webhook receiver" in block]
    namespace: dict[str, Any] = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WEBHOOK_SECRET", SECRET)
        exec(code.replace("HTTPServer((", "# HTTPServer(("), namespace)
    return namespace


def test_the_documented_receiver_accepts_our_deliveries_and_nothing_else(
    app: Flask, client: FlaskClient, make: Factories, creds: Credentials, receiver: Receiver
) -> None:
    site = make.site()
    add_webhook(client, creds, site, receiver.url)
    post_comment(client, site.slug, body="Checked by the docs")
    deliver(app)
    [hit] = receiver.hits
    verified = documented_receiver()["verified"]
    assert verified(hit.headers, hit.body)
    assert not verified(hit.headers, hit.body.replace(b"docs", b"DOCS"))
    stale = hit.headers | {
        "X-Sidenote-Timestamp": str(int(hit.headers["X-Sidenote-Timestamp"]) - 3600)
    }
    assert not verified(stale, hit.body)


def posted_with_token(client: FlaskClient, site: Site, **fields: Any) -> tuple[int, str]:
    """A comment posted through the API, and the edit token its author got."""
    response = post_comment(client, site.slug, **fields)
    assert response.status_code == 201, response.json
    return int(response.json["comment"]["id"]), str(response.json["edit_token"])


def shadow_ban(app: Flask, make: Factories, site: Site, email: str) -> None:
    with app.app_context():
        bans.create_ban(
            make.session, actors.CLI_ACTOR, kind="email", site=site, value=email, shadow=True
        )
        make.session.commit()


def test_an_edit_arrives_as_a_signed_edited_event_with_the_new_text(
    app: Flask, client: FlaskClient, make: Factories, creds: Credentials, receiver: Receiver
) -> None:
    site = make.site()
    add_webhook(client, creds, site, receiver.url, events=["comment.edited"])
    comment_id, token = posted_with_token(client, site, body="First version")
    edited = client.patch(
        f"/api/v1/comments/{comment_id}",
        json={"body": "Second version"},
        headers={"X-Sidenote-Edit-Token": token},
    )
    assert edited.status_code == 200
    deliver(app)
    [hit] = receiver.hits
    assert verify(hit)
    assert hit.headers["X-Sidenote-Event"] == hit.json["event"] == "comment.edited"
    assert hit.json["comment"]["id"] == comment_id
    assert hit.json["comment"]["html"] == "<p>Second version</p>"
    assert hit.json["comment"]["edited_at"] is not None


def test_a_deletion_arrives_as_a_signed_deleted_event_without_the_erased_text(
    app: Flask, client: FlaskClient, make: Factories, creds: Credentials, receiver: Receiver
) -> None:
    site = make.site()
    add_webhook(client, creds, site, receiver.url, events=["comment.deleted"])
    comment_id, token = posted_with_token(
        client, site, body="Soon gone", author={"name": "Ann", "email": "ann@private.example"}
    )
    deleted = client.delete(
        f"/api/v1/comments/{comment_id}", headers={"X-Sidenote-Edit-Token": token}
    )
    assert deleted.status_code == 204
    deliver(app)
    [hit] = receiver.hits
    assert verify(hit)
    assert hit.headers["X-Sidenote-Event"] == hit.json["event"] == "comment.deleted"
    assert (hit.json["comment"]["id"], hit.json["comment"]["status"]) == (comment_id, "deleted")
    assert b"Soon gone" not in hit.body and b"Ann" not in hit.body


def test_a_report_arrives_as_a_signed_reported_event_with_its_reason(
    app: Flask, client: FlaskClient, make: Factories, creds: Credentials, receiver: Receiver
) -> None:
    site = make.site()
    comment = make.comment(site, body="Borderline")
    add_webhook(client, creds, site, receiver.url, events=["comment.reported"])
    response = client.post(
        f"/api/v1/comments/{comment.id}/report",
        json={"reason": "off_topic"},
        headers={"X-Sidenote-Voter": "voter-aaaaaaaa"},
    )
    assert response.status_code == 202
    deliver(app)
    [hit] = receiver.hits
    assert verify(hit)
    assert hit.headers["X-Sidenote-Event"] == hit.json["event"] == "comment.reported"
    assert set(hit.json) == {"id", "event", "created_at", "site", "comment", "data"}
    assert hit.json["data"] == {"reason": "off_topic"}
    assert hit.json["comment"]["id"] == comment.id


def test_a_shadow_banned_author_editing_and_deleting_reaches_no_webhook(
    app: Flask, client: FlaskClient, make: Factories, creds: Credentials, receiver: Receiver
) -> None:
    site = make.site()
    make.comment(site)
    shadow_ban(app, make, site, "spammer@junk.example")
    add_webhook(client, creds, site, receiver.url)
    comment_id, token = posted_with_token(
        client, site, body="Buy now", author={"name": "S", "email": "spammer@junk.example"}
    )
    assert make.session.get_one(Comment, comment_id).status == "spam"
    headers = {"X-Sidenote-Edit-Token": token}
    edited = client.patch(
        f"/api/v1/comments/{comment_id}", json={"body": "Buy more"}, headers=headers
    )
    assert edited.status_code == 200
    assert client.delete(f"/api/v1/comments/{comment_id}", headers=headers).status_code == 204
    deliver(app)
    assert receiver.hits == []


def test_a_report_of_a_comment_stored_as_spam_reaches_no_webhook(
    app: Flask, client: FlaskClient, make: Factories, creds: Credentials, receiver: Receiver
) -> None:
    site = make.site()
    comment = make.comment(site, status="spam")
    add_webhook(client, creds, site, receiver.url, events=["comment.reported"])
    with app.app_context():
        spam = make.session.get_one(Comment, comment.id)
        events.emit(
            make.session, events.CommentEvent("comment.reported", spam, data={"reason": "spam"})
        )
        make.session.commit()
    deliver(app)
    assert receiver.hits == []
