"""Reader subscriptions with double opt-in, and what their links do (confirm, unsubscribe, manage).

Nothing is mailed to an address before its owner clicks a confirmation link; one confirmation
verifies the address, so later subscriptions of it start at once. A confirmation only confirms
its own subscription: subscriptions someone else created for the address stay inert until their
own link is used. Confirmation mails are limited (`SIDENOTE_RATELIMIT_CONFIRM_MAIL`) per address
and per requester's IP hash by counting recent ones in the outbox (the rows that send them), so
the limit holds across processes and whichever route asked (subscribe, or `notify` on a comment).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from limits import parse_many
from sqlalchemy import delete, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.comments.models import Comment, CommentStatus, Site, Thread
from service.comments.sites import find_thread, get_site
from service.db import keys_of, settings_of
from service.kernel import clock
from service.kernel.errors import NotFound, ValidationFailed
from service.kernel.i18n import pick_locale
from service.kernel.keys import Keys
from service.notifications import links, outbox
from service.notifications.models import EmailAddress, OutboxItem, ReplyMute, Subscription

log = logging.getLogger(__name__)

READER_KINDS = ("replies", "thread")


def address_hash(keys: Keys, email: str) -> str:
    return keys.hash("email", email.strip().lower())


def find_address(session: Session, email: str) -> EmailAddress | None:
    if not email.strip():
        return None
    return session.scalar(
        select(EmailAddress).where(
            EmailAddress.address_hash == address_hash(keys_of(session), email)
        )
    )


def get_or_create_address(session: Session, email: str) -> EmailAddress:
    if not email.strip():  # every caller needs a real address: never a row for ""
        raise ValidationFailed.on("email", "Give your email address.")
    found = find_address(session, email)
    if found is not None:
        return found
    try:
        with session.begin_nested():
            address = EmailAddress(
                address_hash=address_hash(keys_of(session), email), address=email.strip()
            )
            session.add(address)
    except IntegrityError:  # created meanwhile by a concurrent request
        found = find_address(session, email)
        assert found is not None
        return found
    return address


@dataclass(frozen=True)
class SubscriptionRequest:
    site: str
    thread: str
    email: str
    kind: str
    comment_id: int | None = None
    frequency: str = "immediate"
    locale: str | None = None
    ip_hash: str | None = None


def subscribe(session: Session, request: SubscriptionRequest) -> Subscription:
    """Subscribe an address to a thread or to replies below a comment (see module docstring)."""
    site = get_site(session, request.site)
    thread = find_thread(session, site, request.thread)
    if thread is None:
        raise NotFound("No such thread.")
    comment = None
    if request.kind == "replies":
        if request.comment_id is None:
            raise ValidationFailed.on("comment_id", "Say which comment's replies you want.")
        comment = session.get(Comment, request.comment_id)
        if (
            comment is None
            or comment.thread_id != thread.id
            or comment.status != CommentStatus.APPROVED
        ):
            raise ValidationFailed.on("comment_id", "There is no such comment in this thread.")
    elif request.comment_id is not None:
        raise ValidationFailed.on("comment_id", "Only a replies subscription names a comment.")
    return add_subscription(
        session,
        site=site,
        thread=thread,
        comment=comment,
        email=request.email,
        kind=request.kind,
        frequency=request.frequency,
        locale=request.locale,
        ip_hash=request.ip_hash,
    )


def add_subscription(
    session: Session,
    *,
    site: Site,
    thread: Thread,
    comment: Comment | None,
    email: str,
    kind: str,
    frequency: str = "immediate",
    locale: str | None = None,
    ip_hash: str | None = None,
) -> Subscription:
    address = get_or_create_address(session, email)
    subscription = session.scalar(
        select(Subscription).where(
            Subscription.email_id == address.id,
            Subscription.thread_id == thread.id,
            Subscription.kind == kind,
            Subscription.comment_id.is_(None)
            if comment is None
            else Subscription.comment_id == comment.id,
        )
    )
    if subscription is None:
        subscription = Subscription(
            site_id=site.id,
            thread_id=thread.id,
            comment_id=comment.id if comment else None,
            email_id=address.id,
            kind=kind,
            frequency=frequency,
            locale=pick_locale(
                locale, site.settings.get("locale"), settings_of(session).mail_locale
            ),
        )
        session.add(subscription)
        session.flush()
    else:
        subscription.frequency = frequency
    if address.confirmed_at is not None and subscription.confirmed_at is None:
        subscription.confirmed_at = clock.now()
        lift_mutes(session, subscription)
    if subscription.confirmed_at is None:
        request_confirmation(session, subscription, address, ip_hash)
    return subscription


def _over_limit(session: Session, column: object, value: str | None, limit: str) -> bool:
    if not value or not limit:
        return False
    return any(
        outbox.count_recent(session, column, value, "confirm", item.get_expiry()) >= item.amount
        for item in parse_many(limit)
    )


def confirmation_allowed(session: Session, address: EmailAddress, ip_hash: str | None) -> bool:
    """Whether another confirmation mail (event `confirm`: subscriptions, guest verification)
    may go to `address` at the request of `ip_hash` (SIDENOTE_RATELIMIT_CONFIRM_MAIL)."""
    config = settings_of(session)
    return not config.ratelimit_enabled or not (
        _over_limit(
            session, OutboxItem.recipient_hash, address.address_hash, config.ratelimit_confirm_mail
        )
        or _over_limit(session, OutboxItem.requester_hash, ip_hash, config.ratelimit_confirm_mail)
    )


def request_confirmation(
    session: Session, subscription: Subscription, address: EmailAddress, ip_hash: str | None
) -> bool:
    """Queue a confirmation mail unless the address or the requester had enough of them."""
    if not confirmation_allowed(session, address, ip_hash):
        log.info("confirmation mail not sent: limit reached for subscription %s", subscription.id)
        return False
    outbox.enqueue(
        session,
        [
            {
                "kind": "mail",
                "event": "confirm",
                "site_id": subscription.site_id,
                "recipient_hash": address.address_hash,
                "requester_hash": ip_hash,
                "payload": {
                    "template": "confirm",
                    "subscription_id": subscription.id,
                    "base": links.of(session).base_url(),
                },
            }
        ],
    )
    return True


# -- what the links in mails do ---------------------------------------------------------------


def subscription_for_confirm_token(session: Session, token: str) -> Subscription | None:
    payload = links.of(session).read_confirm_token(token)
    if payload is None:
        return None
    subscription = session.get(Subscription, payload["s"])
    if subscription is None or not links.nonce_matches(payload, subscription.token_nonce):
        return None
    return subscription


def confirm(session: Session, subscription: Subscription) -> None:
    """The owner clicked: the subscription starts and the address counts as verified."""
    now = clock.now()
    address = session.get_one(EmailAddress, subscription.email_id)
    subscription.confirmed_at = subscription.confirmed_at or now
    address.confirmed_at = address.confirmed_at or now
    lift_mutes(session, subscription)


@dataclass(frozen=True)
class UnsubscribeTarget:
    """What an unsubscribe link names: a subscription, an address's author mails, or (from a
    "someone replied to your comment" mail) the replies to one of the address's comments."""

    subscription: Subscription | None = None
    address: EmailAddress | None = None
    comment: Comment | None = None


def target_for_unsubscribe_token(session: Session, token: str) -> UnsubscribeTarget | None:
    payload = links.of(session).read_token("unsubscribe", token, "s", "a")
    if payload is None:
        return None
    if "s" in payload:
        subscription = session.get(Subscription, payload["s"])
        if subscription is not None and links.nonce_matches(payload, subscription.token_nonce):
            return UnsubscribeTarget(subscription=subscription)
        return None
    address = session.get(EmailAddress, payload["a"])
    if address is None or not links.nonce_matches(payload, address.token_nonce):
        return None
    comment_id = payload.get("c")
    if isinstance(comment_id, int):
        comment = session.get(Comment, comment_id)
        if comment is None:  # erased since: nothing more can be said about its replies
            return None
        return UnsubscribeTarget(address=address, comment=comment)
    return UnsubscribeTarget(address=address)


@dataclass(frozen=True)
class Scope:
    """What an unsubscribe stops, for the page that says so.

    `kind`: `replies` (every mail about replies below `comment`: subscriptions and author reply
    mails), `thread` (every mail about new comments in `thread`, replies to the reader's own
    comments there included), `moderation` (that alert subscription) or `author` (every mail
    about the address's own comments).
    """

    kind: str
    thread: Thread | None = None
    comment: Comment | None = None


def scope_of(session: Session, target: UnsubscribeTarget) -> Scope:
    subscription = target.subscription
    if subscription is not None:
        thread = session.get(Thread, subscription.thread_id) if subscription.thread_id else None
        if subscription.kind == "replies" and subscription.comment_id is not None:
            return Scope("replies", thread, session.get(Comment, subscription.comment_id))
        return Scope(subscription.kind, thread)
    if target.comment is not None:
        return Scope("replies", session.get(Thread, target.comment.thread_id), target.comment)
    return Scope("author")


def unsubscribe(session: Session, target: UnsubscribeTarget) -> Scope:
    """Stop every mail about what the link's mail was about; return what that was."""
    scope = scope_of(session, target)
    subscription = target.subscription
    if subscription is not None:
        address = session.get(EmailAddress, subscription.email_id)
        session.delete(subscription)
        session.flush()
        if address is not None:
            stop_scope(session, address, scope)
    elif target.address is not None:
        if scope.kind == "author":
            target.address.author_mails = False
        else:
            stop_scope(session, target.address, scope)
    session.flush()
    return scope


def stop_scope(session: Session, address: EmailAddress, scope: Scope) -> None:
    """Cancel the address's reader subscriptions within `scope` and mute its reply mails."""
    if scope.kind == "replies" and scope.comment is not None:
        below = select(Comment.id).where(
            or_(Comment.id == scope.comment.id, Comment.path.startswith(scope.comment.path + "/"))
        )
        _delete_subscriptions(
            session,
            address,
            Subscription.kind == "replies",
            Subscription.comment_id.in_(below.scalar_subquery()),
        )
        mute(session, address, comment=scope.comment)
    elif scope.kind == "thread" and scope.thread is not None:
        _delete_subscriptions(
            session,
            address,
            Subscription.kind.in_(READER_KINDS),
            Subscription.thread_id == scope.thread.id,
        )
        mute(session, address, thread=scope.thread)


def _delete_subscriptions(session: Session, address: EmailAddress, *where: Any) -> None:
    session.execute(
        delete(Subscription).where(Subscription.email_id == address.id, *where),
        execution_options={"synchronize_session": "fetch"},
    )


def mute(
    session: Session,
    address: EmailAddress,
    *,
    comment: Comment | None = None,
    thread: Thread | None = None,
) -> None:
    """No author reply mails to `address` about replies below `comment` (or in `thread`)."""
    target = (
        ReplyMute.comment_id == comment.id
        if comment is not None
        else ReplyMute.thread_id == (thread.id if thread is not None else None)
    )
    if session.scalar(select(ReplyMute.id).where(ReplyMute.email_id == address.id, target)):
        return
    try:
        with session.begin_nested():
            session.add(
                ReplyMute(
                    email_id=address.id,
                    comment_id=comment.id if comment is not None else None,
                    thread_id=thread.id if thread is not None and comment is None else None,
                )
            )
    except IntegrityError:  # muted meanwhile by a concurrent request
        pass


def muted_condition(email_id: Any, reply: Comment) -> Any:
    """SQL: a mute of `email_id` covers `reply` (below a muted comment, or in a muted thread)."""
    return exists().where(
        ReplyMute.email_id == email_id,
        or_(
            ReplyMute.comment_id.in_(reply.ancestor_ids),
            ReplyMute.thread_id == reply.thread_id,
        ),
    )


def is_muted(session: Session, address: EmailAddress, reply: Comment) -> bool:
    return bool(session.scalar(select(muted_condition(address.id, reply))))


def lift_mutes(session: Session, subscription: Subscription) -> None:
    """A reader who subscribes again to what they had stopped wants those mails again."""
    if subscription.kind == "replies" and subscription.comment_id is not None:
        target = ReplyMute.comment_id == subscription.comment_id
    elif subscription.kind == "thread" and subscription.thread_id is not None:
        target = ReplyMute.thread_id == subscription.thread_id
    else:
        return
    session.execute(
        delete(ReplyMute).where(ReplyMute.email_id == subscription.email_id, target),
        execution_options={"synchronize_session": "fetch"},
    )


def address_for_manage_token(session: Session, token: str) -> EmailAddress | None:
    payload = links.of(session).read_token("manage", token, "e")
    if payload is None:
        return None
    address = session.get(EmailAddress, payload["e"])
    if address is None or not links.nonce_matches(payload, address.token_nonce):
        return None
    return address


@dataclass(frozen=True)
class Listed:
    subscription: Subscription
    thread: Thread | None


def subscriptions_of(session: Session, address: EmailAddress) -> list[Listed]:
    rows = session.execute(
        select(Subscription, Thread)
        .outerjoin(Thread, Thread.id == Subscription.thread_id)
        .where(Subscription.email_id == address.id)
        .order_by(Subscription.created_at, Subscription.id)
    ).all()
    return [Listed(subscription, thread) for subscription, thread in rows]


def cancel(session: Session, address: EmailAddress, subscription_id: int) -> bool:
    """The manage page's "Stop": the same as the subscription's unsubscribe link."""
    subscription = session.get(Subscription, subscription_id)
    if subscription is None or subscription.email_id != address.id:
        return False
    unsubscribe(session, UnsubscribeTarget(subscription=subscription))
    return True


def cancel_all(session: Session, address: EmailAddress) -> int:
    listed = subscriptions_of(session, address)
    for item in listed:
        if session.get(Subscription, item.subscription.id) is not None:  # not gone with another
            unsubscribe(session, UnsubscribeTarget(subscription=item.subscription))
    return len(listed)


@dataclass(frozen=True)
class Muted:
    mute: ReplyMute
    thread: Thread | None
    comment: Comment | None


def mutes_of(session: Session, address: EmailAddress) -> list[Muted]:
    rows = session.execute(
        select(ReplyMute, Comment, Thread)
        .outerjoin(Comment, Comment.id == ReplyMute.comment_id)
        .outerjoin(Thread, Thread.id == func.coalesce(ReplyMute.thread_id, Comment.thread_id))
        .where(ReplyMute.email_id == address.id)
        .order_by(ReplyMute.created_at, ReplyMute.id)
    ).all()
    return [Muted(mute_row, thread, comment) for mute_row, comment, thread in rows]


def unmute(session: Session, address: EmailAddress, mute_id: int) -> bool:
    result = session.execute(
        delete(ReplyMute).where(ReplyMute.id == mute_id, ReplyMute.email_id == address.id),
        execution_options={"synchronize_session": "fetch"},
    )
    return bool(getattr(result, "rowcount", 0))


def set_author_mails(session: Session, address: EmailAddress, wanted: bool) -> None:
    address.author_mails = wanted
