"""Page URLs are read as browsers read them, stored normalised, and must be on a site origin
(issue 19, point 2): `http://evil.example\\@blog.example/a` is on evil.example for a browser, so
it must not pass as a page of blog.example, nor carry a sign-in code there."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service.models import Thread
from service.notifications import links
from service.notifications.subscriptions import get_or_create_address
from tests.factories import ORIGIN, Factories
from tests.functional.helpers import error_of, post_comment
from tests.identity.test_verified_guests import confirm_link, request_link, verify_mail
from tests.notifications.conftest import MAIL_FROM, PUBLIC_URL, Inbox, SmtpServer, deliver

HOSTILE = [
    "http://evil.example\\@blog.example/a",
    "https://evil.example\\@blog.example/a",
    "https://blog.example@evil.example/a",
    "https://x:y@blog.example/a",
    "https:\\\\evil.example/a",
    "https://evil.example%2f@blog.example/a",
    "https://blog.example\x00/a",
    "javascript://blog.example/%0aalert(1)",
]


@pytest.fixture
def settings_overrides(smtp_server: SmtpServer) -> dict[str, Any]:
    return {"smtp_url": smtp_server.url, "public_url": PUBLIC_URL, "mail_from": MAIL_FROM}


@pytest.mark.parametrize("url", HOSTILE)
def test_a_comment_on_a_page_url_off_the_site_is_refused_with_a_field_error(
    client: FlaskClient, make: Factories, url: str
) -> None:
    site = make.site()
    response = post_comment(client, site.slug, thread="/a", thread_url=url)
    assert response.status_code == 400, response.json
    assert list(error_of(response)["fields"]) == ["thread_url"]


@pytest.mark.parametrize("url", HOSTILE)
def test_a_verification_for_a_page_url_off_the_site_is_refused_and_mails_nothing(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox, url: str
) -> None:
    site = make.site()
    response = request_link(client, site.slug, thread_url=url)
    assert response.status_code == 400, response.json
    assert list(error_of(response)["fields"]) == ["thread_url"]
    deliver(app)
    assert inbox.messages == []


def test_the_thread_url_is_stored_normalised(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    given = "HTTPS://Blog.Example:443\\a/./b/../caf%c3%a9 x?p=1#comment-2"
    assert post_comment(client, site.slug, thread="/a", thread_url=given).status_code == 201
    stored = make.session.scalar(select(Thread.url).where(Thread.key == "/a"))
    assert stored == f"{ORIGIN}/a/caf%C3%A9%20x?p=1"


def test_the_verification_mail_links_back_to_the_normalised_page(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site = make.site()
    given = "https://BLOG.example:443/post/../post?p=1#section"
    assert request_link(client, site.slug, thread_url=given).status_code == 202
    page, _code = confirm_link(client, verify_mail(app, inbox))
    assert page == f"{ORIGIN}/post?p=1"


def test_a_verification_link_made_for_another_host_hands_out_no_sign_in_code(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    """Links mailed before the fix carry the page URL they were asked for: re-checked on use."""
    site = make.site()
    with app.app_context():
        address = get_or_create_address(make.session, "ada@example.org")
        make.session.commit()
        token = links.of(make.session).verify_token(
            address, site.id, "https://evil.example\\@blog.example/a", None
        )
    response = client.post(f"/verify/{token}", data={"name": "Ada"})
    assert response.status_code == 200, response.text
    assert "sidenote-login" not in response.text
    assert "evil.example" not in response.text
