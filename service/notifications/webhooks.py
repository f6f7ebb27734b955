"""Webhooks: per-site endpoints, their signed payloads, and the delivery log (outbox rows).

A delivery's body is fixed when the event happens (`{id, event, created_at, site, comment}`), so
every retry sends the same bytes under the same `X-Sidenote-Delivery` id; only the timestamp and
signature are made per attempt: `X-Sidenote-Signature: sha256=<hex HMAC-SHA256(secret,
timestamp + "." + body)>`. The comment is its public shape plus `status`: never an email or IP.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from service.comments.anchors import anchor_wire
from service.comments.events import COMMENT_EVENTS
from service.comments.models import Comment, CommentAnchor, CommentStatus, Site, Thread
from service.comments.serializers import own_comment_json
from service.kernel import clock
from service.kernel.actors import Principal
from service.kernel.errors import NotFound, ValidationFailed
from service.moderation import audit
from service.notifications import outbox
from service.notifications.models import OutboxItem, Webhook

WEBHOOK_EVENTS = COMMENT_EVENTS
TEST_EVENT = "ping"
MAX_WEBHOOKS_PER_SITE = 20


def signature(secret: str, timestamp: str, body: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def validate_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValidationFailed.on("url", "Use an http:// or https:// URL.")
    if parts.username or parts.password:
        raise ValidationFailed.on("url", "Put no credentials in the URL; the secret signs.")
    return url


def validate_events(names: list[str]) -> list[str]:
    unknown = sorted(set(names) - set(WEBHOOK_EVENTS))
    if unknown:
        raise ValidationFailed.on("events", f"Unknown event {unknown[0]!r}.")
    if not names:
        raise ValidationFailed.on("events", "Choose at least one event.")
    return [name for name in WEBHOOK_EVENTS if name in names]


def create_webhook(
    session: Session,
    actor: Principal,
    site: Site,
    *,
    url: str,
    events: list[str],
    description: str = "",
    secret: str | None = None,
) -> Webhook:
    """A new active webhook. Without `secret`, one is generated (shown to the caller once)."""
    count = len(session.scalars(select(Webhook.id).where(Webhook.site_id == site.id)).all())
    if count >= MAX_WEBHOOKS_PER_SITE:
        raise ValidationFailed.on("url", f"A site has at most {MAX_WEBHOOKS_PER_SITE} webhooks.")
    webhook = Webhook(
        site_id=site.id,
        url=validate_url(url),
        events=validate_events(events),
        description=description.strip(),
        secret=secret or "whsec_" + secrets.token_urlsafe(32),
        active=True,
    )
    session.add(webhook)
    session.flush()
    audit.record(
        session,
        actor,
        "webhook.add",
        target_kind="webhook",
        target_id=webhook.id,
        site_id=site.id,
        after=_audited(webhook),
    )
    return webhook


def _audited(webhook: Webhook) -> dict[str, Any]:
    """What the audit log keeps of a webhook: never its secret."""
    return {"url": webhook.url, "events": webhook.events, "description": webhook.description}


def list_webhooks(session: Session, site: Site) -> list[Webhook]:
    return list(
        session.scalars(select(Webhook).where(Webhook.site_id == site.id).order_by(Webhook.id))
    )


def get_webhook(session: Session, site: Site, webhook_id: int) -> Webhook:
    webhook = session.get(Webhook, webhook_id)
    if webhook is None or webhook.site_id != site.id:
        raise NotFound("No such webhook on this site.")
    return webhook


def delete_webhook(session: Session, actor: Principal, site: Site, webhook_id: int) -> None:
    webhook = get_webhook(session, site, webhook_id)
    before = _audited(webhook)
    session.delete(webhook)
    session.flush()
    audit.record(
        session,
        actor,
        "webhook.delete",
        target_kind="webhook",
        target_id=webhook_id,
        site_id=site.id,
        before=before,
    )


def deliveries(
    session: Session, webhook: Webhook, *, limit: int = 50, before: int | None = None
) -> list[OutboxItem]:
    """The newest deliveries first (the delivery log); `before` pages by outbox id."""
    query = select(OutboxItem).where(OutboxItem.webhook_id == webhook.id)
    if before is not None:
        query = query.where(OutboxItem.id < before)
    return list(session.scalars(query.order_by(OutboxItem.id.desc()).limit(limit)))


def comment_payload(session: Session, comment: Comment) -> dict[str, Any]:
    """The public comment shape plus status and thread; nothing private."""
    data = own_comment_json(comment, with_anchor=False)
    if comment.depth == 0:
        anchor = session.get(CommentAnchor, comment.id)
        data["anchor"] = anchor_wire(anchor) if anchor is not None else None
    thread = session.get(Thread, comment.thread_id)
    data["status"] = comment.status
    data["deleted"] = comment.status == CommentStatus.DELETED
    data["thread"] = (
        {"key": thread.key, "url": thread.url, "title": thread.title} if thread else None
    )
    return data


def body(
    uid: str,
    event: str,
    site: Site,
    comment: dict[str, Any] | None,
    data: dict[str, Any] | None = None,
) -> str:
    """The JSON text of a delivery; `data` (e.g. a report's reason) only when there is some."""
    document: dict[str, Any] = {
        "id": uid,
        "event": event,
        "created_at": clock.isoformat(clock.now()),
        "site": site.slug,
        "comment": comment,
    }
    if data:
        document["data"] = data
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


#: Built once: every comment event asks.
_ACTIVE_WEBHOOKS = select(Webhook).where(
    Webhook.site_id == bindparam("site_id"), Webhook.active.is_(True)
)


def site_wants(session: Session, site_id: int, event: str) -> bool:
    """Whether an active webhook of the site wants `event` (what `enqueue_event` asks first)."""
    return any(
        event in hook.events for hook in session.scalars(_ACTIVE_WEBHOOKS, {"site_id": site_id})
    )


def enqueue_event(
    session: Session, site: Site, event: str, comment: Comment, data: dict[str, Any] | None = None
) -> int:
    """A delivery for every active webhook of the site that wants `event`."""
    wanted = [
        hook
        for hook in session.scalars(_ACTIVE_WEBHOOKS, {"site_id": site.id})
        if event in hook.events
    ]
    if not wanted:
        return 0
    shape = comment_payload(session, comment)
    rows = []
    for hook in wanted:
        uid = outbox.new_uid()
        rows.append(
            {
                "uid": uid,
                "kind": "webhook",
                "event": event,
                "site_id": site.id,
                "webhook_id": hook.id,
                "payload": {"body": body(uid, event, site, shape, data)},
            }
        )
    return outbox.enqueue(session, rows)


def enqueue_test(session: Session, site: Site, webhook: Webhook) -> OutboxItem:
    uid = outbox.new_uid()
    outbox.enqueue(
        session,
        [
            {
                "uid": uid,
                "kind": "webhook",
                "event": TEST_EVENT,
                "site_id": site.id,
                "webhook_id": webhook.id,
                "payload": {"body": body(uid, TEST_EVENT, site, None)},
            }
        ],
    )
    item = session.scalar(select(OutboxItem).where(OutboxItem.uid == uid))
    assert item is not None
    return item
