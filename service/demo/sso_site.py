"""The demo's stand-in for a site's own server: it signs an SSO token for the demo reader."""

from __future__ import annotations

from typing import Any

import jwt

from service.comments.sites import get_site
from service.db import get_session
from service.identity.sso import ALGORITHM, active_secrets
from service.kernel import clock
from service.kernel.errors import NotFound

TOKEN_SECONDS = 300


def demo_token(site_slug: str, claims: dict[str, Any]) -> str:
    """A token for `site_slug` signed with its newest secret, valid for five minutes."""
    session = get_session()
    site = get_site(session, site_slug)
    secrets = active_secrets(session, site.id)
    if not secrets:
        raise NotFound("The demo site has no SSO secret: run `sidenote demo` again.")
    now = int(clock.timestamp())
    payload = {"aud": site.slug, "iat": now, "exp": now + TOKEN_SECONDS, **claims}
    return jwt.encode(payload, secrets[0].secret, algorithm=ALGORITHM)
