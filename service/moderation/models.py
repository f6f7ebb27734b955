"""Moderation tables: moderators and their sessions, API tokens, bans, trust, the audit log and
the per-site spam classifier.

People appear here by id or keyed hash only: a ban on an email stores the keyed hash
(`Keys.hash`) of the lower-cased address, never the address. Site rules are not a table: they
live in `Site.settings["rules"]` (validated by `service.moderation.rules.Rules`), so a site's whole
configuration travels in one row and one export.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    exists,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column

from service.comments.models import Comment, Site
from service.comments.sites import AbsenceProbe
from service.db import Base, UTCDateTime
from service.kernel import clock

intpk = Annotated[int, mapped_column(primary_key=True)]
created = Annotated[datetime, mapped_column(UTCDateTime, default=clock.now)]

MODERATOR_ROLES = ("admin", "moderator")
TOKEN_SCOPES = ("read", "moderate", "admin")
BAN_KINDS = ("email", "ip_hash", "voter", "identity")


class Moderator(Base):
    """A person who logs in to the moderator UI. Admins see every site; moderators their own."""

    __tablename__ = "moderators"

    id: Mapped[intpk]
    username: Mapped[str] = mapped_column(String(64), unique=True)
    #: argon2id hash (argon2-cffi's encoded form, parameters included).
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), default="moderator")
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[created]
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    __table_args__ = (CheckConstraint("role IN ('admin', 'moderator')", name="role"),)


class ModeratorSite(Base):
    """A site a moderator (role `moderator`) may moderate."""

    __tablename__ = "moderator_sites"

    moderator_id: Mapped[int] = mapped_column(
        ForeignKey("moderators.id", ondelete="CASCADE"), primary_key=True
    )
    site_id: Mapped[int] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True
    )


class ModeratorSession(Base):
    """A logged-in UI session, kept server-side so logout and disabling a moderator end it.

    The cookie holds a random token; only its SHA-256 is stored. The CSRF token is derived from
    the cookie token (see `service.moderation.auth.csrf_token_for`), so it needs no column.
    """

    __tablename__ = "moderator_sessions"

    id: Mapped[intpk]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    moderator_id: Mapped[int] = mapped_column(ForeignKey("moderators.id", ondelete="CASCADE"))
    created_at: Mapped[created]
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_moderator_sessions_moderator", "moderator_id"),)


class ApiToken(Base):
    """A bearer token for scripts: scope read < moderate < admin, one site or (admin) all."""

    __tablename__ = "api_tokens"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(100), default="")
    #: None: every site (admin tokens only).
    site_id: Mapped[int | None] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), default=None
    )
    scope: Mapped[str] = mapped_column(String(16))
    #: SHA-256 of the token; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[created]
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    __table_args__ = (
        CheckConstraint("scope IN ('read', 'moderate', 'admin')", name="scope"),
        CheckConstraint("site_id IS NOT NULL OR scope = 'admin'", name="all_sites_admin_only"),
    )


class Ban(Base):
    """A ban of one person on one site (or every site): refused (403) or shadow-banned."""

    __tablename__ = "bans"

    id: Mapped[intpk]
    #: None: every site.
    site_id: Mapped[int | None] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), default=None
    )
    kind: Mapped[str] = mapped_column(String(16))
    #: `Keys.hash("ban:<kind>", normalised value)`: never a raw email, IP or voter id.
    value_hash: Mapped[str] = mapped_column(String(64))
    #: Shadow ban: their comments are stored as spam but answered as approved.
    shadow: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(String(500), default="")
    #: What moderators see in the ban list (the author's public name); erasure blanks it.
    label: Mapped[str] = mapped_column(String(200), default="")
    #: The comment the ban was made from, if any.
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="SET NULL"), default=None
    )
    created_by: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[created]
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    __table_args__ = (
        CheckConstraint("kind IN ('email', 'ip_hash', 'voter', 'identity')", name="kind"),
        Index("ix_bans_kind_value", "kind", "value_hash"),
        Index("ix_bans_site_created", "site_id", "created_at"),
    )


class TrustedAuthor(Base):
    """A verified identity a moderator trusts on a site: its comments skip every hold."""

    __tablename__ = "trusted_authors"

    id: Mapped[intpk]
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    #: `Keys.hash("trust", identity_key)`.
    identity_hash: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[created]

    __table_args__ = (
        UniqueConstraint("site_id", "identity_hash", name="uq_trusted_authors_site_identity"),
    )


class AuditEntry(Base):
    """One moderation action or settings change. Append-only (database triggers enforce it):
    the only permitted change is a privacy erasure, which sets `redacted_at`."""

    __tablename__ = "audit_entries"

    id: Mapped[intpk]
    #: Not a foreign key: the history outlives a deleted site.
    site_id: Mapped[int | None] = mapped_column(Integer, default=None)
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(Integer, default=None)
    actor_label: Mapped[str] = mapped_column(String(120), default="")
    action: Mapped[str] = mapped_column(String(64))
    target_kind: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str] = mapped_column(String(64), default="")
    #: The keyed author hash (`Comment.author_key`) of the person concerned, if any.
    subject_key: Mapped[str | None] = mapped_column(String(64), default=None)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    reason: Mapped[str] = mapped_column(String(1000), default="")
    #: Entries written by one request share a batch; undo reverts a batch.
    batch: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[created]
    redacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    __table_args__ = (
        CheckConstraint("actor_kind IN ('moderator', 'token', 'cli', 'system')", name="actor_kind"),
        Index("ix_audit_entries_site_created", "site_id", "created_at"),
        Index("ix_audit_entries_created", "created_at"),
        Index("ix_audit_entries_target", "target_kind", "target_id"),
        Index("ix_audit_entries_batch", "batch"),
        Index("ix_audit_entries_subject", "subject_key"),
    )


class SpamClassifier(Base):
    """Per-site document counts of the naive Bayes spam score (tokens in `spam_tokens`)."""

    __tablename__ = "spam_classifiers"

    site_id: Mapped[int] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True
    )
    spam_docs: Mapped[int] = mapped_column(Integer, default=0)
    ham_docs: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[created]
    #: The site's threshold, estimated from its own labelled history by cross-validation for
    #: the legitimate-held rate it accepts (`spam.calibrate`); None: not enough history yet.
    threshold: Mapped[float | None] = mapped_column(Float, default=None)
    #: At that threshold, the cross-validated shares of spam and of legitimate comments held.
    estimated_spam_held: Mapped[float | None] = mapped_column(Float, default=None)
    estimated_legit_held: Mapped[float | None] = mapped_column(Float, default=None)
    #: The labelled comments the estimate used, and when it was made.
    calibrated_examples: Mapped[int] = mapped_column(Integer, default=0)
    calibrated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class SpamToken(Base):
    """How many spam and legitimate comments of a site contained a token."""

    __tablename__ = "spam_tokens"

    site_id: Mapped[int] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    spam: Mapped[int] = mapped_column(Integer, default=0)
    ham: Mapped[int] = mapped_column(Integer, default=0)


class SpamTraining(Base):
    """The label a comment was trained as, so a changed decision retrains instead of adding."""

    __tablename__ = "spam_training"

    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True
    )
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(8))
    #: The features it was trained with (the text may be edited later).
    tokens: Mapped[list[str]] = mapped_column(JSON, default=list)

    __table_args__ = (CheckConstraint("label IN ('spam', 'ham')", name="label"),)


class RefusedAttempt(Base):
    """A comment the pipeline refused at posting (422): nothing of it but its folded text's
    fingerprint, why, and which rule, so the rules' dry run can count what a change would let
    through. Kept for `SIDENOTE_RETAIN_REJECTED_DAYS` like rejected comments."""

    __tablename__ = "refused_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    created_at: Mapped[created]
    text_fingerprint: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(32))
    #: The rule that refused it, as the site wrote it (a banned word).
    rule: Mapped[str] = mapped_column(String(100), default="")

    __table_args__ = (Index("ix_refused_attempts_site_created", "site_id", "created_at"),)


# Queue indexes on the core table: the moderation queue across all sites, the author history
# on each card, and the repeated-comment check.
Index("ix_comments_status_created", Comment.status, Comment.created_at, Comment.id)
Index("ix_comments_site_author_key", Comment.site_id, Comment.author_key, Comment.status)


#: What posting's one lookup asks on moderation's behalf (`comments.sites.AbsenceProbe`): any ban
#: in force on the site or on every site, and the site's spam classifier (loaded, so the score
#: check finds it in the session).
POSTING_PROBES = (
    AbsenceProbe(
        "bans",
        exists()
        .where(Ban.lifted_at.is_(None), or_(Ban.site_id == Site.id, Ban.site_id.is_(None)))
        .label("any_ban"),
    ),
    AbsenceProbe(
        "spam_classifier",
        SpamClassifier,
        outerjoin=(SpamClassifier, SpamClassifier.site_id == Site.id),
    ),
)
