"""Daily digests: collected entries become one mail per subscription when it is due.

Composing a digest (one outbox row, the entries deleted, the next due date cleared) is a single
transaction, so a digest is queued exactly once and never lost; the outbox then sends it like
any mail. Two workers never compose the same digest: PostgreSQL skips rows another worker has
locked, and SQLite runs one write transaction at a time.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from service.kernel import clock
from service.kernel.clock import isoformat
from service.notifications import outbox
from service.notifications.models import DigestEntry, EmailAddress, Subscription


def compose_due_digests(session: Session, *, base: str, limit: int = 100) -> int:
    """Queue the digests due now; commits. Returns how many mails were queued."""
    now = clock.now()
    query = (
        select(Subscription)
        .where(Subscription.digest_due_at.is_not(None), Subscription.digest_due_at <= now)
        .order_by(Subscription.digest_due_at)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    queued = 0
    for subscription in session.scalars(query).all():
        entries = session.scalars(
            select(DigestEntry)
            .where(DigestEntry.subscription_id == subscription.id)
            .order_by(DigestEntry.id)
        ).all()
        if entries:
            queued += _queue(session, subscription, entries, base)
        session.execute(
            delete(DigestEntry).where(DigestEntry.subscription_id == subscription.id),
            execution_options={"synchronize_session": False},
        )
        subscription.digest_due_at = None
        subscription.last_digest_at = now
    session.commit()
    return queued


def _queue(
    session: Session, subscription: Subscription, rows: Sequence[DigestEntry], base: str
) -> int:
    address = session.get(EmailAddress, subscription.email_id)
    if address is None:
        return 0
    payload: dict[str, object]
    if subscription.kind == "moderation":
        template = "moderation_digest"
        payload = {
            "entries": [{"comment_id": e.comment_id, "reason": e.reason} for e in rows],
        }
    else:
        template = "digest"
        payload = {"comment_ids": [e.comment_id for e in rows]}
    return outbox.enqueue(
        session,
        [
            {
                "uid": outbox.stable_uid(
                    "digest", subscription.id, isoformat(subscription.digest_due_at)
                ),
                "kind": "mail",
                "event": template,
                "site_id": subscription.site_id,
                "recipient_hash": address.address_hash,
                "payload": {
                    "template": template,
                    "subscription_id": subscription.id,
                    "base": base,
                    **payload,
                },
            }
        ],
    )
