"""refused attempts: a minimal record of comments refused at posting (fingerprint, reason, rule)

The rules' dry run counts them, so a change that would let refused comments through says so.

Revision ID: 0009_refused_attempts
Revises: 0006_comment_marks
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import service.db

revision: str = "0009_refused_attempts"
down_revision: str | Sequence[str] | None = "0006_comment_marks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "refused_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("created_at", service.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("text_fingerprint", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("rule", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_refused_attempts_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refused_attempts")),
    )
    op.create_index(
        "ix_refused_attempts_site_created", "refused_attempts", ["site_id", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_refused_attempts_site_created", table_name="refused_attempts")
    op.drop_table("refused_attempts")
