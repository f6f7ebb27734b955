"""Moderator accounts, their UI sessions and API tokens: who may moderate, checked against what
is stored. The request side (cookies, CSRF, the guard in front of every protected route) is
`service.moderation.auth`.

- API tokens (`sidenote token add`): `snt_` + 32 random bytes, scope read < moderate < admin, on
  one site or (admin tokens only) on every site. Only the token's SHA-256 is stored.
- Moderators log in with a username and password (argon2id). Role admin acts with scope admin on
  every site; role moderator with scope moderate on its assigned sites. A UI session is an opaque
  token (only its SHA-256 stored) with a CSRF token derived from it by a keyed hash.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from service.comments.models import Site
from service.db import keys_of, settings_of
from service.kernel import clock
from service.kernel.actors import CLI_ACTOR, SCOPES, Principal
from service.kernel.errors import NotFound, ValidationFailed
from service.kernel.keys import Keys
from service.moderation import audit
from service.moderation.models import ApiToken, Moderator, ModeratorSession, ModeratorSite

log = logging.getLogger(__name__)

ROLES = ("admin", "moderator")
TOKEN_PREFIX = "snt_"  # noqa: S105 - a marker, not a secret
#: `last_used_at` is written at most this often per token (not on every request).
TOKEN_TOUCH_SECONDS = 60
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
MIN_PASSWORD_CHARS = 8

_hasher = PasswordHasher()


@functools.cache
def dummy_hash() -> str:
    """Verified against when the username is unknown, so both failures take the same time.
    Made once per process, not at import (argon2 is slow on purpose): the app makes it when it
    starts (`auth.init_app`), so no login pays for it, not even the first one."""
    return _hasher.hash("sidenote: no such moderator")


# -- passwords and moderators ----------------------------------------------------------------


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValidationFailed.on(
            "password", f"Use at least {MIN_PASSWORD_CHARS} characters for the password."
        )
    if len(password) > 1024:
        raise ValidationFailed.on("password", "Use at most 1024 characters for the password.")


def normalize_username(username: str) -> str:
    value = username.strip().lower()
    if not USERNAME.match(value):
        raise ValidationFailed.on(
            "username", "Use 1-64 lower-case letters, digits, '.', '-' or '_' (letter first)."
        )
    return value


def _sites_by_slug(session: Session, slugs: Sequence[str]) -> list[Site]:
    sites = list(session.scalars(select(Site).where(Site.slug.in_(list(slugs)))))
    missing = sorted(set(slugs) - {site.slug for site in sites})
    if missing:
        raise NotFound(f"No site {missing[0]!r}.")
    return sites


def create_moderator(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    site_slugs: Sequence[str] = (),
    actor: Principal = CLI_ACTOR,
) -> Moderator:
    """Add a moderator (role moderator: on the given sites; role admin: on every site)."""
    name = normalize_username(username)
    if role not in ROLES:
        raise ValidationFailed.on("role", "Use admin or moderator.")
    _validate_password(password)
    if session.scalar(select(Moderator.id).where(Moderator.username == name)) is not None:
        raise ValidationFailed.on("username", f"A moderator {name!r} exists already.")
    sites = _sites_by_slug(session, site_slugs)
    if role == "moderator" and not sites:
        raise ValidationFailed.on("site", "A moderator needs at least one site (--site SLUG).")
    moderator = Moderator(username=name, password_hash=hash_password(password), role=role)
    session.add(moderator)
    session.flush()
    for site in sites:
        session.add(ModeratorSite(moderator_id=moderator.id, site_id=site.id))
    session.flush()
    audit.record(
        session,
        actor,
        "moderator.add",
        target_kind="moderator",
        target_id=moderator.id,
        after={"username": name, "role": role, "sites": sorted(s.slug for s in sites)},
    )
    return moderator


def moderator_site_slugs(session: Session, moderator_ids: Sequence[int]) -> dict[int, list[str]]:
    rows = session.execute(
        select(ModeratorSite.moderator_id, Site.slug)
        .join(Site, Site.id == ModeratorSite.site_id)
        .where(ModeratorSite.moderator_id.in_(list(moderator_ids)))
        .order_by(Site.slug)
    )
    result: dict[int, list[str]] = {i: [] for i in moderator_ids}
    for moderator_id, slug in rows:
        result[moderator_id].append(slug)
    return result


def list_moderators(session: Session) -> list[tuple[Moderator, list[str]]]:
    moderators = list(session.scalars(select(Moderator).order_by(Moderator.username)))
    slugs = moderator_site_slugs(session, [m.id for m in moderators])
    return [(m, slugs[m.id]) for m in moderators]


def update_moderator(
    session: Session,
    moderator_id: int,
    *,
    actor: Principal,
    role: str | None = None,
    site_slugs: Sequence[str] | None = None,
    password: str | None = None,
    disabled: bool | None = None,
) -> Moderator:
    """Change a moderator; a new password, a role change or disabling ends their sessions."""
    moderator = session.get(Moderator, moderator_id)
    if moderator is None:
        raise NotFound("No such moderator.")
    before_sites = moderator_site_slugs(session, [moderator.id])[moderator.id]
    before = {"role": moderator.role, "sites": before_sites, "disabled": moderator.disabled}
    if role is not None:
        if role not in ROLES:
            raise ValidationFailed.on("role", "Use admin or moderator.")
        moderator.role = role
    if site_slugs is not None:
        sites = _sites_by_slug(session, site_slugs)
        session.execute(delete(ModeratorSite).where(ModeratorSite.moderator_id == moderator.id))
        for site in sites:
            session.add(ModeratorSite(moderator_id=moderator.id, site_id=site.id))
    if password is not None:
        _validate_password(password)
        moderator.password_hash = hash_password(password)
    if disabled is not None:
        moderator.disabled = disabled
    session.flush()
    after_sites = moderator_site_slugs(session, [moderator.id])[moderator.id]
    after = {"role": moderator.role, "sites": after_sites, "disabled": moderator.disabled}
    if password is not None or before["role"] != after["role"] or moderator.disabled:
        session.execute(
            delete(ModeratorSession).where(ModeratorSession.moderator_id == moderator.id)
        )
    audit.record(
        session,
        actor,
        "moderator.update",
        target_kind="moderator",
        target_id=moderator.id,
        before=before,
        after=after | ({"password": "changed"} if password is not None else {}),
    )
    return moderator


# -- sessions --------------------------------------------------------------------------------


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def csrf_token_for(keys: Keys, session_token: str) -> str:
    return keys.hash("csrf", session_token, length=64)


@dataclass(frozen=True)
class LoggedIn:
    moderator: Moderator
    session_token: str
    csrf_token: str
    expires_at: datetime


def check_password(session: Session, username: str, password: str) -> Moderator | None:
    """The enabled moderator whose password this is, else None. Unknown user, wrong password
    and disabled account take the same time (the slow hash runs for an unknown user too)."""
    name = username.strip().lower()[:64]
    moderator = session.scalar(select(Moderator).where(Moderator.username == name))
    stored = moderator.password_hash if moderator is not None else dummy_hash()
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if moderator is None or moderator.disabled:
        return None
    if _hasher.check_needs_rehash(moderator.password_hash):
        moderator.password_hash = hash_password(password)
    return moderator


def open_session(session: Session, moderator: Moderator) -> LoggedIn:
    """A new UI session for `moderator` (their expired ones are dropped)."""
    now = clock.now()
    moderator.last_login_at = now
    session.execute(
        delete(ModeratorSession).where(
            ModeratorSession.moderator_id == moderator.id, ModeratorSession.expires_at <= now
        )
    )
    raw = secrets.token_urlsafe(32)
    expires_at = now + timedelta(hours=settings_of(session).moderator_session_hours)
    session.add(
        ModeratorSession(
            token_hash=_sha256(raw),
            moderator_id=moderator.id,
            created_at=now,
            expires_at=expires_at,
        )
    )
    session.flush()
    return LoggedIn(moderator, raw, csrf_token_for(keys_of(session), raw), expires_at)


def logout(session: Session, session_token: str | None) -> None:
    if session_token:
        session.execute(
            delete(ModeratorSession).where(ModeratorSession.token_hash == _sha256(session_token))
        )


def principal_for_session(session: Session, raw: str) -> Principal | None:
    """The principal of a session cookie's token, or None if it is unknown or expired."""
    row = session.execute(
        select(ModeratorSession, Moderator)
        .join(Moderator, Moderator.id == ModeratorSession.moderator_id)
        .where(ModeratorSession.token_hash == _sha256(raw))
    ).first()
    if row is None:
        return None
    moderator_session, moderator = row
    if moderator.disabled or moderator_session.expires_at <= clock.now():
        return None
    return moderator_principal(session, moderator, csrf_token=csrf_token_for(keys_of(session), raw))


def moderator_principal(
    session: Session, moderator: Moderator, *, csrf_token: str | None = None
) -> Principal:
    """What `moderator` may do now: admins every site, moderators their assigned ones (a UI
    session's principal also carries its CSRF token; a mailed decision link's has none)."""
    site_ids: frozenset[int] | None = None
    if moderator.role != "admin":
        site_ids = frozenset(
            session.scalars(
                select(ModeratorSite.site_id).where(ModeratorSite.moderator_id == moderator.id)
            )
        )
    return Principal(
        kind="moderator",
        id=moderator.id,
        label=moderator.username,
        scope="admin" if moderator.role == "admin" else "moderate",
        site_ids=site_ids,
        csrf_token=csrf_token,
        role=moderator.role,
    )


# -- API tokens ------------------------------------------------------------------------------


def create_token(
    session: Session,
    *,
    scope: str,
    site_slug: str | None,
    name: str = "",
    actor: Principal = CLI_ACTOR,
) -> tuple[ApiToken, str]:
    """A new token; returns the row and the token itself, which is shown once."""
    if scope not in SCOPES:
        raise ValidationFailed.on("scope", "Use read, moderate or admin.")
    site: Site | None = None
    if site_slug is not None:
        site = _sites_by_slug(session, [site_slug])[0]
    elif scope != "admin":
        raise ValidationFailed.on("site", "Only an admin token may cover every site: give --site.")
    name = name.strip()[:100]
    if any(ch in name for ch in "\r\n\t"):
        raise ValidationFailed.on("name", "Use a single line for the name.")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name, site_id=site.id if site else None, scope=scope, token_hash=_sha256(raw)
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        actor,
        "token.add",
        target_kind="token",
        target_id=token.id,
        site_id=token.site_id,
        after={"name": name, "scope": scope, "site": site.slug if site else "*"},
    )
    return token, raw


def list_tokens(session: Session) -> list[tuple[ApiToken, str | None]]:
    """Every token (revoked ones too) with its site's slug (None: every site)."""
    rows = session.execute(
        select(ApiToken, Site.slug)
        .outerjoin(Site, Site.id == ApiToken.site_id)
        .order_by(ApiToken.id)
    )
    return [(token, slug) for token, slug in rows]


def revoke_token(session: Session, token_id: int, *, actor: Principal = CLI_ACTOR) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"No token {token_id}.")
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        session.flush()
        audit.record(
            session,
            actor,
            "token.revoke",
            target_kind="token",
            target_id=token.id,
            site_id=token.site_id,
            before={"revoked": False},
            after={"revoked": True},
        )
    return token


def token_principal(session: Session, raw: str, *, commit_use: bool) -> Principal | None:
    """The principal of an API token, or None if it is unknown or revoked. Its use is recorded
    (see `_touch_token`); `commit_use` commits that at once (a read, whose session never
    commits otherwise)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _sha256(raw)))
    if token is None or token.revoked_at is not None:
        return None
    _touch_token(session, token, commit_use=commit_use)
    return Principal(
        kind="token",
        id=token.id,
        label=f"token {token.id}" + (f" ({token.name})" if token.name else ""),
        scope=token.scope,  # type: ignore[arg-type]
        site_ids=None if token.site_id is None else frozenset({token.site_id}),
    )


def _touch_token(session: Session, token: ApiToken, *, commit_use: bool) -> None:
    """Record use, at most once a minute. A write commits it with its own transaction; a read
    commits it at once (`commit_use`). Never fails a read."""
    now = clock.now()
    last = token.last_used_at
    if last is not None and (now - last).total_seconds() < TOKEN_TOUCH_SECONDS:
        return
    token.last_used_at = now
    if not commit_use:
        return
    try:
        session.commit()
    except SQLAlchemyError:
        session.rollback()
        log.warning("could not record the use of token %s", token.id, exc_info=True)
