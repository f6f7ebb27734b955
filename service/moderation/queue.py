"""The moderation queue: comments by tab (pending, reported, spam, approved, rejected), filtered
and paged newest first with a keyset cursor, plus what a card shows next to each comment.

A page costs a fixed number of queries whatever its size: the comments, then their threads,
sites, parents, anchors, open reports and authors' histories, one query each. The listing uses
`ix_comments_site_status_created` (one site) or `ix_comments_status_created` (all sites).
"""

from __future__ import annotations

import base64
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Exists, String, and_, cast, exists, func, or_, select
from sqlalchemy.orm import Session

from service.comments.models import Comment, CommentAnchor, CommentStatus, Report, Site, Thread
from service.kernel.clock import utc
from service.kernel.errors import ValidationFailed
from service.kernel.inputs import parse_id, parse_instant

QUEUE_STATUSES = ("pending", "reported", "spam", "approved", "rejected")
#: The statuses an author's history on a card counts, in the order the API lists them.
AUTHOR_HISTORY = (
    CommentStatus.APPROVED,
    CommentStatus.PENDING,
    CommentStatus.REJECTED,
    CommentStatus.SPAM,
    CommentStatus.DELETED,
)
_REASON_CODE = re.compile(r"^[a-z0-9_]{1,64}$")


@dataclass(frozen=True)
class QueueFilter:
    #: None: every site.
    site_ids: Sequence[int] | None
    status: str = "pending"
    thread: str | None = None
    author: str | None = None
    reason: str | None = None
    text: str | None = None


@dataclass
class QueueItem:
    comment: Comment
    site: Site
    thread: Thread
    parent: Comment | None
    anchor: CommentAnchor | None
    reports: list[Report] = field(default_factory=list)
    history: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class QueuePage:
    items: list[QueueItem]
    next_cursor: str | None


def encode_cursor(comment: Comment) -> str:
    raw = f"{utc(comment.created_at).isoformat()}|{comment.id}"  # microseconds: exact keyset
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        stamp, _, ident = base64.urlsafe_b64decode(padded).decode().partition("|")
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed.on("cursor", "The cursor is not valid.") from None
    created_at, comment_id = parse_instant(stamp), parse_id(ident)
    if created_at is None or comment_id is None:
        raise ValidationFailed.on("cursor", "The cursor is not valid.")
    return created_at, comment_id


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _open_reports() -> Exists:
    return exists().where(Report.comment_id == Comment.id, Report.resolved_at.is_(None))


def list_queue(
    session: Session, where: QueueFilter, *, cursor: str | None = None, limit: int = 25
) -> QueuePage:
    if where.status not in QUEUE_STATUSES:
        raise ValidationFailed.on("status", "Use pending, reported, spam, approved or rejected.")
    stmt = select(Comment)
    if where.site_ids is not None:
        if not where.site_ids:
            return QueuePage([], None)
        stmt = stmt.where(Comment.site_id.in_(list(where.site_ids)))
    if where.status == "reported":
        stmt = stmt.where(
            Comment.report_count > 0,
            Comment.status.in_((CommentStatus.APPROVED, CommentStatus.PENDING)),
            _open_reports(),
        )
    else:
        stmt = stmt.where(Comment.status == where.status)
    if where.thread:
        stmt = stmt.where(
            Comment.thread_id.in_(select(Thread.id).where(Thread.key == where.thread))
        )
    if where.author:
        author = where.author.strip()
        stmt = stmt.where(
            or_(
                Comment.author_key == author,
                Comment.identity_key == author,
                Comment.ip_hash == author,
                func.lower(Comment.author_email) == author.lower(),
                func.lower(Comment.author_name) == author.lower(),
            )
        )
    if where.reason:
        if not _REASON_CODE.match(where.reason):
            raise ValidationFailed.on("reason", "Use a reason code like suspect_word.")
        stmt = stmt.where(
            cast(Comment.moderation_reasons, String).like(f'%"code": "{where.reason}"%')
        )
    if where.text:
        pattern = _like(where.text.strip())
        stmt = stmt.where(
            or_(
                Comment.body_source.ilike(pattern, escape="\\"),
                Comment.author_name.ilike(pattern, escape="\\"),
            )
        )
    if cursor:
        created_at, ident = decode_cursor(cursor)
        stmt = stmt.where(
            or_(
                Comment.created_at < created_at,
                and_(Comment.created_at == created_at, Comment.id < ident),
            )
        )
    rows = list(
        session.scalars(
            stmt.order_by(Comment.created_at.desc(), Comment.id.desc()).limit(limit + 1)
        )
    )
    next_cursor = encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return QueuePage(cards(session, rows[:limit]), next_cursor)


def cards(session: Session, comments: Sequence[Comment]) -> list[QueueItem]:
    """What a moderator sees next to each comment, in a fixed number of queries."""
    if not comments:
        return []
    ids = [c.id for c in comments]
    threads = {
        t.id: t
        for t in session.scalars(
            select(Thread).where(Thread.id.in_({c.thread_id for c in comments}))
        )
    }
    sites = {
        s.id: s
        for s in session.scalars(select(Site).where(Site.id.in_({c.site_id for c in comments})))
    }
    parent_ids = {c.parent_id for c in comments if c.parent_id is not None}
    parents = (
        {p.id: p for p in session.scalars(select(Comment).where(Comment.id.in_(parent_ids)))}
        if parent_ids
        else {}
    )
    anchors = {
        a.comment_id: a
        for a in session.scalars(select(CommentAnchor).where(CommentAnchor.comment_id.in_(ids)))
    }
    reports: dict[int, list[Report]] = defaultdict(list)
    for report in session.scalars(
        select(Report)
        .where(Report.comment_id.in_(ids), Report.resolved_at.is_(None))
        .order_by(Report.id)
    ):
        reports[report.comment_id].append(report)
    history: dict[tuple[int, str], dict[str, int]] = defaultdict(dict)
    keys = {c.author_key for c in comments if c.author_key}
    if keys:
        for site_id, author_key, status, count in session.execute(
            select(Comment.site_id, Comment.author_key, Comment.status, func.count())
            .where(
                Comment.site_id.in_({c.site_id for c in comments}),
                Comment.author_key.in_(keys),
            )
            .group_by(Comment.site_id, Comment.author_key, Comment.status)
        ):
            history[(site_id, author_key)][status] = count
    return [
        QueueItem(
            comment=c,
            site=sites[c.site_id],
            thread=threads[c.thread_id],
            parent=parents.get(c.parent_id) if c.parent_id else None,
            anchor=anchors.get(c.id),
            reports=reports.get(c.id, []),
            history={
                status.value: history[(c.site_id, c.author_key)].get(status, 0)
                for status in AUTHOR_HISTORY
            },
        )
        for c in comments
    ]


def queue_counts(session: Session, site_ids: Sequence[int] | None) -> dict[str, int]:
    """How many comments each tab holds (the UI's live counts)."""
    counts = dict.fromkeys(QUEUE_STATUSES, 0)
    if site_ids is not None and not site_ids:
        return counts
    stmt = select(Comment.status, func.count()).group_by(Comment.status)
    reported = select(func.count()).select_from(Comment)
    if site_ids is not None:
        stmt = stmt.where(Comment.site_id.in_(list(site_ids)))
        reported = reported.where(Comment.site_id.in_(list(site_ids)))
    for status, count in session.execute(stmt):
        if status in counts:
            counts[status] = count
    counts["reported"] = (
        session.scalar(
            reported.where(
                Comment.report_count > 0,
                Comment.status.in_((CommentStatus.APPROVED, CommentStatus.PENDING)),
                _open_reports(),
            )
        )
        or 0
    )
    return counts
