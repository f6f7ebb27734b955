"""The policy pipeline on real posts: every check, its verdict, its reason and its answer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db import keys_of
from service.kernel import actors, clock
from service.models import AuditEntry, Comment, Site
from service.moderation import bans, decisions, spam
from tests.factories import Factories
from tests.functional.helpers import error_of, post_comment
from tests.functional.moderation.conftest import Credentials

VOTER = "voter-0123456789"


def stored(session: Session, comment_id: int) -> Comment:
    session.expire_all()
    comment = session.get(Comment, comment_id)
    assert comment is not None
    return comment


def codes(comment: Comment) -> list[str]:
    return [reason["code"] for reason in comment.moderation_reasons]


def count_comments(session: Session, site: Site) -> int:
    return len(session.scalars(select(Comment.id).where(Comment.site_id == site.id)).all())


# -- words and links -------------------------------------------------------------------------


def test_a_banned_word_is_rejected_with_a_helpful_message_and_nothing_stored(
    client: FlaskClient, make: Factories, rules: Callable[..., None], session: Session
) -> None:
    site = make.site()
    rules(site, banned_words=["viagra"])
    response = post_comment(client, site.slug, body="Cheap V1AGRA here")
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "rejected_by_policy"
    assert "viagra" in error["message"] and "rephrase" in error["message"]
    assert error["fields"]["body"] == error["message"]
    assert count_comments(session, site) == 0


def test_a_banned_word_hidden_with_zero_width_characters_is_rejected(
    client: FlaskClient, make: Factories, rules: Callable[..., None]
) -> None:
    site = make.site()
    rules(site, banned_words=["scam"])
    response = post_comment(client, site.slug, body="what a s\u200bc\u200ba\u200bm")
    assert response.status_code == 422


def test_a_suspect_word_holds_with_its_reason(
    client: FlaskClient, make: Factories, rules: Callable[..., None], session: Session
) -> None:
    site = make.site()
    rules(site, suspect_words=["idiot*"])
    response = post_comment(client, site.slug, body="What IDIOTIC reasoning")
    assert response.status_code == 201
    assert response.json["comment"]["status"] == "pending"
    comment = stored(session, response.json["comment"]["id"])
    assert comment.status == "pending" and codes(comment) == ["suspect_word"]
    assert "idiotic" in comment.moderation_reasons[0]["message"]


def test_too_many_links_hold(
    client: FlaskClient, make: Factories, rules: Callable[..., None], session: Session
) -> None:
    site = make.site()
    rules(site, max_links=1)
    body = "see https://a.example and https://b.example"
    response = post_comment(client, site.slug, body=body)
    comment = stored(session, response.json["comment"]["id"])
    assert comment.status == "pending" and codes(comment) == ["too_many_links"]


def test_links_within_the_limit_pass(
    client: FlaskClient, make: Factories, rules: Callable[..., None]
) -> None:
    site = make.site()
    rules(site, max_links=1)
    response = post_comment(client, site.slug, body="see https://a.example")
    assert response.json["comment"]["status"] == "approved"


# -- repeats ---------------------------------------------------------------------------------


def test_a_repeated_comment_is_spam_but_answered_pending(
    client: FlaskClient, make: Factories, session: Session
) -> None:
    site = make.site()
    body = "I keep coming back to this paragraph"
    first = post_comment(client, site.slug, body=body)
    assert first.json["comment"]["status"] == "approved"
    second = post_comment(client, site.slug, body=body.upper(), thread="/other")
    assert second.status_code == 201 and second.json["comment"]["status"] == "pending"
    comment = stored(session, second.json["comment"]["id"])
    assert comment.status == "spam" and codes(comment) == ["repeated_comment"]


def test_a_short_repeat_is_not_spam(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    post_comment(client, site.slug, body="Thanks!")
    assert post_comment(client, site.slug, body="Thanks!").json["comment"]["status"] == "approved"


def test_a_repeat_after_the_window_is_fine(
    client: FlaskClient, make: Factories, rules: Callable[..., None]
) -> None:
    site = make.site()
    rules(site, repeat_window_hours=1)
    body = "I keep coming back to this paragraph"
    post_comment(client, site.slug, body=body)
    with clock.frozen(clock.now() + timedelta(hours=2)):
        response = post_comment(client, site.slug, body=body)
    assert response.json["comment"]["status"] == "approved"


# -- bans ------------------------------------------------------------------------------------


def ban(app: Flask, session: Session, comment: Comment, kind: str, **options: Any) -> None:
    with app.app_context():
        bans.create_ban(session, actors.CLI_ACTOR, kind=kind, comment=comment, **options)
        session.commit()


def test_a_banned_email_gets_403_banned(
    client: FlaskClient, make: Factories, app: Flask, session: Session
) -> None:
    comment = make.comment(email="troll@example.org")
    ban(app, session, comment, "email")
    site = make.site_of(comment)
    response = post_comment(
        client, site.slug, body="hello again", author={"email": "Troll@Example.org"}
    )
    assert response.status_code == 403
    assert error_of(response)["code"] == "banned"


def test_a_banned_ip_hash_gets_403(
    client: FlaskClient, make: Factories, app: Flask, session: Session
) -> None:
    client_ip_hash = keys_of(session).ip_hash("127.0.0.1")  # the test client's address
    comment = make.comment(ip_hash=client_ip_hash)
    ban(app, session, comment, "ip_hash")
    response = post_comment(client, make.site_of(comment).slug, body="hello again")
    assert response.status_code == 403


def test_a_banned_voter_id_gets_403(
    client: FlaskClient, make: Factories, app: Flask, session: Session
) -> None:
    site = make.site()
    first = post_comment(client, site.slug, body="first words", headers={"X-Sidenote-Voter": VOTER})
    comment = stored(session, first.json["comment"]["id"])
    ban(app, session, comment, "voter")
    again = post_comment(
        client, site.slug, body="second words", headers={"X-Sidenote-Voter": VOTER}
    )
    assert again.status_code == 403


def test_a_banned_identity_gets_403(app: Flask, make: Factories, session: Session) -> None:
    comment = make.comment(identity_key="sso:alice")
    ban(app, session, comment, "identity")
    import pytest

    from service.kernel.errors import Banned

    with pytest.raises(Banned):
        make.comment(make.site_of(comment), identity_key="sso:alice", body="again")


def test_an_expired_ban_no_longer_applies(
    client: FlaskClient, make: Factories, app: Flask, session: Session
) -> None:
    comment = make.comment(email="troll@example.org")
    ban(app, session, comment, "email", duration=timedelta(days=1))
    site = make.site_of(comment)
    payload = {"body": "hello again", "author": {"email": "troll@example.org"}}
    assert post_comment(client, site.slug, **payload).status_code == 403
    with clock.frozen(clock.now() + timedelta(days=2)):
        assert post_comment(client, site.slug, **payload).status_code == 201


def test_a_ban_on_one_site_does_not_reach_another(
    client: FlaskClient, make: Factories, app: Flask, session: Session
) -> None:
    comment = make.comment(email="troll@example.org")
    ban(app, session, comment, "email")
    other = make.site()
    response = post_comment(client, other.slug, body="hello", author={"email": "troll@example.org"})
    assert response.status_code == 201


def test_a_shadow_ban_stores_spam_but_answers_approved(
    client: FlaskClient, make: Factories, app: Flask, session: Session
) -> None:
    comment = make.comment(email="troll@example.org")
    ban(app, session, comment, "email", shadow=True)
    site = make.site_of(comment)
    response = post_comment(
        client, site.slug, body="sneaky words", author={"email": "troll@example.org"}
    )
    assert response.status_code == 201
    assert response.json["comment"]["status"] == "approved"
    shadowed = stored(session, response.json["comment"]["id"])
    assert shadowed.status == "spam" and codes(shadowed) == ["shadow_ban"]
    thread = client.get(
        "/api/v1/comments", query_string={"site": site.slug, "thread": "/post"}
    ).json
    assert shadowed.id not in [c["id"] for c in thread["comments"]]


def test_bans_store_no_raw_email(make: Factories, app: Flask, session: Session) -> None:
    from service.models import Ban

    comment = make.comment(email="troll@example.org")
    ban(app, session, comment, "email")
    row = session.scalar(select(Ban))
    assert row is not None and "troll" not in row.value_hash
    entries = session.scalars(select(AuditEntry)).all()
    assert all("troll@example.org" not in str(e.after) for e in entries)


# -- trust -----------------------------------------------------------------------------------


def test_a_verified_commenter_with_enough_approved_is_trusted_past_premoderation(
    make: Factories, rules: Callable[..., None]
) -> None:
    site = make.site(moderation="pre")
    rules(site, trusted_after=2)
    for n in range(2):
        make.comment(site, identity_key="sso:ann", body=f"comment {n}", status="approved")
    trusted = make.comment(site, identity_key="sso:ann", body="third")
    assert trusted.status == "approved"
    assert "trusted_commenter" in codes(trusted)


def test_one_rejected_comment_ends_automatic_trust(
    make: Factories, rules: Callable[..., None]
) -> None:
    site = make.site(moderation="pre")
    rules(site, trusted_after=1)
    make.comment(site, identity_key="sso:ann", body="one", status="approved")
    make.comment(site, identity_key="sso:ann", body="two", status="rejected")
    assert make.comment(site, identity_key="sso:ann", body="three").status == "pending"


def test_guests_are_never_trusted(make: Factories, rules: Callable[..., None]) -> None:
    site = make.site(moderation="pre")
    rules(site, trusted_after=1)
    make.comment(site, email="ann@example.org", body="one", status="approved")
    assert make.comment(site, email="ann@example.org", body="two").status == "pending"


def test_trust_does_not_lift_a_banned_word(
    make: Factories, rules: Callable[..., None], app: Flask, session: Session
) -> None:
    import pytest

    from service.kernel.errors import RejectedByPolicy

    site = make.site()
    rules(site, banned_words=["scam"])
    first = make.comment(site, identity_key="sso:ann")
    with app.app_context():
        decisions.set_trust(session, actors.CLI_ACTOR, first)
        session.commit()
    with pytest.raises(RejectedByPolicy):
        make.comment(site, identity_key="sso:ann", body="a scam")


def test_an_explicitly_trusted_author_skips_holds(
    make: Factories, rules: Callable[..., None], app: Flask, session: Session
) -> None:
    site = make.site(moderation="pre")
    first = make.comment(site, identity_key="sso:ann", status="approved")
    with app.app_context():
        decisions.set_trust(session, actors.CLI_ACTOR, first)
        session.commit()
    assert make.comment(site, identity_key="sso:ann", body="next").status == "approved"


# -- first-time and reports ------------------------------------------------------------------


def test_first_time_mode_holds_until_the_threshold(
    make: Factories, rules: Callable[..., None]
) -> None:
    site = make.site(moderation="first-time")
    rules(site, first_time_threshold=2, trusted_after=0)
    make.comment(site, identity_key="sso:bo", body="one", status="approved")
    assert make.comment(site, identity_key="sso:bo", body="two").status == "pending"
    make.comment(site, identity_key="sso:bo", body="three", status="approved")
    assert make.comment(site, identity_key="sso:bo", body="four").status == "approved"


def report(client: FlaskClient, comment_id: int, voter: str, address: str = "127.0.0.1") -> None:
    response = client.post(
        f"/api/v1/comments/{comment_id}/report",
        json={"reason": "abuse"},
        headers={"X-Sidenote-Voter": voter},
        environ_overrides={"REMOTE_ADDR": address},
    )
    assert response.status_code == 202


def test_reports_reaching_the_threshold_hold_an_approved_comment(
    client: FlaskClient, make: Factories, rules: Callable[..., None], session: Session
) -> None:
    comment = make.comment()
    rules(make.site_of(comment), report_threshold=2)
    report(client, comment.id, "reporter-aaaaaaaa", "203.0.113.1")
    assert stored(session, comment.id).status == "approved"
    report(client, comment.id, "reporter-bbbbbbbb", "203.0.113.2")
    held = stored(session, comment.id)
    assert held.status == "pending" and "reports_threshold" in codes(held)
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "comment.hold"))
    assert entry is not None and entry.actor_kind == "system"


def test_a_threshold_of_zero_never_holds(
    client: FlaskClient, make: Factories, rules: Callable[..., None], session: Session
) -> None:
    comment = make.comment()
    rules(make.site_of(comment), report_threshold=0)
    for n in range(3):
        report(client, comment.id, f"reporter-{n}xxxxxxxx", f"203.0.113.{n + 1}")
    assert stored(session, comment.id).status == "approved"


def test_minted_voter_ids_from_one_address_never_reach_the_threshold(
    client: FlaskClient, make: Factories, rules: Callable[..., None], session: Session
) -> None:
    comment = make.comment()
    rules(make.site_of(comment), report_threshold=3)
    for n in range(6):
        report(client, comment.id, f"reporter-{n}xxxxxxxx", "203.0.113.66")
    assert stored(session, comment.id).status == "approved"


# -- spam score ------------------------------------------------------------------------------


def test_the_spam_score_holds_once_trained_on_decisions(
    make: Factories, rules: Callable[..., None], app: Flask, session: Session
) -> None:
    site = make.site()
    rules(site, spam_min_examples=3, max_links=None)
    spammy = [
        "subscribe to my channel http://spam.example now",
        "check out my channel for free gift cards",
        "free gift cards on my channel, subscribe",
    ]
    legit = [
        "the granite was dressed on the shore first",
        "keepers worked a month on the rock",
        "the signal tower came before the lighthouse",
    ]
    for n, body in enumerate(spammy):
        make.comment(site, body=body, status="spam", thread=f"/s{n}")
    for n, body in enumerate(legit):
        pending = make.comment(site, body=body, status="pending", thread=f"/h{n}", author=f"r{n}")
        make.set_status(pending, "approved")  # a moderator's approval trains the score
    held = make.comment(site, body="subscribe to my channel for free gift cards", author="x")
    assert held.status == "pending" and codes(held) == ["spam_score"]
    assert held.spam_score is not None and held.spam_score >= 0.95
    fine = make.comment(site, body="the keepers dressed granite on the shore", author="y")
    assert fine.status == "approved" and fine.spam_score is not None and fine.spam_score < 0.5


def test_without_the_shipped_model_the_score_is_silent_until_enough_decisions(
    make: Factories, session: Session, rules: Callable[..., None]
) -> None:
    site = make.site()
    rules(site, spam_shipped_model=False)
    comment = make.comment(site, body="subscribe to my channel")
    assert comment.spam_score is None
    assert spam.score(session, site.id, "x", min_examples=1) is None


def test_a_changed_decision_moves_the_training(
    make: Factories, app: Flask, session: Session
) -> None:
    from service.models import SpamClassifier, SpamTraining

    comment = make.comment(status="spam", body="free gift cards")
    make.set_status(comment, "approved")
    session.expire_all()
    classifier = session.get(SpamClassifier, comment.site_id)
    assert classifier is not None and (classifier.spam_docs, classifier.ham_docs) == (0, 1)
    record = session.get(SpamTraining, comment.id)
    assert record is not None and record.label == "ham"
    make.set_status(comment, "rejected")  # a rejection trains as spam, like a spam mark
    session.expire_all()
    record = session.get(SpamTraining, comment.id)
    assert record is not None and record.label == "spam"
    classifier = session.get(SpamClassifier, comment.site_id)
    assert classifier is not None and (classifier.spam_docs, classifier.ham_docs) == (1, 0)
    make.set_status(comment, "deleted")  # its author's choice, not a judgement
    session.expire_all()
    assert session.get(SpamTraining, comment.id) is None
    classifier = session.get(SpamClassifier, comment.site_id)
    assert classifier is not None and (classifier.spam_docs, classifier.ham_docs) == (0, 0)


# -- edits -----------------------------------------------------------------------------------


def test_an_edit_with_a_banned_word_is_rejected_and_the_text_kept(
    client: FlaskClient, make: Factories, rules: Callable[..., None], session: Session
) -> None:
    site = make.site()
    posted = post_comment(client, site.slug, body="a fine comment")
    rules(site, banned_words=["scam"])
    response = client.patch(
        f"/api/v1/comments/{posted.json['comment']['id']}",
        json={"body": "a scam"},
        headers={"X-Sidenote-Edit-Token": posted.json["edit_token"]},
    )
    assert response.status_code == 422
    assert stored(session, posted.json["comment"]["id"]).body_source == "a fine comment"


def test_an_edit_with_a_suspect_word_holds_the_comment_again(
    client: FlaskClient, make: Factories, rules: Callable[..., None], session: Session
) -> None:
    site = make.site()
    posted = post_comment(client, site.slug, body="a fine comment")
    rules(site, suspect_words=["moron"])
    response = client.patch(
        f"/api/v1/comments/{posted.json['comment']['id']}",
        json={"body": "you moron"},
        headers={"X-Sidenote-Edit-Token": posted.json["edit_token"]},
    )
    assert response.status_code == 200 and response.json["status"] == "pending"
    assert stored(session, posted.json["comment"]["id"]).status == "pending"


def test_credentials_fixture_is_usable(creds: Credentials, make: Factories) -> None:
    assert creds.token(make.site(), "read").startswith("snt_")
