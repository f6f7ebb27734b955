"""`make run` (development) creates the moderator demo / demo-moderator and prints it."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from service.demo import DEMO_MODERATOR, DEMO_PASSWORD, seed_demo_moderator


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"env": "development"}


def test_the_demo_moderator_can_log_in(app: Flask, session: Session, client: FlaskClient) -> None:
    with app.app_context():
        lines = list(seed_demo_moderator(session, port=8000))
        again = list(seed_demo_moderator(session, port=8000))  # idempotent
        session.commit()
    assert lines == again and DEMO_PASSWORD in lines[0] and DEMO_MODERATOR in lines[0]
    response = client.post(
        "/api/v1/moderation/session",
        json={"username": DEMO_MODERATOR, "password": DEMO_PASSWORD},
    )
    assert response.status_code == 200
    assert response.json["principal"]["scope"] == "admin"
