"""Moderation's event handlers (each app subscribes them: `service.app.subscribe_handlers`):

- `comment.reported`: open reports reaching the site's threshold hold an approved comment again;
- `comment.approved` / `comment.rejected` / `comment.deleted`: train the site's spam score on the
  decision (approved: legitimate; spam or rejected: spam; deleted: not at all); a comment its
  author published by confirming their address (`data["cause"] == "author"`) trains nothing
  then (it trains as legitimate once it has stayed published for `spam_ham_after_hours`, like
  every published comment: `spam.train_settled`, run by the worker).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.comments import events
from service.comments.models import CommentStatus, Report, Site
from service.comments.visibility import change_status
from service.kernel.actors import SYSTEM_ACTOR
from service.moderation import audit, spam
from service.moderation.checks import check_reports
from service.moderation.rules import rules_for


def hold_when_reported(session: Session, event: events.CommentEvent) -> None:
    comment = event.comment
    if comment.status != CommentStatus.APPROVED:
        return
    rules = rules_for(session.get_one(Site, comment.site_id))
    if rules.report_threshold == 0:
        return
    open_reports = session.scalar(
        select(func.count())
        .select_from(Report)
        .where(Report.comment_id == comment.id, Report.resolved_at.is_(None))
    )
    verdict = check_reports(rules, open_reports or 0)
    if verdict is None:
        return
    message = verdict.message
    change_status(session, comment, CommentStatus.PENDING)
    comment.moderation_reasons = [*(comment.moderation_reasons or []), verdict.as_reason()]
    spam.train(session, comment, None)
    audit.record(
        session,
        SYSTEM_ACTOR,
        "comment.hold",
        target_kind="comment",
        target_id=comment.id,
        site_id=comment.site_id,
        subject_key=comment.author_key,
        before={"status": CommentStatus.APPROVED.value},
        after={"status": CommentStatus.PENDING.value},
        reason=message,
    )


def train_on_decision(session: Session, event: events.CommentEvent) -> None:
    if event.data.get("cause") == "author":  # published by its author's verification, not a judge
        return
    spam.train_decision(session, event.comment)
