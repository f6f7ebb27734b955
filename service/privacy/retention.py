"""Retention: drop personal traces once they have served their purpose (`sidenote purge`).

- IP hashes help against abuse in the days after a comment or vote; after
  `SIDENOTE_RETAIN_IP_HASH_DAYS` (90) they are dropped from comments and votes, and so is a
  comment's voter key where the IP hash stood in for a voter id.
- Rejected and spam comments are kept `SIDENOTE_RETAIN_REJECTED_DAYS` (30) after the decision,
  for review and appeals, then deleted. One that has replies (a moderator rejected it after
  others answered) is emptied and marked deleted instead, so its replies keep their place.

The worker runs `purge` daily; it is idempotent, so running it more often is harmless.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import case, delete, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from service.comments.models import Comment, CommentStatus, Vote
from service.comments.posting import erase_content
from service.comments.visibility import change_status
from service.identity.models import ReaderSession
from service.kernel import clock
from service.kernel.config import Settings
from service.kernel.keys import IP_VOTER_PREFIX
from service.moderation import audit, refusals

if TYPE_CHECKING:
    from service.kernel.actors import Principal


@dataclass(frozen=True)
class Purged:
    comment_ip_hashes: int
    vote_ip_hashes: int
    comments_deleted: int
    comments_emptied: int
    reader_sessions: int = 0
    refused_attempts: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    @property
    def anything(self) -> bool:
        return any(self.as_dict().values())


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def purge(session: Session, settings: Settings, actor: Principal) -> Purged:
    """Apply the retention settings now (`clock.now()`). The caller commits."""
    now = clock.now()
    ip_cutoff = now - timedelta(days=settings.retain_ip_hash_days)
    ip_voter = Comment.voter_key.startswith(IP_VOTER_PREFIX, autoescape=True)
    comment_ips = _rowcount(
        session.execute(
            update(Comment)
            .where(or_(Comment.ip_hash.is_not(None), ip_voter), Comment.created_at < ip_cutoff)
            .values(ip_hash=None, voter_key=case((ip_voter, None), else_=Comment.voter_key))
            .execution_options(synchronize_session=False)
        )
    )
    vote_ips = _rowcount(
        session.execute(
            update(Vote)
            .where(Vote.ip_hash.is_not(None), Vote.created_at < ip_cutoff)
            .values(ip_hash=None)
            .execution_options(synchronize_session=False)
        )
    )

    rejected_cutoff = now - timedelta(days=settings.retain_rejected_days)
    reply = aliased(Comment)
    expired = (
        select(Comment.id, select(reply.id).where(reply.parent_id == Comment.id).exists())
        .where(
            Comment.status.in_((CommentStatus.REJECTED, CommentStatus.SPAM)),
            func.coalesce(Comment.status_changed_at, Comment.created_at) < rejected_cutoff,
        )
        .order_by(Comment.id)
    )
    rows = session.execute(expired).all()
    childless = [comment_id for comment_id, has_replies in rows if not has_replies]
    with_replies = [comment_id for comment_id, has_replies in rows if has_replies]
    for start in range(0, len(childless), 500):
        session.execute(
            delete(Comment)
            .where(Comment.id.in_(childless[start : start + 500]))
            .execution_options(synchronize_session=False)
        )
    for comment_id in with_replies:
        comment = session.get_one(Comment, comment_id)
        erase_content(comment)
        comment.ip_hash = None
        # Hidden before and after: no counter changes, and nobody is told.
        change_status(session, comment, CommentStatus.DELETED, announce=False)
    session.flush()
    expired_sessions = _rowcount(
        session.execute(
            delete(ReaderSession)
            .where(ReaderSession.expires_at < now)
            .execution_options(synchronize_session=False)
        )
    )
    refused = refusals.purge(session, rejected_cutoff)
    purged = Purged(
        comment_ip_hashes=comment_ips,
        vote_ip_hashes=vote_ips,
        comments_deleted=len(childless),
        comments_emptied=len(with_replies),
        reader_sessions=expired_sessions,
        refused_attempts=refused,
    )
    if purged.anything:
        audit.record(
            session,
            actor,
            "privacy.purge",
            target_kind="retention",
            after=purged.as_dict(),
            reason=(
                f"IP hashes older than {settings.retain_ip_hash_days} days, rejected and spam "
                f"comments older than {settings.retain_rejected_days} days"
            ),
        )
    return purged
