"""What the widget learns from the site config: SSO offered, required, where to sign in."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.factories import Factories
from tests.identity.conftest import SsoSite


def config(client: FlaskClient, site: str) -> dict[str, object]:
    response = client.get(f"/api/v1/sites/{site}/config")
    assert response.status_code == 200
    body: dict[str, object] = response.json
    return body


def test_a_site_with_a_secret_offers_sso(client: FlaskClient, sso_site: SsoSite) -> None:
    body = config(client, sso_site.slug)
    assert body["features"] == {"subscriptions": True, "sso": True, "inline": True}
    assert body["sso_required"] is False and body["login_url"] is None


def test_a_site_without_a_secret_does_not(client: FlaskClient, make: Factories) -> None:
    assert config(client, make.site().slug)["features"]["sso"] is False  # type: ignore[index]


def test_login_and_logout_urls_and_switches_are_in_the_config(
    client: FlaskClient, sso_site: SsoSite
) -> None:
    sso_site.configure(
        sso_required=True,
        login_url="https://blog.example/login?next=/",
        logout_url="https://blog.example/logout",
    )
    body = config(client, sso_site.slug)
    assert body["sso_required"] is True
    assert body["login_url"] == "https://blog.example/login?next=/"
    assert body["logout_url"] == "https://blog.example/logout"
    assert body["verify_guests"] is False


def test_guest_verification_is_in_the_config(client: FlaskClient, sso_site: SsoSite) -> None:
    sso_site.configure(verify_guests=True)
    assert config(client, sso_site.slug)["verify_guests"] is True
