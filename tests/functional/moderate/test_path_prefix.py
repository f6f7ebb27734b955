"""Served under a path prefix (https://example.com/comments/ behind a proxy): every link,
redirect, form action, cookie path and mail link the moderator meets carries the prefix.

The prefix arrives as WSGI's SCRIPT_NAME (gunicorn's `SCRIPT_NAME` environment variable; here the
test client's base URL) or as `X-Forwarded-Prefix` from a trusted proxy.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from service.models import Moderator, Site
from service.moderation.auth import SESSION_COOKIE
from service.moderation.ui.login import LOGIN_CSRF_COOKIE
from service.notifications import links
from tests.factories import Factories
from tests.functional.moderate.conftest import PASSWORD, Credentials, Page

PREFIX = "/comments"
PUBLIC_URL = "https://example.com/comments"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"public_url": PUBLIC_URL}


class Browser:
    """A browser at https://example.com/comments/: every request goes under the prefix."""

    def __init__(self, client: FlaskClient, **environ: str) -> None:
        self.client = client
        self.environ = environ

    def get(self, path: str) -> TestResponse:
        return self.client.get(
            path,
            base_url=f"http://localhost{PREFIX}",
            headers={"Accept": "text/html"},
            environ_overrides=self.environ,
        )

    def post(self, path: str, data: dict[str, str]) -> TestResponse:
        return self.client.post(
            path,
            data=data,
            base_url=f"http://localhost{PREFIX}",
            headers={"Accept": "text/html"},
            environ_overrides=self.environ,
        )


def app_path(url: str) -> str:
    """What a browser at the prefix requests for `url`, as the test client's path (no prefix)."""
    parts = urlsplit(url)
    assert parts.path.startswith(PREFIX + "/"), url
    return parts.path[len(PREFIX) :] + (f"?{parts.query}" if parts.query else "")


def local_urls(page: Page) -> list[str]:
    """Every href, src and form action on the page that points into this service."""
    found = []
    for _tag, attributes in page.elements:
        for name in ("href", "src", "action"):
            value = attributes.get(name, "")
            if value.startswith("/") and not value.startswith("//"):
                found.append(value)
    return found


def assert_all_prefixed(page: Page) -> None:
    urls = local_urls(page)
    assert urls, "the page has no links"
    assert [u for u in urls if not u.startswith(PREFIX + "/")] == []


def cookie_header(response: TestResponse, name: str) -> str:
    (cookie,) = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(f"{name}=")]
    return cookie


@pytest.fixture
def mia(creds: Credentials) -> Moderator:
    return creds.moderator("mia", role="admin")


@pytest.fixture
def site(make: Factories) -> Site:
    return make.site("blog", name="The Blog")


def log_in(browser: Browser) -> Page:
    """From /moderate to the queue, the way a moderator's browser goes."""
    first = browser.get("/moderate")
    assert first.status_code == 303
    assert first.headers["Location"].startswith(f"{PREFIX}/moderate/login?next=")

    form_page = browser.get(app_path(first.headers["Location"]))
    assert form_page.status_code == 200
    assert f"Path={PREFIX}/moderate/login" in cookie_header(form_page, LOGIN_CSRF_COOKIE)
    page = Page(form_page.get_data(as_text=True))
    (form,) = page.find("form", method="post")
    assert form["action"] == f"{PREFIX}/moderate/login"
    fields = {a["name"]: a.get("value", "") for a in page.find("input") if a.get("name")}

    logged_in = browser.post(
        app_path(form["action"]),
        {**fields, "username": "mia", "password": PASSWORD},
    )
    assert logged_in.status_code == 303, logged_in.get_data(as_text=True)[:500]
    assert logged_in.headers["Location"].startswith(f"{PREFIX}/moderate")
    assert f"Path={PREFIX};" in cookie_header(logged_in, SESSION_COOKIE) + ";"
    queue = browser.get(app_path(browser.get("/moderate").headers.get("Location", "/x")))
    if queue.status_code != 200:  # /moderate may answer the queue itself
        queue = browser.get("/moderate/queue")
    assert queue.status_code == 200
    return Page(queue.get_data(as_text=True))


@pytest.mark.usefixtures("mia")
def test_a_moderator_logs_in_and_decides_under_the_prefix(
    client: FlaskClient, make: Factories, site: Site
) -> None:
    pending = make.comment(site=site, body="Waiting under a prefix", status="pending")
    browser = Browser(client)
    queue = log_in(browser)
    assert "Waiting under a prefix" in queue.text
    assert_all_prefixed(queue)
    assert queue.find("meta", name="sidenote-root") == [
        {"name": "sidenote-root", "content": PREFIX}
    ]

    (decide,) = [
        f for f in queue.find("form") if f.get("action", "").endswith(f"/{pending.id}/decision")
    ]
    assert decide["action"] == f"{PREFIX}/moderate/comments/{pending.id}/decision"
    csrf = next(a["value"] for a in queue.find("input") if a.get("name") == "csrf_token")
    decided = browser.post(
        app_path(decide["action"]), {"csrf_token": csrf, "action": "approve", "next": ""}
    )
    assert decided.status_code == 303
    assert decided.headers["Location"].startswith(f"{PREFIX}/moderate/")
    after = Page(browser.get(app_path(decided.headers["Location"])).get_data(as_text=True))
    assert "Waiting under a prefix" not in after.text
    assert_all_prefixed(after)


@pytest.mark.usefixtures("mia")
def test_the_settings_and_audit_pages_link_under_the_prefix(
    client: FlaskClient, site: Site
) -> None:
    browser = Browser(client)
    log_in(browser)
    for path in (
        "/moderate/dashboard",
        "/moderate/settings",
        "/moderate/audit",
        "/moderate/bans",
        "/moderate/webhooks",
        "/moderate/moderators",
        "/moderate/tokens",
        "/moderate/sites/blog/settings",
        "/moderate/sites/blog/rules",
    ):
        answer = browser.get(path)
        assert answer.status_code == 200, path
        assert_all_prefixed(Page(answer.get_data(as_text=True)))


def test_a_link_from_a_mail_opens_its_page_under_the_prefix(
    app: Flask, client: FlaskClient, make: Factories, site: Site, mia: Moderator
) -> None:
    pending = make.comment(site=site, body="Decide me from a mail", status="pending")
    with app.test_request_context("/", base_url=f"http://localhost{PREFIX}"):
        link = links.of(make.session).decide_url(
            links.of(make.session).base_url(), pending, "approve", mia.id
        )
    assert link.startswith(f"{PUBLIC_URL}/mail/decide/")
    page = Browser(client).get(app_path(link))
    assert page.status_code == 200
    parsed = Page(page.get_data(as_text=True))
    (form,) = parsed.find("form", method="post")
    assert form["action"] == urlsplit(link).path
    assert_all_prefixed(parsed)


@pytest.mark.parametrize("settings_overrides", [{"public_url": ""}])
def test_without_a_public_url_mail_links_take_nothing_from_the_request(
    app: Flask, make: Factories, site: Site, mia: Moderator
) -> None:
    """No link is built from the request (issue 19): without SIDENOTE_PUBLIC_URL (allowed only
    outside production) a mail's link is relative; under a prefix, PUBLIC_URL carries it."""
    pending = make.comment(site=site, body="x", status="pending")
    with app.test_request_context("/", base_url=f"http://evil.example{PREFIX}"):
        link = links.of(make.session).decide_url(
            links.of(make.session).base_url(), pending, "approve", mia.id
        )
    assert link.startswith("/mail/decide/")
