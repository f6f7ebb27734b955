"""A reader's own data: from the widget (signed in) or a link in any mail, see comments and
subscriptions, change the name, download everything, delete comments (threads stay readable)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from service.kernel import clock
from service.models import Comment
from tests.factories import Factories
from tests.functional.helpers import error_of, post_comment, read_thread
from tests.identity.conftest import SsoSite
from tests.notifications.conftest import MAIL_FROM, PUBLIC_URL, Inbox, SmtpServer, deliver
from tests.notifications.helpers import confirm, link_to, subscribe

SignIn = Callable[..., dict[str, str]]


@pytest.fixture
def settings_overrides(smtp_server: SmtpServer) -> dict[str, Any]:
    return {"smtp_url": smtp_server.url, "public_url": PUBLIC_URL, "mail_from": MAIL_FROM}


def page_path(client: FlaskClient, headers: dict[str, str], site: str) -> str:
    response = client.post("/api/v1/me/link", json={"site": site}, headers=headers)
    assert response.status_code == 200, response.json
    url = response.json["url"]
    assert url.startswith(PUBLIC_URL + "/me/")
    return urlsplit(url).path


def test_the_api_shows_a_signed_in_readers_comments_and_subscriptions(
    client: FlaskClient, sso_site: SsoSite, sign_in: SignIn, make: Factories
) -> None:
    make.comment(sso_site.site, body="Someone else's")
    headers = sign_in(sub="me", email="me@example.org")
    post_comment(client, sso_site.slug, body="Mine", notify="thread", headers=headers)
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200, me.json
    assert me.json["user"]["kind"] == "sso" and me.json["user"]["verified"] is True
    assert [c["body_source"] for c in me.json["comments"]] == ["Mine"]
    [subscription] = me.json["subscriptions"]
    assert subscription["kind"] == "thread" and subscription["confirmed"] is False


def test_the_api_needs_a_reader_session(client: FlaskClient, sso_site: SsoSite) -> None:
    assert client.get("/api/v1/me").status_code == 401
    api_token = {"Authorization": "Bearer snt_an-api-token"}
    assert error_of(client.get("/api/v1/me", headers=api_token))["code"] == "unauthorized"


def test_renaming_changes_the_name_on_the_readers_comments(
    client: FlaskClient, sso_site: SsoSite, sign_in: SignIn
) -> None:
    headers = sign_in(sub="me", name="Ada")
    post_comment(client, sso_site.slug, headers=headers)
    before = client.get(
        "/api/v1/comments", query_string={"site": sso_site.slug, "thread": "/post"}
    ).headers["ETag"]
    response = client.patch("/api/v1/me", json={"name": "Countess Ada"}, headers=headers)
    assert response.status_code == 200, response.json
    assert response.json["user"]["name"] == "Countess Ada"
    listed = client.get("/api/v1/comments", query_string={"site": sso_site.slug, "thread": "/post"})
    assert listed.headers["ETag"] != before
    assert listed.json["comments"][0]["author"]["name"] == "Countess Ada"
    # Later comments, and later sign-ins, keep the name the reader chose.
    again = sign_in(sub="me", name="Ada")
    posted = post_comment(client, sso_site.slug, body="Later", headers=again)
    assert posted.json["comment"]["author"]["name"] == "Countess Ada"


def test_a_name_must_be_one_line(client: FlaskClient, sso_site: SsoSite, sign_in: SignIn) -> None:
    response = client.patch("/api/v1/me", json={"name": "a\nb"}, headers=sign_in())
    assert response.status_code == 400


def test_the_download_has_comments_votes_and_profile(
    client: FlaskClient, sso_site: SsoSite, sign_in: SignIn, make: Factories
) -> None:
    other = make.comment(sso_site.site)
    headers = sign_in(sub="me")
    post_comment(client, sso_site.slug, body="Mine to keep", headers=headers)
    client.post(f"/api/v1/comments/{other.id}/vote", json={"value": 1}, headers=headers)
    response = client.get("/api/v1/me/export", headers=headers)
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    document = json.loads(response.data)
    assert document["format"] == "sidenote-reader-data"
    assert [c["body_source"] for c in document["comments"]] == ["Mine to keep"]
    assert [v["comment_id"] for v in document["votes"]] == [other.id]
    assert document["profile"]["kind"] == "sso"


def test_deleting_all_my_comments_leaves_tombstones_for_their_replies(
    client: FlaskClient, sso_site: SsoSite, sign_in: SignIn, make: Factories, session: Session
) -> None:
    headers = sign_in(sub="me")
    mine = post_comment(client, sso_site.slug, body="Mine", headers=headers).json["comment"]
    reply = make.comment(sso_site.site, parent=session.get_one(Comment, mine["id"]), body="Reply")
    post_comment(client, sso_site.slug, body="Alone", headers=headers)
    response = client.delete("/api/v1/me/comments", headers=headers)
    assert response.json == {"deleted": 2}
    [tombstone] = read_thread(client, sso_site.slug)["comments"]
    assert tombstone["deleted"] is True and tombstone["author"] is None
    assert [r["id"] for r in tombstone["replies"]] == [reply.id]
    stored = session.get_one(Comment, mine["id"])
    session.refresh(stored)
    assert (stored.body_source, stored.author_name) == ("", "")


def test_the_widgets_link_opens_a_private_page_with_my_comments(
    client: FlaskClient, sso_site: SsoSite, sign_in: SignIn, make: Factories
) -> None:
    make.comment(sso_site.site, body="Not mine at all")
    headers = sign_in(sub="me", name="Ada")
    post_comment(client, sso_site.slug, body="<b>Mine</b> on the page", headers=headers)
    path = page_path(client, headers, sso_site.slug)
    page = client.get(path)
    assert page.status_code == 200
    assert "&lt;b&gt;Mine&lt;/b&gt; on the page" in page.text
    assert "Not mine at all" not in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"
    assert "script-src" not in page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]


def test_the_page_renames_deletes_and_downloads(
    client: FlaskClient, sso_site: SsoSite, sign_in: SignIn, session: Session
) -> None:
    headers = sign_in(sub="me", name="Ada")
    keep = post_comment(client, sso_site.slug, body="Keep", headers=headers).json["comment"]
    drop = post_comment(client, sso_site.slug, body="Drop", headers=headers).json["comment"]
    path = page_path(client, headers, sso_site.slug)

    renamed = client.post(path, data={"action": "rename", "name": "Lady Ada"})
    assert renamed.status_code == 303 and renamed.headers["Location"].endswith(path)
    deleted = client.post(path, data={"action": "delete", "comment": str(drop["id"])})
    assert deleted.status_code == 303
    names = {c["id"]: c["author"]["name"] for c in read_thread(client, sso_site.slug)["comments"]}
    assert names == {keep["id"]: "Lady Ada"}

    download = client.get(path + "/export.json")
    assert download.status_code == 200
    assert [c["body_source"] for c in json.loads(download.data)["comments"]] == ["Keep"]


def test_the_page_cannot_delete_someone_elses_comment(
    client: FlaskClient, sso_site: SsoSite, sign_in: SignIn, make: Factories
) -> None:
    other = make.comment(sso_site.site, body="Not yours")
    path = page_path(client, sign_in(sub="me"), sso_site.slug)
    assert client.post(path, data={"action": "delete", "comment": str(other.id)}).status_code == 303
    assert [c["id"] for c in read_thread(client, sso_site.slug)["comments"]] == [other.id]


def test_the_widgets_link_expires_after_an_hour(
    client: FlaskClient, sso_site: SsoSite, sign_in: SignIn
) -> None:
    path = page_path(client, sign_in(), sso_site.slug)
    with clock.frozen(clock.now() + timedelta(hours=2)):
        assert client.get(path).status_code == 404


def test_a_forged_link_shows_nothing(client: FlaskClient) -> None:
    assert client.get("/me/forged.token.here").status_code == 404
    assert client.post("/me/forged.token.here", data={"action": "delete_all"}).status_code == 404
    assert client.get("/me/forged.token.here/export.json").status_code == 404


def test_every_notification_mail_links_to_the_readers_data_page(
    app: Flask,
    client: FlaskClient,
    make: Factories,
    inbox: Inbox,
    session: Session,
) -> None:
    site = make.site()
    reader = "bob@reader.example"
    make.comment(site, body="Bob was here", author="Bob", email=reader)
    subscribe(client, site.slug, reader)
    deliver(app)
    confirm(client, inbox.to(reader)[0])
    inbox.clear()
    post_comment(client, site.slug, body="News for Bob", author={"name": "Carol"})
    deliver(app)
    [mail] = inbox.to(reader)
    path = link_to(mail, "/me/")
    assert re.search(r"/me/\S+", mail.html)
    page = client.get(path)
    assert page.status_code == 200
    assert "Bob was here" in page.text and "News for Bob" not in page.text
    assert reader in page.text  # the page is for the address the mail went to
    assert "/subscriptions/manage/" in page.text

    assert client.post(path, data={"action": "delete_all"}).status_code == 303
    remaining = read_thread(client, site.slug)["comments"]
    assert ["News for Bob" in c["html"] for c in remaining] == [True]
