"""A verified guest's login code is bound to the browser that asked for the mail (the widget's
random id in the host page's localStorage, sent as X-Sidenote-Voter): there it signs in by
itself; in any other browser only after the reader confirmed "Sign in as NAME on this device?"
(issue 19, point 2). So a leaked link, or an attacker's own code opened by a victim (login CSRF),
signs nobody in silently."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import Factories
from tests.functional.helpers import error_of, post_comment
from tests.identity.conftest import SsoSite
from tests.identity.test_verified_guests import (
    BROWSER,
    confirm_link,
    guest_session,
    request_link,
    verify_mail,
)
from tests.notifications.conftest import MAIL_FROM, PUBLIC_URL, SmtpServer

OTHER = "someone-elses-browser"


@pytest.fixture
def settings_overrides(smtp_server: SmtpServer) -> dict[str, Any]:
    return {"smtp_url": smtp_server.url, "public_url": PUBLIC_URL, "mail_from": MAIL_FROM}


def code_for_ada(app: Flask, client: FlaskClient, inbox: Any, site: str, **extra: Any) -> str:
    assert request_link(client, site, **extra).status_code == 202
    _page, code = confirm_link(client, verify_mail(app, inbox), "Ada")
    return code


def test_the_browser_that_asked_is_signed_in_by_the_code_alone(
    app: Flask, client: FlaskClient, make: Factories, inbox: Any
) -> None:
    site = make.site()
    code = code_for_ada(app, client, inbox, site.slug)
    response = guest_session(client, site.slug, code, browser=BROWSER)
    assert response.status_code == 200, response.json
    assert response.json["user"]["name"] == "Ada"


@pytest.mark.parametrize("browser", [OTHER, None])
def test_another_browser_must_confirm_who_it_signs_in_as(
    app: Flask, client: FlaskClient, make: Factories, inbox: Any, browser: str | None
) -> None:
    site = make.site()
    code = code_for_ada(app, client, inbox, site.slug)
    refused = guest_session(client, site.slug, code, browser=browser)
    assert refused.status_code == 403
    error = error_of(refused)
    assert error["code"] == "confirmation_required"
    assert error["fields"] == {"confirm": "Sign in as Ada on this device?"}
    confirmed = guest_session(client, site.slug, code, browser=browser, confirm=True)
    assert confirmed.status_code == 200, confirmed.json
    assert guest_session(client, site.slug, code, browser=browser, confirm=True).status_code == 401


def test_the_question_is_in_the_readers_language(
    app: Flask, client: FlaskClient, make: Factories, inbox: Any
) -> None:
    site = make.site()
    code = code_for_ada(app, client, inbox, site.slug)
    refused = client.post(
        "/api/v1/guest/session",
        json={"site": site.slug, "code": code},
        headers={"Accept-Language": "de"},
    )
    assert error_of(refused)["fields"] == {"confirm": "Auf diesem Gerät als Ada anmelden?"}


def test_an_attackers_code_opened_by_a_victim_signs_nobody_in_by_itself(
    app: Flask, client: FlaskClient, make: Factories, inbox: Any
) -> None:
    site = make.site()
    attackers = code_for_ada(app, client, inbox, site.slug, browser="attackers-browser")
    response = guest_session(client, site.slug, attackers, browser="victims-browser")
    assert response.status_code == 403
    assert "session_token" not in response.json


def test_a_code_from_a_guests_held_comment_is_bound_to_the_browser_that_posted(
    app: Flask, client: FlaskClient, sso_site: SsoSite, inbox: Any
) -> None:
    sso_site.configure(verify_guests=True)
    site = sso_site.site
    posted = post_comment(
        client,
        site.slug,
        author={"name": "Ada", "email": "Ada@Example.org"},
        headers={"X-Sidenote-Voter": BROWSER},
    )
    assert posted.status_code == 201, posted.json
    _page, code = confirm_link(client, verify_mail(app, inbox), "Ada")
    assert guest_session(client, site.slug, code, browser=OTHER).status_code == 403
    assert guest_session(client, site.slug, code, browser=BROWSER).status_code == 200
