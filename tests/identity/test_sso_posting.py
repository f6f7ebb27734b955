"""Commenting, voting and reporting as a site's signed-in user; requiring SSO; logging out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from service.kernel import clock
from service.models import Comment, Report, Vote
from service.moderation import accounts
from tests.factories import Factories
from tests.functional.helpers import VOTER, error_of, post_comment, read_thread
from tests.identity.conftest import SsoSite, exchange

SignIn = Callable[..., dict[str, str]]


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"form_token_required": True, "min_compose_seconds": 0}


def test_a_signed_in_user_posts_under_the_name_and_identity_their_site_gave(
    client: FlaskClient, sso_site: SsoSite, sign_in: SignIn, session: Session
) -> None:
    headers = sign_in(sub="u-1", name="Ada Lovelace", url="https://ada.example")
    response = post_comment(
        client,
        sso_site.slug,
        author={"name": "Someone Else", "email": "else@example.org"},
        headers=headers,
    )
    assert response.status_code == 201, response.json
    assert response.json["comment"]["status"] == "approved"  # no form token, not held as spam
    comment = session.get_one(Comment, response.json["comment"]["id"])
    assert comment.author_name == "Ada Lovelace"
    assert comment.author_email == "ada@example.org"
    assert comment.identity_key is not None and comment.identity_key.startswith("sso:")
    assert "u-1" not in comment.identity_key
    [shown] = read_thread(client, sso_site.slug)["comments"]
    assert shown["author"] == {
        "name": "Ada Lovelace",
        "website": "https://ada.example",
        "avatar": comment.author_key,
        "verified": True,
    }


def test_the_public_json_never_carries_the_sub_or_the_email(
    client: FlaskClient, sso_site: SsoSite, sign_in: SignIn
) -> None:
    headers = sign_in(sub="very-secret-sub-9", email="hidden@example.org")
    post_comment(client, sso_site.slug, headers=headers)
    page = client.get(
        "/api/v1/comments", query_string={"site": sso_site.slug, "thread": "/post"}
    ).text
    assert "very-secret-sub-9" not in page and "hidden@example.org" not in page


def test_guests_still_need_a_form_token_next_to_signed_in_users(
    client: FlaskClient, sso_site: SsoSite
) -> None:
    response = post_comment(client, sso_site.slug, author={"name": "Guest"})
    assert response.json["comment"]["status"] == "pending"  # held as spam: no form token


def test_a_guests_comment_is_not_verified(client: FlaskClient, sso_site: SsoSite) -> None:
    sso_site.configure()
    token = client.get("/api/v1/form-token", query_string={"site": sso_site.slug}).json
    post_comment(client, sso_site.slug, form_token=token["form_token"], author={"name": "G"})
    [shown] = read_thread(client, sso_site.slug)["comments"]
    assert shown["author"]["verified"] is False


def test_a_site_that_requires_sso_refuses_guests_with_sso_required(
    client: FlaskClient, sso_site: SsoSite, sign_in: SignIn
) -> None:
    sso_site.configure(sso_required=True)
    refused = post_comment(client, sso_site.slug, author={"name": "Guest"})
    assert refused.status_code == 401
    assert error_of(refused)["code"] == "sso_required"
    allowed = post_comment(client, sso_site.slug, headers=sign_in())
    assert allowed.status_code == 201, allowed.json


def test_logging_out_ends_the_session(
    client: FlaskClient, sso_site: SsoSite, sign_in: SignIn
) -> None:
    headers = sign_in()
    response = client.post("/api/v1/sso/logout", json={"site": sso_site.slug}, headers=headers)
    assert response.status_code == 204
    after = post_comment(client, sso_site.slug, headers=headers)
    assert after.status_code == 401
    assert error_of(after)["code"] == "unauthorized"
    again = client.post("/api/v1/sso/logout", json={}, headers=headers)
    assert again.status_code == 204


def test_logging_out_without_a_session_is_unauthorized(client: FlaskClient) -> None:
    assert client.post("/api/v1/sso/logout", json={}).status_code == 401


def test_an_expired_session_is_refused_rather_than_posting_as_a_guest(
    client: FlaskClient, sso_site: SsoSite, sign_in: SignIn
) -> None:
    headers = sign_in()
    with clock.frozen(clock.now() + timedelta(days=31)):
        response = post_comment(client, sso_site.slug, headers=headers)
    assert response.status_code == 401
    assert "session has ended" in error_of(response)["message"]


def test_a_session_only_works_on_its_own_site(
    client: FlaskClient, sso_site: SsoSite, sign_in: SignIn, make: Factories
) -> None:
    other = make.site()
    response = post_comment(client, other.slug, headers=sign_in())
    assert response.status_code == 401
    assert "another site" in error_of(response)["message"]


def test_a_session_token_does_not_open_moderation_routes(
    client: FlaskClient, sign_in: SignIn
) -> None:
    response = client.get("/api/v1/moderation/queue", headers=sign_in())
    assert response.status_code == 401
    assert "reader" in error_of(response)["message"]


def test_an_api_token_is_not_taken_for_a_reader_session(
    client: FlaskClient, sso_site: SsoSite, session: Session
) -> None:
    with client.application.app_context():
        _row, secret = accounts.create_token(session, scope="read", site_slug=sso_site.slug)
        session.commit()
    response = post_comment(client, sso_site.slug, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 201
    assert response.json["comment"]["author"]["verified"] is False


def test_a_signed_in_users_votes_follow_them_across_devices(
    client: FlaskClient, sso_site: SsoSite, sign_in: SignIn, make: Factories, session: Session
) -> None:
    comment = make.comment(sso_site.site, status="approved")
    laptop = sign_in(sub="voter-1") | {"X-Sidenote-Voter": "laptop-voter-id"}
    phone = sign_in(sub="voter-1") | {"X-Sidenote-Voter": "phone-voter-id-2"}
    first = client.post(f"/api/v1/comments/{comment.id}/vote", json={"value": 1}, headers=laptop)
    second = client.post(f"/api/v1/comments/{comment.id}/vote", json={"value": 1}, headers=phone)
    assert first.json == second.json == {"upvotes": 1, "downvotes": 0}
    votes = session.query(Vote).filter_by(comment_id=comment.id).all()
    assert len(votes) == 1 and votes[0].voter_key.startswith("id:")


def test_a_signed_in_user_reports_once_from_any_device(
    client: FlaskClient, sso_site: SsoSite, sign_in: SignIn, make: Factories, session: Session
) -> None:
    comment = make.comment(sso_site.site, status="approved")
    for device in ("laptop-voter-id", "phone-voter-id-2"):
        headers = sign_in(sub="reporter") | {"X-Sidenote-Voter": device}
        response = client.post(
            f"/api/v1/comments/{comment.id}/report", json={"reason": "spam"}, headers=headers
        )
        assert response.status_code == 202
    assert session.query(Report).filter_by(comment_id=comment.id).count() == 1
    session.expire_all()
    assert session.get_one(Comment, comment.id).report_count == 1


def test_guest_votes_still_count_per_voter_id(
    client: FlaskClient, sso_site: SsoSite, make: Factories
) -> None:
    comment = make.comment(sso_site.site, status="approved")
    response = client.post(
        f"/api/v1/comments/{comment.id}/vote",
        json={"value": -1},
        headers={"X-Sidenote-Voter": VOTER},
    )
    assert response.json == {"upvotes": 0, "downvotes": 1}


def test_the_author_edits_their_comment_from_another_device_without_the_edit_token(
    client: FlaskClient, sso_site: SsoSite, sign_in: SignIn
) -> None:
    posted = post_comment(client, sso_site.slug, headers=sign_in(sub="writer"))
    comment_id = posted.json["comment"]["id"]
    response = client.patch(
        f"/api/v1/comments/{comment_id}",
        json={"body": "Edited elsewhere"},
        headers=sign_in(sub="writer"),
    )
    assert response.status_code == 200, response.json
    assert "Edited elsewhere" in response.json["html"]


def test_the_author_cannot_edit_after_the_edit_window(
    client: FlaskClient, sso_site: SsoSite, sign_in: SignIn
) -> None:
    headers = sign_in(sub="writer")
    comment_id = post_comment(client, sso_site.slug, headers=headers).json["comment"]["id"]
    with clock.frozen(clock.now() + timedelta(hours=2)):
        response = client.patch(
            f"/api/v1/comments/{comment_id}", json={"body": "Too late"}, headers=headers
        )
    assert response.status_code == 403
    assert error_of(response)["code"] == "edit_window_closed"


def test_the_author_may_delete_their_comment_at_any_time(
    client: FlaskClient, sso_site: SsoSite, sign_in: SignIn
) -> None:
    headers = sign_in(sub="writer")
    comment_id = post_comment(client, sso_site.slug, headers=headers).json["comment"]["id"]
    with clock.frozen(clock.now() + timedelta(days=20)):
        response = client.delete(f"/api/v1/comments/{comment_id}", headers=headers)
    assert response.status_code == 204
    assert read_thread(client, sso_site.slug)["comments"] == []


def test_nobody_else_edits_or_deletes_a_signed_in_users_comment(
    client: FlaskClient, sso_site: SsoSite, sign_in: SignIn
) -> None:
    comment_id = post_comment(client, sso_site.slug, headers=sign_in(sub="a")).json["comment"]["id"]
    other = sign_in(sub="b")
    edit = client.patch(f"/api/v1/comments/{comment_id}", json={"body": "x"}, headers=other)
    delete = client.delete(f"/api/v1/comments/{comment_id}", headers=other)
    assert (edit.status_code, delete.status_code) == (401, 401)


def test_the_sites_moderators_skip_holds(
    client: FlaskClient, sso_site: SsoSite, sign_in: SignIn, make: Factories, session: Session
) -> None:
    sso_site.site.moderation = "pre"
    session.commit()
    staff = post_comment(client, sso_site.slug, headers=sign_in(role="moderator"))
    reader = post_comment(client, sso_site.slug, headers=sign_in())
    assert staff.json["comment"]["status"] == "approved"
    assert reader.json["comment"]["status"] == "pending"


def test_an_sso_token_for_the_site_exchanges_once_per_request(
    client: FlaskClient, sso_site: SsoSite
) -> None:
    response = exchange(client, sso_site.slug, sso_site.token())
    assert response.headers["Cache-Control"] == "no-store"
