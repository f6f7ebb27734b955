"""Public reads, each a constant number of queries whatever the thread size.

A thread page is: (1) site and thread in one query, (2) the page of top-level comments with their
anchors (on the first page, pinned ones first: one more query), (3) up to `REPLIES_PER_ROOT`
replies of each, in pre-order, via a window function. Listed
comments are the approved ones plus tombstones: hidden comments that have approved descendants.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    false,
    func,
    or_,
    select,
    true,
    tuple_,
)
from sqlalchemy.orm import Session, contains_eager, defer, selectinload

from service.comments.caching import ThreadHead
from service.comments.models import Comment, CommentStatus, Site, Thread
from service.comments.reactions import score_epoch
from service.kernel import clock
from service.kernel.errors import NotFound, ValidationFailed
from service.kernel.inputs import MAX_CURSOR_INT, parse_instant

Sort = Literal["oldest", "newest", "top"]
REPLIES_PER_ROOT = 100
MAX_COUNT_KEYS = 100

LISTED: ColumnElement[bool] = or_(
    Comment.status == CommentStatus.APPROVED, Comment.visible_descendants > 0
)
_PRIVATE_COLUMNS = (Comment.author_email, Comment.ip_hash, Comment.body_source)


@dataclass
class ThreadPage:
    head: ThreadHead
    roots: list[Comment] = field(default_factory=list)
    replies: dict[int, list[Comment]] = field(default_factory=dict)
    more_replies: dict[int, str] = field(default_factory=dict)
    next_cursor: str | None = None


# -- cursors ---------------------------------------------------------------------------------


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, shape: tuple[type, ...], field_name: str = "cursor") -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ValidationFailed.on(field_name, "This cursor is not valid.") from None
    if (
        not isinstance(values, list)
        or len(values) != len(shape)
        or not all(type(v) is t for v, t in zip(values, shape, strict=True))
        or any(type(v) is int and abs(v) > MAX_CURSOR_INT for v in values)
    ):
        raise ValidationFailed.on(field_name, "This cursor is not valid.")
    return values


def _time_key(value: datetime) -> str:
    return clock.utc(value).isoformat()


def _parse_time(value: str) -> datetime:
    parsed = parse_instant(value)
    if parsed is None:
        raise ValidationFailed.on("cursor", "This cursor is not valid.")
    return parsed


# -- thread pages ----------------------------------------------------------------------------


# Built once: a thread read that hits the cache is this one query and nothing else.
_THREAD_HEAD = (
    select(
        Site.id.label("site_id"),
        Thread.id,
        Thread.url,
        Thread.title,
        Thread.locked,
        Thread.approved_count,
        Thread.version,
        Thread.score_epoch,
    )
    .select_from(Site)
    .outerjoin(Thread, and_(Thread.site_id == Site.id, Thread.key == bindparam("key")))
    .where(Site.slug == bindparam("slug"))
)


def thread_head(session: Session, site_slug: str, key: str) -> ThreadHead:
    """Site and thread in one query; an unknown site is a 404, an unknown thread has no id."""
    row = session.execute(_THREAD_HEAD, {"slug": site_slug, "key": key}).first()
    if row is None:
        raise NotFound(f"No site {site_slug!r}.")
    return ThreadHead(
        site_id=row.site_id,
        key=key,
        id=row.id,
        url=row.url,
        title=row.title,
        locked=bool(row.locked) if row.id is not None else False,
        approved_count=row.approved_count or 0,
        version=row.version or 0,
        score_epoch=row.score_epoch or 0,
    )


def thread_etag(head: ThreadHead, query: str, refresh_seconds: int) -> str:
    """Content version plus score window: scores lag by at most one window, not forever.

    While the thread's latest vote falls in the current window ("open"), responses may miss votes
    cast later in that window; once the window has passed ("closed") the tag changes, so the next
    read is fresh. The tag also names the site, thread key and query, so it is a cache key too.
    """
    if head.id is None:
        state = "none"
    else:
        voted = head.score_epoch
        window = "o" if voted >= score_epoch(refresh_seconds) else "c"
        state = f"{head.id}|{head.version}|{voted}{window}"
    basis = f"{head.site_id}|{head.key}|{state}|{query}"
    return hashlib.sha256(basis.encode()).hexdigest()[:24]


def _sort_columns(sort: Sort) -> list[Any]:
    score = Comment.upvotes - Comment.downvotes
    if sort == "newest":
        return [Comment.created_at.desc(), Comment.id.desc()]
    if sort == "top":
        return [score.desc(), Comment.created_at.asc(), Comment.id.asc()]
    return [Comment.created_at.asc(), Comment.id.asc()]


def _after_cursor(sort: Sort, cursor: str) -> ColumnElement[bool]:
    if sort == "top":
        score_value, created, ident = decode_cursor(cursor, (int, str, int))
        score = Comment.upvotes - Comment.downvotes
        later = tuple_(Comment.created_at, Comment.id) > tuple_(_parse_time(created), ident)
        return or_(score < score_value, and_(score == score_value, later))
    created, ident = decode_cursor(cursor, (str, int))
    position = tuple_(Comment.created_at, Comment.id)
    if sort == "newest":
        return position < tuple_(_parse_time(created), ident)
    return position > tuple_(_parse_time(created), ident)


def _cursor_for(sort: Sort, comment: Comment) -> str:
    if sort == "top":
        score = comment.upvotes - comment.downvotes
        return encode_cursor([score, _time_key(comment.created_at), comment.id])
    return encode_cursor([_time_key(comment.created_at), comment.id])


def _public_comments() -> Select[Comment]:
    return select(Comment).options(*(defer(column) for column in _PRIVATE_COLUMNS))


def read_thread(
    session: Session, head: ThreadHead, *, sort: Sort, limit: int, cursor: str | None
) -> ThreadPage:
    page = ThreadPage(head=head)
    if head.id is None:
        if cursor is not None:
            _after_cursor(sort, cursor)  # still refuse a malformed cursor
        return page

    roots_of_thread = (
        _public_comments()
        .outerjoin(Comment.anchor)
        .options(contains_eager(Comment.anchor))
        .where(Comment.thread_id == head.id, Comment.depth == 0, LISTED)
        .order_by(*_sort_columns(sort))
        .limit(limit + 1)
    )
    pinned: list[Comment] = []
    if cursor is None:
        # Pinned ones first, on the first page only. Two index-ordered queries: one ORDER BY
        # `pinned DESC, created_at ASC` would sort every top-level comment of the thread.
        pinned = list(session.scalars(roots_of_thread.where(Comment.pinned == true())))
        unpinned = roots_of_thread.where(Comment.pinned == false())
    else:
        unpinned = roots_of_thread.where(Comment.pinned == false(), _after_cursor(sort, cursor))
    roots = pinned + list(session.scalars(unpinned))
    if len(roots) > limit:
        roots = roots[:limit]
        last_unpinned = next((c for c in reversed(roots) if not c.pinned), None)
        if last_unpinned is not None:
            page.next_cursor = _cursor_for(sort, last_unpinned)
        else:
            page.next_cursor = _first_cursor(sort)
    page.roots = roots
    if roots:
        page.replies, page.more_replies = _replies_of(session, [c.id for c in roots])
    return page


def _first_cursor(sort: Sort) -> str:
    """A cursor before every unpinned comment (the page was filled by pinned ones)."""
    if sort == "top":
        return encode_cursor([2**62, _time_key(datetime.min.replace(tzinfo=None)), 0])
    if sort == "newest":
        return encode_cursor([_time_key(datetime.max.replace(tzinfo=None)), 2**62])
    return encode_cursor([_time_key(datetime.min.replace(tzinfo=None)), 0])


def _replies_of(
    session: Session, root_ids: list[int]
) -> tuple[dict[int, list[Comment]], dict[int, str]]:
    """Up to REPLIES_PER_ROOT listed replies per root, pre-order, in one query."""
    rank = func.row_number().over(partition_by=Comment.root_id, order_by=Comment.path).label("rank")
    ranked = (
        select(Comment.id, rank)
        .where(Comment.root_id.in_(root_ids), Comment.depth > 0, LISTED)
        .subquery()
    )
    rows = session.scalars(
        _public_comments()
        .join(ranked, ranked.c.id == Comment.id)
        .where(ranked.c.rank <= REPLIES_PER_ROOT + 1)
        .order_by(Comment.root_id, Comment.path)
    )
    replies: dict[int, list[Comment]] = defaultdict(list)
    more: dict[int, str] = {}
    for reply in rows:
        assert reply.root_id is not None
        bucket = replies[reply.root_id]
        if len(bucket) == REPLIES_PER_ROOT:
            more[reply.root_id] = encode_cursor([bucket[-1].path])
            continue
        bucket.append(reply)
    return dict(replies), more


@dataclass
class CommentContext:
    comment: Comment
    ancestors: list[Comment]
    thread: Thread


def read_comment(session: Session, comment_id: int) -> CommentContext:
    """A visible comment with its ancestors (for permalinks)."""
    row = session.execute(
        _public_comments()
        .outerjoin(Comment.anchor)
        .options(contains_eager(Comment.anchor))
        .add_columns(Thread)
        .join(Thread, Thread.id == Comment.thread_id)
        .where(Comment.id == comment_id, Comment.status == CommentStatus.APPROVED)
    ).first()
    if row is None:
        raise NotFound("No such comment.")
    comment, thread = row
    ancestors: list[Comment] = []
    if comment.ancestor_ids:
        ancestors = list(
            session.scalars(
                _public_comments()
                .options(selectinload(Comment.anchor))
                .where(Comment.id.in_(comment.ancestor_ids))
                .order_by(Comment.path)
            )
        )
    return CommentContext(comment=comment, ancestors=ancestors, thread=thread)


def read_replies(
    session: Session, comment_id: int, cursor: str | None
) -> tuple[list[Comment], str | None]:
    """The listed subtree below a listed comment, pre-order, a page at a time."""
    parent = session.execute(
        select(Comment.root_id, Comment.path, Comment.status).where(Comment.id == comment_id)
    ).first()
    if parent is None or parent.status != CommentStatus.APPROVED:
        raise NotFound("No such comment.")
    after = parent.path + "/"
    if cursor is not None:
        (after,) = decode_cursor(cursor, (str,))
        if not after.startswith(parent.path + "/"):
            raise ValidationFailed.on("cursor", "This cursor belongs to another comment.")
    rows = list(
        session.scalars(
            _public_comments()
            .where(
                Comment.root_id == parent.root_id,
                Comment.path > after,
                Comment.path < parent.path + "0",  # "0" sorts right after "/": the subtree ends
                LISTED,
            )
            .order_by(Comment.path)
            .limit(REPLIES_PER_ROOT + 1)
        )
    )
    if len(rows) > REPLIES_PER_ROOT:
        rows = rows[:REPLIES_PER_ROOT]
        return rows, encode_cursor([rows[-1].path])
    return rows, None


def thread_counts(session: Session, site_slug: str, keys: list[str]) -> dict[str, int]:
    """Approved comments per thread key, in one query; unknown keys count 0."""
    rows = session.execute(
        select(Site.id, Thread.key, Thread.approved_count)
        .select_from(Site)
        .outerjoin(Thread, and_(Thread.site_id == Site.id, Thread.key.in_(keys)))
        .where(Site.slug == site_slug)
    ).all()
    if not rows:
        raise NotFound(f"No site {site_slug!r}.")
    counts = dict.fromkeys(keys, 0)
    for row in rows:
        if row.key is not None:
            counts[row.key] = row.approved_count
    return counts


def latest_comments(
    session: Session, site_slug: str, limit: int, thread_key: str | None = None
) -> tuple[Site, list[tuple[Comment, Thread]]]:
    """The newest approved comments of a site (or one thread), with their threads."""
    site = session.scalar(select(Site).where(Site.slug == site_slug))
    if site is None:
        raise NotFound(f"No site {site_slug!r}.")
    query = (
        _public_comments()
        .options(selectinload(Comment.anchor))
        .add_columns(Thread)
        .join(Thread, Thread.id == Comment.thread_id)
        .where(Comment.site_id == site.id, Comment.status == CommentStatus.APPROVED)
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(limit)
    )
    if thread_key is not None:
        query = query.where(Thread.key == thread_key)
    return site, [(row[0], row[1]) for row in session.execute(query)]
