"""Who acts: the `Principal` behind a moderation or admin request, the CLI, or the system.

Every feature that records who did something takes a `Principal`; none of them needs to know how
one was authenticated (`service.moderation.auth` does that), so this lives in the kernel.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from service.kernel.errors import Forbidden

#: Readers' bearer tokens (`service.identity.sessions`), never mistaken for API tokens.
READER_TOKEN_PREFIX = "snr_"  # noqa: S105 - a marker, not a secret

Scope = Literal["read", "moderate", "admin"]
SCOPE_LEVEL: dict[str, int] = {"read": 1, "moderate": 2, "admin": 3}
SCOPES: tuple[Scope, ...] = ("read", "moderate", "admin")
#: Routes only moderators and admins reach (`service.moderation.auth` guards them).
PROTECTED_PREFIXES = ("/api/v1/moderation", "/api/v1/admin", "/moderate")


@dataclass(frozen=True)
class Principal:
    """Who acts, with which scope, on which sites (None: every site)."""

    kind: Literal["moderator", "token", "cli", "system"]
    id: int | None
    label: str
    scope: Scope
    site_ids: frozenset[int] | None
    #: Set for UI sessions: the token unsafe requests must echo.
    csrf_token: str | None = None
    role: str | None = None

    def can(self, scope: Scope, site_id: int | None = None, *, all_sites: bool = False) -> bool:
        """Whether this principal has `scope` on `site_id`, on every site, or (neither) any."""
        if SCOPE_LEVEL[self.scope] < SCOPE_LEVEL[scope]:
            return False
        if all_sites:
            return self.site_ids is None
        if site_id is None:
            return self.site_ids is None or bool(self.site_ids)
        return self.site_ids is None or site_id in self.site_ids

    def require(self, scope: Scope, site_id: int | None = None, *, all_sites: bool = False) -> None:
        if not self.can(scope, site_id, all_sites=all_sites):
            where = "on every site" if all_sites else "on this site" if site_id else ""
            raise Forbidden(f"This needs the {scope} scope {where}".strip() + ".")

    def visible_site_ids(self, wanted: Iterable[int] | None = None) -> list[int] | None:
        """The sites a listing may show: `wanted` narrowed to the principal's (None: all)."""
        if wanted is None:
            return None if self.site_ids is None else sorted(self.site_ids)
        wanted_ids = set(wanted)
        return sorted(wanted_ids if self.site_ids is None else wanted_ids & self.site_ids)


CLI_ACTOR = Principal(kind="cli", id=None, label="cli", scope="admin", site_ids=None)
SYSTEM_ACTOR = Principal(kind="system", id=None, label="system", scope="admin", site_ids=None)


def is_protected(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in PROTECTED_PREFIXES)


#: A comment's `identity_key` names its author: an SSO user the site vouched for, or a verified
#: guest (`service.identity.identities` makes both).
SSO_PREFIX = "sso:"
GUEST_PREFIX = "guest:"


def is_sso_key(identity_key: str | None) -> bool:
    """True for a key the site vouched for (its users); False for guests and no identity."""
    return bool(identity_key and identity_key.startswith(SSO_PREFIX))
