"""A reader's own data: their comments and subscriptions, their name, a download, deletion.

Whose data is decided by a `Subject`:
- from a link in a mail: the address the mail went to (and the verified guest behind it, if any):
  comments posted with that address anywhere, every subscription of it;
- from the widget, signed in: the identity (a verified guest: with their address as above; an
  SSO user: their comments on that site, and the subscriptions of the address their site gave
  for them, on that site only).
Deleting erases the text and the name like an author's own deletion (replies keep a tombstone).
Renaming changes the name on the reader's visible comments too, and keeps it on their identity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import Session

from service.comments.models import Comment, CommentStatus, Site, Thread, Vote
from service.comments.posting import author_key, erase_content
from service.comments.visibility import bump_thread_version, change_status
from service.db import keys_of
from service.identity import identities
from service.identity.models import Identity
from service.identity.sessions import Reader
from service.kernel import clock
from service.kernel.clock import isoformat
from service.kernel.errors import NotFound, ValidationFailed
from service.kernel.keys import Keys
from service.kernel.rendering import clean_display_name
from service.notifications import links
from service.notifications.models import EmailAddress, Subscription
from service.notifications.subscriptions import find_address

DATA_FORMAT = "sidenote-reader-data"
#: A data-page link made for a signed-in reader (the widget's menu) works this long.
WIDGET_LINK_SECONDS = 3600
MAX_EXPORTED = 10_000
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


@dataclass(frozen=True)
class Subject:
    identity: Identity | None
    address: EmailAddress | None

    @property
    def sso_site_id(self) -> int | None:
        return self.identity.site_id if self.identity and self.identity.kind == "sso" else None


def subject_for_reader(session: Session, reader: Reader) -> Subject:
    identity = reader.identity
    if identity.kind == "guest":
        address = session.get(EmailAddress, identity.email_id) if identity.email_id else None
        return Subject(identity, address)
    return Subject(identity, None)


def subject_for_token(session: Session, token: str) -> Subject | None:
    payload = links.of(session).read_data_token(token)
    if payload is None:
        return None
    if "e" in payload:
        address = session.get(EmailAddress, payload["e"])
        if address is None or not links.nonce_matches(payload, address.token_nonce):
            return None
        return Subject(
            identities.by_key(session, identities.guest_key(keys_of(session), address.address)),
            address,
        )
    identity = session.get(Identity, payload["i"])
    if identity is None or not links.nonce_matches(payload, identity.token_nonce):
        return None
    address = session.get(EmailAddress, identity.email_id) if identity.email_id else None
    return Subject(identity, address if identity.kind == "guest" else None)


def page_link(link: links.Links, identity: Identity) -> tuple[str, datetime]:
    """The data page for a signed-in reader, for the widget's menu (short-lived)."""
    token = link.data_token(
        nonce=identity.token_nonce, max_age=WIDGET_LINK_SECONDS, identity_id=identity.id
    )
    return f"{link.base_url()}/me/{token}", clock.now() + timedelta(seconds=WIDGET_LINK_SECONDS)


def _comments_filter(subject: Subject) -> ColumnElement[bool]:
    mine: list[ColumnElement[bool]] = []
    if subject.identity is not None:
        mine.append(Comment.identity_key == subject.identity.key)
    if subject.address is not None:
        mine.append(func.lower(Comment.author_email) == subject.address.address.strip().lower())
    return and_(or_(*mine) if mine else Comment.id < 0, Comment.status != CommentStatus.DELETED)


def comments_of(
    session: Session, subject: Subject, limit: int = MAX_EXPORTED
) -> list[tuple[Comment, Thread, Site]]:
    """Newest first; deleted ones are gone already."""
    rows = session.execute(
        select(Comment, Thread, Site)
        .join(Thread, Thread.id == Comment.thread_id)
        .join(Site, Site.id == Comment.site_id)
        .where(_comments_filter(subject))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(limit)
    )
    return [(comment, thread, site) for comment, thread, site in rows]


def subscription_address(session: Session, subject: Subject) -> EmailAddress | None:
    if subject.address is not None:
        return subject.address
    identity = subject.identity
    if identity is not None and identity.kind == "sso" and identity.email:
        return find_address(session, identity.email)
    return None


def subscriptions_of(
    session: Session, subject: Subject
) -> list[tuple[Subscription, Thread | None, Site | None]]:
    address = subscription_address(session, subject)
    if address is None:
        return []
    stmt = (
        select(Subscription, Thread, Site)
        .outerjoin(Thread, Thread.id == Subscription.thread_id)
        .outerjoin(Site, Site.id == Subscription.site_id)
        .where(Subscription.email_id == address.id, Subscription.kind != "moderation")
        .order_by(Subscription.created_at, Subscription.id)
    )
    if subject.sso_site_id is not None:  # a site vouches for its own users, on its own site
        stmt = stmt.where(Subscription.site_id == subject.sso_site_id)
    return [(s, thread, site) for s, thread, site in session.execute(stmt)]


def display_name(session: Session, subject: Subject) -> str:
    if subject.identity is not None and subject.identity.display_name:
        return subject.identity.display_name
    latest = comments_of(session, subject, limit=1)
    return latest[0][0].author_name if latest else ""


def avatar(keys: Keys, subject: Subject) -> str:
    if subject.identity is not None:
        return author_key(keys, subject.identity.key, "", "", None)
    email = subject.address.address if subject.address else ""
    return author_key(keys, None, email, "", None)


def clean_name(name: str) -> str:
    if _CONTROL.search(name):
        raise ValidationFailed.on("name", "Use a name of 1 to 100 characters on one line.")
    value = clean_display_name(name, 101)
    if not value or len(value) > 100:
        raise ValidationFailed.on("name", "Use a name of 1 to 100 characters on one line.")
    return value


def rename(session: Session, subject: Subject, name: str) -> int:
    """The reader's new name, on their identity and their comments; returns comments renamed."""
    value = clean_name(name)
    if subject.identity is not None:
        subject.identity.display_name = value
        subject.identity.name_from_reader = True
    mine = _comments_filter(subject)
    thread_ids = sorted(set(session.scalars(select(Comment.thread_id).where(mine).distinct())))
    result = session.execute(
        update(Comment)
        .where(mine)
        .values(author_name=value)
        .execution_options(synchronize_session=False)
    )
    for thread_id in thread_ids:
        bump_thread_version(session, thread_id)
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0)


def delete_comment(session: Session, subject: Subject, comment_id: int) -> Comment:
    comment = session.scalar(
        select(Comment).where(Comment.id == comment_id, _comments_filter(subject))
    )
    if comment is None:
        raise NotFound("No such comment of yours.")
    erase_content(comment)
    change_status(session, comment, CommentStatus.DELETED)
    return comment


def delete_all(session: Session, subject: Subject) -> int:
    comments = [comment for comment, _, _ in comments_of(session, subject)]
    for comment in comments:
        erase_content(comment)
        change_status(session, comment, CommentStatus.DELETED)
    session.flush()
    return len(comments)


def comment_json(comment: Comment, thread: Thread, site: Site) -> dict[str, Any]:
    return {
        "id": comment.id,
        "site": site.slug,
        "thread": {"key": thread.key, "url": thread.url, "title": thread.title},
        "url": links.comment_url(thread.url, comment.id),
        "parent_id": comment.parent_id,
        "status": comment.status,
        "created_at": isoformat(comment.created_at),
        "edited_at": isoformat(comment.edited_at),
        "author": {
            "name": comment.author_name,
            "email": comment.author_email,
            "website": comment.author_website,
        },
        "body_source": comment.body_source,
        "body_html": comment.body_html,
        "upvotes": comment.upvotes,
        "downvotes": comment.downvotes,
    }


def subscription_json(
    subscription: Subscription, thread: Thread | None, site: Site | None
) -> dict[str, Any]:
    return {
        "id": subscription.id,
        "site": site.slug if site else None,
        "kind": subscription.kind,
        "thread": {"key": thread.key, "url": thread.url, "title": thread.title} if thread else None,
        "comment_id": subscription.comment_id,
        "frequency": subscription.frequency,
        "confirmed": subscription.confirmed,
        "created_at": isoformat(subscription.created_at),
    }


def profile_json(session: Session, subject: Subject) -> dict[str, Any]:
    identity = subject.identity
    address = subscription_address(session, subject)
    return {
        "kind": identity.kind if identity else "email",
        "name": display_name(session, subject),
        "avatar": avatar(keys_of(session), subject),
        "verified": identity is not None and identity.kind == "sso",
        "email": address.address if address else (identity.email if identity else None),
        "website": identity.website if identity and identity.website else None,
        "site": session.get_one(Site, identity.site_id).slug
        if identity and identity.site_id
        else None,
        "since": isoformat(identity.created_at if identity else None),
    }


def export(session: Session, subject: Subject) -> dict[str, Any]:
    """Everything about the reader the service can show them, as one JSON document."""
    rows = comments_of(session, subject)
    votes: list[dict[str, Any]] = []
    if subject.identity is not None:
        votes = [
            {
                "comment_id": vote.comment_id,
                "value": vote.value,
                "created_at": isoformat(vote.created_at),
            }
            for vote in session.scalars(
                select(Vote)
                .where(
                    Vote.voter_key == identities.voter_key(keys_of(session), subject.identity.key)
                )
                .order_by(Vote.id)
                .limit(MAX_EXPORTED)
            )
        ]
    return {
        "format": DATA_FORMAT,
        "version": 1,
        "exported_at": isoformat(clock.now()),
        "profile": profile_json(session, subject),
        "comments": [comment_json(c, t, s) | {"ip_hash": c.ip_hash} for c, t, s in reversed(rows)],
        "subscriptions": [subscription_json(*row) for row in subscriptions_of(session, subject)],
        "votes": votes,
    }
