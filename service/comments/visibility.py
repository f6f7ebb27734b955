"""The one place a comment's status changes, and with it everything derived from visibility.

A comment is visible when it is approved. Its visibility feeds three counters: the thread's
`approved_count` (what readers see as the comment count), each ancestor's `visible_descendants`
(which turns a hidden ancestor into a tombstone), and the thread's `version` (ETags and the
response cache). The first visible comment also settles the thread's URL and title
(`Thread.settled_at`). Changing status anywhere else would let them drift.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Integer, bindparam, func, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from service.comments import events
from service.comments.caching import note_thread_changed
from service.comments.models import Comment, CommentStatus, Thread
from service.db import Base, table_of
from service.kernel import clock

STATUS_EVENTS: dict[str, str] = {
    CommentStatus.APPROVED: "comment.approved",
    CommentStatus.REJECTED: "comment.rejected",
    CommentStatus.SPAM: "comment.rejected",
    CommentStatus.DELETED: "comment.deleted",
}


#: Prepared Core statements (every post and decision runs them); the amounts are parameters.
#: Core skips the ORM's in-session synchronisation; `_expire_loaded` does its part.
_threads = table_of(Thread)
_comments = table_of(Comment)
_BUMP_THREAD = (
    update(_threads)
    .where(_threads.c.id == bindparam("thread_id"))
    .values(
        version=_threads.c.version + 1,
        approved_count=_threads.c.approved_count + bindparam("delta", type_=Integer),
    )
)
#: A comment becoming visible also settles its thread's URL and title (`Thread.settled_at`).
_SHOW_IN_THREAD = (
    update(_threads)
    .where(_threads.c.id == bindparam("thread_id"))
    .values(
        version=_threads.c.version + 1,
        approved_count=_threads.c.approved_count + bindparam("delta", type_=Integer),
        settled_at=func.coalesce(
            _threads.c.settled_at, bindparam("now", type_=_threads.c.settled_at.type)
        ),
    )
)
_COUNT_DESCENDANTS = (
    update(_comments)
    .where(_comments.c.id.in_(bindparam("ancestors", expanding=True)))
    .values(visible_descendants=_comments.c.visible_descendants + bindparam("delta", type_=Integer))
)


def _expire_loaded(session: Session, model: type[Base], ids: list[int], *names: str) -> None:
    """Objects of this session that a Core UPDATE changed reload those attributes on next use."""
    for id_ in ids:
        loaded = session.identity_map.get(identity_key(model, id_))
        if loaded is not None:
            session.expire(loaded, list(names))


def bump_thread_version(session: Session, thread_id: int, approved_delta: int = 0) -> None:
    note_thread_changed(session, thread_id)
    session.flush()  # a Core statement does not autoflush
    if approved_delta > 0:
        session.execute(
            _SHOW_IN_THREAD, {"thread_id": thread_id, "delta": approved_delta, "now": clock.now()}
        )
        _expire_loaded(session, Thread, [thread_id], "version", "approved_count", "settled_at")
        return
    session.execute(_BUMP_THREAD, {"thread_id": thread_id, "delta": approved_delta})
    _expire_loaded(session, Thread, [thread_id], "version", "approved_count")


def apply_visibility(session: Session, comment: Comment, delta: int) -> None:
    """Account for `comment` becoming visible (+1) or hidden (-1)."""
    bump_thread_version(session, comment.thread_id, delta)
    ancestors = comment.ancestor_ids
    if ancestors:
        session.execute(_COUNT_DESCENDANTS, {"ancestors": ancestors, "delta": delta})
        _expire_loaded(session, Comment, ancestors, "visible_descendants")


def change_status(session: Session, comment: Comment, status: str, *, announce: bool = True) -> str:
    """Move `comment` to `status`; return the previous status. Announces the change as an event."""
    previous = comment.status
    if previous == status:
        return previous
    was_visible = comment.status == CommentStatus.APPROVED
    comment.status = status
    comment.status_changed_at = clock.now()
    session.flush()
    if was_visible != (status == CommentStatus.APPROVED):
        apply_visibility(session, comment, 1 if status == CommentStatus.APPROVED else -1)
    if announce and status in STATUS_EVENTS:
        events.emit(
            session,
            events.CommentEvent(STATUS_EVENTS[status], comment, previous_status=previous),
        )
    return previous


#: One ancestor's `visible_descendants` moved by a delta (executemany, one row per ancestor).
_MOVE_DESCENDANTS = (
    update(_comments)
    .where(_comments.c.id == bindparam("b_id"))
    .values(visible_descendants=_comments.c.visible_descendants + bindparam("delta", type_=Integer))
)


def change_status_many(
    session: Session, comments: Sequence[Comment], status: str
) -> dict[int, str]:
    """`change_status` for many comments at once, set-based (bulk decisions): one UPDATE of the
    comments (executemany), one per kind of thread counter change and one of the ancestors'
    counts, whatever their number; then each change is announced, as `events.emit_many` (a
    handler with a batch form handles them together). Returns each comment's previous status.

    Each thread's version moves once for the batch (not once per comment): its ETags change all
    the same."""
    previous = {comment.id: comment.status for comment in comments}
    changing = [comment for comment in comments if comment.status != status]
    if not changing:
        return previous
    now = clock.now()
    thread_deltas: dict[int, int] = {}
    ancestor_deltas: dict[int, int] = {}
    for comment in changing:
        was_visible = comment.status == CommentStatus.APPROVED
        comment.status = status
        comment.status_changed_at = now
        if was_visible == (status == CommentStatus.APPROVED):
            continue
        delta = 1 if status == CommentStatus.APPROVED else -1
        thread_deltas[comment.thread_id] = thread_deltas.get(comment.thread_id, 0) + delta
        for ancestor in comment.ancestor_ids:
            ancestor_deltas[ancestor] = ancestor_deltas.get(ancestor, 0) + delta
    session.flush()
    for thread_id in thread_deltas:
        note_thread_changed(session, thread_id)
    shown = [{"thread_id": t, "delta": d, "now": now} for t, d in thread_deltas.items() if d > 0]
    if shown:
        session.execute(_SHOW_IN_THREAD, shown)
    hidden = [{"thread_id": t, "delta": d} for t, d in thread_deltas.items() if d <= 0]
    if hidden:
        session.execute(_BUMP_THREAD, hidden)
    _expire_loaded(session, Thread, list(thread_deltas), "version", "approved_count", "settled_at")
    moved = [{"b_id": a, "delta": d} for a, d in ancestor_deltas.items() if d]
    if moved:
        session.execute(_MOVE_DESCENDANTS, moved)
        _expire_loaded(session, Comment, [row["b_id"] for row in moved], "visible_descendants")
    if status in STATUS_EVENTS:
        events.emit_many(
            session,
            [
                events.CommentEvent(STATUS_EVENTS[status], c, previous_status=previous[c.id])
                for c in changing
            ],
        )
    return previous
