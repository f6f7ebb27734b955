"""The identity checks of the policy pipeline (registered in `pipeline.CHECKS`).

- `unverified_guest` (hold): on a site that verifies guests, a guest's comment waits until they
  confirm their address; confirming publishes it (`service.identity.guests`).
- `site_moderator` (trust): the site's SSO token says `role: moderator`; its staff skip every
  hold (not bans, spam or rejects), like a commenter a moderator trusts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from service.comments.site_identity import identity_settings
from service.comments.verdicts import Draft, ReasonCode, Verdict

if TYPE_CHECKING:
    from service.moderation.history import History
    from service.moderation.rules import Rules


def check_unverified_guest(draft: Draft, rules: Rules, history: History) -> Verdict | None:
    if draft.editing is not None or draft.identity_key or draft.signals.authenticated:
        return None
    if not identity_settings(draft.site).verify_guests:
        return None
    return Verdict(
        "hold",
        ReasonCode.UNVERIFIED_GUEST,
        "Waits for the guest to confirm their email address.",
    )


def check_site_moderator(draft: Draft, rules: Rules, history: History) -> Verdict | None:
    if draft.identity_key and draft.signals.site_role == "moderator":
        return Verdict(
            "trust", ReasonCode.SITE_MODERATOR, "The site's sign-in says this is a moderator."
        )
    return None
