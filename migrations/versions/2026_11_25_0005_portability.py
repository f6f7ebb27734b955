"""portability: where imported comments came from

Revision ID: 0005_portability
Revises: 0004_identity
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import service.db

revision: str = "0005_portability"
down_revision: str | Sequence[str] | None = "0004_identity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "imported_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.String(length=200), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("imported_at", service.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_imported_comments_comment_id_comments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_imported_comments_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imported_comments")),
        sa.UniqueConstraint("site_id", "source", "source_id", name="uq_imported_comments_source"),
    )
    with op.batch_alter_table("imported_comments", schema=None) as batch_op:
        batch_op.create_index("ix_imported_comments_comment", ["comment_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("imported_comments", schema=None) as batch_op:
        batch_op.drop_index("ix_imported_comments_comment")

    op.drop_table("imported_comments")
