"""Whole flows against a real SMTP server: subscribe, confirm, receive, unsubscribe, silence."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.factories import Factories
from tests.functional.helpers import post_comment
from tests.notifications.conftest import MAIL_FROM, Inbox, deliver
from tests.notifications.helpers import confirm, link_to, one_click_path, subscribe

BOB = "bob@reader.example"


def test_replies_subscription_from_confirmation_to_one_click_unsubscribe(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site = make.site()
    root = make.comment(site, author="Ann", body="First!")

    assert subscribe(client, site.slug, BOB, kind="replies", comment_id=root.id).status_code == 202
    deliver(app)
    [confirmation] = inbox.to(BOB)
    assert confirmation.message["From"].addresses[0].addr_spec == MAIL_FROM
    confirm(client, confirmation)

    inbox.clear()
    assert (
        post_comment(
            client, site.slug, parent_id=root.id, body="Hi Ann", author={"name": "Carol"}
        ).status_code
        == 201
    )
    deliver(app)
    [notification] = inbox.to(BOB)
    assert "Carol replied" in str(notification.message["Subject"])
    assert "Hi Ann" in notification.text
    assert notification.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link_to(notification, "/subscriptions/manage/")

    unsubscribe = client.post(
        one_click_path(notification),
        data={"List-Unsubscribe": "One-Click"},
        content_type="application/x-www-form-urlencoded",
    )
    assert unsubscribe.status_code == 200

    inbox.clear()
    assert post_comment(client, site.slug, parent_id=root.id, body="Again").status_code == 201
    deliver(app)
    assert inbox.to(BOB) == []


def test_thread_subscription_from_confirmation_to_unsubscribe_page(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site = make.site()
    make.comment(site)
    assert subscribe(client, site.slug, BOB, kind="thread").status_code == 202
    deliver(app)
    confirm(client, inbox.to(BOB)[0])

    inbox.clear()
    assert (
        post_comment(
            client, site.slug, body="A new top-level comment", author={"name": "Dan"}
        ).status_code
        == 201
    )
    deliver(app)
    [notification] = inbox.to(BOB)
    assert "New comment by Dan" in str(notification.message["Subject"])

    page = client.get(one_click_path(notification))
    assert page.status_code == 200 and 'method="post"' in page.text
    assert client.post(one_click_path(notification)).status_code == 200

    inbox.clear()
    assert post_comment(client, site.slug, body="Nobody hears this").status_code == 201
    deliver(app)
    assert inbox.to(BOB) == []
