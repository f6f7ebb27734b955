"""Logging in to /moderate with the form: a session cookie, a CSRF-protected login form, a safe
`next`, logout, and the login rate limit shown on the form."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from service.moderation.auth import SESSION_COOKIE
from service.moderation.ui.login import LOGIN_CSRF_COOKIE
from tests.functional.moderate.conftest import PASSWORD, UI, Credentials, Page


def login_form(client: FlaskClient, next_path: str = "") -> str:
    """Open the login form (as a browser does); return its hidden login token."""
    response = client.get("/moderate/login" + (f"?next={next_path}" if next_path else ""))
    assert response.status_code == 200
    (field,) = Page(response.get_data(as_text=True)).find("input", name="login_token")
    return field["value"]


def submit(
    client: FlaskClient,
    username: str = "mia",
    password: str = PASSWORD,
    *,
    token: str | None = None,
    next_path: str = "",
    ip: str = "192.0.2.1",
) -> TestResponse:
    token = login_form(client) if token is None else token
    return client.post(
        "/moderate/login",
        data={"username": username, "password": password, "login_token": token, "next": next_path},
        environ_overrides={"REMOTE_ADDR": ip},
    )


@pytest.fixture
def mia(creds: Credentials) -> None:
    creds.moderator("mia", role="admin")


def test_the_login_form_sets_its_double_submit_cookie(client: FlaskClient) -> None:
    response = client.get("/moderate/login")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{LOGIN_CSRF_COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    assert "Path=/moderate/login" in cookie
    page = Page(response.get_data(as_text=True))
    assert page.find("input", name="username", autocomplete="username")
    assert page.find("input", name="password", type="password")


@pytest.mark.usefixtures("mia")
def test_logging_in_opens_a_session_and_goes_to_next(client: FlaskClient) -> None:
    response = submit(client, next_path="/moderate/audit?action=ban")
    assert response.status_code == 303
    assert response.headers["Location"] == "/moderate/audit?action=ban"
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith(f"{SESSION_COOKIE}="))
    assert "HttpOnly" in session_cookie
    assert "SameSite=Lax" in session_cookie
    assert client.get("/moderate/audit", headers={"Accept": "text/html"}).status_code == 200


@pytest.mark.usefixtures("mia")
def test_a_wrong_password_shows_the_form_again(client: FlaskClient) -> None:
    response = submit(client, password="wrong password")
    assert response.status_code == 401
    page = Page(response.get_data(as_text=True))
    assert "Wrong username or password." in page.text
    assert page.find("input", name="username", value="mia", aria_invalid="true")
    assert not any(c.startswith(SESSION_COOKIE) for c in response.headers.getlist("Set-Cookie"))


@pytest.mark.usefixtures("mia")
def test_a_login_without_the_forms_cookie_is_refused(client: FlaskClient) -> None:
    token = login_form(client)
    client.delete_cookie(LOGIN_CSRF_COOKIE, path="/moderate/login")
    response = submit(client, token=token)
    assert response.status_code == 400
    assert "expired" in Page(response.get_data(as_text=True)).text
    assert client.get("/moderate/queue", headers={"Accept": "text/html"}).status_code == 303


@pytest.mark.usefixtures("mia")
def test_a_forged_login_token_is_refused(client: FlaskClient) -> None:
    login_form(client)
    response = submit(client, token="0" * 64)
    assert response.status_code == 400


@pytest.mark.usefixtures("mia")
@pytest.mark.parametrize(
    "next_path",
    [
        "https://evil.example/moderate",
        "//evil.example/moderate",
        "/api/v1/moderation/queue",
        "/moderateevil",
        "/moderate\\@evil.example",
        "javascript:alert(1)",
    ],
)
def test_a_next_outside_the_ui_goes_to_the_queue(client: FlaskClient, next_path: str) -> None:
    response = submit(client, next_path=next_path)
    assert response.headers["Location"] == "/moderate/queue"


def test_pages_send_a_logged_out_browser_to_the_login(client: FlaskClient) -> None:
    response = client.get("/moderate/dashboard", headers={"Accept": "text/html"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/moderate/login?next=/moderate/dashboard"
    form = Page(client.get(response.headers["Location"]).get_data(as_text=True))
    assert form.find("input", name="next", value="/moderate/dashboard")


def test_a_logged_in_moderator_skips_the_login_form(ui: UI) -> None:
    response = ui.get("/moderate/login?next=/moderate/bans")
    assert response.status_code == 303
    assert response.headers["Location"] == "/moderate/bans"


def test_logging_out_ends_the_session(ui: UI, client: FlaskClient) -> None:
    response = ui.post("/moderate/logout")
    assert response.status_code == 303
    assert response.headers["Location"] == "/moderate/login"
    assert client.get("/moderate/queue", headers={"Accept": "text/html"}).status_code == 303


def test_logging_out_needs_the_csrf_token(ui: UI, client: FlaskClient) -> None:
    response = client.post("/moderate/logout", data={}, headers={"Accept": "text/html"})
    assert response.status_code == 403
    assert ui.get("/moderate/queue").status_code == 200


def test_the_root_leads_to_the_queue(ui: UI) -> None:
    response = ui.get("/moderate/")
    assert response.status_code == 303
    assert response.headers["Location"] == "/moderate/queue"


class TestRateLimit:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"ratelimit_enabled": True, "ratelimit_login_failures_user": "2/minute"}

    @pytest.mark.usefixtures("mia")
    def test_guessing_is_stopped_on_the_form(self, client: FlaskClient) -> None:
        for _ in range(2):
            assert submit(client, password="guess").status_code == 401
        response = submit(client)
        assert response.status_code == 429
        assert int(response.headers["Retry-After"]) >= 1
        assert "Too many requests" in Page(response.get_data(as_text=True)).text
