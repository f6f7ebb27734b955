"""A bulk decision is set-based, and does exactly what deciding each comment alone does: the
same statuses, counters, audit rows, resolved reports, training and outbox rows (mails to
watchers, to authors, to the author of a replied-to comment, webhooks)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.db import keys_of
from service.kernel import actors, clock
from service.models import (
    AuditEntry,
    Comment,
    EmailAddress,
    OutboxItem,
    Report,
    Site,
    SpamTraining,
    Subscription,
    Thread,
    Webhook,
)
from service.moderation import decisions
from service.notifications.subscriptions import address_hash
from tests.conftest import QueryCounter
from tests.factories import Factories

ANN = "ann@reader.example"
CARL = "carl@reader.example"


@pytest.fixture
def context(app: Flask) -> Iterator[None]:
    """A request context (keyed hashes and links read the app's settings)."""
    with app.test_request_context():
        yield


@pytest.fixture
def addresses(session: Session, context: None) -> None:
    """Ann and Carl have confirmed addresses that want author mails."""
    for email in (ANN, CARL):
        session.add(
            EmailAddress(
                address_hash=address_hash(keys_of(session), email),
                address=email,
                confirmed_at=clock.now(),
            )
        )
    session.commit()


def scenario(make: Factories, session: Session) -> tuple[Site, dict[str, Comment]]:
    """A site with a webhook, a thread Carl watches, Ann's published comment, and comments to
    decide: a reply to Ann, Ann's own held comment on the watched thread, a plain one, one
    marked spam, and a published one with an open report."""
    site = make.site(moderation="pre")  # held when posted: never notified before the decision
    parent = make.comment(
        site, thread="/t1", body="Ann's first", author="Ann", email=ANN, status="approved"
    )
    make.comment(site, thread="/t2", body="Something to watch", status="approved")
    thread_two = session.scalars(
        select(Thread).where(Thread.site_id == site.id, Thread.key == "/t2")
    ).one()
    carl = session.scalars(
        select(EmailAddress).where(
            EmailAddress.address_hash == address_hash(keys_of(session), CARL)
        )
    ).one()
    session.add(
        Subscription(
            site_id=site.id,
            thread_id=thread_two.id,
            email_id=carl.id,
            kind="thread",
            confirmed_at=clock.now(),
        )
    )
    session.add(
        Webhook(
            site_id=site.id,
            url="https://hooks.example/x",
            secret="s" * 32,
            events=["comment.approved", "comment.rejected"],
        )
    )
    comments = {
        "reply": make.comment(
            site, thread="/t1", parent=parent, body="A reply to Ann", status="pending"
        ),
        "ann": make.comment(
            site, thread="/t2", body="Ann again", author="Ann", email=ANN, status="pending"
        ),
        "plain": make.comment(site, thread="/t3", body="A plain remark", status="pending"),
        "spam": make.comment(site, thread="/t3", body="Not spam after all", status="spam"),
        "reported": make.comment(site, thread="/t3", body="Reported but fine", status="approved"),
    }
    session.add(Report(comment_id=comments["reported"].id, reporter_key="ip:x", reason="abuse"))
    session.commit()
    return site, comments


def outcome(session: Session, site: Site, comments: dict[str, Comment]) -> dict[str, Any]:
    """Everything a decision leaves, with ids replaced by the scenario's names."""
    session.expire_all()
    name_of = {comment.id: name for name, comment in comments.items()}
    outbox = Counter(
        (item.kind, item.event, name_of.get(int(item.payload.get("comment_id") or 0), "-"))
        for item in session.scalars(select(OutboxItem).where(OutboxItem.site_id == site.id))
    )
    threads = {
        t.key: (t.approved_count, t.settled_at is not None)
        for t in session.scalars(select(Thread).where(Thread.site_id == site.id))
    }
    audit = Counter(
        (
            e.action,
            name_of.get(int(e.target_id), "-"),
            e.before["status"],
            len(e.after["resolved_reports"]),
        )
        for e in session.scalars(select(AuditEntry).where(AuditEntry.site_id == site.id))
        if e.action.startswith("comment.")
    )
    return {
        "statuses": {name: session.get_one(Comment, c.id).status for name, c in comments.items()},
        "descendants": {
            name: session.get_one(Comment, c.id).visible_descendants for name, c in comments.items()
        },
        "threads": threads,
        "outbox": outbox,
        "audit": audit,
        "open_reports": session.scalar(
            select(func.count()).select_from(Report).where(Report.resolved_at.is_(None))
        ),
        "trained": sorted(
            (name_of.get(row.comment_id, "-"), row.label)
            for row in session.scalars(select(SpamTraining).where(SpamTraining.site_id == site.id))
        ),
    }


@pytest.mark.parametrize("action", ["approve", "reject", "spam"])
def test_a_bulk_decision_leaves_what_single_decisions_leave(
    app: Flask, make: Factories, session: Session, addresses: None, action: str
) -> None:
    one_by_one, singles = scenario(make, session)
    together, batch = scenario(make, session)
    actor = actors.SYSTEM_ACTOR
    for comment in singles.values():
        decisions.decide(session, actor, session.get_one(Comment, comment.id), action)
    session.commit()
    result = decisions.decide_many(session, actor, [c.id for c in batch.values()], action)
    session.commit()
    assert all(item["ok"] for item in result.results)
    expected = outcome(session, one_by_one, singles)
    found = outcome(session, together, batch)
    assert found == expected
    if action == "approve":  # the scenario reaches every kind of mail
        kinds = {(kind, event) for kind, event, _name in found["outbox"]}
        assert {("mail", "comment"), ("mail", "author.approved"), ("mail", "author.reply")} <= (
            kinds
        )
        assert ("webhook", "comment.approved") in kinds


def test_a_bulk_decision_costs_the_same_statements_for_5_or_50_comments(
    make: Factories, session: Session, count_queries: QueryCounter, context: None
) -> None:
    site = make.site()
    few = [make.comment(site, thread=f"/a{n}", status="pending").id for n in range(5)]
    many = [make.comment(site, thread=f"/b{n}", status="pending").id for n in range(50)]
    actor = actors.SYSTEM_ACTOR
    counts = []
    for ids in (few, many):
        session.commit()
        before = count_queries.count
        decisions.decide_many(session, actor, ids, "approve")
        session.flush()
        counts.append(count_queries.count - before)
        session.commit()
    assert counts[0] == counts[1], counts
