"""Nothing a commenter writes becomes a header, a recipient or markup in a mail."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.notifications.mail import Mail, build_message, header_text
from tests.factories import Factories
from tests.functional.helpers import post_comment
from tests.notifications.conftest import Inbox, Received, deliver
from tests.notifications.helpers import confirm, subscribe

BOB = "bob@reader.example"
INJECTIONS = [
    "Eve\r\nBcc: victim@evil.example",
    "Eve\nBcc: victim@evil.example\n\n<b>body</b>",
    "Eve\rX-Injected: yes",
    "Eve\u2028Bcc: victim@evil.example",
    "Eve\u0085Bcc: victim@evil.example",
    "Eve\x1b\x07Bcc: victim@evil.example",
]


def header_names(mail: Received) -> list[str]:
    head = mail.raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].decode("ascii")
    return re.findall(r"^([A-Za-z-]+):", head, flags=re.MULTILINE)


def follow_thread(app: Flask, client: FlaskClient, inbox: Inbox, site: str) -> None:
    subscribe(client, site, BOB)
    deliver(app)
    confirm(client, inbox.to(BOB)[0])
    inbox.clear()


@pytest.mark.parametrize("name", INJECTIONS)
def test_names_cannot_inject_headers_or_recipients(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox, name: str
) -> None:
    site = make.site()
    make.comment(site)
    follow_thread(app, client, inbox, site.slug)
    make.comment(site, author=name, body="Hello")  # the domain path: no API validation
    deliver(app)
    [mail] = inbox.messages
    assert mail.envelope_to == [BOB]
    assert "Bcc" not in header_names(mail) and "X-Injected" not in header_names(mail)
    subject = str(mail.message["Subject"])
    assert "\n" not in subject and "\r" not in subject and "\u2028" not in subject
    assert subject.startswith("New comment by Eve")


def test_thread_titles_and_site_names_cannot_inject_headers(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site = make.site(name="Blog\r\nBcc: victim@evil.example")
    make.comment(site, thread_title="Title\nX-Injected: yes")
    follow_thread(app, client, inbox, site.slug)
    make.comment(site, body="Hello")
    deliver(app)
    [mail] = inbox.messages
    assert mail.envelope_to == [BOB]
    assert {"Bcc", "X-Injected"}.isdisjoint(header_names(mail))
    assert mail.message["From"].addresses[0].display_name == "Blog Bcc: victim@evil.example"


def test_names_with_line_separators_posted_through_the_api_stay_on_one_line(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site = make.site()
    make.comment(site)
    follow_thread(app, client, inbox, site.slug)
    posted = post_comment(client, site.slug, author={"name": "Eve\u2028Bcc: victim@evil.example"})
    assert posted.status_code == 201
    deliver(app)
    [mail] = inbox.messages
    assert mail.envelope_to == [BOB]
    assert "Bcc" not in header_names(mail)
    assert str(mail.message["Subject"]).startswith("New comment by Eve Bcc")


def test_html_in_a_comment_arrives_as_text_in_both_parts(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site = make.site()
    make.comment(site)
    follow_thread(app, client, inbox, site.slug)
    hostile = (
        '<script>alert(1)</script> <img src=x onerror="alert(2)"> '
        '<a href="javascript:alert(3)">x</a> </div></body><style>*{}</style>'
    )
    assert (
        post_comment(client, site.slug, body=hostile, author={"name": "<b>Mallory</b>"}).status_code
        == 201
    )
    deliver(app)
    [mail] = inbox.messages
    html = mail.html
    for tag in ("<script", "<img", "<style", "<b>", 'href="javascript'):
        assert tag not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;Mallory&lt;/b&gt;" in html
    assert "<script>alert(1)</script>" in mail.text  # plain text is inert as it is


def test_header_text_keeps_one_bounded_line() -> None:
    assert header_text("a\r\nb\tc\u200bd\u2029e") == "a b c d e"
    assert len(header_text("x" * 500)) == 200


def test_build_message_refuses_nothing_and_injects_nothing(app: Flask) -> None:
    mail = Mail(
        to="bob@reader.example",
        subject="Hi\r\nBcc: victim@evil.example",
        text="text",
        html="<p>html</p>",
        locale="en",
        unsubscribe_url="https://comments.example/unsubscribe/x",
    )
    with app.app_context():
        message = build_message(
            mail, uid="uid-1", mail_from="comments@blog.example", from_name="A\nB"
        )
    raw = message.as_bytes()
    assert b"\nBcc:" not in raw
    assert message["Subject"] == "Hi Bcc: victim@evil.example"
    assert message["Message-ID"] == "<uid-1@blog.example>"
