"""Moderator login is rate limited (SIDENOTE_RATELIMIT_LOGIN) per IP hash and per username."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.factories import Factories
from tests.functional.helpers import error_of
from tests.functional.moderation.conftest import PASSWORD, Credentials


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"ratelimit_enabled": True, "ratelimit_login": "3/minute"}


def login(client: FlaskClient, username: str, password: str, ip: str = "192.0.2.1"):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/moderation/session",
        json={"username": username, "password": password},
        environ_overrides={"REMOTE_ADDR": ip},
    )


def test_guessing_is_refused_with_429_and_retry_after(
    client: FlaskClient, make: Factories, creds: Credentials
) -> None:
    creds.moderator("mia", sites=[make.site()])
    for _ in range(3):
        assert login(client, "mia", "guess").status_code == 401
    refused = login(client, "mia", PASSWORD)
    assert refused.status_code == 429
    assert error_of(refused)["code"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) >= 1


def test_the_username_limit_holds_across_addresses(
    client: FlaskClient, make: Factories, creds: Credentials
) -> None:
    creds.moderator("mia", sites=[make.site()])
    for n in range(3):
        login(client, "mia", "guess", ip=f"192.0.2.{n + 10}")
    assert login(client, "mia", PASSWORD, ip="192.0.2.99").status_code == 429
