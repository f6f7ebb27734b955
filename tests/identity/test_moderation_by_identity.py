"""Moderators ban and trust people, not strings: a signed-in reader's identity carries both."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.functional.helpers import error_of, post_comment
from tests.functional.moderation.conftest import Credentials
from tests.identity.conftest import SsoSite

SignIn = Callable[..., dict[str, str]]


@pytest.fixture
def creds(app: Flask, session: Session) -> Credentials:
    return Credentials(app, session)


def ban(
    client: FlaskClient, creds: Credentials, site: SsoSite, comment_id: int, **extra: object
) -> None:
    response = client.post(
        "/api/v1/moderation/bans",
        json={"site": site.slug, "kind": "identity", "comment_id": comment_id, **extra},
        headers=creds.headers(site.site),
    )
    assert response.status_code == 201, response.json


def test_banning_an_sso_user_blocks_them_on_every_thread_and_device(
    client: FlaskClient, sso_site: SsoSite, sign_in: SignIn, creds: Credentials
) -> None:
    laptop = sign_in(sub="troll") | {"X-Sidenote-Voter": "laptop-voter-id"}
    posted = post_comment(client, sso_site.slug, thread="/one", headers=laptop)
    ban(client, creds, sso_site, posted.json["comment"]["id"])

    phone = sign_in(sub="troll") | {"X-Sidenote-Voter": "phone-voter-id-2"}
    elsewhere = post_comment(client, sso_site.slug, thread="/two", headers=phone)
    assert elsewhere.status_code == 403
    assert error_of(elsewhere)["code"] == "banned"


def test_an_identity_ban_leaves_other_readers_at_the_same_address_alone(
    client: FlaskClient, sso_site: SsoSite, sign_in: SignIn, creds: Credentials
) -> None:
    posted = post_comment(client, sso_site.slug, headers=sign_in(sub="troll"))
    ban(client, creds, sso_site, posted.json["comment"]["id"])
    neighbour = post_comment(client, sso_site.slug, body="Hello", headers=sign_in(sub="kind"))
    assert neighbour.status_code == 201


def test_a_shadow_banned_sso_user_is_told_approved_but_nobody_sees_it(
    client: FlaskClient, sso_site: SsoSite, sign_in: SignIn, creds: Credentials
) -> None:
    first = post_comment(client, sso_site.slug, headers=sign_in(sub="sneaky"))
    ban(client, creds, sso_site, first.json["comment"]["id"], shadow=True)
    again = post_comment(client, sso_site.slug, body="Again", headers=sign_in(sub="sneaky"))
    assert again.json["comment"]["status"] == "approved"
    listed = client.get("/api/v1/comments", query_string={"site": sso_site.slug, "thread": "/post"})
    assert [c["id"] for c in listed.json["comments"]] == [first.json["comment"]["id"]]


def test_a_trusted_sso_user_skips_premoderation_on_every_thread(
    client: FlaskClient,
    sso_site: SsoSite,
    sign_in: SignIn,
    creds: Credentials,
    session: Session,
) -> None:
    sso_site.site.moderation = "pre"
    session.commit()
    held = post_comment(client, sso_site.slug, thread="/one", headers=sign_in(sub="regular"))
    assert held.json["comment"]["status"] == "pending"
    trusted = client.post(
        f"/api/v1/moderation/comments/{held.json['comment']['id']}/trust",
        json={"trusted": True},
        headers=creds.headers(sso_site.site),
    )
    assert trusted.status_code == 200, trusted.json
    later = post_comment(client, sso_site.slug, thread="/two", headers=sign_in(sub="regular"))
    assert later.json["comment"]["status"] == "approved"
    stranger = post_comment(client, sso_site.slug, thread="/two", headers=sign_in(sub="new"))
    assert stranger.json["comment"]["status"] == "pending"


def test_the_moderation_queue_groups_an_sso_users_history_by_identity(
    client: FlaskClient, sso_site: SsoSite, sign_in: SignIn, creds: Credentials, session: Session
) -> None:
    sso_site.site.moderation = "pre"
    session.commit()
    for thread in ("/one", "/two"):
        post_comment(client, sso_site.slug, thread=thread, headers=sign_in(sub="same"))
    queue = client.get(
        "/api/v1/moderation/queue",
        query_string={"site": sso_site.slug},
        headers=creds.headers(sso_site.site),
    ).json
    keys = {item["comment"]["author"]["identity_key"] for item in queue["items"]}
    assert len(keys) == 1 and next(iter(keys)).startswith("sso:")
    assert all("same" not in key for key in keys)
