"""No link in a mail or a feed is built from the request's `Host` (issue 19, point 3): a forged
`Host` would send readers' tokens (verify, unsubscribe, manage, data) and moderators' approve links
to the forger's server. Links start with `SIDENOTE_PUBLIC_URL`, required in production."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from service.notifications.alerts import set_alerts
from tests.conftest import reconfigure
from tests.factories import ORIGIN, Factories
from tests.functional.helpers import post_comment
from tests.functional.moderation.conftest import Credentials
from tests.notifications.conftest import MAIL_FROM, PUBLIC_URL, Inbox, Received, SmtpServer, deliver

FORGED = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
ANN = "ann@reader.example"
MIA = "mia@moderators.example"
URL = re.compile(r"[a-z][a-z0-9+.-]*://[^\s\"'<>]+")


@pytest.fixture
def settings_overrides(smtp_server: SmtpServer) -> dict[str, Any]:
    return {"smtp_url": smtp_server.url, "public_url": PUBLIC_URL, "mail_from": MAIL_FROM}


def absolute_links(mail: Received) -> list[str]:
    """Every absolute URL in both parts and in `List-Unsubscribe`."""
    found = URL.findall(mail.text) + URL.findall(mail.html)
    found += URL.findall(str(mail.message.get("List-Unsubscribe", "")))
    return [link for link in found if not link.startswith("http://www.w3.org/")]


def assert_ours(links: list[str], *prefixes: str) -> None:
    assert links
    for link in links:
        assert "evil.example" not in link
        assert link.startswith((PUBLIC_URL + "/", *prefixes)), link


def test_subscription_mail_links_ignore_a_forged_host(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site = make.site()
    make.comment(site)
    payload = {"site": site.slug, "thread": "/post", "email": ANN, "kind": "thread"}
    assert client.post("/api/v1/subscriptions", json=payload, headers=FORGED).status_code == 202
    deliver(app)
    [confirmation] = inbox.to(ANN)
    assert_ours(absolute_links(confirmation))
    path = absolute_links(confirmation)[0].removeprefix(PUBLIC_URL)
    assert client.post(path, headers=FORGED).status_code == 200
    inbox.clear()
    assert post_comment(client, site.slug, headers=FORGED).status_code == 201
    deliver(app)
    [mail] = inbox.to(ANN)
    links = absolute_links(mail)
    assert {"/unsubscribe/", "/subscriptions/manage/", "/me/"} <= {
        "/" + "/".join(link.removeprefix(PUBLIC_URL).split("/")[1:-1]) + "/" for link in links
    }
    assert_ours(links, ORIGIN + "/")  # and the comment's link, on the page


def test_verification_mail_links_ignore_a_forged_host(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site = make.site()
    payload = {"site": site.slug, "thread_url": f"{ORIGIN}/post", "email": ANN}
    assert client.post("/api/v1/guest/verify", json=payload, headers=FORGED).status_code == 202
    deliver(app)
    [mail] = inbox.to(ANN)
    assert_ours(absolute_links(mail))
    assert any("/verify/" in link for link in absolute_links(mail))


def test_moderator_alert_links_ignore_a_forged_host(
    app: Flask, client: FlaskClient, make: Factories, session: Session, inbox: Inbox
) -> None:
    site = make.site(moderation="pre")
    creds = Credentials(app, session)
    creds.moderator("mia", "moderator", [site])
    with app.app_context():
        set_alerts(creds.session, username="mia", email=MIA, frequency="immediate")
        creds.session.commit()
    assert post_comment(client, site.slug, headers=FORGED).status_code == 201
    deliver(app)
    [alert] = inbox.to(MIA)
    links = absolute_links(alert)
    assert_ours(links)
    assert f"{PUBLIC_URL}/moderate" in links
    assert sum("/mail/decide/" in link for link in links) >= 2


def without_public_url(app: Flask) -> None:
    """Outside production `SIDENOTE_PUBLIC_URL` may be unset: links are then relative."""
    reconfigure(app, public_url="")


def test_without_a_public_url_mail_links_are_relative_never_the_forged_host(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    without_public_url(app)
    site = make.site()
    make.comment(site)
    payload = {"site": site.slug, "thread": "/post", "email": ANN, "kind": "thread"}
    assert client.post("/api/v1/subscriptions", json=payload, headers=FORGED).status_code == 202
    payload = {"site": site.slug, "thread_url": f"{ORIGIN}/post", "email": ANN}
    assert client.post("/api/v1/guest/verify", json=payload, headers=FORGED).status_code == 202
    deliver(app)
    mails = inbox.to(ANN)
    assert len(mails) == 2
    for mail in mails:
        assert "evil.example" not in mail.text + mail.html
        assert absolute_links(mail) == []
        assert re.search(r"(^|\s)/(subscriptions/confirm|verify)/\S+", mail.text)


@pytest.mark.parametrize("public_url", [PUBLIC_URL, ""])
def test_feed_ids_and_links_ignore_a_forged_host(
    app: Flask, client: FlaskClient, make: Factories, public_url: str
) -> None:
    if not public_url:
        without_public_url(app)
    site = make.site()
    comment = make.comment(site)
    response = client.get(f"/api/v1/feed.atom?site={site.slug}", headers=FORGED)
    assert response.status_code == 200
    assert "evil.example" not in response.text
    assert f"<id>{public_url}/api/v1/feed.atom?site={site.slug}</id>" in response.text
    assert f"<id>{public_url}/api/v1/comments/{comment.id}</id>" in response.text
