"""Where imported comments came from: what makes importing the same file twice add nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, UTCDateTime
from service.kernel import clock

IMPORT_SOURCES = ("disqus", "wordpress", "isso", "remark42", "commento", "sidenote")


class ImportedComment(Base):
    """One comment written by an import, under the id it had in the system it came from.

    The triple (source, installation, source_id) is unique per site: a second import of the same
    file, or of a newer export of the same installation, finds its comments here and skips them,
    while a second installation of the same system (whose ids restart at 1) is told apart. The
    row outlives its comment (`comment_id` becomes NULL), so a comment purged or deleted since
    is not imported again either.
    """

    __tablename__ = "imported_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    #: The system the file came from (one of `IMPORT_SOURCES`).
    source: Mapped[str] = mapped_column(String(16))
    #: Which installation of that system: the export's site or base URL, its Disqus forum, or
    #: `--source NAME`. "" for rows written before installations were recorded (migration 0008)
    #: and for files that name none (an Isso database without `--source`).
    installation: Mapped[str] = mapped_column(String(300), default="", server_default="")
    #: The comment's id in that system (scoped by page where the system's ids are per page).
    source_id: Mapped[str] = mapped_column(String(200))
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="SET NULL"), default=None
    )
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    __table_args__ = (
        UniqueConstraint(
            "site_id",
            "source",
            "installation",
            "source_id",
            name="uq_imported_comments_source_installation",
        ),
        Index("ix_imported_comments_comment", "comment_id"),
    )
