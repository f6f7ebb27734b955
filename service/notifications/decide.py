"""Approve or reject from a moderator's mail: signed links that expire and work once.

The link names the comment, the action, the moderator and the comment's last status change.
It acts as that moderator (their current role and sites, checked when it is used) through
`moderation.decisions.decide`, so the decision is audit-logged like one made in the queue. Any
decision on the comment, by this link or otherwise, changes its status time and so retires
every link made before it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from service.comments.models import Comment, CommentStatus
from service.kernel.actors import Principal
from service.kernel.clock import isoformat
from service.moderation import decisions
from service.moderation.accounts import moderator_principal
from service.moderation.models import Moderator
from service.notifications import links


@dataclass(frozen=True)
class MailDecision:
    comment: Comment
    action: str
    principal: Principal


def decision_for_token(session: Session, token: str) -> MailDecision | None:
    """The decision a link stands for, or None if it is forged, expired, used or not allowed."""
    payload = links.of(session).read_decide_token(token)
    if payload is None:
        return None
    comment = session.get(Comment, payload["c"])
    moderator = session.get(Moderator, payload["m"])
    if comment is None or moderator is None or moderator.disabled:
        return None
    if (
        isoformat(comment.status_changed_at) != payload.get("v")
        or comment.status == CommentStatus.DELETED
    ):
        return None
    principal = moderator_principal(session, moderator)
    if not principal.can("moderate", comment.site_id):
        return None
    return MailDecision(comment, str(payload["a"]), principal)


def apply(session: Session, decision: MailDecision) -> None:
    decisions.decide(session, decision.principal, decision.comment, decision.action)
