"""Credentials for moderation routes: API tokens with scopes, moderator sessions with CSRF."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.kernel import actors, clock
from service.models import ApiToken, AuditEntry
from service.moderation import accounts
from tests.factories import Factories
from tests.functional.helpers import error_of
from tests.functional.moderation.conftest import PASSWORD, Credentials

QUEUE = "/api/v1/moderation/queue"


def test_no_credentials_is_401(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    response = client.get(QUEUE, query_string={"site": site.slug})
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"


def test_401_comes_before_input_validation(client: FlaskClient) -> None:
    response = client.post("/api/v1/moderation/decisions", data="not json")
    assert response.status_code == 401


def test_an_unknown_token_is_401(client: FlaskClient) -> None:
    response = client.get(QUEUE, headers={"Authorization": "Bearer snt_nope"})
    assert response.status_code == 401


def test_a_non_bearer_authorization_is_401(client: FlaskClient) -> None:
    response = client.get(QUEUE, headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert response.status_code == 401


def test_a_revoked_token_is_401(
    client: FlaskClient, make: Factories, creds: Credentials, app, session: Session
) -> None:
    site = make.site()
    secret = creds.token(site, "read")
    token_id = session.scalar(select(ApiToken.id).order_by(ApiToken.id.desc()))
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get(QUEUE, headers=headers).status_code == 200

    with app.app_context():
        accounts.revoke_token(session, token_id)
        session.commit()
    assert client.get(QUEUE, headers=headers).status_code == 401


def test_a_read_token_cannot_decide(
    client: FlaskClient, make: Factories, creds: Credentials
) -> None:
    comment = make.comment(status="pending")
    site = make.site_of(comment)
    response = client.post(
        f"/api/v1/moderation/comments/{comment.id}/decision",
        json={"action": "approve"},
        headers=creds.headers(site, "read"),
    )
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"


def test_a_token_of_another_site_is_403(
    client: FlaskClient, make: Factories, creds: Credentials
) -> None:
    comment = make.comment(status="pending")
    other = make.site()
    response = client.post(
        f"/api/v1/moderation/comments/{comment.id}/decision",
        json={"action": "approve"},
        headers=creds.headers(other, "admin"),
    )
    assert response.status_code == 403


def test_a_site_token_only_lists_its_site(
    client: FlaskClient, make: Factories, creds: Credentials
) -> None:
    mine = make.comment(status="pending")
    make.comment(status="pending")  # on another site
    response = client.get(QUEUE, headers=creds.headers(make.site_of(mine), "read"))
    assert [item["comment"]["id"] for item in response.json["items"]] == [mine.id]
    other_site = make.site()
    response = client.get(
        QUEUE,
        query_string={"site": other_site.slug},
        headers=creds.headers(make.site_of(mine), "read"),
    )
    assert response.status_code == 403


def test_an_all_sites_admin_token_sees_every_site(
    client: FlaskClient, make: Factories, creds: Credentials
) -> None:
    first = make.comment(status="pending")
    second = make.comment(status="pending")
    response = client.get(QUEUE, headers=creds.headers(None, "admin"))
    ids = {item["comment"]["id"] for item in response.json["items"]}
    assert {first.id, second.id} <= ids


def test_using_a_token_records_last_used(
    client: FlaskClient, make: Factories, creds: Credentials, session: Session
) -> None:
    site = make.site()
    headers = creds.headers(site, "read")
    client.get(QUEUE, headers=headers)
    session.expire_all()
    token = session.scalar(select(ApiToken).order_by(ApiToken.id.desc()))
    assert token is not None and token.last_used_at is not None


def test_login_sets_a_hardened_session_cookie(
    client: FlaskClient, make: Factories, creds: Credentials
) -> None:
    site = make.site()
    creds.moderator("mia", sites=[site])
    response = client.post(
        "/api/v1/moderation/session", json={"username": "Mia", "password": PASSWORD}
    )
    assert response.status_code == 200
    cookie = response.headers["Set-Cookie"]
    assert "sidenote_session=" in cookie
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    principal = response.json["principal"]
    assert principal["kind"] == "moderator" and principal["sites"] == [site.slug]
    assert principal["scope"] == "moderate" and principal["csrf_token"]


def test_the_cookie_is_secure_under_https(
    client: FlaskClient, make: Factories, creds: Credentials
) -> None:
    creds.moderator("mia", sites=[make.site()])
    response = client.post(
        "/api/v1/moderation/session",
        json={"username": "mia", "password": PASSWORD},
        base_url="https://localhost",
    )
    assert "Secure" in response.headers["Set-Cookie"]


def test_a_wrong_password_is_401_like_an_unknown_user(
    client: FlaskClient, make: Factories, creds: Credentials
) -> None:
    creds.moderator("mia", sites=[make.site()])
    wrong = client.post(
        "/api/v1/moderation/session", json={"username": "mia", "password": "wrong password"}
    )
    unknown = client.post(
        "/api/v1/moderation/session", json={"username": "bob", "password": "wrong password"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert error_of(wrong) == error_of(unknown)


def test_a_disabled_moderator_cannot_log_in(
    client: FlaskClient, make: Factories, creds: Credentials, app, session: Session
) -> None:
    moderator = creds.moderator("mia", sites=[make.site()])

    with app.app_context():
        accounts.update_moderator(session, moderator.id, actor=actors.CLI_ACTOR, disabled=True)
        session.commit()
    response = client.post(
        "/api/v1/moderation/session", json={"username": "mia", "password": PASSWORD}
    )
    assert response.status_code == 401


def test_a_session_reads_without_csrf(
    client: FlaskClient, make: Factories, logged_in: Callable[..., str]
) -> None:
    site = make.site()
    logged_in(sites=[site])
    assert client.get(QUEUE).status_code == 200


def test_a_session_write_without_csrf_is_403(
    client: FlaskClient, make: Factories, logged_in: Callable[..., str]
) -> None:
    comment = make.comment(status="pending")
    logged_in(sites=[make.site_of(comment)])
    response = client.post(
        f"/api/v1/moderation/comments/{comment.id}/decision", json={"action": "approve"}
    )
    assert response.status_code == 403
    assert "CSRF" in error_of(response)["message"]


def test_a_session_write_with_a_wrong_csrf_is_403(
    client: FlaskClient, make: Factories, logged_in: Callable[..., str]
) -> None:
    comment = make.comment(status="pending")
    logged_in(sites=[make.site_of(comment)])
    response = client.post(
        f"/api/v1/moderation/comments/{comment.id}/decision",
        json={"action": "approve"},
        headers={"X-CSRF-Token": "0" * 64},
    )
    assert response.status_code == 403


def test_a_session_write_with_the_csrf_header_works(
    client: FlaskClient, make: Factories, logged_in: Callable[..., str]
) -> None:
    comment = make.comment(status="pending")
    csrf = logged_in(sites=[make.site_of(comment)])
    response = client.post(
        f"/api/v1/moderation/comments/{comment.id}/decision",
        json={"action": "approve"},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 200, response.json


def test_a_moderator_cannot_act_on_an_unassigned_site(
    client: FlaskClient, make: Factories, logged_in: Callable[..., str]
) -> None:
    comment = make.comment(status="pending")
    csrf = logged_in(sites=[make.site()])
    response = client.post(
        f"/api/v1/moderation/comments/{comment.id}/decision",
        json={"action": "approve"},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 403


def test_an_admin_moderator_acts_on_every_site(
    client: FlaskClient, make: Factories, logged_in: Callable[..., str]
) -> None:
    comment = make.comment(status="pending")
    csrf = logged_in("root", role="admin")
    response = client.post(
        f"/api/v1/moderation/comments/{comment.id}/decision",
        json={"action": "approve"},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 200


def test_logout_ends_the_session(
    client: FlaskClient, make: Factories, logged_in: Callable[..., str]
) -> None:
    csrf = logged_in(sites=[make.site()])
    response = client.delete("/api/v1/moderation/session", headers={"X-CSRF-Token": csrf})
    assert response.status_code == 204
    assert client.get(QUEUE).status_code == 401


def test_an_expired_session_is_401(
    client: FlaskClient, make: Factories, logged_in: Callable[..., str]
) -> None:
    logged_in(sites=[make.site()])
    with clock.frozen(clock.now() + timedelta(hours=13)):
        assert client.get(QUEUE).status_code == 401


def test_whoami_names_a_token(client: FlaskClient, make: Factories, creds: Credentials) -> None:
    site = make.site()
    response = client.get("/api/v1/moderation/session", headers=creds.headers(site, "read"))
    principal = response.json["principal"]
    assert principal["kind"] == "token" and principal["scope"] == "read"
    assert principal["sites"] == [site.slug] and principal["csrf_token"] is None


def test_creating_a_token_is_audited(make: Factories, creds: Credentials, session: Session) -> None:
    creds.token(make.site(), "read", name="ci")
    entry = session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()))
    assert entry is not None and entry.action == "token.add" and entry.actor_kind == "cli"
    assert entry.after is not None and entry.after["name"] == "ci"
