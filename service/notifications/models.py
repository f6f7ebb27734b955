"""Notifications: mail addresses, subscriptions, digests, webhooks and the outbox that sends them.

Every mail and webhook delivery is an `OutboxItem` written in the transaction of the change that
caused it; the worker (`sidenote worker`, or a thread of the web process) claims items with a
lease, sends them and marks them sent. Webhook deliveries stay in the outbox as their log.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Annotated, Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    exists,
)
from sqlalchemy.orm import Mapped, mapped_column

from service.comments.models import Site, Thread
from service.comments.sites import AbsenceProbe
from service.db import Base, UTCDateTime
from service.kernel import clock

intpk = Annotated[int, mapped_column(primary_key=True)]
created = Annotated[datetime, mapped_column(UTCDateTime, default=clock.now)]

SUBSCRIPTION_KINDS = ("replies", "thread", "moderation")
FREQUENCIES = ("immediate", "daily")
OUTBOX_KINDS = ("mail", "webhook")
OUTBOX_STATUSES = ("pending", "sent", "failed", "cancelled")


def new_nonce() -> str:
    """Random part of signed links; replacing it revokes every link made with the old one."""
    return secrets.token_urlsafe(12)


class EmailAddress(Base):
    """A reader's mail address, known by its keyed hash; confirmed once by a confirmation link."""

    __tablename__ = "email_addresses"

    id: Mapped[intpk]
    address_hash: Mapped[str] = mapped_column(String(64), unique=True)
    address: Mapped[str] = mapped_column(String(254))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    #: Mails about the owner's own comments (approved, rejected); off from the manage page.
    author_mails: Mapped[bool] = mapped_column(Boolean, default=True)
    token_nonce: Mapped[str] = mapped_column(String(32), default=new_nonce)
    created_at: Mapped[created]


class ReplyMute(Base):
    """An address asked to stop the mails about replies below a comment, or in a whole thread.

    Written when a reader unsubscribes from replies to a comment (or from a thread, or from a
    "someone replied to your comment" mail): besides the subscription, the author reply mails
    about the same replies stop, so the reader is not mailed about them another way.
    """

    __tablename__ = "reply_mutes"

    id: Mapped[intpk]
    email_id: Mapped[int] = mapped_column(ForeignKey("email_addresses.id", ondelete="CASCADE"))
    #: Exactly one of the two: replies at any depth below this comment, or the whole thread.
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), default=None
    )
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), default=None
    )
    created_at: Mapped[created]

    __table_args__ = (
        CheckConstraint("(comment_id IS NULL) <> (thread_id IS NULL)", name="one_target"),
        UniqueConstraint("email_id", "comment_id", name="uq_reply_mutes_email_comment"),
        UniqueConstraint("email_id", "thread_id", name="uq_reply_mutes_email_thread"),
        Index("ix_reply_mutes_comment", "comment_id"),
        Index("ix_reply_mutes_thread", "thread_id"),
    )


class Subscription(Base):
    """Someone asked to hear about new comments: below a comment, in a thread, or to moderate."""

    __tablename__ = "subscriptions"

    id: Mapped[intpk]
    #: None only for `moderation`: every site the moderator may moderate.
    site_id: Mapped[int | None] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), default=None
    )
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), default=None
    )
    #: For `replies`: the comment whose replies (at any depth) are wanted.
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), default=None
    )
    email_id: Mapped[int] = mapped_column(ForeignKey("email_addresses.id", ondelete="CASCADE"))
    #: For `moderation`: the moderator account the alerts are for.
    moderator_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderators.id", ondelete="CASCADE"), default=None
    )
    kind: Mapped[str] = mapped_column(String(16))
    frequency: Mapped[str] = mapped_column(String(16), default="immediate")
    locale: Mapped[str] = mapped_column(String(16), default="en")
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    token_nonce: Mapped[str] = mapped_column(String(32), default=new_nonce)
    created_at: Mapped[created]
    #: Daily digests: when the collected entries are due, and when the last digest went out.
    digest_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    __table_args__ = (
        CheckConstraint("kind IN ('replies', 'thread', 'moderation')", name="kind"),
        CheckConstraint("frequency IN ('immediate', 'daily')", name="frequency"),
        Index("ix_subscriptions_thread_kind", "thread_id", "kind"),
        Index("ix_subscriptions_comment", "comment_id"),
        Index("ix_subscriptions_email", "email_id"),
        Index("ix_subscriptions_kind_site", "kind", "site_id"),
        Index("ix_subscriptions_moderator", "moderator_id"),
        Index("ix_subscriptions_digest_due", "digest_due_at"),
    )

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


class DigestEntry(Base):
    """A comment waiting for its subscription's next digest mail."""

    __tablename__ = "digest_entries"

    id: Mapped[intpk]
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id", ondelete="CASCADE"))
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    #: What happened: a new comment, or (moderation digests) one pending or reported.
    reason: Mapped[str] = mapped_column(String(16), default="comment")
    created_at: Mapped[created]

    __table_args__ = (
        UniqueConstraint(
            "subscription_id", "comment_id", "reason", name="uq_digest_entries_subscription_comment"
        ),
    )


class Webhook(Base):
    """An integration's endpoint: signed POSTs for the chosen events of one site."""

    __tablename__ = "webhooks"

    id: Mapped[intpk]
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(128))
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    description: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[created]


class OutboxItem(Base):
    """One mail or webhook delivery, written with the change that caused it; also the delivery log.

    `uid` is stable across retries (the mail's Message-ID, the webhook's X-Sidenote-Delivery), so
    a receiver can drop a repeat. A worker owns an item while `lease_expires_at` is in the future;
    a worker that dies leaves the lease to expire and another takes the item over.
    """

    __tablename__ = "outbox"

    id: Mapped[intpk]
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    #: The event (`comment.created`, …) or, for mail, the template (`reply`, `confirm`, …).
    event: Mapped[str] = mapped_column(String(40))
    site_id: Mapped[int | None] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), default=None
    )
    webhook_id: Mapped[int | None] = mapped_column(
        ForeignKey("webhooks.id", ondelete="CASCADE"), default=None
    )
    #: Keyed hashes of the recipient address and of the requester's IP (confirmation limits).
    recipient_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    requester_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    claimed_by: Mapped[str | None] = mapped_column(String(100), default=None)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[created]
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    __table_args__ = (
        CheckConstraint("kind IN ('mail', 'webhook')", name="kind"),
        CheckConstraint("status IN ('pending', 'sent', 'failed', 'cancelled')", name="status"),
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_webhook", "webhook_id", "id"),
        Index("ix_outbox_recipient", "recipient_hash", "created_at"),
        Index("ix_outbox_requester", "requester_hash", "created_at"),
    )


#: What posting's one lookup asks on notifications' behalf (`comments.sites.AbsenceProbe`): any
#: active webhook of the site, any confirmed subscription to the thread.
POSTING_PROBES = (
    AbsenceProbe(
        "webhooks",
        exists().where(Webhook.site_id == Site.id, Webhook.active.is_(True)).label("any_webhook"),
    ),
    AbsenceProbe(
        "watchers",
        exists()
        .where(Subscription.thread_id == Thread.id, Subscription.confirmed_at.is_not(None))
        .label("any_watcher"),
    ),
)
