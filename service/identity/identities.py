"""Who signed in: identity keys, and finding or making the `Identity` row behind one.

Keys are keyed hashes (`service.kernel.keys.Keys.hash`), so the raw SSO `sub` or a guest's address
never leaves the server, not even to moderators: an SSO key hashes the site with the `sub` (two
sites' user 42 are two people), a guest key hashes the lower-cased address (the same person on
every site). Comments carry the key as `identity_key`; bans and trust hash it again for their own
purpose.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.comments.models import Site
from service.db import keys_of
from service.identity.models import Identity
from service.kernel import clock
from service.kernel.actors import GUEST_PREFIX, SSO_PREFIX
from service.kernel.keys import Keys
from service.notifications.models import EmailAddress


def sso_key(keys: Keys, site_id: int, sub: str) -> str:
    return SSO_PREFIX + keys.hash("identity:sso", f"{site_id}\n{sub}")


def guest_key(keys: Keys, email: str) -> str:
    return GUEST_PREFIX + keys.hash("identity:guest", email.strip().lower())


def voter_key(keys: Keys, identity_key: str) -> str:
    """The voter id of a signed-in reader: their votes and reports follow them across devices."""
    return "id:" + keys.hash("voter:identity", identity_key)


def by_key(session: Session, key: str) -> Identity | None:
    return session.scalar(select(Identity).where(Identity.key == key))


def _get_or_create(session: Session, key: str, make: Identity) -> tuple[Identity, bool]:
    found = by_key(session, key)
    if found is not None:
        return found, False
    try:
        with session.begin_nested():
            session.add(make)
    except IntegrityError:  # made meanwhile by a concurrent sign-in
        found = by_key(session, key)
        if found is None:
            raise
        return found, False
    return make, True


def sso_identity(
    session: Session,
    site: Site,
    *,
    sub: str,
    name: str,
    email: str,
    email_verified: bool,
    website: str,
    role: str,
) -> Identity:
    """The identity of the site's user `sub`; its claims refresh on every sign-in, except a name
    the reader chose themselves on their data page."""
    key = sso_key(keys_of(session), site.id, sub)
    identity, _new = _get_or_create(
        session, key, Identity(kind="sso", key=key, site_id=site.id, display_name=name)
    )
    if not identity.name_from_reader:
        identity.display_name = name
    identity.email = email
    identity.email_verified = email_verified
    identity.website = website
    identity.role = role
    identity.last_seen_at = clock.now()
    session.flush()
    return identity


def guest_identity(session: Session, address: EmailAddress, name: str = "") -> Identity:
    """The verified guest behind a confirmed address (made on their first verification)."""
    key = guest_key(keys_of(session), address.address)
    identity, _new = _get_or_create(
        session,
        key,
        Identity(kind="guest", key=key, email_id=address.id, display_name=name.strip()[:100]),
    )
    if identity.email_id is None:
        identity.email_id = address.id
    if name.strip() and not identity.display_name:
        identity.display_name = name.strip()[:100]
    identity.last_seen_at = clock.now()
    session.flush()
    return identity
