"""The policy pipeline: an ordered list of checks, each able to return a verdict with a reason.

Every new or edited comment passes it. The strongest verdict wins (reject > ban > spam > shadow
ban > hold > allow); a `trust` verdict (trusted commenter) lifts every hold. Every verdict but
allow is recorded on the comment as a reason `{code, message, verdict}` that moderators see.
Checks are plain functions `(session, draft) -> Verdict | None`, registered in `CHECKS` in the
order they run; the types live in `verdicts` (re-exported here), the moderation checks in
`checks`, and docs/moderation.md lists every reason code.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.comments.models import Comment
from service.kernel.errors import Banned, RejectedByPolicy
from service.kernel.text import text_fingerprint
from service.moderation.bot_checks import check_form_token_signal, check_honeypot
from service.moderation.checks import (
    check_banned_identity,
    check_banned_words,
    check_links,
    check_repeated,
    check_spam_score,
    check_suspect_words,
    check_trusted,
)
from service.moderation.identity_checks import check_site_moderator, check_unverified_guest
from service.moderation.refusals import Refusal
from service.moderation.rules import rules_for
from service.moderation.verdicts import STRENGTH, Action, Check, Decision, Draft, Verdict

__all__ = ["CHECKS", "STRENGTH", "Action", "Check", "Decision", "Draft", "Verdict", "evaluate"]


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
    threshold = rules_for(draft.site).first_time_threshold
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


CHECKS: list[Check] = [
    check_banned_identity,
    check_honeypot,
    check_form_token_signal,
    check_thread_mode,
    check_site_mode,
    check_unverified_guest,
    check_trusted,
    check_site_moderator,
    check_banned_words,
    check_suspect_words,
    check_links,
    check_repeated,
    check_spam_score,
]


def evaluate(session: Session, draft: Draft, checks: list[Check] | None = None) -> Decision:
    """Run every check; raise for reject and ban, else return the status to store."""
    verdicts = [v for check in (checks or CHECKS) if (v := check(session, draft)) is not None]
    trusted = any(v.action == "trust" for v in verdicts)
    binding = [v for v in verdicts if not (trusted and v.action == "hold")]
    strongest = max(binding, key=lambda v: STRENGTH[v.action], default=None)
    reasons = [v.as_reason() for v in verdicts if v.action != "allow"]
    score = next((v.score for v in verdicts if v.score is not None), None)
    if strongest is None or strongest.action in ("allow", "trust"):
        return Decision("approved", "approved", reasons, score)
    if strongest.action == "reject":
        error = RejectedByPolicy(strongest.message, fields={"body": strongest.message})
        error.refusal = Refusal(draft.site.id, text_fingerprint(draft.body_source), strongest)
        raise error
    if strongest.action == "ban":
        raise Banned(strongest.message)
    if strongest.action == "shadow_ban":
        return Decision("spam", "approved", reasons, score)
    if strongest.action == "spam":
        return Decision("spam", "pending", reasons, score)
    return Decision("pending", "pending", reasons, score)
