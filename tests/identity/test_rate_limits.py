"""Rate limits count a signed-in reader by their identity, not by their address."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.functional.helpers import post_comment
from tests.identity.conftest import SsoSite


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"ratelimit_enabled": True, "ratelimit_post": "1/minute", "ratelimit_login": ""}


def test_posting_is_limited_per_identity_across_sessions(
    client: FlaskClient, sso_site: SsoSite, sign_in: Callable[..., dict[str, str]]
) -> None:
    assert post_comment(client, sso_site.slug, headers=sign_in(sub="busy")).status_code == 201
    again = post_comment(client, sso_site.slug, body="Second", headers=sign_in(sub="busy"))
    assert again.status_code == 429


def test_another_identity_on_the_same_address_has_its_own_allowance(
    client: FlaskClient, sso_site: SsoSite, sign_in: Callable[..., dict[str, str]]
) -> None:
    assert post_comment(client, sso_site.slug, headers=sign_in(sub="one")).status_code == 201
    other = post_comment(client, sso_site.slug, body="Someone else", headers=sign_in(sub="two"))
    assert other.status_code == 201
