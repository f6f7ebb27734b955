"""Pipeline checks for bots: the honeypot and the form token (see `form_tokens`).

Both only apply to anonymous posts: a request with an API token or an SSO session has proved more
than a form token could. Their verdict is `spam` with a reason a moderator can read, except for a
post sent sooner than `SIDENOTE_MIN_COMPOSE_SECONDS` after its genuine token was issued
(`too_fast`): people paste, so that alone only holds the comment for a moderator (pending, with
its reason); it is spam only together with a stronger signal (honeypot, spam score, …).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from service.comments.form_tokens import check_form_token
from service.kernel.keys import settings

if TYPE_CHECKING:  # the pipeline imports these checks; import its types lazily
    from service.moderation.pipeline import Draft, Verdict

FORM_TOKEN_MESSAGES = {
    "missing": "Posted without a form token (not from the comment form).",
    "invalid": "Posted with a forged or foreign form token.",
    "expired": "Posted with an expired form token.",
    "too_fast": "Posted very soon after the form was opened (pasted, or a bot).",
}


def _anonymous(draft: Draft) -> bool:
    signals = draft.signals
    return draft.editing is None and not (signals.get("authenticated") or signals.get("api_token"))


def check_honeypot(session: Session, draft: Draft) -> Verdict | None:
    from service.moderation.pipeline import Verdict

    if _anonymous(draft) and (draft.signals.get("homepage") or "").strip():
        return Verdict("spam", "honeypot", "Filled in a field that people cannot see.")
    return None


def check_form_token_signal(session: Session, draft: Draft) -> Verdict | None:
    from service.moderation.pipeline import Verdict

    if not _anonymous(draft):
        return None
    config = settings()
    result = check_form_token(draft.signals.get("form_token"), draft.site.slug)
    if result.outcome == "ok":
        return None
    if result.outcome == "too_fast":
        return Verdict("hold", "too_fast", FORM_TOKEN_MESSAGES["too_fast"])
    if not config.form_token_required:
        return None
    return Verdict("spam", f"form_token_{result.outcome}", FORM_TOKEN_MESSAGES[result.outcome])
