"""Votes and reports on visible comments.

Votes change the comment's counters, never the thread's version: a popular thread would otherwise
rewrite its thread row (and empty every cache) on each click. Instead the thread remembers the
score-refresh window of its latest vote (`score_epoch`), written at most once per window, and ETags
include it (see `reading.thread_etag`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.comments import events
from service.comments.caching import note_thread_changed
from service.comments.models import Comment, CommentStatus, Report, Thread, Vote
from service.kernel import clock
from service.kernel.errors import NotFound
from service.kernel.keys import Keys


def voter_id_key(keys: Keys, voter_id: str) -> str:
    """The widget's random voter id (`X-Sidenote-Voter`), keyed: what votes, bans and login
    codes store for it, never the id itself."""
    return keys.hash("voter", voter_id)


@dataclass(frozen=True)
class Scores:
    upvotes: int
    downvotes: int


def visible_comment(session: Session, comment_id: int) -> Comment:
    comment = session.get(Comment, comment_id)
    if comment is None or comment.status != CommentStatus.APPROVED:
        raise NotFound("No such comment.")
    return comment


def score_epoch(refresh_seconds: int) -> int:
    return int(clock.timestamp() // refresh_seconds)


def vote_on_comment(
    session: Session,
    comment_id: int,
    *,
    voter_key: str,
    ip_hash: str | None,
    value: int,
    votes_per_ip: int,
    refresh_seconds: int,
) -> Scores:
    """Set this voter's vote to `value` (1, -1, or 0 to withdraw); return fresh counts.

    A voter votes once per comment; voting again replaces the vote. Over `votes_per_ip` votes from
    one IP hash on one comment are ignored (the counts come back unchanged), so minting voter ids
    does not stuff a score.
    """
    comment = visible_comment(session, comment_id)
    existing = session.scalar(
        select(Vote).where(Vote.comment_id == comment.id, Vote.voter_key == voter_key)
    )
    previous = existing.value if existing else 0
    if value == previous:
        return _scores(session, comment.id)
    if existing is None:
        if ip_hash is not None and _votes_from_ip(session, comment.id, ip_hash) >= votes_per_ip:
            return _scores(session, comment.id)
        try:
            with session.begin_nested():
                session.add(
                    Vote(comment_id=comment.id, voter_key=voter_key, ip_hash=ip_hash, value=value)
                )
        except IntegrityError:
            # The same voter's other request won the race: replace its vote instead.
            return vote_on_comment(
                session,
                comment_id,
                voter_key=voter_key,
                ip_hash=ip_hash,
                value=value,
                votes_per_ip=votes_per_ip,
                refresh_seconds=refresh_seconds,
            )
    elif value == 0:
        session.delete(existing)
    else:
        existing.value = value

    up = (value == 1) - (previous == 1)
    down = (value == -1) - (previous == -1)
    session.execute(
        update(Comment)
        .where(Comment.id == comment.id)
        .values(upvotes=Comment.upvotes + up, downvotes=Comment.downvotes + down)
        .execution_options(synchronize_session=False)
    )
    epoch = score_epoch(refresh_seconds)
    note_thread_changed(session, comment.thread_id)
    session.execute(
        update(Thread)
        .where(Thread.id == comment.thread_id, Thread.score_epoch < epoch)
        .values(score_epoch=epoch)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return _scores(session, comment.id)


def _votes_from_ip(session: Session, comment_id: int, ip_hash: str) -> int:
    count = session.scalar(
        select(func.count())
        .select_from(Vote)
        .where(Vote.comment_id == comment_id, Vote.ip_hash == ip_hash)
    )
    return int(count or 0)


def _scores(session: Session, comment_id: int) -> Scores:
    row = session.execute(
        select(Comment.upvotes, Comment.downvotes).where(Comment.id == comment_id)
    ).one()
    return Scores(upvotes=row.upvotes, downvotes=row.downvotes)


def report_comment(
    session: Session, comment_id: int, *, reporter_key: str, reason: str, note: str
) -> bool:
    """Record a report; a repeat by the same reporter changes nothing. True if it was new.

    `reporter_key` is who the report counts as (an identity, or an anonymous reader's IP hash;
    never a client-chosen id): `report_count` and the threshold count distinct reporters."""
    comment = visible_comment(session, comment_id)
    exists = session.scalar(
        select(Report.id).where(
            Report.comment_id == comment.id, Report.reporter_key == reporter_key
        )
    )
    if exists is not None:
        return False
    try:
        with session.begin_nested():
            session.add(
                Report(comment_id=comment.id, reporter_key=reporter_key, reason=reason, note=note)
            )
    except IntegrityError:
        return False
    session.execute(
        update(Comment)
        .where(Comment.id == comment.id)
        .values(report_count=Comment.report_count + 1)
    )
    events.emit(session, events.CommentEvent("comment.reported", comment, data={"reason": reason}))
    return True
