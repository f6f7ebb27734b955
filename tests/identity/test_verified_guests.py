"""Verified guests, against a real SMTP server: prove an address once with a link in a mail,
then comment under a stable pseudonymous identity (and sign in from the link back to the page)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.kernel import clock
from service.models import Comment, EmailAddress, Identity, OutboxItem
from tests.conftest import reconfigure
from tests.factories import ORIGIN, Factories
from tests.functional.helpers import error_of, post_comment, read_thread
from tests.functional.moderation.conftest import Credentials
from tests.identity.conftest import SsoSite
from tests.notifications.conftest import MAIL_FROM, PUBLIC_URL, Inbox, SmtpServer, deliver
from tests.notifications.helpers import confirm, link_to, subscribe

ADA = "Ada@Example.org"
LOGIN = re.compile(r'href="(https://blog\.example[^"#]*)#sidenote-login=(snc_[\w-]+)"')


@pytest.fixture
def settings_overrides(smtp_server: SmtpServer) -> dict[str, Any]:
    return {"smtp_url": smtp_server.url, "public_url": PUBLIC_URL, "mail_from": MAIL_FROM}


#: The widget's random browser id (localStorage), sent as X-Sidenote-Voter on every write.
BROWSER = "adas-browser-0001"


def request_link(
    client: FlaskClient, site: str, email: str = ADA, browser: str = BROWSER, **extra: Any
) -> Any:
    payload = {"site": site, "thread_url": f"{ORIGIN}/post", "email": email, **extra}
    return client.post("/api/v1/guest/verify", json=payload, headers={"X-Sidenote-Voter": browser})


def mails_to(inbox: Inbox, address: str = ADA) -> list[Any]:
    return [m for m in inbox.messages if address.lower() in (r.lower() for r in m.envelope_to)]


def verify_mail(app: Flask, inbox: Inbox, address: str = ADA) -> str:
    deliver(app)
    mails = mails_to(inbox, address)
    assert mails, "no verification mail"
    return link_to(mails[-1], "/verify/")


def confirm_link(client: FlaskClient, path: str, name: str = "") -> tuple[str, str]:
    """Press the page's button; returns (page URL, one-time code) from its link back."""
    response = client.post(path, data={"name": name})
    assert response.status_code == 200, response.text
    match = LOGIN.search(response.text)
    assert match, response.text
    return match.group(1), match.group(2)


def guest_session(
    client: FlaskClient, site: str, code: str, browser: str | None = BROWSER, **extra: Any
) -> Any:
    headers = {"X-Sidenote-Voter": browser} if browser else {}
    payload = {"site": site, "code": code, **extra}
    return client.post("/api/v1/guest/session", json=payload, headers=headers)


def verified_guest(
    app: Flask,
    client: FlaskClient,
    inbox: Inbox,
    site: str,
    name: str = "Ada",
) -> dict[str, str]:
    assert request_link(client, site).status_code == 202
    _page, code = confirm_link(client, verify_mail(app, inbox), name)
    response = guest_session(client, site, code)
    assert response.status_code == 200, response.json
    return {"Authorization": f"Bearer {response.json['session_token']}"}


def test_a_guest_proves_their_address_and_comments_as_a_verified_guest(
    app: Flask,
    client: FlaskClient,
    make: Factories,
    inbox: Inbox,
    session: Session,
) -> None:
    site = make.site()
    assert request_link(client, site.slug, name="Ada").status_code == 202
    deliver(app)
    [mail] = mails_to(inbox)
    assert site.name in str(mail.message["Subject"])
    path = link_to(mail, "/verify/")
    page = client.get(path)
    assert page.status_code == 200
    assert 'method="post"' in page.text and 'value="Ada"' in page.text
    assert "script" not in page.headers["Content-Security-Policy"]
    assert session.scalar(select(EmailAddress.confirmed_at)) is None  # a GET changes nothing

    page_url, code = confirm_link(client, path, "Ada")
    assert page_url == f"{ORIGIN}/post"
    answer = guest_session(client, site.slug, code)
    assert answer.status_code == 200, answer.json
    assert answer.json["user"] == {
        "name": "Ada",
        "avatar": answer.json["user"]["avatar"],
        "verified": False,
        "kind": "guest",
    }
    headers = {"Authorization": f"Bearer {answer.json['session_token']}"}
    posted = post_comment(client, site.slug, author={"name": "Not Ada"}, headers=headers)
    assert posted.status_code == 201, posted.json
    comment = session.get_one(Comment, posted.json["comment"]["id"])
    assert comment.author_name == "Ada"
    assert comment.author_email.lower() == ADA.lower()
    assert comment.identity_key is not None and comment.identity_key.startswith("guest:")
    assert "ada" not in comment.identity_key.lower()
    assert session.scalar(select(EmailAddress.confirmed_at)) is not None
    shown = read_thread(client, site.slug)["comments"][0]
    assert shown["author"]["verified"] is False
    assert (
        "example.org"
        not in client.get(
            "/api/v1/comments", query_string={"site": site.slug, "thread": "/post"}
        ).text
    )


def test_the_same_address_in_any_case_is_the_same_guest(
    app: Flask,
    client: FlaskClient,
    make: Factories,
    inbox: Inbox,
    session: Session,
) -> None:
    site = make.site()
    first = verified_guest(app, client, inbox, site.slug)
    inbox.clear()
    assert request_link(client, site.slug, email="ada@example.ORG").status_code == 202
    _url, code = confirm_link(client, verify_mail(app, inbox, "ada@example.ORG"))
    second = {
        "Authorization": f"Bearer {guest_session(client, site.slug, code).json['session_token']}"
    }
    for headers in (first, second):
        post_comment(client, site.slug, body="Hello again", headers=headers)
    keys = set(session.scalars(select(Comment.identity_key)))
    assert len(keys) == 1
    assert session.scalar(select(func.count()).select_from(Identity)) == 1


def test_a_verification_link_signs_in_once(
    app: Flask,
    client: FlaskClient,
    make: Factories,
    inbox: Inbox,
) -> None:
    site = make.site()
    request_link(client, site.slug)
    path = verify_mail(app, inbox)
    confirm_link(client, path)
    with clock.frozen(clock.now() + timedelta(seconds=5)):
        again = client.post(path, data={})
    assert again.status_code == 404


def test_a_forged_verification_link_is_refused(client: FlaskClient, make: Factories) -> None:
    make.site()
    response = client.get("/verify/not-a-real-token")
    assert response.status_code == 404
    assert client.post("/verify/not-a-real-token").status_code == 404


def test_an_expired_verification_link_is_refused(
    app: Flask,
    client: FlaskClient,
    make: Factories,
    inbox: Inbox,
) -> None:
    site = make.site()
    request_link(client, site.slug)
    path = verify_mail(app, inbox)
    with clock.frozen(clock.now() + timedelta(days=8)):
        assert client.get(path).status_code == 404


def test_a_login_code_works_once_and_only_on_its_site(
    app: Flask,
    client: FlaskClient,
    make: Factories,
    inbox: Inbox,
) -> None:
    site, other = make.site(), make.site()
    request_link(client, site.slug)
    _url, code = confirm_link(client, verify_mail(app, inbox))
    assert guest_session(client, other.slug, code).status_code == 401
    assert guest_session(client, site.slug, code).status_code == 200
    reused = guest_session(client, site.slug, code)
    assert reused.status_code == 401
    assert error_of(reused)["code"] == "unauthorized"


def test_a_login_code_expires(
    app: Flask,
    client: FlaskClient,
    make: Factories,
    inbox: Inbox,
) -> None:
    site = make.site()
    request_link(client, site.slug)
    _url, code = confirm_link(client, verify_mail(app, inbox))
    with clock.frozen(clock.now() + timedelta(minutes=16)):
        assert guest_session(client, site.slug, code).status_code == 401


def test_a_site_that_verifies_guests_holds_their_comment_until_they_confirm(
    app: Flask,
    client: FlaskClient,
    sso_site: SsoSite,
    inbox: Inbox,
    session: Session,
) -> None:
    sso_site.configure(verify_guests=True)
    posted = post_comment(
        client, sso_site.slug, body="Waiting for my address", author={"name": "Ada", "email": ADA}
    )
    assert posted.json["comment"]["status"] == "pending"
    comment = session.get_one(Comment, posted.json["comment"]["id"])
    assert [r["code"] for r in comment.moderation_reasons] == ["unverified_guest"]
    assert read_thread(client, sso_site.slug)["comments"] == []

    path = verify_mail(app, inbox)
    page = client.get(path)
    assert "Waiting for my address" in page.text
    inbox.clear()
    confirm_link(client, path, "Ada")
    session.expire_all()
    comment = session.get_one(Comment, comment.id)
    assert comment.status == "approved"
    assert comment.identity_key is not None and comment.moderation_reasons == []
    assert [c["id"] for c in read_thread(client, sso_site.slug)["comments"]] == [comment.id]
    deliver(app)
    assert mails_to(inbox) == []  # no "a moderator approved it" mail


def test_a_guest_without_an_address_is_asked_for_one_where_guests_verify(
    client: FlaskClient, sso_site: SsoSite
) -> None:
    sso_site.configure(verify_guests=True)
    response = post_comment(client, sso_site.slug, author={"name": "Nobody"})
    assert response.status_code == 400
    assert "author.email" in error_of(response)["fields"]


def test_a_comment_held_for_another_reason_stays_held_after_verification(
    app: Flask,
    client: FlaskClient,
    sso_site: SsoSite,
    inbox: Inbox,
    session: Session,
) -> None:
    sso_site.configure(verify_guests=True)
    sso_site.site.moderation = "pre"
    session.commit()
    posted = post_comment(client, sso_site.slug, author={"name": "Ada", "email": ADA})
    confirm_link(client, verify_mail(app, inbox))
    session.expire_all()
    comment = session.get_one(Comment, posted.json["comment"]["id"])
    assert comment.status == "pending"
    assert [r["code"] for r in comment.moderation_reasons] == ["site_premoderated"]
    assert comment.identity_key is not None


def test_a_verified_guest_is_not_held_again(
    app: Flask,
    client: FlaskClient,
    sso_site: SsoSite,
    inbox: Inbox,
) -> None:
    sso_site.configure(verify_guests=True)
    headers = verified_guest(app, client, inbox, sso_site.slug)
    posted = post_comment(client, sso_site.slug, headers=headers)
    assert posted.json["comment"]["status"] == "approved"


def test_moderators_see_a_verified_guests_comments_together_and_can_ban_them(
    app: Flask,
    client: FlaskClient,
    make: Factories,
    inbox: Inbox,
    session: Session,
) -> None:
    site = make.site()
    headers = verified_guest(app, client, inbox, site.slug)
    first = post_comment(client, site.slug, thread="/one", headers=headers)
    post_comment(client, site.slug, thread="/two", body="Elsewhere", headers=headers)
    creds = Credentials(app, session)
    ban = client.post(
        "/api/v1/moderation/bans",
        json={"site": site.slug, "kind": "identity", "comment_id": first.json["comment"]["id"]},
        headers=creds.headers(site),
    )
    assert ban.status_code == 201, ban.json
    third = post_comment(client, site.slug, thread="/three", body="Third", headers=headers)
    assert error_of(third)["code"] == "banned"


def test_verification_mails_share_the_confirmation_limit(
    app: Flask,
    client: FlaskClient,
    make: Factories,
    session: Session,
) -> None:
    reconfigure(app, ratelimit_enabled=True, ratelimit_confirm_mail="2/hour")
    site = make.site()
    answers = {request_link(client, site.slug).status_code for _ in range(4)}
    assert answers == {202}
    sent = session.scalar(
        select(func.count()).select_from(OutboxItem).where(OutboxItem.event == "confirm")
    )
    assert sent == 2


def test_a_site_that_requires_sso_has_no_guests_to_verify(
    client: FlaskClient, sso_site: SsoSite
) -> None:
    sso_site.configure(sso_required=True)
    response = request_link(client, sso_site.slug)
    assert response.status_code == 401 and error_of(response)["code"] == "sso_required"


def test_a_page_on_another_origin_is_refused(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    response = client.post(
        "/api/v1/guest/verify",
        json={"site": site.slug, "thread_url": "https://evil.example/x", "email": ADA},
    )
    assert response.status_code == 400


def test_confirming_a_subscription_offers_to_sign_in_once(
    app: Flask,
    client: FlaskClient,
    make: Factories,
    inbox: Inbox,
) -> None:
    site = make.site()
    make.comment(site)
    subscribe(client, site.slug, ADA)
    deliver(app)
    [mail] = mails_to(inbox)
    path = link_to(mail, "/subscriptions/confirm/")
    first = client.post(path)
    match = LOGIN.search(first.text)
    assert match is not None
    # Subscriptions do not bind the code to a browser: the reader confirms on the page.
    assert guest_session(client, site.slug, match.group(2), confirm=True).status_code == 200
    assert LOGIN.search(client.post(path).text) is None
    _ = confirm


def test_erasing_the_address_erases_the_verified_guest_and_ends_their_sessions(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox, session: Session
) -> None:
    from service.kernel.actors import CLI_ACTOR
    from service.privacy.requests import erase_person

    site = make.site()
    headers = verified_guest(app, client, inbox, site.slug)
    with app.app_context():
        erase_person(session, ADA, CLI_ACTOR)
        session.commit()
    assert session.scalar(select(func.count()).select_from(Identity)) == 0
    response = post_comment(client, site.slug, headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_moderators_are_not_alerted_about_a_comment_that_waits_for_its_author(
    app: Flask, client: FlaskClient, sso_site: SsoSite, session: Session
) -> None:
    from service.notifications.alerts import set_alerts

    Credentials(app, session).moderator("mia", role="admin")
    with app.app_context():
        set_alerts(session, username="mia", email="mia@example.org", frequency="immediate")
        session.commit()
    sso_site.configure(verify_guests=True)
    post_comment(client, sso_site.slug, author={"name": "Ada", "email": ADA})
    assert set(session.scalars(select(OutboxItem.event))) == {"confirm"}  # no moderation alert

    sso_site.configure(verify_guests=False)
    sso_site.site.moderation = "pre"
    session.commit()
    post_comment(client, sso_site.slug, body="Held for a moderator", author={"name": "Bo"})
    assert "moderation.pending" in set(session.scalars(select(OutboxItem.event)))
