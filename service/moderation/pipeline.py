"""The policy pipeline: an ordered list of checks, each able to return a verdict with a reason.

Every new or edited comment passes it. The strongest verdict wins (reject > ban > spam > shadow
ban > hold > allow); every hold, spam or reject verdict is recorded on the comment as a reason
`{code, message, verdict}` that moderators see. Checks are plain functions `(session, draft) ->
Verdict | None`, registered in `CHECKS` in the order they run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.errors import Banned, RejectedByPolicy
from service.models import Comment, Site, Thread

Action = Literal["allow", "hold", "spam", "shadow_ban", "ban", "reject"]
STRENGTH: dict[str, int] = {
    "allow": 0,
    "hold": 1,
    "shadow_ban": 2,
    "spam": 3,
    "ban": 4,
    "reject": 5,
}


@dataclass(frozen=True)
class Verdict:
    action: Action
    code: str
    message: str

    def as_reason(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "verdict": self.action}


@dataclass
class Draft:
    """What the pipeline judges: a new comment, or the new text of an edited one."""

    site: Site
    thread: Thread
    body_source: str
    body_html: str
    author_name: str = ""
    author_email: str = ""
    author_website: str = ""
    identity_key: str | None = None
    ip_hash: str | None = None
    voter_key: str | None = None
    parent: Comment | None = None
    #: The comment being edited (None for a new comment).
    editing: Comment | None = None
    #: Signals from the request (form token, honeypot, …) that checks may read.
    signals: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    status: Literal["approved", "pending", "spam"]
    #: What the poster is told: a shadow-banned comment looks approved to its author.
    public_status: Literal["approved", "pending"]
    reasons: list[dict[str, str]]
    spam_score: float | None = None


Check = Callable[[Session, Draft], Verdict | None]


def check_thread_mode(session: Session, draft: Draft) -> Verdict | None:
    if draft.thread.moderation == "pre":
        return Verdict("hold", "thread_premoderated", "This discussion is pre-moderated.")
    return None


def check_site_mode(session: Session, draft: Draft) -> Verdict | None:
    mode = draft.site.moderation
    if mode == "pre":
        return Verdict("hold", "site_premoderated", "Every comment on this site is reviewed first.")
    if mode == "first-time" and not _has_approved_history(session, draft):
        return Verdict(
            "hold", "first_time_commenter", "First comments are reviewed before they appear."
        )
    return None


def _has_approved_history(session: Session, draft: Draft) -> bool:
    """Only a verified identity has a history; a guest is always first-time."""
    if draft.identity_key is None:
        return False
    threshold = int(draft.site.settings.get("first_time_threshold", 1))
    approved = session.scalar(
        select(func.count())
        .select_from(Comment)
        .where(
            Comment.site_id == draft.site.id,
            Comment.identity_key == draft.identity_key,
            Comment.status == "approved",
        )
    )
    return (approved or 0) >= threshold


CHECKS: list[Check] = [check_thread_mode, check_site_mode]


def evaluate(session: Session, draft: Draft, checks: list[Check] | None = None) -> Decision:
    """Run every check; raise for reject and ban, else return the status to store."""
    verdicts = [v for check in (checks or CHECKS) if (v := check(session, draft)) is not None]
    strongest = max(verdicts, key=lambda v: STRENGTH[v.action], default=None)
    reasons = [v.as_reason() for v in verdicts if v.action != "allow"]
    if strongest is None or strongest.action == "allow":
        return Decision("approved", "approved", reasons)
    if strongest.action == "reject":
        raise RejectedByPolicy(strongest.message, fields={"body": strongest.message})
    if strongest.action == "ban":
        raise Banned(strongest.message)
    if strongest.action == "shadow_ban":
        return Decision("spam", "approved", reasons)
    if strongest.action == "spam":
        return Decision("spam", "pending", reasons)
    return Decision("pending", "pending", reasons)
