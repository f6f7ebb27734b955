"""Single sign-on: a site signs a short JWT (HS256) for its logged-in reader; we verify it and
open a reader session under the reader's identity on that site.

Claims: `aud` must be the site's slug; `sub` (the site's stable user id) and `exp` are required;
`iat` and `nbf` are optional; `name`, `email`, `email_verified`, `url` and `role: moderator` are
optional. Times are whole seconds, checked against the one clock with
`SIDENOTE_SSO_LEEWAY_SECONDS` of tolerance; a token may live at most
`SIDENOTE_SSO_MAX_LIFETIME_SECONDS` (`exp` - `iat`, or `exp` - now without `iat`).
A token that cannot be read (not a JWT, a `crit` header, a `kid` that is not a string, a time
claim that is not whole seconds) is 400 `validation_failed` on `token`; every other refusal is
401 `sso_invalid`; both with a message saying what was wrong.

Secrets rotate: `add_secret` makes a new one while the previous stays valid, so tokens signed
with either verify until `retire_old` retires all but the newest. At most two are active.
"""

from __future__ import annotations

import math
import re
import secrets
from dataclasses import dataclass
from typing import Any

import jwt
from jwt.exceptions import (
    DecodeError,
    InvalidAudienceError,
    InvalidSignatureError,
    InvalidSubjectError,
    InvalidTokenError,
    MissingRequiredClaimError,
)
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from service.comments.models import Site
from service.comments.sites import get_site
from service.db import settings_of
from service.identity import identities, sessions
from service.identity.models import SsoSecret
from service.kernel import clock
from service.kernel.errors import SsoInvalid, ValidationFailed
from service.kernel.rendering import clean_display_name, clean_website

ALGORITHM = "HS256"
MAX_ACTIVE_SECRETS = 2
MAX_TOKEN_CHARS = 8192
MAX_SUB_CHARS = 255
ROLES = ("moderator",)
_EMAIL = re.compile(r"^[^@\s<>\"',;]{1,64}@[^@\s<>\"',;]+\.[^@\s<>\"',;]{2,}$")


# -- secrets ---------------------------------------------------------------------------------


def active_secrets(session: Session, site_id: int) -> list[SsoSecret]:
    """Newest first."""
    return list(
        session.scalars(
            select(SsoSecret)
            .where(SsoSecret.site_id == site_id, SsoSecret.retired_at.is_(None))
            .order_by(SsoSecret.id.desc())
        )
    )


def has_sso_secret(site: Site) -> bool:
    """The `sso` feature of the site config: the site can sign readers in."""
    session = object_session(site)
    if session is None:
        return False
    return (
        session.scalar(
            select(SsoSecret.id)
            .where(SsoSecret.site_id == site.id, SsoSecret.retired_at.is_(None))
            .limit(1)
        )
        is not None
    )


def add_secret(session: Session, site: Site) -> tuple[SsoSecret, str]:
    """A new secret (shown once); the previous one stays valid until `retire_old`."""
    if len(active_secrets(session, site.id)) >= MAX_ACTIVE_SECRETS:
        raise ValidationFailed.on(
            "secret",
            "Two secrets are active already: retire the old one first (--retire-old).",
        )
    raw = secrets.token_urlsafe(48)
    secret = SsoSecret(site_id=site.id, secret=raw, created_at=clock.now())
    session.add(secret)
    session.flush()
    return secret, raw


def retire_old(session: Session, site: Site) -> list[SsoSecret]:
    """Retire every active secret but the newest; returns the retired ones."""
    retired = active_secrets(session, site.id)[1:]
    now = clock.now()
    for secret in retired:
        secret.retired_at = now
    session.flush()
    return retired


# -- tokens ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claims:
    sub: str
    name: str
    email: str
    email_verified: bool
    url: str
    role: str


def _invalid(message: str) -> SsoInvalid:
    return SsoInvalid(message, fields={"token": message})


def _malformed(message: str) -> ValidationFailed:
    """A token that cannot be read at all is bad input (400), not a refused sign-in (401)."""
    return ValidationFailed.on("token", message)


def _single_line(value: Any, limit: int) -> str:
    if not isinstance(value, str):
        return ""
    return clean_display_name(value, limit)


#: Times beyond this (the year 9999) are not dates any site means.
MAX_TIMESTAMP = 253_402_300_799


def _number(payload: dict[str, Any], claim: str) -> int | None:
    """A time claim as whole seconds since 1970; a fraction, infinity or NaN is malformed."""
    value = payload.get(claim)
    if value is None:
        return None
    integral = isinstance(value, int) or (
        isinstance(value, float) and math.isfinite(value) and value.is_integer()
    )
    if isinstance(value, bool) or not integral or not 0 <= value <= MAX_TIMESTAMP:
        raise _malformed(
            f"The token is malformed: the '{claim}' claim must be a whole number of seconds "
            "since 1970."
        )
    return int(value)


def _check_times(payload: dict[str, Any], leeway: int, max_lifetime: int) -> None:
    now = clock.timestamp()
    exp = _number(payload, "exp")
    if exp is None:
        raise _invalid("The token has no 'exp' claim: it must say when it expires.")
    if exp + leeway < now:
        raise _invalid("The token has expired.")
    iat = _number(payload, "iat")
    if iat is not None and iat - leeway > now:
        raise _invalid("The token was issued in the future ('iat'): check the site's clock.")
    lifetime = exp - iat if iat is not None else exp - now - leeway
    if lifetime > max_lifetime:
        raise _invalid(
            f"The token lives too long: {int(lifetime)} seconds from "
            f"{'issue' if iat is not None else 'now'} to 'exp', at most {max_lifetime} "
            "allowed (SIDENOTE_SSO_MAX_LIFETIME_SECONDS). Sign short tokens: they sit in pages "
            "and caches."
        )
    nbf = _number(payload, "nbf")
    if nbf is not None and nbf - leeway > now:
        raise _invalid("The token is not valid yet ('nbf').")


def _decode(token: str, key: str, audience: str) -> dict[str, Any]:
    payload: dict[str, Any] = jwt.decode(
        token,
        key,
        algorithms=[ALGORITHM],
        audience=audience,
        options={
            "require": ["aud", "sub", "exp"],
            "verify_exp": False,  # times are checked against the one clock (`_check_times`)
            "verify_iat": False,
            "verify_nbf": False,
        },
    )
    return payload


def verify_token(
    token: str, site: Site, keys: list[str], *, leeway: int, max_lifetime: int = 3_600
) -> Claims:
    """The claims of a token signed for `site` with one of `keys`; else 400 (unreadable) or
    401 `sso_invalid`."""
    token = token.strip()
    if not token or len(token) > MAX_TOKEN_CHARS or token.count(".") != 2:
        raise _malformed("The token is malformed: expected a JWT (three dot-separated parts).")
    try:
        header = jwt.get_unverified_header(token)
    except DecodeError:
        raise _malformed("The token is malformed: its header is not valid JWT.") from None
    except InvalidTokenError as error:  # e.g. a `crit` header, a `kid` that is not a string
        raise _malformed(f"The token is malformed: {str(error)[:200]}.") from None
    if header.get("alg") != ALGORITHM:
        raise _invalid(f"The token must be signed with HS256, not {str(header.get('alg'))[:20]!r}.")
    if not keys:
        raise _invalid("This site has no single sign-on secret.")
    payload: dict[str, Any] | None = None
    for key in keys:
        try:
            payload = _decode(token, key, site.slug)
            break
        except InvalidSignatureError:
            continue
        except InvalidAudienceError:
            raise _invalid(
                f"The token is for another site: its 'aud' must be {site.slug!r}."
            ) from None
        except MissingRequiredClaimError as error:
            raise _invalid(f"The token has no '{error.claim}' claim.") from None
        except InvalidSubjectError:
            raise _invalid("The 'sub' claim must be a string.") from None
        except DecodeError:
            raise _malformed("The token is malformed: it could not be decoded.") from None
        except InvalidTokenError as error:
            raise _invalid(f"The token is invalid: {str(error)[:200]}") from None
    if payload is None:
        raise _invalid("The token's signature does not match this site's secret.")
    _check_times(payload, leeway, max_lifetime)
    sub = payload.get("sub")
    if not isinstance(sub, str) or not sub.strip() or len(sub) > MAX_SUB_CHARS:
        raise _invalid(f"The 'sub' claim must be a non-empty string of up to {MAX_SUB_CHARS}.")
    email = _single_line(payload.get("email"), 254)
    url = clean_website(_single_line(payload.get("url"), 300)) or ""
    role = payload.get("role")
    return Claims(
        sub=sub,
        name=_single_line(payload.get("name"), 100),
        email=email if _EMAIL.match(email) else "",
        email_verified=payload.get("email_verified") is True,
        url=url,
        role=role if role in ROLES else "",
    )


@dataclass(frozen=True)
class SignedIn:
    session: sessions.OpenedSession
    site: Site


def sign_in(session: Session, site_slug: str, token: str) -> SignedIn:
    """Verify the site's token and open a session for its user (their identity made or updated)."""
    site = get_site(session, site_slug)
    keys = [secret.secret for secret in active_secrets(session, site.id)]
    config = settings_of(session)
    claims = verify_token(
        token,
        site,
        keys,
        leeway=config.sso_leeway_seconds,
        max_lifetime=config.sso_max_lifetime_seconds,
    )
    identity = identities.sso_identity(
        session,
        site,
        sub=claims.sub,
        name=claims.name,
        email=claims.email,
        email_verified=claims.email_verified,
        website=claims.url,
        role=claims.role,
    )
    return SignedIn(sessions.open_session(session, identity, site.id), site)
