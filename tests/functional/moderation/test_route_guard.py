"""No moderation or admin route answers without credentials: every rule of the URL map under
/api/v1/moderation, /api/v1/admin and /moderate is called without them (and with a body that
would not validate, so auth provably comes first)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.kernel.actors import PROTECTED_PREFIXES, is_protected
from tests.factories import Factories
from tests.functional.moderation.conftest import Credentials

#: Views that must be reachable without credentials: logging in, nothing else.
PUBLIC_ENDPOINTS = {"api.login", "moderate.login", "moderate.login_form", "moderate.login_submit"}


def protected_rules(app: Flask) -> list[tuple[str, str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if not is_protected(rule.rule):
            continue
        path = re.sub(r"<int(?:\([^)]*\))?:\w+>", "1", rule.rule)
        path = re.sub(r"<(?:\w+:)?\w+>", "x", path)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, path))
    return found


def test_there_are_protected_routes(app: Flask) -> None:
    endpoints = {endpoint for endpoint, _, _ in protected_rules(app)}
    assert {"api.moderation_queue", "api.decide_comment", "api.list_tokens"} <= endpoints


def test_no_protected_route_answers_without_credentials(app: Flask, client: FlaskClient) -> None:
    leaks = []
    for endpoint, method, path in protected_rules(app):
        if endpoint in PUBLIC_ENDPOINTS:
            continue
        for accept in ("application/json", "text/html"):
            response = client.open(
                path, method=method, json={"junk": True}, headers={"Accept": accept}
            )
            redirected_to_login = response.status_code == 303 and response.headers[
                "Location"
            ].startswith("/moderate/login")
            if response.status_code != 401 and not redirected_to_login:
                leaks.append((method, path, accept, response.status_code))
    assert leaks == []


def test_no_protected_route_answers_to_a_forged_token(app: Flask, client: FlaskClient) -> None:
    leaks = []
    for endpoint, method, path in protected_rules(app):
        if endpoint in PUBLIC_ENDPOINTS:
            continue
        response = client.open(
            path, method=method, json={}, headers={"Authorization": "Bearer snt_forged"}
        )
        if response.status_code != 401:
            leaks.append((method, path, response.status_code))
    assert leaks == []


def test_only_login_views_are_public(app: Flask) -> None:
    public = {
        endpoint
        for endpoint, _, _ in protected_rules(app)
        if getattr(app.view_functions[endpoint], "sidenote_public", False)
    }
    assert public <= PUBLIC_ENDPOINTS


def test_the_login_route_refuses_wrong_credentials(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/moderation/session", json={"username": "nobody", "password": "nothing"}
    )
    assert response.status_code == 401


@pytest.mark.parametrize("prefix", PROTECTED_PREFIXES)
def test_unknown_paths_under_protected_prefixes_are_401_not_404(
    client: FlaskClient, prefix: str
) -> None:
    response = client.get(prefix + "/no-such-page", headers={"Accept": "application/json"})
    assert response.status_code == 401


def test_html_pages_under_moderate_redirect_to_the_login(client: FlaskClient) -> None:
    response = client.get("/moderate/queue?tab=spam", headers={"Accept": "text/html"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/moderate/login?next=/moderate/queue%3Ftab%3Dspam"


def test_protected_answers_are_never_cached(
    client: FlaskClient, make: Factories, creds: Credentials
) -> None:
    site = make.site()
    response = client.get(
        f"/api/v1/moderation/sites/{site.slug}/rules", headers=creds.headers(site, "read")
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
