"""Moderator login limits failed attempts per address (SIDENOTE_RATELIMIT_LOGIN_FAILURES) and per
username and address (SIDENOTE_RATELIMIT_LOGIN_FAILURES_USER); never per username alone, so
nobody can lock a moderator out from elsewhere."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.factories import Factories
from tests.functional.helpers import error_of
from tests.functional.moderation.conftest import PASSWORD, Credentials


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {
        "ratelimit_enabled": True,
        "ratelimit_login_failures": "6/minute",
        "ratelimit_login_failures_user": "3/minute",
    }


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


def test_failures_from_other_addresses_do_not_lock_the_moderator_out(
    client: FlaskClient, make: Factories, creds: Credentials
) -> None:
    creds.moderator("mia", sites=[make.site()])
    for _ in range(4):
        login(client, "mia", "guess", ip="198.51.100.66")
    for n in range(3):
        login(client, "mia", "guess", ip=f"198.51.100.{n + 100}")
    assert login(client, "mia", PASSWORD, ip="192.0.2.99").status_code == 200


def test_correct_logins_do_not_count_toward_the_limit(
    client: FlaskClient, make: Factories, creds: Credentials
) -> None:
    creds.moderator("mia", sites=[make.site()])
    for _ in range(4):
        assert login(client, "mia", PASSWORD).status_code == 200


def test_one_address_guessing_many_usernames_is_limited_per_address(
    client: FlaskClient, make: Factories, creds: Credentials
) -> None:
    creds.moderator("mia", sites=[make.site()])
    for n in range(6):
        assert login(client, f"user{n}", "guess").status_code == 401
    assert login(client, "mia", PASSWORD).status_code == 429
    assert login(client, "mia", PASSWORD, ip="192.0.2.2").status_code == 200
