"""Reader subscriptions: double opt-in, limits, links that act only on POST, who gets mail."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.kernel import clock
from service.models import Subscription, Thread
from tests.factories import Factories
from tests.functional.helpers import post_comment
from tests.notifications.conftest import Inbox, deliver
from tests.notifications.helpers import confirm, link_to, subscribe

BOB = "bob@reader.example"
ANN = "ann@reader.example"


def confirmed_subscriber(
    app: Flask, client: FlaskClient, inbox: Inbox, site: str, email: str = BOB, **fields: Any
) -> None:
    assert subscribe(client, site, email, **fields).status_code == 202
    deliver(app)
    confirm(client, inbox.to(email)[-1])
    inbox.clear()


def test_subscribe_answers_the_same_for_new_known_and_confirmed_addresses(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site = make.site()
    make.comment(site)
    first = subscribe(client, site.slug, BOB)
    again = subscribe(client, site.slug, BOB)
    deliver(app)
    confirm(client, inbox.to(BOB)[0])
    after_confirmation = subscribe(client, site.slug, BOB, frequency="daily")
    answers = {
        (r.status_code, r.get_data(as_text=True)) for r in (first, again, after_confirmation)
    }
    assert answers == {(202, '{"status":"accepted"}')}


def test_nothing_but_the_confirmation_reaches_an_unconfirmed_address(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site = make.site()
    make.comment(site)
    subscribe(client, site.slug, BOB)
    post_comment(client, site.slug, body="Posted before any confirmation")
    deliver(app)
    [only] = inbox.to(BOB)
    assert link_to(only, "/subscriptions/confirm/")


def test_opening_the_confirmation_link_changes_nothing_until_its_button_is_pressed(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox, session: Session
) -> None:
    site = make.site()
    make.comment(site)
    subscribe(client, site.slug, BOB)
    deliver(app)
    path = link_to(inbox.to(BOB)[0], "/subscriptions/confirm/")
    page = client.get(path)
    assert page.status_code == 200
    assert f'<form method="post" action="{path}">' in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "script" not in page.headers["Content-Security-Policy"].replace("script-src", "")
    assert session.scalar(select(Subscription.confirmed_at)) is None
    assert client.post(path).status_code == 200
    assert session.scalar(select(Subscription.confirmed_at)) is not None


def test_one_confirmation_verifies_the_address_for_later_subscriptions(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site = make.site()
    make.comment(site, thread="/one")
    make.comment(site, thread="/two")
    confirmed_subscriber(app, client, inbox, site.slug, thread="/one")
    assert subscribe(client, site.slug, BOB, thread="/two").status_code == 202
    post_comment(client, site.slug, thread="/two", body="News on two")
    deliver(app)
    [mail] = inbox.to(BOB)
    assert "New comment" in str(mail.message["Subject"])


def test_confirming_one_subscription_leaves_others_made_for_the_address_inert(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site = make.site()
    make.comment(site, thread="/mine", thread_title="Mine")
    make.comment(site, thread="/planted", thread_title="Planted")
    subscribe(client, site.slug, BOB, thread="/planted")
    subscribe(client, site.slug, BOB, thread="/mine")
    deliver(app)
    [mine] = [m for m in inbox.to(BOB) if "Mine" in str(m.message["Subject"])]
    confirm(client, mine)
    inbox.clear()
    post_comment(client, site.slug, thread="/planted", body="Someone else's thread")
    deliver(app)
    assert inbox.to(BOB) == []


def test_notify_on_a_new_comment_subscribes_its_author_after_confirmation(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site = make.site()
    posted = post_comment(
        client, site.slug, body="Tell me", author={"name": "Ann", "email": ANN}, notify="replies"
    )
    assert posted.status_code == 201
    deliver(app)
    confirm(client, inbox.to(ANN)[0])
    inbox.clear()
    root_id = posted.json["comment"]["id"]
    post_comment(client, site.slug, parent_id=root_id, body="Told you", author={"name": "Bo"})
    deliver(app)
    [mail] = inbox.to(ANN)
    assert "Told you" in mail.text


def test_an_authors_subscription_takes_the_language_their_browser_asked_for(
    client: FlaskClient, make: Factories, session: Session
) -> None:
    site = make.site()
    posted = post_comment(
        client,
        site.slug,
        body="Sag mir Bescheid",
        author={"name": "Ann", "email": ANN},
        notify="replies",
        headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"},
    )
    assert posted.status_code == 201
    [subscription] = session.scalars(select(Subscription)).all()
    assert subscription.locale == "de"


def test_authors_are_not_mailed_about_their_own_comments(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site = make.site()
    make.comment(site)
    confirmed_subscriber(app, client, inbox, site.slug, email=ANN, kind="thread")
    post_comment(client, site.slug, body="My own words", author={"name": "Ann", "email": ANN})
    deliver(app)
    assert inbox.to(ANN) == []


def test_a_pending_comment_notifies_only_when_approved_and_only_once(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox, session: Session
) -> None:
    site = make.site(moderation="pre")
    first = make.comment(site, status="approved")
    confirmed_subscriber(app, client, inbox, site.slug)
    held = post_comment(client, site.slug, body="Held for review")
    assert held.json["comment"]["status"] == "pending"
    deliver(app)
    assert inbox.to(BOB) == []
    comment = session.get(type(first), held.json["comment"]["id"])
    assert comment is not None
    make.set_status(comment, "approved")
    deliver(app)
    assert len(inbox.to(BOB)) == 1
    make.set_status(comment, "rejected")
    make.set_status(comment, "approved")
    deliver(app)
    assert len(inbox.to(BOB)) == 1


def test_a_reader_with_several_matching_subscriptions_gets_one_mail(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site = make.site()
    root = make.comment(site)
    confirmed_subscriber(app, client, inbox, site.slug, kind="thread")
    subscribe(client, site.slug, BOB, kind="replies", comment_id=root.id)
    post_comment(client, site.slug, parent_id=root.id, body="Reply", author={"name": "Cy"})
    deliver(app)
    [mail] = inbox.to(BOB)
    assert "Cy replied" in str(mail.message["Subject"])


def test_replies_anywhere_below_the_comment_notify(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site = make.site()
    root = make.comment(site)
    child = make.comment(site, parent=root)
    confirmed_subscriber(app, client, inbox, site.slug, kind="replies", comment_id=root.id)
    post_comment(client, site.slug, parent_id=child.id, body="Deep reply")
    post_comment(client, site.slug, body="Elsewhere in the thread")
    deliver(app)
    [mail] = inbox.to(BOB)
    assert "Deep reply" in mail.text


def test_replies_need_a_visible_comment_of_the_thread(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    hidden = make.comment(site, status="pending")
    assert subscribe(client, site.slug, BOB, kind="replies").status_code == 400
    missing = subscribe(client, site.slug, BOB, kind="replies", comment_id=hidden.id)
    assert missing.status_code == 400
    assert subscribe(client, site.slug, BOB, thread="/nowhere").status_code == 404


def test_daily_subscribers_get_one_digest_a_day(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site = make.site()
    make.comment(site)
    with clock.frozen(clock.now()) as frozen:
        confirmed_subscriber(app, client, inbox, site.slug, frequency="daily")
        for text in ("Morning news", "Noon news", "Evening news"):
            post_comment(client, site.slug, body=text)
            frozen.advance(hours=4)
        deliver(app)
        assert inbox.to(BOB) == []
        frozen.advance(hours=13)
        deliver(app)
    [digest] = inbox.to(BOB)
    assert "3 new comments" in str(digest.message["Subject"])
    assert all(text in digest.text for text in ("Morning news", "Noon news", "Evening news"))
    assert digest.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_mails_come_in_the_subscribers_language(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site = make.site()
    make.comment(site)
    response = client.post(
        "/api/v1/subscriptions",
        json={"site": site.slug, "thread": "/post", "email": BOB, "kind": "thread"},
        headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"},
    )
    assert response.status_code == 202
    deliver(app)
    [mail] = inbox.to(BOB)
    assert str(mail.message["Subject"]).startswith("Bitte bestätigen")
    assert mail.message["Content-Language"] == "de"


def test_the_manage_page_lists_and_cancels_subscriptions(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox, session: Session
) -> None:
    site = make.site()
    make.comment(site, thread="/one", thread_title="First post")
    make.comment(site, thread="/two", thread_title="Second post")
    confirmed_subscriber(app, client, inbox, site.slug, thread="/one")
    subscribe(client, site.slug, BOB, thread="/two", frequency="daily")
    post_comment(client, site.slug, thread="/one", body="Ping")
    deliver(app)
    path = link_to(inbox.to(BOB)[0], "/subscriptions/manage/")
    page = client.get(path)
    assert page.status_code == 200
    assert "First post" in page.text and "Second post" in page.text and BOB in page.text
    assert session.scalar(select(func.count()).select_from(Subscription)) == 2

    cancel_one = client.post(
        path, data={"action": "cancel", "subscription": str(_subscription_id(session, "/one"))}
    )
    assert cancel_one.status_code == 303
    assert "All new comments on “First post”" not in client.get(path).text
    client.post(path, data={"action": "cancel_all"})
    assert session.scalar(select(func.count()).select_from(Subscription)) == 0


def _subscription_id(session: Session, thread: str) -> int:
    session.expire_all()
    found = session.scalar(
        select(Subscription.id)
        .join(Thread, Thread.id == Subscription.thread_id)
        .where(Thread.key == thread)
    )
    assert found is not None
    return int(found)


@pytest.mark.parametrize(
    "path",
    [
        "/subscriptions/confirm/forged",
        "/unsubscribe/forged",
        "/subscriptions/manage/forged",
        "/mail/decide/forged",
    ],
)
def test_forged_links_show_an_error_page_and_change_nothing(client: FlaskClient, path: str) -> None:
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 404
        assert response.mimetype == "text/html"


def test_an_expired_confirmation_link_no_longer_works(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site = make.site()
    make.comment(site)
    with clock.frozen(clock.now()) as frozen:
        subscribe(client, site.slug, BOB)
        deliver(app)
        path = link_to(inbox.to(BOB)[0], "/subscriptions/confirm/")
        frozen.advance(days=7, seconds=1)
        assert client.post(path).status_code == 404


def test_sites_offer_subscriptions_to_the_widget(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    config = client.get(f"/api/v1/sites/{site.slug}/config").json
    assert config["features"]["subscriptions"] is True
