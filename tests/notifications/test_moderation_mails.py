"""Moderators hear about pending and reported comments; authors about decisions on theirs."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.kernel import clock
from service.models import AuditEntry, Comment, Site
from service.notifications.alerts import set_alerts
from tests.factories import Factories
from tests.functional.helpers import post_comment
from tests.functional.moderation.conftest import Credentials
from tests.notifications.conftest import Inbox, deliver
from tests.notifications.helpers import confirm, link_to, links_in, subscribe

MIA = "mia@moderators.example"
ANN = "ann@reader.example"


@pytest.fixture
def creds(app: Flask, session: Session) -> Credentials:
    return Credentials(app, session)


def moderator_with_alerts(
    app: Flask, creds: Credentials, site: Site, frequency: str = "immediate", name: str = "mia"
) -> None:
    creds.moderator(name, "moderator", [site])
    with app.app_context():
        set_alerts(
            creds.session, username=name, email=f"{name}@moderators.example", frequency=frequency
        )
        creds.session.commit()


def held_comment(client: FlaskClient, site: Site, **fields: object) -> int:
    posted = post_comment(client, site.slug, **fields)
    assert posted.json["comment"]["status"] == "pending"
    return int(posted.json["comment"]["id"])


def test_a_pending_comment_mails_its_moderators_with_approve_and_reject_links(
    app: Flask, client: FlaskClient, make: Factories, creds: Credentials, inbox: Inbox
) -> None:
    site = make.site(moderation="pre")
    moderator_with_alerts(app, creds, site)
    held_comment(client, site, body="Please let me in", author={"name": "Newbie"})
    deliver(app)
    [mail] = inbox.to(MIA)
    assert "Awaiting moderation" in str(mail.message["Subject"])
    assert "Please let me in" in mail.text
    assert [p.split("/")[2] for p in links_in(mail) if p.startswith("/mail/")] == [
        "decide",
        "decide",
    ]
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_approve_link_shows_a_page_then_approves_once(
    app: Flask,
    client: FlaskClient,
    make: Factories,
    creds: Credentials,
    inbox: Inbox,
    session: Session,
) -> None:
    site = make.site(moderation="pre")
    moderator_with_alerts(app, creds, site)
    comment_id = held_comment(client, site, body="Approve me")
    deliver(app)
    approve = link_to(inbox.to(MIA)[0], "/mail/decide/")
    page = client.get(approve)
    assert page.status_code == 200 and "Approve me" in page.text
    assert session.get_one(Comment, comment_id).status == "pending"

    assert client.post(approve).status_code == 200
    session.expire_all()
    assert session.get_one(Comment, comment_id).status == "approved"
    audit = session.scalar(select(AuditEntry).where(AuditEntry.action == "comment.approve"))
    assert audit is not None and audit.actor_label == "mia"
    assert client.post(approve).status_code == 404


def test_a_decision_elsewhere_retires_the_links(
    app: Flask, client: FlaskClient, make: Factories, creds: Credentials, inbox: Inbox
) -> None:
    site = make.site(moderation="pre")
    moderator_with_alerts(app, creds, site)
    comment_id = held_comment(client, site)
    deliver(app)
    approve, reject = [p for p in links_in(inbox.to(MIA)[0]) if p.startswith("/mail/decide/")]
    assert client.post(reject).status_code == 200
    make.set_status(make.session.get_one(Comment, comment_id), "approved")
    assert client.post(approve).status_code == 404
    assert client.get(reject).status_code == 404


def test_moderation_links_expire(
    app: Flask, client: FlaskClient, make: Factories, creds: Credentials, inbox: Inbox
) -> None:
    site = make.site(moderation="pre")
    moderator_with_alerts(app, creds, site)
    with clock.frozen(clock.now()) as frozen:
        held_comment(client, site)
        deliver(app)
        approve = link_to(inbox.to(MIA)[0], "/mail/decide/")
        frozen.advance(days=3, seconds=1)
        assert client.post(approve).status_code == 404


def test_only_moderators_of_the_site_are_mailed(
    app: Flask, client: FlaskClient, make: Factories, creds: Credentials, inbox: Inbox
) -> None:
    site, other = make.site(moderation="pre"), make.site(moderation="pre")
    moderator_with_alerts(app, creds, other, name="otto")
    moderator_with_alerts(app, creds, site, name="mia")
    held_comment(client, site)
    deliver(app)
    assert len(inbox.to(MIA)) == 1
    assert inbox.to("otto@moderators.example") == []


def test_a_reported_comment_alerts_once_however_many_report_it(
    app: Flask, client: FlaskClient, make: Factories, creds: Credentials, inbox: Inbox
) -> None:
    site = make.site()
    comment = make.comment(site, body="Borderline")
    moderator_with_alerts(app, creds, site)
    for voter in ("voter-aaaaaaaa", "voter-bbbbbbbb"):
        response = client.post(
            f"/api/v1/comments/{comment.id}/report",
            json={"reason": "abuse"},
            headers={"X-Sidenote-Voter": voter},
        )
        assert response.status_code == 202
    deliver(app)
    [mail] = inbox.to(MIA)
    assert "Reported" in str(mail.message["Subject"])
    assert "abuse" in mail.text


def test_daily_moderators_get_one_digest(
    app: Flask, client: FlaskClient, make: Factories, creds: Credentials, inbox: Inbox
) -> None:
    site = make.site(moderation="pre")
    moderator_with_alerts(app, creds, site, frequency="daily")
    with clock.frozen(clock.now()) as frozen:
        first = held_comment(client, site, body="One")
        held_comment(client, site, body="Two")
        deliver(app)
        assert inbox.to(MIA) == []
        make.set_status(make.session.get_one(Comment, first), "approved")
        frozen.advance(hours=24)
        deliver(app)
    [digest] = inbox.to(MIA)
    assert "1 comments need a moderator" in str(digest.message["Subject"])
    assert "Two" in digest.text and "One" not in digest.text


def confirmed_author(app: Flask, client: FlaskClient, make: Factories, inbox: Inbox) -> Site:
    """A pre-moderated site whose reader ANN confirmed her address once (a subscription)."""
    site = make.site(moderation="pre")
    make.comment(site, status="approved")
    subscribe(client, site.slug, ANN)
    deliver(app)
    confirm(client, inbox.to(ANN)[0])
    inbox.clear()
    return site


def test_authors_with_a_confirmed_address_hear_their_comment_was_approved(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site = confirmed_author(app, client, make, inbox)
    comment_id = held_comment(client, site, body="Mine", author={"name": "Ann", "email": ANN})
    make.set_status(make.session.get_one(Comment, comment_id), "approved")
    deliver(app)
    [mail] = inbox.to(ANN)
    assert "is published" in str(mail.message["Subject"])
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_authors_hear_a_rejection_with_the_moderators_reason(
    app: Flask, client: FlaskClient, make: Factories, creds: Credentials, inbox: Inbox
) -> None:
    site = confirmed_author(app, client, make, inbox)
    comment_id = held_comment(client, site, body="Mine", author={"name": "Ann", "email": ANN})
    response = client.post(
        f"/api/v1/moderation/comments/{comment_id}/decision",
        json={"action": "reject", "reason": "Please stay on topic."},
        headers=creds.headers(site, "moderate"),
    )
    assert response.status_code == 200, response.json
    deliver(app)
    [mail] = inbox.to(ANN)
    assert "was not published" in str(mail.message["Subject"])
    assert "Reason: Please stay on topic." in mail.text


def test_authors_without_a_confirmed_address_get_no_mail(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site = make.site(moderation="pre")
    comment_id = held_comment(client, site, author={"name": "Ann", "email": ANN})
    make.set_status(make.session.get_one(Comment, comment_id), "approved")
    deliver(app)
    assert inbox.to(ANN) == []


def test_authors_can_stop_mails_about_their_comments(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site = confirmed_author(app, client, make, inbox)
    first = held_comment(client, site, body="First", author={"name": "Ann", "email": ANN})
    make.set_status(make.session.get_one(Comment, first), "approved")
    deliver(app)
    [mail] = inbox.to(ANN)
    response = client.post(link_to(mail, "/unsubscribe/"))
    assert response.status_code == 200
    inbox.clear()
    second = held_comment(client, site, body="Second", author={"name": "Ann", "email": ANN})
    make.set_status(make.session.get_one(Comment, second), "approved")
    deliver(app)
    assert inbox.to(ANN) == []


def test_authors_hear_of_publication_once_even_if_it_is_undone_and_redone(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site = confirmed_author(app, client, make, inbox)
    comment_id = held_comment(client, site, body="Mine", author={"name": "Ann", "email": ANN})
    comment = make.session.get_one(Comment, comment_id)
    for status in ("approved", "rejected", "approved"):
        make.set_status(comment, status)
        deliver(app)
    subjects = [str(mail.message["Subject"]) for mail in inbox.to(ANN)]
    assert len(subjects) == 2
    assert "is published" in subjects[0] and "was not published" in subjects[1]
