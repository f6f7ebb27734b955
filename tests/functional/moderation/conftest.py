"""Fixtures for the moderation tests: moderators, API tokens and logged-in clients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from service.kernel import actors
from service.models import Moderator, Site
from service.moderation import accounts
from tests.factories import Factories

PASSWORD = "correct horse battery"


class Credentials:
    """Makes moderators and tokens through the auth domain, committed so requests see them."""

    def __init__(self, app: Flask, session: Session) -> None:
        self.app = app
        self.session = session

    def token(self, site: Site | None = None, scope: str = "moderate", name: str = "") -> str:
        with self.app.app_context():
            _token, secret = accounts.create_token(
                self.session, scope=scope, site_slug=site.slug if site else None, name=name
            )
            self.session.commit()
        return secret

    def headers(self, site: Site | None = None, scope: str = "moderate") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(site, scope)}"}

    def moderator(
        self, username: str = "mia", role: str = "moderator", sites: list[Site] | None = None
    ) -> Moderator:
        with self.app.app_context():
            moderator = accounts.create_moderator(
                self.session,
                username=username,
                password=PASSWORD,
                role=role,
                site_slugs=[s.slug for s in sites or []],
            )
            self.session.commit()
        return moderator


@pytest.fixture
def creds(app: Flask, session: Session) -> Credentials:
    return Credentials(app, session)


@pytest.fixture
def site(make: Factories) -> Site:
    return make.site()


@pytest.fixture
def headers(creds: Credentials, site: Site) -> dict[str, str]:
    """A moderator's headers for `site`."""
    return creds.headers(site, "moderate")


def log_in(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    """Log in through the API; returns the CSRF token."""
    response = client.post(
        "/api/v1/moderation/session", json={"username": username, "password": password}
    )
    assert response.status_code == 200, response.json
    return response.json["principal"]["csrf_token"]


@pytest.fixture
def logged_in(client: FlaskClient, creds: Credentials) -> Callable[..., str]:
    def login_as(
        username: str = "mia", role: str = "moderator", sites: list[Site] | None = None
    ) -> str:
        creds.moderator(username, role, sites)
        return str(log_in(client, username))

    return login_as


def set_rules(app: Flask, session: Session, site: Site, **rules: Any) -> None:
    """Save rules for a site through the domain (as the CLI would)."""
    from service.moderation.rules import Rules, update_rules

    with app.app_context():
        update_rules(session, site, Rules(**rules), actor=actors.CLI_ACTOR)
        session.commit()


@pytest.fixture
def rules(app: Flask, session: Session) -> Callable[..., None]:
    def set_for(site: Site, **values: Any) -> None:
        set_rules(app, session, site, **values)

    return set_for
