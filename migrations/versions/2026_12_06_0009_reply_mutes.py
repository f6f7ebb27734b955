"""reply mutes: unsubscribing from replies also stops the author reply mails about them

A reader who unsubscribes from replies to a comment (or from a thread, or from a "someone
replied to your comment" mail) gets a row here; the author reply mails about replies below that
comment (or in that thread) stop with the subscription (issue 22).

Revision ID: 0009_reply_mutes
Revises: 0008_import_installation
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import service.db

revision: str = "0009_reply_mutes"
down_revision: str | Sequence[str] | None = "0008_import_installation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reply_mutes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email_id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("created_at", service.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(comment_id IS NULL) <> (thread_id IS NULL)", name=op.f("ck_reply_mutes_one_target")
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_reply_mutes_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["email_id"],
            ["email_addresses.id"],
            name=op.f("fk_reply_mutes_email_id_email_addresses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["threads.id"],
            name=op.f("fk_reply_mutes_thread_id_threads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reply_mutes")),
        sa.UniqueConstraint("email_id", "comment_id", name="uq_reply_mutes_email_comment"),
        sa.UniqueConstraint("email_id", "thread_id", name="uq_reply_mutes_email_thread"),
    )
    with op.batch_alter_table("reply_mutes", schema=None) as batch_op:
        batch_op.create_index("ix_reply_mutes_comment", ["comment_id"], unique=False)
        batch_op.create_index("ix_reply_mutes_thread", ["thread_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reply_mutes", schema=None) as batch_op:
        batch_op.drop_index("ix_reply_mutes_thread")
        batch_op.drop_index("ix_reply_mutes_comment")
    op.drop_table("reply_mutes")
