"""Authors hear that someone replied to their comment (issue 7, "Author mails")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.kernel import actors
from service.models import Comment, OutboxItem, Site
from service.moderation import bans
from service.notifications import fanout
from tests.conftest import QueryCounter
from tests.factories import Factories
from tests.functional.helpers import post_comment
from tests.notifications.conftest import Inbox, deliver
from tests.notifications.helpers import confirm, link_to, one_click_path, subscribe

ANN = "ann@reader.example"
BOB = "bob@reader.example"
#: How a statement looks an address up (by its keyed hash).
LOOKUP = "email_addresses.address_hash ="


def confirmed(app: Flask, client: FlaskClient, inbox: Inbox, site: Site, email: str) -> None:
    """`email` confirms its address once, through a subscription to another thread."""
    subscribe(client, site.slug, email, thread="/elsewhere")
    deliver(app)
    confirm(client, inbox.to(email)[-1])
    inbox.clear()


def site_with_confirmed_ann(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox, **options: Any
) -> tuple[Site, Comment]:
    """A site, a thread /elsewhere (so Ann can subscribe) and Ann's comment on /post."""
    site = make.site(**options)
    make.comment(site, thread="/elsewhere")
    confirmed(app, client, inbox, site, ANN)
    return site, make.comment(site, body="Ann's thoughts", author="Ann", email=ANN)


def reply(client: FlaskClient, site: Site, parent: Comment, **fields: object) -> int:
    fields.setdefault("author", {"name": "Bob", "email": BOB})
    posted = post_comment(client, site.slug, parent_id=parent.id, **fields)
    assert posted.status_code == 201, posted.json
    return int(posted.json["comment"]["id"])


def test_a_confirmed_author_hears_of_a_reply_once(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site, parent = site_with_confirmed_ann(app, client, make, inbox)
    reply_id = reply(client, site, parent, body="Bob answers")
    deliver(app)
    make.set_status(make.session.get_one(Comment, reply_id), "rejected")
    make.set_status(make.session.get_one(Comment, reply_id), "approved")
    deliver(app)
    [mail] = inbox.to(ANN)
    assert str(mail.message["Subject"]) == "Bob replied to your comment on “A post”"
    assert "Bob answers" in mail.text and "Ann's thoughts" in mail.text
    assert f"#comment-{reply_id}" in mail.text


def test_the_reply_mail_is_in_the_sites_language(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site, parent = site_with_confirmed_ann(app, client, make, inbox)
    site.settings = {**site.settings, "locale": "de"}
    make.session.commit()
    reply(client, site, parent)
    deliver(app)
    [mail] = inbox.to(ANN)
    assert str(mail.message["Subject"]) == "Bob hat auf Ihren Kommentar zu „A post“ geantwortet"
    assert mail.message["Content-Language"] == "de"


def test_an_unconfirmed_author_gets_no_reply_mail(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site = make.site()
    parent = make.comment(site, author="Ann", email=ANN)
    reply(client, site, parent)
    deliver(app)
    assert inbox.to(ANN) == []


def test_nobody_hears_of_their_own_reply(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site, parent = site_with_confirmed_ann(app, client, make, inbox)
    reply(client, site, parent, author={"name": "Ann", "email": " ANN@reader.example "})
    deliver(app)
    assert inbox.to(ANN) == []


def test_a_held_reply_mails_only_once_it_is_approved(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site, parent = site_with_confirmed_ann(app, client, make, inbox, moderation="pre")
    make.set_status(parent, "approved")
    deliver(app)
    inbox.clear()  # "your comment is published"
    reply_id = reply(client, site, parent, body="Held answer")
    deliver(app)
    assert inbox.to(ANN) == []
    for status in ("approved", "rejected", "approved"):
        make.set_status(make.session.get_one(Comment, reply_id), status)
        deliver(app)
    [mail] = inbox.to(ANN)
    assert "Held answer" in mail.text


def test_a_shadow_banned_reply_mails_nobody(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site, parent = site_with_confirmed_ann(app, client, make, inbox)
    with app.app_context():
        bans.create_ban(
            make.session, actors.CLI_ACTOR, kind="email", site=site, value=BOB, shadow=True
        )
        make.session.commit()
    reply_id = reply(client, site, parent, body="Buy now")
    assert make.session.get_one(Comment, reply_id).status == "spam"
    deliver(app)
    assert inbox.to(ANN) == []


def test_a_reply_hidden_before_the_mail_left_sends_nothing(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site, parent = site_with_confirmed_ann(app, client, make, inbox)
    reply_id = reply(client, site, parent, body="Regretted answer")
    make.set_status(make.session.get_one(Comment, reply_id), "spam")
    deliver(app)
    assert inbox.to(ANN) == []


def test_a_replies_subscription_wins_over_the_reply_mail(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site, parent = site_with_confirmed_ann(app, client, make, inbox)
    subscribe(client, site.slug, ANN, kind="replies", comment_id=parent.id)
    reply(client, site, parent, body="Seen once")
    deliver(app)
    [mail] = inbox.to(ANN)
    assert "replied on" in str(mail.message["Subject"])  # the subscription's mail


def test_a_daily_digest_subscription_also_replaces_the_reply_mail(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site, parent = site_with_confirmed_ann(app, client, make, inbox)
    subscribe(client, site.slug, ANN, frequency="daily")
    reply(client, site, parent)
    deliver(app)
    assert inbox.to(ANN) == []


def test_the_reply_mails_one_click_unsubscribe_stops_them(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site, parent = site_with_confirmed_ann(app, client, make, inbox)
    reply(client, site, parent, body="First answer")
    deliver(app)
    [mail] = inbox.to(ANN)
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link_to(mail, "/unsubscribe/") == one_click_path(mail)
    assert client.post(one_click_path(mail)).status_code == 200
    inbox.clear()
    reply(client, site, parent, body="Second answer")
    deliver(app)
    assert inbox.to(ANN) == []


def test_a_reply_costs_one_query_and_a_top_level_comment_none(
    app: Flask,
    client: FlaskClient,
    make: Factories,
    inbox: Inbox,
    count_queries: QueryCounter,
) -> None:
    site, parent = site_with_confirmed_ann(app, client, make, inbox)
    anonymous = make.comment(site, body="No address given")
    reply(client, site, anonymous)  # warm-up: the first post of a request fills caches

    def statements(post: Callable[[], object]) -> list[str]:
        before = count_queries.count
        post()
        return count_queries.statements[before:]

    to_nobody = statements(lambda: reply(client, site, anonymous))
    to_ann = statements(lambda: reply(client, site, parent))
    assert len(to_ann) - len(to_nobody) == 1
    [asked] = [s for s in to_ann if LOOKUP in s]
    assert asked.startswith("INSERT INTO outbox")  # the lookup and the mail: one statement
    top_level = statements(lambda: post_comment(client, site.slug, author={"email": BOB}))
    assert not [s for s in top_level if LOOKUP in s]


def test_the_reply_mail_is_queued_once_per_author_and_reply(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox, session: Session
) -> None:
    site, parent = site_with_confirmed_ann(app, client, make, inbox)
    reply_id = reply(client, site, parent)
    with app.app_context():
        fanout.notify_parent_author(make.session, make.session.get_one(Comment, reply_id), set())
        make.session.commit()
    [item] = session.scalars(select(OutboxItem).where(OutboxItem.event == "author.reply"))
    deliver(app)
    [mail] = inbox.to(ANN)
    assert mail.message["Message-ID"].startswith(f"<{item.uid}@")
