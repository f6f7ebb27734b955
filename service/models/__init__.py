"""Typed models. Each feature area keeps its tables in its own module; import them all here so that
Alembic and `Base.metadata` see every table."""

from service.models.core import (
    COMMENT_STATUSES,
    MODERATION_MODES,
    PATH_WIDTH,
    REPORT_REASONS,
    Comment,
    CommentAnchor,
    Report,
    Site,
    Thread,
    Vote,
)

__all__ = [
    "COMMENT_STATUSES",
    "MODERATION_MODES",
    "PATH_WIDTH",
    "REPORT_REASONS",
    "Comment",
    "CommentAnchor",
    "Report",
    "Site",
    "Thread",
    "Vote",
]
