"""Privacy requests for one email address: export everything stored about it, or erase it.

Comments carry the address they were posted with; subscriptions hang off a confirmed address;
bans and the audit log know people only by keyed hashes, which are found through the address
and the comments. Votes are linked to a person only through the voter id a comment was posted
with (`Comment.voter_key`), so that is the way they are found too.

Erasure anonymises instead of deleting: the comments stay (their replies keep their context) but
lose the name, email, website, identity, IP hash and voter key, and get a fresh avatar seed, so
nothing ties them to each other or to the person. Subscriptions and the stored address are
deleted, pending mails cancelled, the person's IP hashes dropped, the audit log redacted; the
erasure itself is logged without the address.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from service.comments.models import Comment, Site, Thread, Vote
from service.comments.visibility import bump_thread_version
from service.db import keys_of
from service.kernel import clock
from service.kernel.clock import isoformat
from service.kernel.errors import ValidationFailed
from service.kernel.keys import Keys
from service.moderation import audit
from service.moderation.bans import ban_hash
from service.moderation.models import AuditEntry, Ban
from service.notifications.models import EmailAddress, OutboxItem, Subscription
from service.notifications.subscriptions import address_hash
from service.portability.models import ImportedComment

if TYPE_CHECKING:
    from service.kernel.actors import Principal

PRIVACY_FORMAT = "sidenote-privacy-export"
PRIVACY_VERSION = 1


def normalize_email(email: str) -> str:
    value = email.strip().lower()
    local, at, domain = value.partition("@")
    if not at or not local or not domain or any(c.isspace() for c in value) or len(value) > 254:
        raise ValidationFailed.on("email", "Give an email address.")
    return value


def _comments_of(session: Session, email: str) -> list[tuple[Comment, Thread, Site]]:
    rows = session.execute(
        select(Comment, Thread, Site)
        .join(Thread, Thread.id == Comment.thread_id)
        .join(Site, Site.id == Comment.site_id)
        .where(func.lower(Comment.author_email) == email)
        .order_by(Comment.created_at, Comment.id)
    )
    return [(comment, thread, site) for comment, thread, site in rows]


def _address(session: Session, email: str) -> EmailAddress | None:
    return session.scalar(
        select(EmailAddress).where(
            EmailAddress.address_hash == address_hash(keys_of(session), email)
        )
    )


def _voter_keys(comments: list[Comment]) -> list[str]:
    return sorted({comment.voter_key for comment in comments if comment.voter_key})


def _chunks(values: list[Any], size: int = 500) -> list[list[Any]]:
    return [values[start : start + size] for start in range(0, len(values), size)]


def export_person(session: Session, email: str) -> dict[str, Any]:
    """Everything stored about `email`, as one JSON-ready document."""
    email = normalize_email(email)
    rows = _comments_of(session, email)
    comment_ids = [comment.id for comment, _, _ in rows]
    origins: dict[int, list[dict[str, str]]] = {}
    for chunk in _chunks(comment_ids):
        for origin in session.scalars(
            select(ImportedComment).where(ImportedComment.comment_id.in_(chunk))
        ):
            if origin.comment_id is None:
                continue
            origins.setdefault(origin.comment_id, []).append(
                {"source": origin.source, "source_id": origin.source_id}
            )
    comments = [
        {
            "id": comment.id,
            "site": site.slug,
            "thread": {"key": thread.key, "url": thread.url, "title": thread.title},
            "parent_id": comment.parent_id,
            "created_at": isoformat(comment.created_at),
            "edited_at": isoformat(comment.edited_at),
            "status": comment.status,
            "author": {
                "name": comment.author_name,
                "email": comment.author_email,
                "website": comment.author_website,
                "identity_key": comment.identity_key,
                "avatar_key": comment.author_key,
            },
            "ip_hash": comment.ip_hash,
            "body_source": comment.body_source,
            "body_html": comment.body_html,
            "upvotes": comment.upvotes,
            "downvotes": comment.downvotes,
            "moderation_reasons": comment.moderation_reasons,
            "imported_from": origins.get(comment.id, []),
        }
        for comment, thread, site in rows
    ]
    voter_keys = _voter_keys([comment for comment, _, _ in rows])
    votes = [
        {
            "comment_id": vote.comment_id,
            "value": vote.value,
            "created_at": isoformat(vote.created_at),
        }
        for chunk in _chunks(voter_keys)
        for vote in session.scalars(select(Vote).where(Vote.voter_key.in_(chunk)).order_by(Vote.id))
    ]
    address = _address(session, email)
    subscriptions = []
    if address is not None:
        for subscription, thread_key, site_slug in session.execute(
            select(Subscription, Thread.key, Site.slug)
            .join(Site, Site.id == Subscription.site_id)
            .outerjoin(Thread, Thread.id == Subscription.thread_id)
            .where(Subscription.email_id == address.id)
            .order_by(Subscription.id)
        ):
            subscriptions.append(
                {
                    "site": site_slug,
                    "kind": subscription.kind,
                    "thread_key": thread_key,
                    "comment_id": subscription.comment_id,
                    "frequency": subscription.frequency,
                    "locale": subscription.locale,
                    "confirmed_at": isoformat(subscription.confirmed_at),
                    "created_at": isoformat(subscription.created_at),
                }
            )
    bans = [
        {
            "site_id": ban.site_id,
            "kind": ban.kind,
            "shadow": ban.shadow,
            "reason": ban.reason,
            "created_at": isoformat(ban.created_at),
            "expires_at": isoformat(ban.expires_at),
            "lifted_at": isoformat(ban.lifted_at),
        }
        for ban in session.scalars(_bans_of(keys_of(session), email, comment_ids).order_by(Ban.id))
    ]
    log = [audit.entry_json(entry) for entry in _audit_entries_of(session, rows)]
    return {
        "format": PRIVACY_FORMAT,
        "version": PRIVACY_VERSION,
        "email": email,
        "exported_at": isoformat(clock.now()),
        "email_address": None
        if address is None
        else {
            "address": address.address,
            "confirmed_at": isoformat(address.confirmed_at),
            "author_mails": address.author_mails,
            "created_at": isoformat(address.created_at),
        },
        "comments": comments,
        "votes": votes,
        "subscriptions": subscriptions,
        "bans": bans,
        "moderation_log": log,
    }


def _bans_of(keys: Keys, email: str, comment_ids: list[int]) -> Any:
    conditions: list[ColumnElement[bool]] = [
        (Ban.kind == "email") & (Ban.value_hash == ban_hash(keys, "email", email))
    ]
    if comment_ids:
        conditions.append(Ban.comment_id.in_(comment_ids[:5000]))
    return select(Ban).where(or_(*conditions))


def _audit_entries_of(
    session: Session, rows: list[tuple[Comment, Thread, Site]]
) -> list[AuditEntry]:
    keys = sorted({comment.author_key for comment, _, _ in rows if comment.author_key})
    ids = [str(comment.id) for comment, _, _ in rows]
    found: dict[int, AuditEntry] = {}
    for chunk in _chunks(keys):
        for entry in session.scalars(select(AuditEntry).where(AuditEntry.subject_key.in_(chunk))):
            found[entry.id] = entry
    for chunk in _chunks(ids):
        for entry in session.scalars(
            select(AuditEntry).where(
                AuditEntry.target_kind == "comment", AuditEntry.target_id.in_(chunk)
            )
        ):
            found[entry.id] = entry
    return [found[key] for key in sorted(found)]


@dataclass(frozen=True)
class Erasure:
    comments_anonymized: int
    subscriptions_cancelled: int
    mails_cancelled: int
    ip_hashes_dropped: int
    bans_relabelled: int
    audit_entries_redacted: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def erase_person(session: Session, email: str, actor: Principal) -> Erasure:
    """Erase `email` (see the module docstring). The caller commits."""
    email = normalize_email(email)
    rows = _comments_of(session, email)
    comments = [comment for comment, _, _ in rows]
    comment_ids = [comment.id for comment in comments]
    author_keys = sorted({comment.author_key for comment in comments if comment.author_key})
    ip_hashes = sum(1 for comment in comments if comment.ip_hash)

    voter_keys = _voter_keys(comments)
    for chunk in _chunks(voter_keys):
        result = session.execute(
            update(Vote)
            .where(Vote.voter_key.in_(chunk), Vote.ip_hash.is_not(None))
            .values(ip_hash=None)
            .execution_options(synchronize_session=False)
        )
        ip_hashes += int(getattr(result, "rowcount", 0) or 0)

    bans_relabelled = 0
    for ban in session.scalars(_bans_of(keys_of(session), email, comment_ids)):
        if ban.label:
            ban.label = ""
            bans_relabelled += 1

    redacted = (
        audit.redact_subject(session, actor, subject_keys=author_keys, comment_ids=comment_ids)
        if (author_keys or comment_ids)
        else 0
    )

    for comment in comments:
        comment.author_name = ""
        comment.author_email = ""
        comment.author_website = ""
        comment.identity_key = None
        comment.ip_hash = None
        comment.voter_key = None
        comment.author_key = keys_of(session).hash("avatar", f"erased:{comment.id}", length=16)
    for thread_id in sorted({comment.thread_id for comment in comments}):
        bump_thread_version(session, thread_id)

    subscriptions = mails = 0
    address = _address(session, email)
    if address is not None:
        subscriptions = int(
            session.scalar(
                select(func.count())
                .select_from(Subscription)
                .where(Subscription.email_id == address.id)
            )
            or 0
        )
        result = session.execute(
            update(OutboxItem)
            .where(
                OutboxItem.recipient_hash == address.address_hash, OutboxItem.status == "pending"
            )
            .values(status="cancelled", last_error="cancelled by a privacy erasure")
            .execution_options(synchronize_session=False)
        )
        mails = int(getattr(result, "rowcount", 0) or 0)
        session.execute(
            update(OutboxItem)
            .where(OutboxItem.recipient_hash == address.address_hash)
            .values(recipient_hash=None)
            .execution_options(synchronize_session=False)
        )
        session.execute(delete(Subscription).where(Subscription.email_id == address.id))
        session.delete(address)
    session.flush()
    erasure = Erasure(
        comments_anonymized=len(comments),
        subscriptions_cancelled=subscriptions,
        mails_cancelled=mails,
        ip_hashes_dropped=ip_hashes,
        bans_relabelled=bans_relabelled,
        audit_entries_redacted=redacted,
    )
    audit.record(
        session,
        actor,
        "privacy.erase",
        target_kind="person",
        after=erasure.as_dict(),
        reason="privacy request",
    )
    return erasure
