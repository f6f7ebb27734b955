"""Reader sessions: the opaque bearer tokens signed-in readers send to the public API.

A session token is `snr_` + 32 random bytes (API tokens are `snt_…`, so neither can pass for the
other); only its SHA-256 is stored, with the identity and the one site it is valid on. It lasts
`SIDENOTE_READER_SESSION_DAYS` and ends on logout. A verified guest's mail link carries a
one-time login code instead (`snc_…`, valid `LOGIN_CODE_SECONDS`), which the widget exchanges
for a session: the row is the same, inactive until then, and the exchange replaces its hash.

The widget sends the token as `Authorization: Bearer snr_…` on writes only (reads stay cacheable).
`service.identity.auth` resolves it for a request (before the view and the rate limiter run, so
limits count per identity). The moderation guard (`service.moderation.auth`) refuses reader
tokens on its routes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from service.comments.reactions import voter_id_key
from service.comments.schemas import valid_voter_id
from service.db import keys_of, settings_of
from service.identity.identities import voter_key
from service.identity.models import Identity, ReaderSession
from service.kernel import clock
from service.kernel.actors import READER_TOKEN_PREFIX
from service.kernel.errors import ConfirmationRequired, Unauthorized
from service.kernel.i18n import translate
from service.kernel.keys import Keys

LOGIN_CODE_PREFIX = "snc_"
LOGIN_CODE_SECONDS = 15 * 60
MAX_TOKEN_CHARS = 200


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class Reader:
    """A signed-in reader of one request: who, and on which site."""

    identity: Identity
    site_id: int
    session_id: int
    #: Their voter id (`identities.voter_key`): votes and reports follow them across devices.
    voter_key: str

    @property
    def key(self) -> str:
        return self.identity.key


@dataclass(frozen=True)
class OpenedSession:
    token: str
    expires_at: datetime
    identity: Identity


def _forget_expired(session: Session, identity_id: int) -> None:
    session.execute(
        delete(ReaderSession).where(
            ReaderSession.identity_id == identity_id, ReaderSession.expires_at <= clock.now()
        )
    )


def open_session(session: Session, identity: Identity, site_id: int) -> OpenedSession:
    _forget_expired(session, identity.id)
    raw = READER_TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = clock.now() + timedelta(days=settings_of(session).reader_session_days)
    session.add(
        ReaderSession(
            token_hash=_sha256(raw), identity_id=identity.id, site_id=site_id, expires_at=expires_at
        )
    )
    session.flush()
    return OpenedSession(raw, expires_at, identity)


def browser_key(keys: Keys, browser_id: str | None) -> str | None:
    """The keyed hash of a browser's random id (the widget's `X-Sidenote-Voter`, kept in the host
    page's localStorage), which binds a login code to the browser that asked for it."""
    if browser_id is None or not valid_voter_id(browser_id):
        return None
    return voter_id_key(keys, browser_id)


def issue_login_code(
    session: Session, identity: Identity, site_id: int, browser: str | None = None
) -> str:
    """A one-time code that becomes a session on `site_id` when the widget exchanges it.

    `browser` (a `browser_key`) is the browser the code was asked from: only there does the code
    sign in by itself (see `redeem_login_code`)."""
    _forget_expired(session, identity.id)
    raw = LOGIN_CODE_PREFIX + secrets.token_urlsafe(24)
    session.add(
        ReaderSession(
            token_hash=_sha256(raw),
            identity_id=identity.id,
            site_id=site_id,
            active=False,
            browser_hash=browser,
            expires_at=clock.now() + timedelta(seconds=LOGIN_CODE_SECONDS),
        )
    )
    session.flush()
    return raw


def redeem_login_code(
    session: Session,
    site_id: int,
    code: str,
    *,
    browser: str | None = None,
    confirmed: bool = False,
    locale: str | None = None,
) -> OpenedSession:
    """Exchange a login code (once, before it expires, on its site) for a session token.

    From the browser that asked for it (`browser`, a `browser_key`, matches) the code signs in at
    once. From any other browser it signs in only `confirmed`: otherwise `ConfirmationRequired`
    asks "Sign in as NAME on this device?" (a link that leaked, or an attacker's own code opened
    by a victim, the login CSRF, signs nobody in by itself). The code stays valid meanwhile."""
    row = None
    if code.startswith(LOGIN_CODE_PREFIX) and len(code) <= MAX_TOKEN_CHARS:
        row = session.scalar(
            select(ReaderSession).where(
                ReaderSession.token_hash == _sha256(code), ReaderSession.active.is_(False)
            )
        )
    if row is None or row.expires_at <= clock.now() or row.site_id != site_id:
        raise Unauthorized("The sign-in link is invalid, was used already or has expired.")
    same_browser = bool(row.browser_hash and browser) and hmac.compare_digest(
        row.browser_hash or "", browser or ""
    )
    if not same_browser and not confirmed:
        name = session.get_one(Identity, row.identity_id).display_name.strip()
        name = name or translate(locale or "", "mail.anonymous")
        question = translate(locale or "", "login.confirm", name=name)
        raise ConfirmationRequired(question, fields={"confirm": question})
    raw = READER_TOKEN_PREFIX + secrets.token_urlsafe(32)
    row.token_hash = _sha256(raw)
    row.active = True
    row.browser_hash = None
    row.expires_at = clock.now() + timedelta(days=settings_of(session).reader_session_days)
    session.flush()
    identity = session.get_one(Identity, row.identity_id)
    return OpenedSession(raw, row.expires_at, identity)


def resolve(session: Session, raw: str) -> Reader | None:
    """The reader of an active, unexpired session token, or None."""
    if not raw.startswith(READER_TOKEN_PREFIX) or len(raw) > MAX_TOKEN_CHARS:
        return None
    found = session.execute(
        select(ReaderSession, Identity)
        .join(Identity, Identity.id == ReaderSession.identity_id)
        .where(ReaderSession.token_hash == _sha256(raw), ReaderSession.active.is_(True))
    ).first()
    if found is None:
        return None
    row, identity = found
    if row.expires_at <= clock.now():
        return None
    return Reader(
        identity=identity,
        site_id=row.site_id,
        session_id=row.id,
        voter_key=voter_key(keys_of(session), identity.key),
    )


def end_session(session: Session, raw: str) -> None:
    session.execute(
        delete(ReaderSession).where(
            ReaderSession.token_hash == _sha256(raw), ReaderSession.active.is_(True)
        )
    )


def session_refused(message: str) -> Unauthorized:
    """401 for a session token that is no good (RFC 6750 `invalid_token`): the widget forgets it."""
    return Unauthorized(message, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
