"""Domain events to outbox rows, inside the transaction that caused them.

Rules (issue 7): only approved comments notify readers, once per comment (a comment approved
later notifies then; approving it again sends nothing new: `Comment.notified_at` marks it, stored
with a comment that is approved when posted); nobody is mailed about their own
comment; comments stored as spam (shadow bans) never reach mails or webhooks, except the
`comment.rejected` webhook of a moderator's spam decision, which says so in its status. A reply
that becomes visible also mails the author of the comment it answers (confirmed address, author
mails on), once, unless a subscription of theirs already brings it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import and_, bindparam, exists, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from service.comments import events
from service.comments.models import Comment, CommentStatus, Site, Thread
from service.comments.verdicts import ReasonCode
from service.db import keys_of, settings_of, table_of
from service.kernel import clock
from service.kernel.clock import isoformat
from service.kernel.keys import Keys
from service.moderation.models import Moderator, ModeratorSite
from service.notifications import links, outbox, webhooks
from service.notifications.models import DigestEntry, EmailAddress, Subscription
from service.notifications.subscriptions import (
    add_subscription,
    address_hash,
    find_address,
    muted_condition,
)


def _site(session: Session, comment: Comment) -> Site:
    return session.get_one(Site, comment.site_id)


def on_created(session: Session, event: events.CommentEvent) -> None:
    comment = event.comment
    if comment.status == CommentStatus.SPAM:
        return
    subscribe_author(session, comment, event.data.get("notify"), event.data.get("locale"))
    if comment.status == CommentStatus.APPROVED:  # visible at once: posted with its `notified_at`
        notify_readers(session, comment, watched=not event.known_absent.watchers)
    elif comment.status == CommentStatus.PENDING and not waits_for_its_author(comment):
        alert_moderators(session, comment, "pending")
    if not event.known_absent.webhooks:
        webhooks.enqueue_event(session, _site(session, comment), "comment.created", comment)


def waits_for_its_author(comment: Comment) -> bool:
    """Held only until a guest confirms their address (identity): no moderator is needed yet."""
    holds = [r.get("code") for r in comment.moderation_reasons if r.get("verdict") == "hold"]
    return bool(holds) and all(code == ReasonCode.UNVERIFIED_GUEST for code in holds)


def on_approved(session: Session, event: events.CommentEvent) -> None:
    comment = event.comment
    first_time = mark_notified(session, comment)
    if first_time:
        notify_readers(session, comment)
    by_author = event.data.get("cause") == "author"  # a guest confirmed their address
    if first_time and not by_author:  # "published" once, not again after an undo
        notify_author(session, comment, "approved")
    webhooks.enqueue_event(session, _site(session, comment), "comment.approved", comment)


def on_approved_many(session: Session, batch: list[events.CommentEvent]) -> None:
    """`on_approved` for a bulk decision: the same rows, and what every comment would ask
    alone (first approval, watchers, author and parent-author addresses, webhooks) asked once
    for all of them; the per-comment steps run only where that found something to do."""
    first = mark_notified_many(session, [event.comment for event in batch])
    newly = [event.comment for event in batch if event.comment.id in first]
    watched = _watched_threads(session, {comment.thread_id for comment in newly})
    parents = _load_parents(session, newly)
    emails = [c.author_email for c in newly] + [p.author_email for p in parents.values()]
    mailable = _mailable(session, emails)
    keys = keys_of(session)
    for event in batch:
        comment = event.comment
        if comment.id not in first:
            continue
        parent = parents.get(comment.parent_id or 0)
        notify_readers(
            session,
            comment,
            watched=comment.thread_id in watched,
            parent_mailable=parent is not None and _hash_of(keys, parent.author_email) in mailable,
        )
        if event.data.get("cause") != "author" and _hash_of(keys, comment.author_email) in mailable:
            notify_author(session, comment, "approved")
    _enqueue_webhooks_many(session, batch, "comment.approved", lambda _event: None)


def on_rejected_many(session: Session, batch: list[events.CommentEvent]) -> None:
    """`on_rejected` for a bulk decision (see `on_approved_many`)."""
    mailable = _mailable(
        session, [e.comment.author_email for e in batch if rejection_mails_author(e)]
    )
    keys = keys_of(session)
    for event in batch:
        if rejection_mails_author(event) and _hash_of(keys, event.comment.author_email) in mailable:
            notify_author(session, event.comment, "rejected", rejection_reason(event))

    def data(event: events.CommentEvent) -> dict[str, Any] | None:
        reason = rejection_reason(event)
        return {"reason": reason} if reason else None

    _enqueue_webhooks_many(session, batch, "comment.rejected", data)


def _hash_of(keys: Keys, email: str) -> str | None:
    return address_hash(keys, email) if email.strip() else None


def _mailable(session: Session, emails: list[str]) -> set[str]:
    """The hashes of those addresses that are confirmed and want author mails (one query)."""
    keys = keys_of(session)
    hashes = {h for email in emails if (h := _hash_of(keys, email)) is not None}
    if not hashes:
        return set()
    return set(
        session.scalars(
            select(EmailAddress.address_hash).where(
                EmailAddress.address_hash.in_(hashes),
                EmailAddress.confirmed_at.is_not(None),
                EmailAddress.author_mails.is_(True),
            )
        )
    )


def _watched_threads(session: Session, thread_ids: set[int]) -> set[int]:
    """Threads with a confirmed subscription (to the thread or a comment in it): one query."""
    if not thread_ids:
        return set()
    return set(
        session.scalars(
            select(Subscription.thread_id)
            .where(Subscription.thread_id.in_(thread_ids), Subscription.confirmed_at.is_not(None))
            .distinct()
        )
    )


def _load_parents(session: Session, comments: list[Comment]) -> dict[int, Comment]:
    """The approved parents of these replies, loaded together (one query at most)."""
    ids = {c.parent_id for c in comments if c.parent_id is not None}
    if not ids:
        return {}
    found = session.scalars(select(Comment).where(Comment.id.in_(ids)))
    return {parent.id: parent for parent in found if parent.status == CommentStatus.APPROVED}


def _enqueue_webhooks_many(
    session: Session,
    batch: list[events.CommentEvent],
    name: str,
    data: Any,
) -> None:
    """`webhooks.enqueue_event` for each event whose site has an active webhook wanting `name`
    (asked once per site)."""
    wanted: dict[int, bool] = {}
    for event in batch:
        site_id = event.comment.site_id
        if site_id not in wanted:
            wanted[site_id] = webhooks.site_wants(session, site_id, name)
        if wanted[site_id]:
            webhooks.enqueue_event(
                session, _site(session, event.comment), name, event.comment, data(event)
            )


def rejection_reason(event: events.CommentEvent) -> str:
    """The moderator's reason (its text, if the decision gave a code and a text)."""
    for key in ("reason_text", "reason_message", "reason"):
        value = event.data.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def rejection_mails_author(event: events.CommentEvent) -> bool:
    """A rejection is mailed to its author, unless the comment was spam before (a spammer
    learns nothing) or the decision marked it spam."""
    return (
        event.comment.status == CommentStatus.REJECTED
        and event.previous_status != CommentStatus.SPAM
    )


def on_rejected(session: Session, event: events.CommentEvent) -> None:
    comment = event.comment
    reason = rejection_reason(event)
    if rejection_mails_author(event):
        notify_author(session, comment, "rejected", reason)
    webhooks.enqueue_event(
        session,
        _site(session, comment),
        "comment.rejected",
        comment,
        {"reason": reason} if reason else None,
    )


def on_deleted(session: Session, event: events.CommentEvent) -> None:
    if event.previous_status == CommentStatus.SPAM:
        return
    comment = event.comment
    webhooks.enqueue_event(session, _site(session, comment), "comment.deleted", comment)


def on_reported(session: Session, event: events.CommentEvent) -> None:
    comment = event.comment
    if comment.status not in {CommentStatus.APPROVED, CommentStatus.PENDING}:
        return
    reason = str(event.data.get("reason") or "")
    alert_moderators(session, comment, "reported", reason)
    webhooks.enqueue_event(
        session,
        _site(session, comment),
        "comment.reported",
        comment,
        {"reason": reason} if reason else None,
    )


def on_edited(session: Session, event: events.CommentEvent) -> None:
    comment = event.comment
    if comment.status == CommentStatus.SPAM:
        return
    if comment.status == CommentStatus.PENDING:
        alert_moderators(session, comment, "pending")
    webhooks.enqueue_event(session, _site(session, comment), "comment.edited", comment)


# -- readers ----------------------------------------------------------------------------------


def subscribe_author(
    session: Session, comment: Comment, notify: Any, locale: str | None = None
) -> None:
    """`notify: replies|thread` on a new comment subscribes its author's address (opt-in), in
    their language (`locale`, from their request: the edge reads it)."""
    if notify not in {"replies", "thread"} or not comment.author_email.strip():
        return
    add_subscription(
        session,
        site=_site(session, comment),
        thread=session.get_one(Thread, comment.thread_id),
        comment=comment if notify == "replies" else None,
        email=comment.author_email,
        kind=str(notify),
        locale=locale,
        ip_hash=comment.ip_hash,
    )


def _schedule_digests(
    session: Session, subscriptions: list[Subscription], comment_id: int, reason: str
) -> None:
    """Collect the comment for each daily subscription (one INSERT however many there are)."""
    if not subscriptions:
        return
    now = clock.now()
    outbox.insert_all_ignoring_conflict(
        session,
        DigestEntry,
        [
            {
                "subscription_id": subscription.id,
                "comment_id": comment_id,
                "reason": reason,
                "created_at": now,
            }
            for subscription in subscriptions
        ],
        ["subscription_id", "comment_id", "reason"],
    )
    due = now + timedelta(hours=settings_of(session).digest_hours)
    for subscription in subscriptions:
        if subscription.digest_due_at is None:
            subscription.digest_due_at = due


#: Built once: every approved comment asks. An empty `ancestors` list matches no reply watch.
_SUBSCRIBERS = (
    select(Subscription, EmailAddress)
    .join(EmailAddress, EmailAddress.id == Subscription.email_id)
    .where(
        or_(
            and_(Subscription.kind == "thread", Subscription.thread_id == bindparam("thread_id")),
            and_(
                Subscription.kind == "replies",
                Subscription.comment_id.in_(bindparam("ancestors", expanding=True)),
            ),
        ),
        Subscription.confirmed_at.is_not(None),
        EmailAddress.confirmed_at.is_not(None),
    )
)


_comments = table_of(Comment)
#: Prepared once. Only the first approval of a comment finds `notified_at` empty, even when two
#: moderators approve it at the same moment.
_MARK_NOTIFIED = (
    update(_comments)
    .where(_comments.c.id == bindparam("comment_id"), _comments.c.notified_at.is_(None))
    .values(notified_at=bindparam("now"))
)


def mark_notified(session: Session, comment: Comment) -> bool:
    """Mark an approved comment's readers as told; True if they had not been told before."""
    if comment.status != CommentStatus.APPROVED or comment.notified_at is not None:
        return False
    now = clock.now()
    session.flush()  # a Core statement does not autoflush
    result = session.execute(_MARK_NOTIFIED, {"comment_id": comment.id, "now": now})
    if not getattr(result, "rowcount", 0):
        session.expire(comment, ["notified_at"])
        return False
    set_committed_value(comment, "notified_at", now)
    return True


def mark_notified_many(session: Session, comments: list[Comment]) -> set[int]:
    """`mark_notified` for many comments in one UPDATE; the ids whose readers were not told."""
    candidates = [
        c for c in comments if c.status == CommentStatus.APPROVED and c.notified_at is None
    ]
    if not candidates:
        return set()
    now = clock.now()
    session.flush()
    marked = set(
        session.execute(
            update(_comments)
            .where(
                _comments.c.id.in_([c.id for c in candidates]), _comments.c.notified_at.is_(None)
            )
            .values(notified_at=now)
            .returning(_comments.c.id)
        ).scalars()
    )
    for comment in candidates:
        if comment.id in marked:
            set_committed_value(comment, "notified_at", now)
        else:
            session.expire(comment, ["notified_at"])
    return marked


def notify_readers(
    session: Session, comment: Comment, *, watched: bool = True, parent_mailable: bool = True
) -> None:
    """Mail (or collect for the digest) every confirmed subscriber this comment concerns.

    Called once per comment, when it first becomes visible (see `mark_notified`).
    `watched=False`: the posting lookup found no subscriber of the thread (its author's own new
    subscription, if any, is never mailed about their comment), so none is looked for.
    `parent_mailable=False`: the caller knows the parent's author cannot be mailed (no
    confirmed address wanting author mails), so `notify_parent_author` is not asked.
    """
    ancestors = comment.ancestor_ids
    rows = (
        session.execute(
            _SUBSCRIBERS, {"thread_id": comment.thread_id, "ancestors": ancestors}
        ).all()
        if watched
        else []
    )
    own = (
        address_hash(keys_of(session), comment.author_email)
        if comment.author_email.strip()
        else None
    )
    nearest = {ancestor: depth for depth, ancestor in enumerate(ancestors)}

    def rank(subscription: Subscription) -> int:
        """Replies to the nearest ancestor beat replies further up, which beat the thread."""
        if subscription.kind == "replies" and subscription.comment_id is not None:
            return 1 + nearest.get(subscription.comment_id, 0)
        return 0

    chosen: dict[int, Subscription] = {}
    for subscription, address in rows:
        if own is not None and address.address_hash == own:
            continue
        current = chosen.get(address.id)
        if current is None or rank(subscription) > rank(current):
            chosen[address.id] = subscription
    immediate = []
    daily = []
    base = links.of(session).base_url()
    for subscription in chosen.values():
        if subscription.frequency == "daily":
            daily.append(subscription)
            continue
        immediate.append(
            {
                "uid": outbox.stable_uid("comment", subscription.id, comment.id),
                "kind": "mail",
                "event": "comment",
                "site_id": comment.site_id,
                "payload": {
                    "template": "comment",
                    "subscription_id": subscription.id,
                    "comment_id": comment.id,
                    "base": base,
                },
            }
        )
    _schedule_digests(session, daily, comment.id, "comment")
    outbox.enqueue(session, immediate)
    if parent_mailable:
        notify_parent_author(
            session,
            comment,
            {address.address_hash for _s, address in rows if address.id in chosen},
        )


def notify_author(session: Session, comment: Comment, outcome: str, reason: str = "") -> None:
    """Tell a comment's author (if their address is confirmed) it was approved or rejected."""
    if not comment.author_email.strip():
        return
    address = find_address(session, comment.author_email)
    if address is None or address.confirmed_at is None or not address.author_mails:
        return
    site = _site(session, comment)
    outbox.enqueue(
        session,
        [
            {
                "uid": outbox.stable_uid(
                    "author", comment.id, outcome, isoformat(comment.status_changed_at)
                ),
                "kind": "mail",
                "event": f"author.{outcome}",
                "site_id": comment.site_id,
                "payload": {
                    "template": "author",
                    "email_id": address.id,
                    "comment_id": comment.id,
                    "outcome": outcome,
                    "reason": reason[:1000],
                    "locale": site.settings.get("locale"),
                    "base": links.of(session).base_url(),
                },
            }
        ],
    )


def notify_parent_author(session: Session, comment: Comment, covered: set[str]) -> None:
    """Someone replied: the parent comment's author hears of it, if their address is confirmed.

    Called once per newly visible comment (from `notify_readers`). Skipped for top-level
    comments, replies to oneself, and authors who get the reply through a subscription of theirs
    (`covered`: address hashes already mailed or digested about it). Whether the address is
    confirmed, wants author mails and has not stopped the mails about these replies (a
    `ReplyMute` on an ancestor or the thread) is asked in the statement that queues the mail,
    so a reply costs one query at most (the parent is in the session when a reply is posted).
    """
    if comment.parent_id is None:
        return
    parent = session.get(Comment, comment.parent_id)
    if parent is None or parent.status != CommentStatus.APPROVED or not parent.author_email.strip():
        return
    if comment.identity_key is not None and comment.identity_key == parent.identity_key:
        return
    recipient = address_hash(keys_of(session), parent.author_email)
    if recipient in covered:
        return
    if (
        comment.author_email.strip()
        and address_hash(keys_of(session), comment.author_email) == recipient
    ):
        return
    outbox.enqueue_where(
        session,
        {
            "uid": outbox.stable_uid("reply", recipient, comment.id),
            "kind": "mail",
            "event": "author.reply",
            "site_id": comment.site_id,
            "recipient_hash": recipient,
            "payload": {
                "template": "reply",
                "comment_id": comment.id,
                "parent_id": parent.id,
                "base": links.of(session).base_url(),
            },
        },
        EmailAddress.address_hash == recipient,
        EmailAddress.confirmed_at.is_not(None),
        EmailAddress.author_mails.is_(True),
        ~muted_condition(EmailAddress.id, comment),
    )


# -- moderators -------------------------------------------------------------------------------


def moderator_alerts(session: Session, site_id: int) -> list[tuple[Subscription, EmailAddress]]:
    """Alert subscriptions of active moderators allowed on the site (admins: every site)."""
    allowed = or_(
        Moderator.role == "admin",
        exists().where(
            ModeratorSite.moderator_id == Moderator.id, ModeratorSite.site_id == site_id
        ),
    )
    rows = session.execute(
        select(Subscription, EmailAddress)
        .join(EmailAddress, EmailAddress.id == Subscription.email_id)
        .join(Moderator, Moderator.id == Subscription.moderator_id)
        .where(
            Subscription.kind == "moderation",
            or_(Subscription.site_id.is_(None), Subscription.site_id == site_id),
            Moderator.disabled.is_(False),
            allowed,
        )
    ).all()
    return [(subscription, address) for subscription, address in rows]


def alert_moderators(
    session: Session, comment: Comment, reason: str, report_reason: str = ""
) -> None:
    """A comment needs a moderator: mail each one at once, or collect it for their digest.

    One alert per moderator, comment and reason while the comment keeps its status, however
    many readers report it.
    """
    own = (
        address_hash(keys_of(session), comment.author_email)
        if comment.author_email.strip()
        else None
    )
    base = links.of(session).base_url()
    immediate = []
    daily = []
    for subscription, address in moderator_alerts(session, comment.site_id):
        if own is not None and address.address_hash == own:
            continue
        if subscription.frequency == "daily":
            daily.append(subscription)
            continue
        immediate.append(
            {
                "uid": outbox.stable_uid(
                    "moderation",
                    subscription.id,
                    comment.id,
                    reason,
                    isoformat(comment.status_changed_at),
                ),
                "kind": "mail",
                "event": f"moderation.{reason}",
                "site_id": comment.site_id,
                "payload": {
                    "template": "moderation",
                    "subscription_id": subscription.id,
                    "comment_id": comment.id,
                    "reason": reason,
                    "report_reason": report_reason,
                    "base": base,
                },
            }
        )
    _schedule_digests(session, daily, comment.id, reason)
    outbox.enqueue(session, immediate)
