"""The demo's sign-in switch: a development-only token route, and a seeded secret."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from service.demo import seed_demo_sso
from service.identity.sso import active_secrets
from tests.factories import Factories


def test_the_demo_token_route_exists_only_in_development(client: FlaskClient) -> None:
    assert client.post("/demo/sso-token").status_code == 404


def test_seeding_the_demo_makes_one_secret_however_often_it_runs(
    app: Flask, session: Session, make: Factories
) -> None:
    site = make.site()
    with app.app_context():
        first = list(seed_demo_sso(session, site))
        again = list(seed_demo_sso(session, site))
        assert len(first) == 1 and again == []
        assert len(active_secrets(session, site.id)) == 1
