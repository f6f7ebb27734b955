"""Sites, threads, comments and what readers attach to them (anchors, votes, reports)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import Base, UTCDateTime
from service.kernel import clock

intpk = Annotated[int, mapped_column(primary_key=True)]
created = Annotated[datetime, mapped_column(UTCDateTime, default=clock.now)]


class CommentStatus(StrEnum):
    """Where a comment stands. Stored as its value; the `status` CHECK is generated from it."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SPAM = "spam"
    DELETED = "deleted"


def one_of(column: str, values: Iterable[str]) -> str:
    """A CHECK constraint's text allowing `values` in `column` (as the migrations write it)."""
    return f"{column} IN ({', '.join(repr(str(value)) for value in values)})"


MODERATION_MODES = ("post", "pre", "first-time")

#: Width of one id in `Comment.path`; fixed so that sorting paths as strings is pre-order.
PATH_WIDTH = 10


class Site(Base):
    """One website that embeds Sidenote; its origins decide where threads may live."""

    __tablename__ = "sites"

    id: Mapped[intpk]
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    origins: Mapped[list[str]] = mapped_column(JSON, default=list)
    moderation: Mapped[str] = mapped_column(String(16), default="post")
    edit_window_seconds: Mapped[int] = mapped_column(Integer, default=900)
    max_depth: Mapped[int] = mapped_column(SmallInteger, default=5)
    #: Feature settings of later parts (rules, SSO, …), each a small JSON object under its own key.
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[created]

    __table_args__ = (
        CheckConstraint("moderation IN ('post', 'pre', 'first-time')", name="moderation_mode"),
    )


class Thread(Base):
    """The discussion of one page, created on its first comment."""

    __tablename__ = "threads"

    id: Mapped[intpk]
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(500))
    url: Mapped[str] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(String(300), default="")
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    #: None follows the site's mode; "pre" holds every new comment of this thread.
    moderation: Mapped[str | None] = mapped_column(String(16), default=None)
    approved_count: Mapped[int] = mapped_column(Integer, default=0)
    #: Advances on every change a reader of the thread can see, except scores (see score_epoch).
    version: Mapped[int] = mapped_column(Integer, default=1)
    #: The score-refresh window in which this thread last received a vote (ETags, response cache).
    score_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[created]
    #: When a visible (approved) comment or a moderator fixed `url` and `title`; until then the
    #: next poster's page URL and title replace them (a spam first comment squats nothing).
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    site: Mapped[Site] = relationship(lazy="raise")

    __table_args__ = (UniqueConstraint("site_id", "key", name="uq_threads_site_key"),)


class Comment(Base):
    """A comment or reply. `path` orders a subtree in pre-order with siblings oldest first."""

    __tablename__ = "comments"

    id: Mapped[intpk]
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), default=None
    )
    #: Id of the top-level comment of this subtree (its own id for a top-level comment).
    root_id: Mapped[int | None] = mapped_column(Integer, default=None)
    depth: Mapped[int] = mapped_column(SmallInteger, default=0)
    path: Mapped[str] = mapped_column(String(1100), default="")
    status: Mapped[str] = mapped_column(String(16), default=CommentStatus.PENDING.value)
    author_name: Mapped[str] = mapped_column(String(100), default="")
    author_email: Mapped[str] = mapped_column(String(254), default="")
    author_website: Mapped[str] = mapped_column(String(300), default="")
    #: The SSO subject, else a verified email's key, else None. Rules that trust a person use it.
    identity_key: Mapped[str | None] = mapped_column(String(200), default=None)
    #: Keyed hash of the author (identity, email, or name and IP hash): the public avatar seed.
    author_key: Mapped[str] = mapped_column(String(64), default="")
    ip_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    body_source: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[created]
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    edited_by_moderator: Mapped[bool] = mapped_column(Boolean, default=False)
    upvotes: Mapped[int] = mapped_column(Integer, default=0)
    downvotes: Mapped[int] = mapped_column(Integer, default=0)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Verdicts of the moderation pipeline: [{"code", "message", "verdict"}].
    moderation_reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    spam_score: Mapped[float | None] = mapped_column(Float, default=None)
    report_count: Mapped[int] = mapped_column(Integer, default=0)
    #: Approved comments below this one; a hidden comment with any is shown as a tombstone.
    visible_descendants: Mapped[int] = mapped_column(Integer, default=0)
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    #: Hash of the folded text, so "the same comment again" is one indexed lookup.
    text_fingerprint: Mapped[str | None] = mapped_column(String(32), default=None)
    #: The poster's keyed voter id (their IP hash's stand-in without one), so moderators can ban
    #: that browser. Never shown to readers; erased with the author's other details.
    voter_key: Mapped[str | None] = mapped_column(String(64), default=None)
    #: When readers were told of the comment (it first became visible); set once, so approving
    #: it again sends nothing new.
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    anchor: Mapped[CommentAnchor | None] = relationship(
        lazy="raise", uselist=False, cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        CheckConstraint(one_of("status", CommentStatus), name="status"),
        Index("ix_comments_thread_roots", "thread_id", "depth", "pinned", "created_at", "id"),
        Index("ix_comments_root_path", "root_id", "path"),
        Index("ix_comments_site_status_created", "site_id", "status", "created_at"),
        Index("ix_comments_parent", "parent_id"),
        Index("ix_comments_identity", "identity_key"),
        Index("ix_comments_author_email", "author_email"),
        Index("ix_comments_ip_hash", "ip_hash"),
        Index("ix_comments_site_fingerprint", "site_id", "text_fingerprint"),
    )

    @property
    def is_visible(self) -> bool:
        return self.status == CommentStatus.APPROVED

    @property
    def is_listed(self) -> bool:
        """Shown in public reads: approved, or a tombstone for visible replies."""
        return self.status == CommentStatus.APPROVED or self.visible_descendants > 0

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.split("/")[:-1]] if self.path else []


class CommentAnchor(Base):
    """Where a top-level comment points into its article (design: inline-anchoring.md §3)."""

    __tablename__ = "comment_anchors"

    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True
    )
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    norm: Mapped[int] = mapped_column(SmallInteger, default=1)
    exact: Mapped[str] = mapped_column(Text)
    exact_end: Mapped[str | None] = mapped_column(Text, default=None)
    quote_len: Mapped[int] = mapped_column(Integer)
    prefix: Mapped[str] = mapped_column(Text, default="")
    suffix: Mapped[str] = mapped_column(Text, default="")
    pos_start: Mapped[int] = mapped_column(Integer)
    pos_end: Mapped[int] = mapped_column(Integer)
    doc_len: Mapped[int] = mapped_column(Integer)
    doc_fp: Mapped[str] = mapped_column(String(16))
    scope_id: Mapped[str | None] = mapped_column(String(128), default=None)
    passage_key: Mapped[str | None] = mapped_column(String(64), default=None)
    passage_question: Mapped[str | None] = mapped_column(String(600), default=None)

    __table_args__ = (
        CheckConstraint("kind IN ('quote', 'block', 'passage')", name="kind"),
        Index("ix_comment_anchors_thread_passage", "thread_id", "passage_key"),
    )


class Vote(Base):
    """One voter's current vote on one comment (value 1 or -1; a 0 vote deletes the row)."""

    __tablename__ = "votes"

    id: Mapped[intpk]
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    voter_key: Mapped[str] = mapped_column(String(64))
    ip_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    value: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[created]

    __table_args__ = (
        UniqueConstraint("comment_id", "voter_key", name="uq_votes_comment_voter"),
        Index("ix_votes_comment_ip", "comment_id", "ip_hash"),
        CheckConstraint("value IN (-1, 1)", name="value"),
    )


REPORT_REASONS = ("spam", "abuse", "off_topic", "other")


class Report(Base):
    """A reader's report of a comment; one per reporter per comment."""

    __tablename__ = "reports"

    id: Mapped[intpk]
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    reporter_key: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[created]
    #: Set when a moderator decides on the comment; open reports are those without it.
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    __table_args__ = (
        UniqueConstraint("comment_id", "reporter_key", name="uq_reports_comment_reporter"),
        CheckConstraint("reason IN ('spam', 'abuse', 'off_topic', 'other')", name="reason"),
    )
