"""The policy pipeline: an ordered list of checks, each able to return a verdict with a reason.

Every new or edited comment passes it. The strongest verdict wins (reject > ban > spam > shadow
ban > hold > allow); a `trust` verdict (trusted commenter) lifts every hold. Every verdict but
allow is recorded on the comment as a reason `{code, message, verdict}` that moderators see.
Checks are pure functions `(draft, rules, history) -> Verdict | None`, registered in `CHECKS` in
the order they run: `evaluate` reads the draft's `History` from the database first. The rules'
dry run runs the `REPLAYABLE` ones over stored comments and combines their verdicts the same way
(`verdicts.combine`). The types live in `verdicts` (re-exported here), the moderation checks in
`checks`, and docs/moderation.md lists every reason code.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from service.comments.models import CommentStatus
from service.comments.verdicts import (
    STRENGTH,
    Action,
    Combined,
    Decision,
    Draft,
    ReasonCode,
    Signals,
    Verdict,
    combine,
)
from service.kernel.errors import Banned, RejectedByPolicy
from service.kernel.text import text_fingerprint
from service.moderation import history as histories
from service.moderation.bot_checks import check_form_token_signal, check_honeypot
from service.moderation.checks import (
    check_banned_identity,
    check_banned_words,
    check_first_time,
    check_links,
    check_repeated,
    check_spam_score,
    check_suspect_words,
    check_trusted,
)
from service.moderation.history import History
from service.moderation.identity_checks import check_site_moderator, check_unverified_guest
from service.moderation.refusals import Refusal
from service.moderation.rules import Rules, rules_for

__all__ = [
    "CHECKS",
    "REPLAYABLE",
    "STRENGTH",
    "Action",
    "Check",
    "Combined",
    "Decision",
    "Draft",
    "History",
    "ReasonCode",
    "Signals",
    "Verdict",
    "combine",
    "evaluate",
    "judge",
]


def check_thread_mode(draft: Draft, rules: Rules, history: History) -> Verdict | None:
    if draft.thread.moderation == "pre":
        return Verdict("hold", ReasonCode.THREAD_PREMODERATED, "This discussion is pre-moderated.")
    return None


def check_site_premoderated(draft: Draft, rules: Rules, history: History) -> Verdict | None:
    if draft.site.moderation == "pre":
        return Verdict(
            "hold", ReasonCode.SITE_PREMODERATED, "Every comment on this site is reviewed first."
        )
    return None


#: A check: a pure function of the draft, the site's rules and what the database said
#: (`History`); None when it has nothing to say.
Check = Callable[[Draft, Rules, History], Verdict | None]

CHECKS: list[Check] = [
    check_banned_identity,
    check_honeypot,
    check_form_token_signal,
    check_thread_mode,
    check_site_premoderated,
    check_first_time,
    check_unverified_guest,
    check_trusted,
    check_site_moderator,
    check_banned_words,
    check_suspect_words,
    check_links,
    check_repeated,
    check_spam_score,
]

#: The checks that the site's rules govern and stored data can answer: the rules' dry run
#: replays these (in `CHECKS` order). Bans, bot signals, thread and site modes and the site's
#: sign-in are not rules, and what the request said is not stored.
REPLAYABLE: frozenset[Check] = frozenset(
    {
        check_first_time,
        check_trusted,
        check_banned_words,
        check_suspect_words,
        check_links,
        check_repeated,
        check_spam_score,
    }
)


def judge(draft: Draft, rules: Rules, history: History, checks: list[Check]) -> list[Verdict]:
    """Every verdict of `checks`, in their order."""
    return [v for check in checks if (v := check(draft, rules, history)) is not None]


def evaluate(session: Session, draft: Draft, checks: list[Check] | None = None) -> Decision:
    """Run every check; raise for reject and ban, else return the status to store."""
    rules = rules_for(draft.site)
    combined = combine(
        judge(draft, rules, histories.for_draft(session, draft, rules), checks or CHECKS)
    )
    return _decision(draft, combined)


def _decision(draft: Draft, combined: Combined) -> Decision:
    strongest = combined.strongest
    reasons, score = combined.reasons, combined.score
    if strongest is None:
        return Decision(CommentStatus.APPROVED, CommentStatus.APPROVED, reasons, score)
    if strongest.action == "reject":
        error = RejectedByPolicy(strongest.message, fields={"body": strongest.message})
        error.refusal = Refusal(draft.site.id, text_fingerprint(draft.body_source), strongest)
        raise error
    if strongest.action == "ban":
        raise Banned(strongest.message)
    if strongest.action == "shadow_ban":
        return Decision(CommentStatus.SPAM, CommentStatus.APPROVED, reasons, score)
    if strongest.action == "spam":
        return Decision(CommentStatus.SPAM, CommentStatus.PENDING, reasons, score)
    return Decision(CommentStatus.PENDING, CommentStatus.PENDING, reasons, score)
