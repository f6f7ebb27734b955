"""refused attempts and spam calibration

`refused_attempts`: a minimal record of comments refused at posting (fingerprint, reason, rule);
the rules' dry run counts them, so a change that would let refused comments through says so.
`spam_classifiers` gains the site's calibrated threshold and its cross-validated estimates.

Revision ID: 0011_refused_attempts
Revises: 0010_login_code_browser
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import service.db

revision: str = "0011_refused_attempts"
down_revision: str | Sequence[str] | None = "0010_login_code_browser"
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
    with op.batch_alter_table("spam_classifiers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("threshold", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("estimated_spam_held", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("estimated_legit_held", sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column("calibrated_examples", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("calibrated_at", service.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("spam_classifiers", schema=None) as batch_op:
        for name in (
            "calibrated_at",
            "calibrated_examples",
            "estimated_legit_held",
            "estimated_spam_held",
            "threshold",
        ):
            batch_op.drop_column(name)
    op.drop_index("ix_refused_attempts_site_created", table_name="refused_attempts")
    op.drop_table("refused_attempts")
