"""thread settled: a thread's URL and title are fixed by its first visible comment or a moderator

Until then the next poster's page URL and title replace them, so a first comment stored as spam
or pending cannot squat a thread's title (which reaches other readers' mail subjects). Threads
that have visible comments today are settled at once.

Revision ID: 0007_thread_settled
Revises: 0006_comment_marks
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import service.db

revision: str = "0007_thread_settled"
down_revision: str | Sequence[str] | None = "0006_comment_marks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("threads", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("settled_at", service.db.UTCDateTime(timezone=True), nullable=True)
        )
    op.execute("UPDATE threads SET settled_at = created_at WHERE approved_count > 0")


def downgrade() -> None:
    with op.batch_alter_table("threads", schema=None) as batch_op:
        batch_op.drop_column("settled_at")
