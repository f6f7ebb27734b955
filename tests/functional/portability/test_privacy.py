"""Privacy requests (export and erase an email address) and retention (`purge`)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.comments.visibility import change_status
from service.kernel import clock
from service.kernel.actors import CLI_ACTOR, SYSTEM_ACTOR
from service.kernel.config import Settings
from service.models import (
    AuditEntry,
    Comment,
    EmailAddress,
    Identity,
    OutboxItem,
    ReaderSession,
    Site,
    Subscription,
    Thread,
    Vote,
)
from service.moderation import audit
from service.notifications.subscriptions import SubscriptionRequest, subscribe
from service.privacy.requests import erase_person, export_person
from service.privacy.retention import purge
from tests.factories import Factories
from tests.functional.moderation.conftest import Credentials
from tests.functional.portability.conftest import ORIGIN, assert_consistent

EMAIL = "Ann@Example.org"


@pytest.fixture
def ann(app: Flask, make: Factories, session: Session) -> dict[str, Comment]:
    """Ann's comments on two sites, a reply to her, her subscription and a log entry about her."""
    blog = make.site("blog", origins=[ORIGIN])
    news = make.site("news", origins=["https://news.example"])
    first = make.comment(blog, "/a", body="I think so.", author="Ann", email=EMAIL,
                         author_website="https://ann.example")  # fmt: skip
    reply = make.comment(
        blog, "/a", body="Why?", parent=first, author="Bob", email="bob@example.org"
    )
    answer = make.comment(
        blog, "/a", body="Because.", parent=reply, author="Ann", email="ann@example.org"
    )
    other = make.comment(news, "/n", body="Elsewhere.", author="Ann", email="ANN@example.org")
    with app.app_context():
        subscribe(
            session, SubscriptionRequest(site="blog", thread="/a", email=EMAIL, kind="thread")
        )
        audit.record(session, CLI_ACTOR, "comment.edit", target_kind="comment",
                     target_id=first.id, site_id=blog.id, subject_key=first.author_key,
                     before={"author_name": "Ann", "body_source": "I think so."})  # fmt: skip
        session.commit()
    return {"first": first, "reply": reply, "answer": answer, "other": other}


def test_export_lists_everything_stored_about_the_address(
    app: Flask, session: Session, ann: dict[str, Comment]
) -> None:
    with app.app_context():
        document = export_person(session, "ann@example.ORG ")
    assert (
        document["format"] == "sidenote-privacy-export" and document["email"] == "ann@example.org"
    )
    bodies = sorted(c["body_source"] for c in document["comments"])
    assert bodies == ["Because.", "Elsewhere.", "I think so."]
    assert {c["site"] for c in document["comments"]} == {"blog", "news"}
    first = next(c for c in document["comments"] if c["body_source"] == "I think so.")
    assert first["author"]["website"] == "https://ann.example" and first["ip_hash"]
    assert first["thread"]["url"] == f"{ORIGIN}/a"
    assert document["email_address"]["address"] == EMAIL
    assert [s["kind"] for s in document["subscriptions"]] == ["thread"]
    assert [e["action"] for e in document["moderation_log"]] == ["comment.edit"]
    json.dumps(document)  # all of it is JSON


def test_erase_anonymises_comments_and_keeps_the_conversation_readable(
    app: Flask, session: Session, ann: dict[str, Comment]
) -> None:
    old_keys = {c.author_key for c in ann.values()}
    thread = session.get_one(Thread, ann["first"].thread_id)
    version = thread.version
    with app.app_context():
        erasure = erase_person(session, EMAIL, CLI_ACTOR)
        session.commit()
    assert erasure.comments_anonymized == 3 and erasure.ip_hashes_dropped >= 3
    session.expire_all()
    for key in ("first", "answer", "other"):
        comment = session.get_one(Comment, ann[key].id)
        assert (comment.author_name, comment.author_email, comment.author_website) == ("", "", "")
        assert comment.ip_hash is None and comment.identity_key is None
        assert comment.author_key not in old_keys
        assert comment.status == "approved"
    first, answer = (
        session.get_one(Comment, ann["first"].id),
        session.get_one(Comment, ann["answer"].id),
    )
    assert first.body_source == "I think so." and answer.parent_id == ann["reply"].id
    assert first.author_key != answer.author_key  # nothing ties the erased comments together
    bob = session.get_one(Comment, ann["reply"].id)
    assert bob.author_name == "Bob" and bob.author_email == "bob@example.org"
    assert session.get_one(Thread, thread.id).version > version
    assert_consistent(session, session.get_one(Site, first.site_id))


def test_erase_cancels_subscriptions_and_pending_mails(
    app: Flask, session: Session, ann: dict[str, Comment]
) -> None:
    assert session.scalar(select(func.count()).select_from(OutboxItem)) == 1  # the confirmation
    with app.app_context():
        erasure = erase_person(session, EMAIL, CLI_ACTOR)
        session.commit()
    assert (erasure.subscriptions_cancelled, erasure.mails_cancelled) == (1, 1)
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Subscription)) == 0
    assert session.scalar(select(func.count()).select_from(EmailAddress)) == 0
    mail = session.scalars(select(OutboxItem)).one()
    assert mail.status == "cancelled" and mail.recipient_hash is None


def test_erase_redacts_the_log_and_logs_itself_without_the_address(
    app: Flask, session: Session, ann: dict[str, Comment]
) -> None:
    with app.app_context():
        erasure = erase_person(session, EMAIL, CLI_ACTOR)
        session.commit()
    assert erasure.audit_entries_redacted == 1
    session.expire_all()
    edit = session.scalars(select(AuditEntry).where(AuditEntry.action == "comment.edit")).one()
    assert edit.redacted_at is not None and edit.before == {
        "author_name": "[redacted]",
        "body_source": "[redacted]",
    }
    logged = session.scalars(select(AuditEntry).where(AuditEntry.action == "privacy.erase")).one()
    assert logged.after is not None and logged.after["comments_anonymized"] == 3
    everything = json.dumps(
        [(e.before, e.after, e.reason) for e in session.scalars(select(AuditEntry))]
    )
    assert "ann@" not in everything.lower()


def test_erasing_an_unknown_address_changes_nothing_but_is_logged(
    app: Flask, session: Session, ann: dict[str, Comment]
) -> None:
    with app.app_context():
        erasure = erase_person(session, "nobody@example.org", CLI_ACTOR)
    assert erasure.comments_anonymized == 0 and erasure.subscriptions_cancelled == 0


def test_privacy_api_needs_an_admin_of_every_site(
    client: FlaskClient, ann: dict[str, Comment], creds: Credentials, session: Session
) -> None:
    assert client.post("/api/v1/admin/privacy/export", json={"email": EMAIL}).status_code == 401
    blog = session.get_one(Site, ann["first"].site_id)
    site_admin = creds.headers(blog, "admin")
    response = client.post("/api/v1/admin/privacy/erase", json={"email": EMAIL}, headers=site_admin)
    assert response.status_code == 403


def test_privacy_api_exports_and_erases(
    client: FlaskClient, ann: dict[str, Comment], creds: Credentials, session: Session
) -> None:
    headers = creds.headers(None, "admin")
    exported = client.post("/api/v1/admin/privacy/export", json={"email": EMAIL}, headers=headers)
    assert exported.status_code == 200 and len(exported.json["comments"]) == 3
    bad = client.post(
        "/api/v1/admin/privacy/export", json={"email": "not an email"}, headers=headers
    )
    assert bad.status_code == 400 and bad.json["error"]["code"] == "validation_failed"
    erased = client.post("/api/v1/admin/privacy/erase", json={"email": EMAIL}, headers=headers)
    assert erased.status_code == 200 and erased.json["comments_anonymized"] == 3
    again = client.post("/api/v1/admin/privacy/export", json={"email": EMAIL}, headers=headers)
    assert again.json["comments"] == [] and again.json["subscriptions"] == []
    session.expire_all()
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("privacy.%")))
    assert sorted(set(actions)) == ["privacy.erase", "privacy.export", "privacy.redact"]


# -- retention ---------------------------------------------------------------------------


NOW = datetime(2026, 11, 1, tzinfo=UTC)


def test_purge_drops_old_ip_hashes_and_keeps_recent_ones(
    app: Flask, make: Factories, session: Session
) -> None:
    site = make.site()
    old = make.comment(site, created_at=NOW - timedelta(days=91))
    recent = make.comment(site, created_at=NOW - timedelta(days=89))
    session.add_all(
        [
            Vote(comment_id=recent.id, voter_key="old-voter", ip_hash="a" * 32, value=1,
                 created_at=NOW - timedelta(days=100)),
            Vote(comment_id=recent.id, voter_key="new-voter", ip_hash="b" * 32, value=1,
                 created_at=NOW - timedelta(days=1)),
        ]
    )  # fmt: skip
    session.commit()
    settings = Settings(env="test", secret_key="x" * 20)
    with app.app_context(), clock.frozen(NOW):
        purged = purge(session, settings, SYSTEM_ACTOR)
        session.commit()
    assert (purged.comment_ip_hashes, purged.vote_ip_hashes) == (1, 1)
    session.expire_all()
    assert session.get_one(Comment, old.id).ip_hash is None
    assert session.get_one(Comment, recent.id).ip_hash is not None
    votes = dict(session.execute(select(Vote.voter_key, Vote.ip_hash)).all())
    assert votes == {"old-voter": None, "new-voter": "b" * 32}


def test_purge_forgets_an_old_voter_key_that_stands_for_an_ip_hash(
    app: Flask, make: Factories, session: Session
) -> None:
    site = make.site()
    by_ip = make.comment(site, voter_key="ip:" + "c" * 32, created_at=NOW - timedelta(days=91))
    by_id = make.comment(site, voter_key="d" * 64, created_at=NOW - timedelta(days=91))
    recent = make.comment(site, voter_key="ip:" + "e" * 32, created_at=NOW - timedelta(days=1))
    settings = Settings(env="test", secret_key="x" * 20)
    with app.app_context(), clock.frozen(NOW):
        purge(session, settings, SYSTEM_ACTOR)
        session.commit()
    session.expire_all()
    assert session.get_one(Comment, by_ip.id).voter_key is None
    assert session.get_one(Comment, by_id.id).voter_key == "d" * 64  # a widget's id, keyed
    assert session.get_one(Comment, recent.id).voter_key == "ip:" + "e" * 32


def test_erase_forgets_the_voter_key_of_her_comments_and_the_ip_hashes_of_her_votes(
    app: Flask, make: Factories, session: Session
) -> None:
    site = make.site()
    comment = make.comment(site, email=EMAIL, voter_key="ann-browser")
    session.add(Vote(comment_id=comment.id, voter_key="ann-browser", ip_hash="a" * 32, value=1))
    session.commit()
    with app.app_context():
        exported = export_person(session, EMAIL)
        erase_person(session, EMAIL, CLI_ACTOR)
        session.commit()
    assert [vote["comment_id"] for vote in exported["votes"]] == [comment.id]
    session.expire_all()
    assert session.get_one(Comment, comment.id).voter_key is None
    assert session.scalar(select(Vote.ip_hash)) is None


def test_purge_deletes_old_rejected_and_spam_comments_only(
    app: Flask, make: Factories, session: Session
) -> None:
    site = make.site()
    with clock.frozen(NOW - timedelta(days=40)):
        old_spam = make.comment(site, body="old spam", status="spam")
        old_rejected = make.comment(site, body="old rejected", status="rejected")
        old_approved = make.comment(site, body="old but fine")
        answered = make.comment(site, body="answered, then rejected")
        make.comment(site, body="the answer", parent=answered)
        with app.app_context():
            change_status(session, session.get_one(Comment, answered.id), "rejected")
            session.commit()
    with clock.frozen(NOW - timedelta(days=20)):
        recent_spam = make.comment(site, body="recent spam", status="spam")
    with app.app_context(), clock.frozen(NOW):
        purged = purge(session, Settings(env="test", secret_key="x" * 20), SYSTEM_ACTOR)
        session.commit()
    assert (purged.comments_deleted, purged.comments_emptied) == (2, 1)
    gone = {old_spam.id, old_rejected.id}
    session.expire_all()
    left = dict(session.execute(select(Comment.id, Comment.status)).all())
    assert not gone & set(left)
    assert left[old_approved.id] == "approved" and left[recent_spam.id] == "spam"
    emptied = session.get_one(Comment, answered.id)
    assert (emptied.status, emptied.body_source, emptied.author_name) == ("deleted", "", "")
    assert_consistent(session, site)
    logged = session.scalars(select(AuditEntry).where(AuditEntry.action == "privacy.purge")).one()
    assert logged.after is not None and logged.after["comments_deleted"] == 2


def test_purge_windows_follow_the_settings(app: Flask, make: Factories, session: Session) -> None:
    site = make.site()
    with clock.frozen(NOW - timedelta(days=5)):
        spam = make.comment(site, body="spam", status="spam")
    settings = Settings(
        env="test", secret_key="x" * 20, retain_rejected_days=3, retain_ip_hash_days=4
    )
    with app.app_context(), clock.frozen(NOW):
        purged = purge(session, settings, SYSTEM_ACTOR)
        again = purge(session, settings, SYSTEM_ACTOR)
        session.commit()
    spam_id = spam.id
    session.expire_all()
    assert purged.comments_deleted == 1 and session.get(Comment, spam_id) is None
    assert not again.anything


def test_retention_settings_come_from_the_environment() -> None:
    from service.kernel.config import load_settings

    settings = load_settings(
        {"SIDENOTE_RETAIN_IP_HASH_DAYS": "7", "SIDENOTE_RETAIN_REJECTED_DAYS": "2"},
        {"env": "test"},
    )
    assert (settings.retain_ip_hash_days, settings.retain_rejected_days) == (7, 2)
    assert (
        Settings(env="test").retain_ip_hash_days,
        Settings(env="test").retain_rejected_days,
    ) == (
        90,
        30,
    )


def test_purge_forgets_expired_reader_sessions(
    app: Flask, make: Factories, session: Session
) -> None:
    site = make.site()
    person = Identity(kind="sso", key="k" * 64, site_id=site.id, display_name="Ann")
    session.add(person)
    session.flush()
    session.add_all(
        [
            ReaderSession(token_hash="e" * 64, identity_id=person.id, site_id=site.id,
                          expires_at=NOW - timedelta(minutes=1)),
            ReaderSession(token_hash="f" * 64, identity_id=person.id, site_id=site.id,
                          expires_at=NOW + timedelta(days=1)),
        ]
    )  # fmt: skip
    session.commit()
    with app.app_context(), clock.frozen(NOW):
        purged = purge(session, Settings(env="test", secret_key="x" * 20), SYSTEM_ACTOR)
        session.commit()
    assert purged.reader_sessions == 1
    assert session.scalars(select(ReaderSession.token_hash)).all() == ["f" * 64]
