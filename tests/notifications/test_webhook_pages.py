"""The moderator UI's webhook page: log, test button, add and remove (admins), behind login."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.factories import Factories
from tests.functional.helpers import post_comment
from tests.functional.moderation.conftest import Credentials, log_in
from tests.notifications.conftest import Receiver, deliver


@pytest.fixture
def creds(app: Flask, session: Session) -> Credentials:
    return Credentials(app, session)


def test_the_page_needs_a_login(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    response = client.get(f"/moderate/sites/{site.slug}/webhooks", headers={"Accept": "text/html"})
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/moderate/login")


def test_an_admin_adds_a_webhook_tests_it_and_sees_the_delivery(
    app: Flask, client: FlaskClient, make: Factories, creds: Credentials, receiver: Receiver
) -> None:
    site = make.site()
    creds.moderator("ada", "admin")
    csrf = log_in(client, "ada")
    path = f"/moderate/sites/{site.slug}/webhooks"
    added = client.post(
        path,
        data={
            "csrf_token": csrf,
            "action": "add",
            "url": receiver.url,
            "events": ["comment.created"],
        },
    )
    assert added.status_code == 200
    [secret] = re.findall(r'<code class="sn-secret">(whsec_[^<]+)</code>', added.text)
    [hook_id] = re.findall(r'name="webhook" value="(\d+)"', added.text)[:1]
    assert (
        client.post(
            path, data={"csrf_token": csrf, "action": "test", "webhook": hook_id}
        ).status_code
        == 200
    )
    post_comment(client, site.slug, body="Seen in the log")
    deliver(app)
    assert sorted(hit.json["event"] for hit in receiver.hits) == ["comment.created", "ping"]
    page = client.get(path)
    assert page.text.count("<td>sent</td>") == 2
    assert secret not in page.text


def test_moderators_see_the_log_but_cannot_add_or_remove(
    client: FlaskClient, make: Factories, creds: Credentials
) -> None:
    site = make.site()
    creds.moderator("mo", "moderator", [site])
    csrf = log_in(client, "mo")
    path = f"/moderate/sites/{site.slug}/webhooks"
    page = client.get(path)
    assert page.status_code == 200 and "Add a webhook" not in page.text
    refused = client.post(
        path, data={"csrf_token": csrf, "action": "add", "url": "https://hooks.example/in"}
    )
    assert refused.status_code == 403
    assert "This site has no webhooks." in refused.text


def test_forms_without_the_csrf_token_are_refused(
    client: FlaskClient, make: Factories, creds: Credentials
) -> None:
    site = make.site()
    creds.moderator("ada", "admin")
    log_in(client, "ada")
    response = client.post(
        f"/moderate/sites/{site.slug}/webhooks",
        data={"action": "add", "url": "https://hooks.example/in", "events": ["comment.created"]},
    )
    assert response.status_code == 403


def test_the_navigation_leads_a_moderator_to_their_sites_webhook_pages(
    client: FlaskClient, make: Factories, creds: Credentials
) -> None:
    site, other = make.site(), make.site()
    creds.moderator("mo", "moderator", [site])
    log_in(client, "mo")
    assert 'href="/moderate/webhooks"' in client.get("/moderate/bans").text
    index = client.get("/moderate/webhooks")
    assert index.status_code == 200
    assert '<a href="/moderate/webhooks" aria-current="page">' in index.text
    linked = re.findall(r'href="(/moderate/sites/[^/"]+/webhooks)"', index.text)
    assert linked == [f"/moderate/sites/{site.slug}/webhooks"]
    assert client.get(linked[0]).status_code == 200
    assert client.get(f"/moderate/sites/{other.slug}/webhooks").status_code == 403
