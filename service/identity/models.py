"""Identity: the SSO secrets of sites, the people who sign in, and their sessions.

A person who signs in is an `Identity`: an SSO user of one site (known by a keyed hash of the
site and the `sub` their site gave them) or a verified guest (known by a keyed hash of the email
address they proved). `Identity.key` is what comments carry as `identity_key`, so bans, trust and
history follow the person, never the raw `sub` or address. A `ReaderSession` is the opaque
bearer token the widget holds; only its SHA-256 is stored. The site-level switches (require SSO,
login/logout URLs, verified guests first) live in `Site.settings["identity"]`
(`service.comments.site_identity`).
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Annotated

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, UTCDateTime
from service.kernel import clock

intpk = Annotated[int, mapped_column(primary_key=True)]
created = Annotated[datetime, mapped_column(UTCDateTime, default=clock.now)]

IDENTITY_KINDS = ("sso", "guest")


def new_nonce() -> str:
    """Random part of data-page links; replacing it revokes every link made with the old one."""
    return secrets.token_urlsafe(12)


class SsoSecret(Base):
    """A key a site signs its SSO tokens with (HS256). Two are active during a rotation.

    HMAC verification needs the key itself, so it is stored as given (like webhook secrets) and
    shown once, when it is made; listings show only its id and dates.
    """

    __tablename__ = "sso_secrets"

    id: Mapped[intpk]
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    secret: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[created]
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class Identity(Base):
    """Someone who signed in: an SSO user of one site, or a guest who verified an address."""

    __tablename__ = "identities"

    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(String(8))
    #: `sso:<keyed hash of site and sub>` or `guest:<keyed hash of the address>`: the comments'
    #: `identity_key`. Never the raw `sub` or address.
    key: Mapped[str] = mapped_column(String(64), unique=True)
    #: SSO: the site that vouches for the user. Guests: None (their address is theirs anywhere).
    site_id: Mapped[int | None] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), default=None
    )
    #: Guests: the address they proved. Erasing the address (a privacy request) erases them.
    email_id: Mapped[int | None] = mapped_column(
        ForeignKey("email_addresses.id", ondelete="CASCADE"), default=None
    )
    display_name: Mapped[str] = mapped_column(String(100), default="")
    #: The reader changed their name on their data page: SSO logins no longer overwrite it.
    name_from_reader: Mapped[bool] = mapped_column(Boolean, default=False)
    #: SSO claims (private, like a guest's email): `url`, `email`, `email_verified`, `role`.
    website: Mapped[str] = mapped_column(String(300), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    email_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    role: Mapped[str] = mapped_column(String(16), default="")
    token_nonce: Mapped[str] = mapped_column(String(32), default=new_nonce)
    created_at: Mapped[created]
    #: The last sign-in (SSO token or a guest's verification link); a guest's links made before
    #: it no longer sign in.
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    __table_args__ = (
        CheckConstraint("kind IN ('sso', 'guest')", name="kind"),
        Index("ix_identities_email", "email_id"),
    )


class ReaderSession(Base):
    """A signed-in reader's session on one site (`Authorization: Bearer snr_…`).

    A row that is not `active` is a one-time login code (a verified guest's mail link hands it to
    the widget); exchanging it replaces `token_hash` with the session token's and activates it.
    """

    __tablename__ = "reader_sessions"

    id: Mapped[intpk]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    identity_id: Mapped[int] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: A login code: SHA-256 of the random id of the browser that asked for it (None: any
    #: browser must confirm before redeeming it). Not used by active sessions.
    browser_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[created]
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_reader_sessions_identity", "identity_id"),
        Index("ix_reader_sessions_expires", "expires_at"),
    )
