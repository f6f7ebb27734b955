"""The dashboard's figures: comments per day, the queue's size, and how long comments wait for a
moderator's first decision (from the audit log, so only human decisions count)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from service.comments.models import Comment, CommentStatus
from service.kernel import clock
from service.moderation.models import AuditEntry
from service.moderation.queue import queue_counts

DAYS = 30
#: The median is taken over at most this many of the newest decisions.
MAX_DECISIONS = 10_000
DECISION_ACTIONS = ("comment.approve", "comment.reject", "comment.spam")


@dataclass(frozen=True)
class Day:
    day: date
    approved: int
    held: int

    @property
    def total(self) -> int:
        return self.approved + self.held


@dataclass(frozen=True)
class Dashboard:
    days: list[Day]
    counts: dict[str, int]
    decisions: int
    median_wait: timedelta | None

    @property
    def posted(self) -> int:
        return sum(d.total for d in self.days)


def _day_of(session: Session, column: Any) -> ColumnElement[str]:
    """`YYYY-MM-DD` of a UTC timestamp column, in the backend's own SQL."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD")
    return func.strftime("%Y-%m-%d", column)  # SQLite stores UTC without a zone


def first_day(days: int = DAYS) -> datetime:
    today = clock.now().astimezone(UTC).date()
    return datetime.combine(today - timedelta(days=days - 1), time.min, tzinfo=UTC)


def comments_per_day(
    session: Session, site_ids: Sequence[int] | None, days: int = DAYS
) -> list[Day]:
    since = first_day(days)
    day = _day_of(session, Comment.created_at)
    stmt = (
        select(day, Comment.status, func.count())
        .where(Comment.created_at >= since, Comment.status != CommentStatus.DELETED)
        .group_by(day, Comment.status)
    )
    if site_ids is not None:
        stmt = stmt.where(Comment.site_id.in_(list(site_ids)))
    approved: dict[str, int] = {}
    held: dict[str, int] = {}
    for key, status, count in session.execute(stmt):
        target = approved if status == CommentStatus.APPROVED else held
        target[str(key)] = target.get(str(key), 0) + count
    result = []
    for offset in range(days):
        current = since.date() + timedelta(days=offset)
        key = current.isoformat()
        result.append(Day(current, approved.get(key, 0), held.get(key, 0)))
    return result


def decision_waits(
    session: Session, site_ids: Sequence[int] | None, days: int = DAYS
) -> list[timedelta]:
    """For each comment a person decided on in the period: its first decision's delay."""
    first = func.min(AuditEntry.created_at)
    stmt = (
        select(AuditEntry.target_id, first)
        .where(
            AuditEntry.action.in_(DECISION_ACTIONS),
            AuditEntry.actor_kind.in_(("moderator", "token")),
            AuditEntry.created_at >= first_day(days),
        )
        .group_by(AuditEntry.target_id)
        .order_by(first.desc())
        .limit(MAX_DECISIONS)
    )
    if site_ids is not None:
        stmt = stmt.where(AuditEntry.site_id.in_(list(site_ids)))
    decided = {
        int(target): clock.utc(at) for target, at in session.execute(stmt) if target.isdigit()
    }
    waits = []
    ids = list(decided)
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        for comment_id, created_at in session.execute(
            select(Comment.id, Comment.created_at).where(Comment.id.in_(chunk))
        ):
            waits.append(max(timedelta(0), decided[comment_id] - clock.utc(created_at)))
    return waits


def dashboard(session: Session, site_ids: Sequence[int] | None) -> Dashboard:
    waits = decision_waits(session, site_ids)
    median = statistics.median(w.total_seconds() for w in waits) if waits else None
    return Dashboard(
        days=comments_per_day(session, site_ids),
        counts=queue_counts(session, site_ids),
        decisions=len(waits),
        median_wait=timedelta(seconds=median) if median is not None else None,
    )


def describe_wait(wait: timedelta | None) -> str:
    """A short human duration: "45 s", "12 min", "3.5 h", "2.0 days"."""
    if wait is None:
        return "no decisions yet"
    seconds = wait.total_seconds()
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"
