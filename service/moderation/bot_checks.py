"""Pipeline checks for bots: the honeypot and the form token (see `form_tokens`).

Both only apply to anonymous posts: a request with an API token or an SSO session has proved more
than a form token could. Their verdict is `spam` with a reason a moderator can read, except for a
post sent sooner than `SIDENOTE_MIN_COMPOSE_SECONDS` after its genuine token was issued
(`too_fast`): people paste, so that alone only holds the comment for a moderator (pending, with
its reason); it is spam only together with a stronger signal (honeypot, spam score, …).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from service.comments.form_tokens import Outcome
from service.comments.verdicts import Draft, ReasonCode, Verdict

if TYPE_CHECKING:
    from service.moderation.history import History
    from service.moderation.rules import Rules

#: The reason code and message of each form token outcome but `ok`.
FORM_TOKEN_REASONS: dict[Outcome, tuple[ReasonCode, str]] = {
    "missing": (
        ReasonCode.FORM_TOKEN_MISSING,
        "Posted without a form token (not from the comment form).",
    ),
    "invalid": (ReasonCode.FORM_TOKEN_INVALID, "Posted with a forged or foreign form token."),
    "expired": (ReasonCode.FORM_TOKEN_EXPIRED, "Posted with an expired form token."),
    "too_fast": (
        ReasonCode.TOO_FAST,
        "Posted very soon after the form was opened (pasted, or a bot).",
    ),
}


def check_honeypot(draft: Draft, rules: Rules, history: History) -> Verdict | None:
    if draft.anonymous and (draft.signals.homepage or "").strip():
        return Verdict("spam", ReasonCode.HONEYPOT, "Filled in a field that people cannot see.")
    return None


def check_form_token_signal(draft: Draft, rules: Rules, history: History) -> Verdict | None:
    if not draft.anonymous:
        return None
    result = history.form_token
    if result is None or result.outcome == "ok":
        return None
    code, message = FORM_TOKEN_REASONS[result.outcome]
    if result.outcome == "too_fast":
        return Verdict("hold", code, message)
    if not history.form_token_required:
        return None
    return Verdict("spam", code, message)
