"""/healthz for load balancers and /metrics for Prometheus."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from werkzeug.test import TestResponse

from service import create_app
from service.db import get_db
from tests.conftest import make_settings
from tests.factories import Factories


def test_healthz_is_ok_when_the_database_is_migrated(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {"database": "ok", "migrations": "ok"}}
    assert response.headers["Cache-Control"] == "no-store"


def healthz_of(database_url: str) -> TestResponse:
    app = create_app(make_settings(database_url))
    try:
        return app.test_client().get("/healthz")
    finally:
        get_db(app).dispose()


def test_healthz_is_503_when_migrations_are_missing(tmp_path: Path) -> None:
    response = healthz_of(f"sqlite:///{tmp_path / 'empty.db'}")
    assert response.status_code == 503
    assert response.json["checks"]["database"] == "ok"
    assert response.json["checks"]["migrations"].startswith("behind")
    assert response.headers["Retry-After"]


def test_healthz_says_a_database_migrated_by_a_newer_sidenote_is_newer_not_behind(
    tmp_path: Path,
) -> None:
    database_url = f"sqlite:///{tmp_path / 'newer.db'}"
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32))"))
        connection.execute(text("INSERT INTO alembic_version VALUES ('0099_from_the_future')"))
    engine.dispose()
    response = healthz_of(database_url)
    assert response.status_code == 503
    assert response.json["checks"]["migrations"].startswith("newer than this code (0099_")


def test_healthz_is_503_when_the_database_is_unreachable() -> None:
    response = healthz_of("postgresql://nobody@127.0.0.1:1/none")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "checks": {"database": "unreachable"}}


def test_metrics_are_off_without_a_token(tmp_path: Path) -> None:
    app = create_app(make_settings(f"sqlite:///{tmp_path / 'm.db'}"))
    assert app.test_client().get("/metrics").status_code == 404


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"metrics_token": "scrape-me-please"}


def test_metrics_need_the_bearer_token(client: FlaskClient) -> None:
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401


def test_metrics_count_requests_and_queues(client: FlaskClient, make: Factories) -> None:
    make.comment(make.site(), status="pending")
    client.get("/api/v1/nothing")
    response = client.get("/metrics", headers={"Authorization": "Bearer scrape-me-please"})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "sidenote_requests_total" in text
    assert "sidenote_request_seconds_bucket" in text
    assert 'sidenote_moderation_queue{queue="pending"} 1.0' in text
    assert "sidenote_outbox_backlog" in text
