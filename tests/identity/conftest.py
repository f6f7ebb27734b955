"""Fixtures of the identity tests: sites with SSO secrets, tokens those sites sign, sessions."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from service.comments.site_identity import update_settings
from service.identity import sso
from service.models import Site
from tests.factories import Factories
from tests.notifications.conftest import inbox, smtp_server  # noqa: F401 - the real SMTP server

_subs = itertools.count(1)


@dataclass
class SsoSite:
    """A site with one SSO secret, and helpers to sign tokens for it and sign in with them."""

    site: Site
    secret: str
    app: Flask
    session: Session

    @property
    def slug(self) -> str:
        return self.site.slug

    def token(self, secret: str | None = None, **claims: Any) -> str:
        now = int(time.time())
        payload: dict[str, Any] = {
            "aud": self.slug,
            "sub": "user-1",
            "name": "Ada Lovelace",
            "email": "ada@example.org",
            "iat": now,
            "exp": now + 300,
        }
        payload.update(claims)
        for name in [name for name, value in payload.items() if value is None]:
            del payload[name]
        return jwt.encode(payload, secret or self.secret, algorithm="HS256")

    def add_secret(self) -> str:
        with self.app.app_context():
            _row, raw = sso.add_secret(self.session, self.site)
            self.session.commit()
        return raw

    def retire_old(self) -> None:
        with self.app.app_context():
            sso.retire_old(self.session, self.site)
            self.session.commit()

    def configure(self, **switches: Any) -> None:
        with self.app.app_context():
            update_settings(self.session, self.site, **switches)
            self.session.commit()


@pytest.fixture
def sso_site(app: Flask, session: Session, make: Factories) -> SsoSite:
    site = make.site()
    with app.app_context():
        _row, raw = sso.add_secret(session, site)
        session.commit()
    return SsoSite(site, raw, app, session)


def exchange(client: FlaskClient, site: str, token: str) -> Any:
    return client.post("/api/v1/sso/session", json={"site": site, "token": token})


@pytest.fixture
def sign_in(client: FlaskClient, sso_site: SsoSite) -> Callable[..., dict[str, str]]:
    """Sign in as an SSO user of `sso_site` (a new `sub` unless given); returns the headers."""

    def sign_in_as(sub: str | None = None, **claims: Any) -> dict[str, str]:
        token = sso_site.token(sub=sub or f"user-{next(_subs)}", **claims)
        response = exchange(client, sso_site.slug, token)
        assert response.status_code == 200, response.json
        return {"Authorization": f"Bearer {response.json['session_token']}"}

    return sign_in_as
