"""Mails that stop when asked (issue 22): an unsubscribe stops every mail about what its mail was
about, whichever way those mails would come; the manage page lists and stops every kind.

Driven through a real SMTP server: the mail is received, its `List-Unsubscribe` URL is POSTed
the way a mail client does it (RFC 8058), then new comments are posted and the inbox is read.
"""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from service.models import Comment, Site
from tests.factories import Factories
from tests.functional.helpers import post_comment
from tests.notifications.conftest import Inbox, Received, deliver
from tests.notifications.helpers import confirm, link_to, one_click_path, subscribe

ANN = "ann@reader.example"
BOB = "bob@reader.example"


def one_click(client: FlaskClient, mail: Received) -> TestResponse:
    """What a mail client does with `List-Unsubscribe-Post: List-Unsubscribe=One-Click`."""
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    response = client.post(
        one_click_path(mail),
        data={"List-Unsubscribe": "One-Click"},
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200, response.text
    return response


def ann_comments(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox, **fields: object
) -> tuple[Site, Comment]:
    """Ann posts on /post asking for replies, and confirms the subscription from her mail."""
    site = make.site()
    make.comment(site, body="An older comment")
    posted = post_comment(
        client,
        site.slug,
        body="Thoughts by Ann",
        author={"name": "Ann", "email": ANN},
        notify="replies",
        **fields,
    )
    assert posted.status_code == 201, posted.json
    deliver(app)
    confirm(client, inbox.to(ANN)[-1])
    inbox.clear()
    return site, make.session.get_one(Comment, posted.json["comment"]["id"])


def reply(client: FlaskClient, site: Site, parent: Comment, body: str, **fields: object) -> int:
    fields.setdefault("author", {"name": "Bob", "email": BOB})
    posted = post_comment(client, site.slug, parent_id=parent.id, body=body, **fields)
    assert posted.status_code == 201, posted.json
    return int(posted.json["comment"]["id"])


def test_one_click_in_a_replies_mail_also_stops_the_replied_to_your_comment_mails(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site, ann = ann_comments(app, client, make, inbox)
    reply(client, site, ann, "First answer")
    deliver(app)
    [mail] = inbox.to(ANN)
    assert "Bob replied on" in str(mail.message["Subject"])

    one_click(client, mail)
    inbox.clear()
    reply(client, site, ann, "Second answer")
    deliver(app)
    assert inbox.to(ANN) == []


def test_replies_deeper_below_the_comment_stop_too(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site, ann = ann_comments(app, client, make, inbox)
    first = reply(client, site, ann, "First answer")
    deliver(app)
    one_click(client, inbox.to(ANN)[0])
    answer = make.session.get_one(Comment, first)
    again = reply(client, site, answer, "Ann answers Bob", author={"name": "Ann", "email": ANN})
    inbox.clear()
    reply(client, site, make.session.get_one(Comment, again), "Carol answers Ann")
    deliver(app)
    assert inbox.to(ANN) == []


def test_the_unsubscribed_page_says_what_stopped_and_offers_the_manage_page(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site, ann = ann_comments(app, client, make, inbox)
    reply(client, site, ann, "First answer")
    deliver(app)
    [mail] = inbox.to(ANN)
    before = client.get(one_click_path(mail))
    assert "Every mail about replies to the comment “Thoughts by Ann”" in before.text
    page = one_click(client, mail)
    assert "These mails are stopped" in page.text
    assert "replied to your comment" in page.text
    manage = link_to(mail, "/subscriptions/manage/")
    assert f'href="{manage}"' in page.text
    assert client.get(manage).status_code == 200


def test_the_reply_mails_unsubscribe_stops_the_replies_to_that_comment_only(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site, ann = ann_comments(app, client, make, inbox)
    other = make.comment(site, body="Ann again", author="Ann", email=ANN)
    reply(client, site, ann, "First answer")
    deliver(app)
    [subscription_mail] = inbox.to(ANN)
    one_click(client, subscription_mail)
    inbox.clear()
    reply(client, site, other, "An answer to the other comment")
    deliver(app)
    [author_mail] = inbox.to(ANN)  # replies to her other comment still come, as author mails
    assert "replied to your comment" in str(author_mail.message["Subject"])
    page = one_click(client, author_mail)
    assert "Ann again" in page.text

    inbox.clear()
    reply(client, site, other, "Another answer to the other comment")
    reply(client, site, ann, "Another answer to the first")
    deliver(app)
    assert inbox.to(ANN) == []


def test_the_reply_mails_unsubscribe_keeps_the_published_mails(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site = make.site(moderation="pre")
    make.comment(site, thread="/elsewhere", status="approved")
    subscribe(client, site.slug, ANN, thread="/elsewhere")
    deliver(app)
    confirm(client, inbox.to(ANN)[-1])
    ann = make.comment(site, body="Ann again", author="Ann", email=ANN, status="approved")
    deliver(app)
    inbox.clear()  # "your comment is published"
    make.set_status(make.session.get_one(Comment, reply(client, site, ann, "Hi")), "approved")
    deliver(app)
    [author_mail] = inbox.to(ANN)
    assert "replied to your comment" in str(author_mail.message["Subject"])
    one_click(client, author_mail)

    inbox.clear()
    held = reply(client, site, ann, "Hi again", author={"name": "Ann", "email": ANN})
    make.set_status(make.session.get_one(Comment, held), "approved")
    deliver(app)
    [published] = inbox.to(ANN)
    assert "is published" in str(published.message["Subject"])


def test_unsubscribing_from_a_thread_stops_the_reply_mails_in_that_thread(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site = make.site()
    ann = make.comment(site, body="Ann's thoughts", author="Ann", email=ANN)
    subscribe(client, site.slug, ANN, kind="thread")
    deliver(app)
    confirm(client, inbox.to(ANN)[-1])
    inbox.clear()
    post_comment(client, site.slug, body="A new top-level comment", author={"name": "Dan"})
    deliver(app)
    [mail] = inbox.to(ANN)
    page = one_click(client, mail)
    assert "replies to your own comments there included" in page.text

    inbox.clear()
    reply(client, site, ann, "An answer in the thread")
    deliver(app)
    assert inbox.to(ANN) == []


def test_the_manage_page_lists_every_kind_of_mail_and_stops_each(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site, ann = ann_comments(app, client, make, inbox)
    reply(client, site, ann, "First answer")
    deliver(app)
    [mail] = inbox.to(ANN)
    manage = link_to(mail, "/subscriptions/manage/")
    page = client.get(manage).text
    assert "Replies to a comment on" in page  # her subscription
    assert "when someone replies to one" in page  # the mails about her own comments

    [subscription_id] = [
        line.split('value="')[1].split('"')[0]
        for line in page.splitlines()
        if 'name="subscription"' in line
    ]
    stopped = client.post(manage, data={"action": "cancel", "subscription": subscription_id})
    assert stopped.status_code == 303
    page = client.get(manage).text
    assert "Replies to a comment on" not in page
    assert "Stopped: mails about replies to your comments" in page
    assert "Replies to “Thoughts by Ann”" in page

    inbox.clear()
    reply(client, site, ann, "Second answer")
    deliver(app)
    assert inbox.to(ANN) == []

    client.post(manage, data={"action": "author_off"})
    assert "You get no mails about your own comments" in client.get(manage).text


def test_mail_me_again_on_the_manage_page_brings_the_reply_mails_back(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site, ann = ann_comments(app, client, make, inbox)
    reply(client, site, ann, "First answer")
    deliver(app)
    [mail] = inbox.to(ANN)
    one_click(client, mail)
    manage = link_to(mail, "/subscriptions/manage/")
    [mute_id] = [
        line.split('value="')[1].split('"')[0]
        for line in client.get(manage).text.splitlines()
        if 'name="mute"' in line
    ]
    assert client.post(manage, data={"action": "unmute", "mute": mute_id}).status_code == 303
    inbox.clear()
    reply(client, site, ann, "Second answer")
    deliver(app)
    [again] = inbox.to(ANN)
    assert "replied to your comment" in str(again.message["Subject"])


def test_the_page_never_shows_the_text_of_a_comment_hidden_since(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site, ann = ann_comments(app, client, make, inbox)
    reply(client, site, ann, "First answer")
    deliver(app)
    [mail] = inbox.to(ANN)
    make.set_status(ann, "spam")
    page = client.get(one_click_path(mail))
    assert "Every mail about replies to the comment “…”" in page.text
    assert "Thoughts by Ann" not in page.text
