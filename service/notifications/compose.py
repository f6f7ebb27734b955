"""From an outbox mail item to a `Mail`, at send time, from the current rows.

Rendering when the mail leaves (not when it is queued) keeps the request fast however many
subscribers a thread has, and lets a mail be dropped when its reason is gone: the comment was
hidden or erased, the subscription cancelled, the moderation decision already taken. Such an
item is `Cancelled`, not sent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.comments.models import Comment, CommentStatus, Site, Thread
from service.db import settings_of
from service.kernel.i18n import pick_locale, translate
from service.moderation.models import AuditEntry
from service.notifications import links
from service.notifications.mail import Mail, header_text, render_mail
from service.notifications.models import EmailAddress, OutboxItem, Subscription
from service.notifications.subscriptions import find_address, is_muted


class Cancelled(Exception):
    """The item has nothing to send any more; the message says why (kept as its last error)."""


Composer = Callable[[Session, dict[str, Any], str], Mail]

#: Where an app keeps its templates: `app.extensions[COMPOSERS]` (template name -> composer),
#: made by `create_app` and filled by the parts' `init_app` (`TEMPLATES` here, `verify` by
#: identity).
COMPOSERS = "sidenote.composers"


def add_composers(registry: dict[str, Composer], composers: Mapping[str, Composer]) -> None:
    for name, function in composers.items():
        if registry.get(name, function) is not function:
            raise ValueError(f"two composers for the mail template {name!r}")
        registry[name] = function


def compose(session: Session, item: OutboxItem, composers: Mapping[str, Composer]) -> Mail:
    """The mail of `item`, by the composer of its template (`composers`: the app's)."""
    payload = item.payload
    function = composers.get(str(payload.get("template")))
    if function is None:
        raise Cancelled(f"unknown mail template {payload.get('template')!r}")
    base = settings_of(session).public_url or str(payload.get("base") or "")
    return function(session, payload, base)


def _get(session: Session, model: type[Any], ident: Any, what: str) -> Any:
    row = session.get(model, ident) if isinstance(ident, int) else None
    if row is None:
        raise Cancelled(f"the {what} no longer exists")
    return row


def _subscription(session: Session, payload: dict[str, Any]) -> tuple[Subscription, EmailAddress]:
    subscription = _get(session, Subscription, payload.get("subscription_id"), "subscription")
    address = _get(session, EmailAddress, subscription.email_id, "address")
    return subscription, address


def _approved(session: Session, comment_id: Any) -> Comment:
    comment: Comment = _get(session, Comment, comment_id, "comment")
    if comment.status != CommentStatus.APPROVED:
        raise Cancelled("the comment is no longer visible")
    return comment


def author_name(comment: Comment, locale: str) -> str:
    """Names, titles and site names are one line in a mail's subject and body alike."""
    return header_text(comment.author_name) or translate(locale, "mail.anonymous")


def site_name(site: Site) -> str:
    return header_text(site.name)


def _thread_and_site(session: Session, thread_id: int | None) -> tuple[Thread, Site]:
    thread: Thread = _get(session, Thread, thread_id, "thread")
    site: Site = _get(session, Site, thread.site_id, "site")
    return thread, site


def thread_title(thread: Thread) -> str:
    return header_text(thread.title or thread.key)


def confirm_mail(session: Session, payload: dict[str, Any], base: str) -> Mail:
    subscription, address = _subscription(session, payload)
    if subscription.confirmed:
        raise Cancelled("the subscription is already confirmed")
    thread, site = _thread_and_site(session, subscription.thread_id)
    locale = pick_locale(subscription.locale)
    context = {
        "kind": subscription.kind,
        "thread_title": thread_title(thread),
        "site_name": site_name(site),
        "confirm_link": links.of(session).confirm_url(base, subscription),
    }
    subject = translate(locale, "confirm.subject", thread=context["thread_title"])
    text, html = render_mail("confirm", locale, subject=subject, **context)
    return Mail(to=address.address, subject=subject, text=text, html=html, locale=locale)


def _reader_footer(
    link: links.Links,
    base: str,
    locale: str,
    subscription: Subscription,
    address: EmailAddress,
    title: str,
) -> dict[str, str]:
    return {
        "why": translate(locale, f"mail.footer_why_{subscription.kind}", thread=title),
        "unsubscribe_link": link.unsubscribe_url(base, subscription),
        "manage_link": link.manage_url(base, address),
        "data_link": link.data_url(base, address),
    }


def comment_mail(session: Session, payload: dict[str, Any], base: str) -> Mail:
    subscription, address = _subscription(session, payload)
    if not subscription.confirmed or address.confirmed_at is None:
        raise Cancelled("the subscription is not confirmed")
    comment = _approved(session, payload.get("comment_id"))
    thread, _site = _thread_and_site(session, comment.thread_id)
    locale = pick_locale(subscription.locale)
    title = thread_title(thread)
    name = author_name(comment, locale)
    footer = _reader_footer(links.of(session), base, locale, subscription, address, title)
    context = {
        "kind": subscription.kind,
        "thread_title": title,
        "comment_author": name,
        "comment_text": comment.body_source,
        "comment_link": links.comment_url(thread.url, comment.id),
        **footer,
    }
    subject = translate(locale, f"comment.subject_{subscription.kind}", name=name, thread=title)
    text, html = render_mail("comment", locale, subject=subject, **context)
    return Mail(
        to=address.address,
        subject=subject,
        text=text,
        html=html,
        locale=locale,
        unsubscribe_url=str(context["unsubscribe_link"]),
    )


def digest_mail(session: Session, payload: dict[str, Any], base: str) -> Mail:
    subscription, address = _subscription(session, payload)
    if not subscription.confirmed:
        raise Cancelled("the subscription is not confirmed")
    ids = [i for i in payload.get("comment_ids", []) if isinstance(i, int)]
    comments = session.scalars(
        select(Comment)
        .where(Comment.id.in_(ids), Comment.status == CommentStatus.APPROVED)
        .order_by(Comment.created_at, Comment.id)
    ).all()
    if not comments:
        raise Cancelled("none of the digest's comments is visible any more")
    thread, _site = _thread_and_site(session, subscription.thread_id or comments[0].thread_id)
    locale = pick_locale(subscription.locale)
    title = thread_title(thread)
    items = [
        {
            "author": author_name(c, locale),
            "text": c.body_source,
            "link": links.comment_url(thread.url, c.id),
        }
        for c in comments
    ]
    footer = _reader_footer(links.of(session), base, locale, subscription, address, title)
    context = {"thread_title": title, "items": items, **footer}
    subject = translate(locale, "digest.subject", count=len(items), thread=title)
    text, html = render_mail("digest", locale, subject=subject, **context)
    return Mail(
        to=address.address,
        subject=subject,
        text=text,
        html=html,
        locale=locale,
        unsubscribe_url=str(context["unsubscribe_link"]),
    )


def rejection_reason(session: Session, comment: Comment, payload: dict[str, Any]) -> str:
    """The reason given with the event, else the one the moderator wrote in the audit log."""
    given = str(payload.get("reason") or "").strip()
    if given:
        return given
    reason = session.scalar(
        select(AuditEntry.reason)
        .where(
            AuditEntry.target_kind == "comment",
            AuditEntry.target_id == str(comment.id),
            AuditEntry.action == "comment.reject",
            AuditEntry.redacted_at.is_(None),
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    return (reason or "").strip()


def _mail_to_author(
    link: links.Links,
    address: EmailAddress,
    site: Site,
    locale: str,
    base: str,
    *,
    template: str,
    subject: str,
    context: dict[str, Any],
    replies_to: Comment | None = None,
) -> Mail:
    """A mail about the reader's own comment: its footer says why, offers the one-click stop
    of such mails (List-Unsubscribe too; for a reply mail, of the mails about replies to
    `replies_to`) and links to their settings and data."""
    unsubscribe = link.author_unsubscribe_url(base, address, replies_to)
    text, html = render_mail(
        template,
        locale,
        subject=subject,
        **context,
        why=translate(locale, "mail.footer_why_author", site=site_name(site)),
        unsubscribe_link=unsubscribe,
        unsubscribe_label=translate(
            locale, "author.unsubscribe_replies" if replies_to else "author.unsubscribe"
        ),
        manage_link=link.manage_url(base, address),
        data_link=link.data_url(base, address),
    )
    return Mail(
        to=address.address,
        subject=subject,
        text=text,
        html=html,
        locale=locale,
        unsubscribe_url=unsubscribe,
    )


def author_mail(session: Session, payload: dict[str, Any], base: str) -> Mail:
    """To a comment's author: approved, or rejected with the reason's text."""
    address: EmailAddress = _get(session, EmailAddress, payload.get("email_id"), "address")
    if address.confirmed_at is None or not address.author_mails:
        raise Cancelled("the author does not want mails about their comments")
    comment: Comment = _get(session, Comment, payload.get("comment_id"), "comment")
    outcome = str(payload.get("outcome"))
    if outcome not in {"approved", "rejected"} or comment.status != outcome:
        raise Cancelled("the comment's status changed again")
    thread, site = _thread_and_site(session, comment.thread_id)
    locale = pick_locale(str(payload.get("locale") or ""), settings_of(session).mail_locale)
    title = thread_title(thread)
    context = {
        "outcome": outcome,
        "reason": rejection_reason(session, comment, payload) if outcome == "rejected" else "",
        "thread_title": title,
        "comment_text": comment.body_source,
        "comment_link": links.comment_url(thread.url, comment.id) if outcome == "approved" else "",
    }
    subject = translate(locale, f"author.{outcome}_subject", thread=title)
    return _mail_to_author(
        links.of(session),
        address,
        site,
        locale,
        base,
        template="author",
        subject=subject,
        context=context,
    )


def reply_mail(session: Session, payload: dict[str, Any], base: str) -> Mail:
    """To a comment's author: someone replied to it. The address is the parent's, read now."""
    reply = _approved(session, payload.get("comment_id"))
    parent: Comment = _get(session, Comment, payload.get("parent_id"), "comment replied to")
    address = find_address(session, parent.author_email)
    if address is None or address.confirmed_at is None or not address.author_mails:
        raise Cancelled("the author does not want mails about their comments")
    if is_muted(session, address, reply):
        raise Cancelled("the author stopped the mails about these replies")
    thread, site = _thread_and_site(session, reply.thread_id)
    locale = pick_locale(site.settings.get("locale"), settings_of(session).mail_locale)
    title = thread_title(thread)
    name = author_name(reply, locale)
    context = {
        "thread_title": title,
        "comment_author": name,
        "comment_text": reply.body_source,
        "comment_link": links.comment_url(thread.url, reply.id),
        "parent_text": parent.body_source,
    }
    subject = translate(locale, "reply.subject", name=name, thread=title)
    return _mail_to_author(
        links.of(session),
        address,
        site,
        locale,
        base,
        template="reply",
        subject=subject,
        context=context,
        replies_to=parent,
    )


def still_needs_moderator(comment: Comment, reason: str) -> bool:
    if reason == "pending":
        return comment.status == CommentStatus.PENDING
    return comment.status in {CommentStatus.APPROVED, CommentStatus.PENDING}


def moderation_mail(session: Session, payload: dict[str, Any], base: str) -> Mail:
    link = links.of(session)
    subscription, address = _subscription(session, payload)
    moderator_id = subscription.moderator_id
    if moderator_id is None:
        raise Cancelled("the alert has no moderator")
    comment: Comment = _get(session, Comment, payload.get("comment_id"), "comment")
    reason = str(payload.get("reason"))
    if not still_needs_moderator(comment, reason):
        raise Cancelled("a moderator has already decided")
    thread, site = _thread_and_site(session, comment.thread_id)
    locale = pick_locale(subscription.locale)
    title = thread_title(thread)
    name = author_name(comment, locale)
    context = {
        "reason": reason,
        "report_reason": str(payload.get("report_reason") or ""),
        "thread_title": title,
        "comment_author": name,
        "comment_text": comment.body_source,
        "comment_link": links.comment_url(thread.url, comment.id) if comment.is_visible else "",
        "approve_link": link.decide_url(base, comment, "approve", moderator_id),
        "reject_link": link.decide_url(base, comment, "reject", moderator_id),
        "link_hours": settings_of(session).moderation_link_max_age // 3600,
        "queue_link": f"{base}/moderate",
        "why": translate(locale, "mail.footer_why_moderation", site=site_name(site)),
        "unsubscribe_link": link.unsubscribe_url(base, subscription),
        "manage_link": link.manage_url(base, address),
    }
    subject = translate(locale, f"moderation.subject_{reason}", site=site_name(site), name=name)
    text, html = render_mail("moderation", locale, subject=subject, **context)
    return Mail(
        to=address.address,
        subject=subject,
        text=text,
        html=html,
        locale=locale,
        unsubscribe_url=str(context["unsubscribe_link"]),
    )


def moderation_digest_mail(session: Session, payload: dict[str, Any], base: str) -> Mail:
    link = links.of(session)
    subscription, address = _subscription(session, payload)
    moderator_id = subscription.moderator_id
    if moderator_id is None:
        raise Cancelled("the alert has no moderator")
    wanted = {
        (e["comment_id"], e["reason"])
        for e in payload.get("entries", [])
        if isinstance(e, dict) and isinstance(e.get("comment_id"), int)
    }
    comments = {
        c.id: c
        for c in session.scalars(
            select(Comment).where(Comment.id.in_({cid for cid, _ in wanted}))
        ).all()
    }
    threads = {
        t.id: t
        for t in session.scalars(
            select(Thread).where(Thread.id.in_({c.thread_id for c in comments.values()}))
        ).all()
    }
    locale = pick_locale(subscription.locale)
    items = []
    for comment_id, reason in sorted(wanted):
        comment = comments.get(comment_id)
        if comment is None or not still_needs_moderator(comment, reason):
            continue
        thread = threads[comment.thread_id]
        items.append(
            {
                "reason": reason,
                "thread_title": thread_title(thread),
                "author": author_name(comment, locale),
                "text": comment.body_source,
                "link": links.comment_url(thread.url, comment.id) if comment.is_visible else "",
                "approve_link": link.decide_url(base, comment, "approve", moderator_id),
                "reject_link": link.decide_url(base, comment, "reject", moderator_id),
            }
        )
    if not items:
        raise Cancelled("moderators have already decided on every comment of the digest")
    site_ids = {comments[item_id].site_id for item_id, _ in wanted if item_id in comments}
    sites = session.scalars(select(Site).where(Site.id.in_(site_ids)))
    names = ", ".join(sorted(site_name(site) for site in sites))
    context = {
        "site_name": names,
        "items": items,
        "link_hours": settings_of(session).moderation_link_max_age // 3600,
        "queue_link": f"{base}/moderate",
        "why": translate(locale, "mail.footer_why_moderation", site=names),
        "unsubscribe_link": link.unsubscribe_url(base, subscription),
        "manage_link": link.manage_url(base, address),
    }
    subject = translate(locale, "moderation.digest_subject", count=len(items), site=names)
    text, html = render_mail("moderation_digest", locale, subject=subject, **context)
    return Mail(
        to=address.address,
        subject=subject,
        text=text,
        html=html,
        locale=locale,
        unsubscribe_url=str(context["unsubscribe_link"]),
    )


#: The mail templates this part composes (the outbox item's `payload["template"]`).
TEMPLATES: dict[str, Composer] = {
    "confirm": confirm_mail,
    "comment": comment_mail,
    "digest": digest_mail,
    "author": author_mail,
    "reply": reply_mail,
    "moderation": moderation_mail,
    "moderation_digest": moderation_digest_mail,
}
