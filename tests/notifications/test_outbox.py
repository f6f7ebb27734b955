"""The outbox under faults: SMTP down, a worker dying after its claim, hidden comments, retries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db import get_db
from service.kernel import clock
from service.kernel.config import ConfigError, load_settings
from service.models import Comment, OutboxItem
from service.notifications import outbox
from service.worker import Worker
from tests.factories import Factories
from tests.functional.helpers import post_comment
from tests.notifications.conftest import Inbox, SmtpServer, deliver
from tests.notifications.helpers import confirm, subscribe

BOB = "bob@reader.example"


def reader(app: Flask, client: FlaskClient, make: Factories, inbox: Inbox) -> str:
    """A site with a comment and BOB's confirmed thread subscription; returns the site slug."""
    site = make.site()
    make.comment(site)
    subscribe(client, site.slug, BOB)
    deliver(app)
    confirm(client, inbox.to(BOB)[0])
    inbox.clear()
    return site.slug


def items(session: Session, event: str = "comment") -> list[OutboxItem]:
    session.expire_all()
    return list(
        session.scalars(select(OutboxItem).where(OutboxItem.event == event).order_by(OutboxItem.id))
    )


def test_mails_queued_while_smtp_is_down_all_arrive_once_it_is_back(
    app: Flask,
    client: FlaskClient,
    make: Factories,
    inbox: Inbox,
    smtp_server: SmtpServer,
    session: Session,
) -> None:
    site = reader(app, client, make, inbox)
    with clock.frozen(clock.now()) as frozen:
        smtp_server.stop()
        for number in range(3):
            assert post_comment(client, site, body=f"Comment {number}").status_code == 201
        outcome = deliver(app)
        assert (outcome.sent, outcome.retried) == (0, 3)
        assert all(i.status == "pending" and i.last_error for i in items(session))

        smtp_server.start()
        assert deliver(app).sent == 0  # not due yet: backoff
        frozen.advance(seconds=10)
        assert deliver(app).sent == 3
        frozen.advance(days=1)
        assert deliver(app).claimed == 0
    texts = sorted(mail.text for mail in inbox.to(BOB))
    assert len(texts) == 3
    assert all(f"Comment {n}" in text for n, text in enumerate(texts))


def test_retries_back_off_exponentially_then_give_up(
    app: Flask,
    client: FlaskClient,
    make: Factories,
    inbox: Inbox,
    smtp_server: SmtpServer,
    session: Session,
) -> None:
    site = reader(app, client, make, inbox)
    smtp_server.stop()
    post_comment(client, site, body="Into the void")
    delays = []
    with clock.frozen(clock.now()) as frozen:
        for _ in range(4):
            deliver(app)
            [item] = items(session)
            delays.append((item.next_attempt_at - clock.now()).total_seconds())
            frozen.set(item.next_attempt_at)
    assert delays[:3] == [10, 20, 40]
    [item] = items(session)
    assert (item.status, item.attempts) == ("failed", 4)
    assert "SMTP" in (item.last_error or "")


def test_a_worker_killed_after_its_claim_leaves_the_item_to_the_next_one_exactly_once(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox, session: Session
) -> None:
    site = reader(app, client, make, inbox)
    post_comment(client, site, body="Claimed then orphaned")
    with clock.frozen(clock.now()) as frozen:
        with app.app_context(), get_db(app).session(write=True) as dead_worker:
            claimed = outbox.claim(dead_worker, "killed-worker", limit=10, lease_seconds=120)
        assert len(claimed) == 1
        assert deliver(app, "second-worker").claimed == 0  # the lease still holds
        frozen.advance(seconds=121)
        assert deliver(app, "second-worker").sent == 1
        frozen.advance(hours=1)
        assert deliver(app, "third-worker").claimed == 0
    [mail] = inbox.to(BOB)
    [item] = items(session)
    assert (item.status, item.attempts, item.claimed_by) == ("sent", 2, None)
    assert mail.message["Message-ID"] == f"<{item.uid}@blog.example>"


def test_a_late_worker_cannot_mark_an_item_it_lost(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox, session: Session
) -> None:
    site = reader(app, client, make, inbox)
    post_comment(client, site, body="Two claims")
    with clock.frozen(clock.now()) as frozen, app.app_context():
        with get_db(app).session(write=True) as first:
            [item_id] = outbox.claim(first, "slow", limit=1, lease_seconds=120)
        frozen.advance(seconds=121)
        with get_db(app).session(write=True) as second:
            assert outbox.claim(second, "fast", limit=1, lease_seconds=120) == [item_id]
        with get_db(app).session(write=True) as first:
            assert outbox.mark_sent(first, item_id, "slow") is False
    [item] = items(session)
    assert (item.claimed_by, item.status) == ("fast", "pending")


def test_a_mail_about_a_comment_hidden_before_it_leaves_is_cancelled(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox, session: Session
) -> None:
    site = reader(app, client, make, inbox)
    posted = post_comment(client, site, body="Regretted at once")
    comment = make.refresh(session.get_one(Comment, posted.json["comment"]["id"]))
    make.set_status(comment, "rejected")
    assert deliver(app).cancelled == 1
    assert inbox.to(BOB) == []
    [item] = items(session)
    assert item.status == "cancelled"


def test_finished_items_are_purged_after_the_retention_period(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox, session: Session
) -> None:
    site = reader(app, client, make, inbox)
    post_comment(client, site, body="Old news")
    deliver(app)
    with clock.frozen(clock.now() + timedelta(days=31)):
        deliver(app)
    assert items(session) == []


def test_a_worker_whose_lease_ran_out_mid_batch_leaves_the_item_alone(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox, session: Session
) -> None:
    site = reader(app, client, make, inbox)
    post_comment(client, site, body="Late in the batch")
    slow = Worker(app, "slow")
    with clock.frozen(clock.now()) as frozen, app.app_context():
        with get_db(app).session(write=True) as claiming:
            [item_id] = outbox.claim(claiming, "slow", limit=1, lease_seconds=120)
        frozen.advance(seconds=121)  # earlier items of the batch took that long
        assert slow.deliver(item_id) == "skipped"
    assert inbox.to(BOB) == []
    [item] = items(session)
    assert (item.status, item.claimed_by) == ("pending", "slow")


def test_a_lease_shorter_than_two_send_timeouts_is_refused() -> None:
    with pytest.raises(ConfigError, match="OUTBOX_LEASE_SECONDS"):
        load_settings(
            environ={},
            overrides={
                "env": "test",
                "outbox_lease_seconds": 30,
                "smtp_timeout_seconds": 20,
            },
        )


def test_the_worker_applies_the_retention_settings_daily(
    app: Flask, make: Factories, session: Session
) -> None:
    old = make.comment(created_at=clock.now() - timedelta(days=120))
    assert old.ip_hash is not None
    Worker(app, "housekeeper").run_once()
    session.expire_all()
    assert session.get_one(Comment, old.id).ip_hash is None
