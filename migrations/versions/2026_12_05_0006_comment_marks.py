"""comment marks: the poster's voter key and the "readers notified" time live on the comment

A new comment used to write two more rows beside itself (`comment_voters`, `notified_comments`),
each one more statement in every post. Both are one value per comment, so they become columns of
`comments`, written with the comment's own INSERT.

Revision ID: 0006_comment_marks
Revises: 0005_portability
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import service.db

revision: str = "0006_comment_marks"
down_revision: str | Sequence[str] | None = "0005_portability"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("voter_key", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("notified_at", service.db.UTCDateTime(timezone=True), nullable=True)
        )
    op.execute(
        "UPDATE comments SET voter_key = (SELECT v.voter_key FROM comment_voters v"
        " WHERE v.comment_id = comments.id)"
        " WHERE id IN (SELECT comment_id FROM comment_voters)"
    )
    op.execute(
        "UPDATE comments SET notified_at = (SELECT n.notified_at FROM notified_comments n"
        " WHERE n.comment_id = comments.id)"
        " WHERE id IN (SELECT comment_id FROM notified_comments)"
    )
    with op.batch_alter_table("comment_voters", schema=None) as batch_op:
        batch_op.drop_index("ix_comment_voters_voter")
    op.drop_table("comment_voters")
    op.drop_table("notified_comments")


def downgrade() -> None:
    op.create_table(
        "notified_comments",
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("notified_at", service.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_notified_comments_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("comment_id", name=op.f("pk_notified_comments")),
    )
    op.create_table(
        "comment_voters",
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("voter_key", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_comment_voters_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("comment_id", name=op.f("pk_comment_voters")),
    )
    with op.batch_alter_table("comment_voters", schema=None) as batch_op:
        batch_op.create_index("ix_comment_voters_voter", ["voter_key"], unique=False)
    op.execute(
        "INSERT INTO comment_voters (comment_id, voter_key)"
        " SELECT id, voter_key FROM comments WHERE voter_key IS NOT NULL"
    )
    op.execute(
        "INSERT INTO notified_comments (comment_id, notified_at)"
        " SELECT id, notified_at FROM comments WHERE notified_at IS NOT NULL"
    )
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_column("notified_at")
        batch_op.drop_column("voter_key")
