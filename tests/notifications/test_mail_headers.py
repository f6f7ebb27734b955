"""Hostile names, thread titles and site names, sent through a real SMTP server (aiosmtpd), never
add a header or body text to any mail and reach the reader as the very characters written.

Among them RFC 2047 encoded words whose payload is CR/LF: before Python 3.11.10 / 3.12.5
(CVE-2024-6923), letting the email package parse and fold such text made `Reply-To:`/`Bcc:`
headers and body text of it (issue 19, point 1).
"""

from __future__ import annotations

import re
from email.header import decode_header, make_header

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from service.kernel import clock
from service.notifications.alerts import set_alerts
from service.notifications.mail import header_text
from tests.factories import ORIGIN, Factories
from tests.functional.helpers import post_comment
from tests.functional.moderation.conftest import Credentials
from tests.notifications.conftest import MAIL_FROM, Inbox, Received, deliver
from tests.notifications.helpers import confirm, subscribe

ANN = "ann@reader.example"
BOB = "bob@reader.example"
MIA = "mia@moderators.example"

HOSTILE = [
    pytest.param("=?utf-8?q?x=0D=0AReply-To:_evil@x.example?=", id="encoded-crlf-q"),
    pytest.param(
        "=?utf-8?b?eA0KQmNjOiB2aWN0aW1AZXZpbC5leGFtcGxlDQoNCmJvZHk=?=", id="encoded-crlf-b"
    ),
    pytest.param("=?utf-8?q?hi?=", id="encoded-word"),
    pytest.param("Eve\r\nBcc: victim@evil.example\r\n\r\nbody", id="raw-crlf"),
    pytest.param("Ωmega-" * 13, id="long"),
    pytest.param("Zoë «Ünïcødé» 日本語 😀", id="non-ascii"),
    pytest.param('"Eve", <eve@evil.example>; (x) Bcc: a@b', id="specials"),
]
#: Every header a mail of ours carries, and nothing else.
HEADERS = [
    "Auto-Submitted",
    "Content-Language",
    "Content-Type",
    "Date",
    "From",
    "MIME-Version",
    "Message-ID",
    "Subject",
    "To",
]
ONE_CLICK = ["List-Unsubscribe", "List-Unsubscribe-Post"]


def raw_headers(mail: Received) -> dict[str, list[str]]:
    """The top-level headers as sent, unfolded, by name."""
    head = mail.raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].decode("ascii")
    found: dict[str, list[str]] = {}
    for line in re.sub(r"\n(?=[ \t])", "", head).split("\n"):
        name, _, value = line.partition(":")
        found.setdefault(name, []).append(value.strip())
    return found


def shown(value: str) -> str:
    """What an RFC 2047 reader shows for a raw header value."""
    return str(make_header(decode_header(value)))


def assert_safe(
    mail: Received, recipient: str, hostile: str, *, one_click: bool, sender: str | None = None
) -> None:
    """One recipient, exactly our headers, one text and one HTML part, the text shown literally."""
    headers = raw_headers(mail)
    assert mail.envelope_to == [recipient]
    assert sorted(headers) == sorted(HEADERS + (ONE_CLICK if one_click else []))
    assert all(len(values) == 1 for values in headers.values()), headers
    assert mail.message.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in mail.message.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    assert not re.search(r"^(Reply-To|Bcc):", mail.text, flags=re.MULTILINE | re.IGNORECASE)
    literal = header_text(hostile)
    assert literal in shown(headers["Subject"][0]), shown(headers["Subject"][0])
    assert literal in str(mail.message["Subject"])
    [address] = mail.message["From"].addresses
    assert address.addr_spec == MAIL_FROM
    name = header_text(hostile, 80) if sender is None else sender
    assert shown(headers["From"][0]) == f"{name} <{MAIL_FROM}>"


@pytest.mark.parametrize("hostile", HOSTILE)
def test_subscription_mails_show_hostile_text_literally_and_add_no_header(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox, hostile: str
) -> None:
    site = make.site(name=hostile)
    make.comment(site, thread_title=hostile)
    subscribe(client, site.slug, BOB)
    deliver(app)
    [confirmation] = inbox.to(BOB)
    assert_safe(confirmation, BOB, hostile, one_click=False)
    confirm(client, confirmation)
    inbox.clear()
    make.comment(site, author=hostile, body="Hello")
    deliver(app)
    [mail] = inbox.to(BOB)
    assert_safe(mail, BOB, hostile, one_click=True)
    assert str(mail.message["Subject"]).startswith(f"New comment by {header_text(hostile)} on")


@pytest.mark.parametrize("hostile", HOSTILE)
def test_digests_show_hostile_text_literally_and_add_no_header(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox, hostile: str
) -> None:
    site = make.site(name=hostile)
    make.comment(site, thread_title=hostile)
    with clock.frozen(clock.now()) as frozen:
        subscribe(client, site.slug, BOB, frequency="daily")
        deliver(app)
        confirm(client, inbox.to(BOB)[0])
        inbox.clear()
        make.comment(site, author=hostile, body="Hello")
        frozen.advance(hours=25)
        deliver(app)
    [digest] = inbox.to(BOB)
    assert_safe(digest, BOB, hostile, one_click=True)
    assert "1 new comments on" in str(digest.message["Subject"])


@pytest.mark.parametrize("hostile", HOSTILE)
def test_reply_and_author_mails_show_hostile_text_literally_and_add_no_header(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox, hostile: str
) -> None:
    site = make.site(name=hostile, moderation="pre")
    make.comment(site, thread="/elsewhere", status="approved")
    subscribe(client, site.slug, ANN, thread="/elsewhere")
    deliver(app)
    confirm(client, inbox.to(ANN)[0])
    inbox.clear()
    parent = make.comment(site, thread_title=hostile, author="Ann", email=ANN)
    make.set_status(parent, "approved")
    deliver(app)
    [published] = inbox.to(ANN)
    assert_safe(published, ANN, hostile, one_click=True)
    assert str(published.message["Subject"]).endswith("is published")
    inbox.clear()
    make.comment(site, parent=parent, author=hostile, status="approved")
    deliver(app)
    [replied] = inbox.to(ANN)
    assert_safe(replied, ANN, hostile, one_click=True)
    assert str(replied.message["Subject"]).startswith(f"{header_text(hostile)} replied to your")


@pytest.fixture
def creds(app: Flask, session: Session) -> Credentials:
    return Credentials(app, session)


@pytest.mark.parametrize("frequency", ["immediate", "daily"])
@pytest.mark.parametrize("hostile", HOSTILE)
def test_moderator_alerts_show_hostile_text_literally_and_add_no_header(
    app: Flask,
    client: FlaskClient,
    make: Factories,
    creds: Credentials,
    inbox: Inbox,
    hostile: str,
    frequency: str,
) -> None:
    site = make.site(name=hostile, moderation="pre")
    creds.moderator("mia", "moderator", [site])
    with app.app_context():
        set_alerts(creds.session, username="mia", email=MIA, frequency=frequency)
        creds.session.commit()
    with clock.frozen(clock.now()) as frozen:
        held = make.comment(site, thread_title=hostile, author=hostile, body="Let me in")
        assert held.status == "pending"
        frozen.advance(hours=25)
        deliver(app)
    [alert] = inbox.to(MIA)
    # a digest may span sites: it comes from "Sidenote"
    sender = header_text(hostile, 80) if frequency == "immediate" else "Sidenote"
    assert_safe(alert, MIA, hostile, one_click=True, sender=sender)
    assert "Let me in" in alert.text


@pytest.mark.parametrize("hostile", HOSTILE)
def test_verification_mails_show_hostile_text_literally_and_add_no_header(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox, hostile: str
) -> None:
    site = make.site(name=hostile)
    response = client.post(
        "/api/v1/guest/verify",
        json={"site": site.slug, "thread_url": f"{ORIGIN}/post", "email": ANN, "name": "Ann"},
    )
    assert response.status_code == 202, response.json
    deliver(app)
    [mail] = inbox.to(ANN)
    assert_safe(mail, ANN, hostile, one_click=False)


def test_a_posted_name_written_as_an_encoded_word_is_shown_as_written(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site = make.site()
    make.comment(site)
    subscribe(client, site.slug, BOB)
    deliver(app)
    confirm(client, inbox.to(BOB)[0])
    inbox.clear()
    name = "=?utf-8?q?x=0D=0AReply-To:_evil@x.example?="
    assert post_comment(client, site.slug, author={"name": name}).status_code == 201
    deliver(app)
    [mail] = inbox.to(BOB)
    assert str(mail.message["Subject"]) == f"New comment by {name} on “A post”"
    assert mail.message["Reply-To"] is None
    assert name in mail.text
