"""The identity checks of the policy pipeline (registered in `pipeline.CHECKS`).

- `unverified_guest` (hold): on a site that verifies guests, a guest's comment waits until they
  confirm their address; confirming publishes it (`service.identity.guests`).
- `site_moderator` (trust): the site's SSO token says `role: moderator`; its staff skip every
  hold (not bans, spam or rejects), like a commenter a moderator trusts.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from service.comments.site_identity import identity_settings
from service.moderation.verdicts import Draft, Verdict

UNVERIFIED_GUEST = "unverified_guest"


def check_unverified_guest(session: Session, draft: Draft) -> Verdict | None:
    if draft.editing is not None or draft.identity_key or draft.signals.get("authenticated"):
        return None
    if not identity_settings(draft.site).verify_guests:
        return None
    return Verdict("hold", UNVERIFIED_GUEST, "Waits for the guest to confirm their email address.")


def check_site_moderator(session: Session, draft: Draft) -> Verdict | None:
    if draft.identity_key and draft.signals.get("site_role") == "moderator":
        return Verdict("trust", "site_moderator", "The site's sign-in says this is a moderator.")
    return None
