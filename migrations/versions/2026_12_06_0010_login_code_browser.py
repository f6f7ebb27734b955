"""login codes are bound to the browser that asked for them

A verified guest's one-time login code (`reader_sessions` row, not yet active) keeps a hash of the
random id of the browser whose widget asked for the verification mail (`X-Sidenote-Voter`, kept in
the host page's localStorage). Redeeming it from that browser signs in at once; from any other, only
after the reader confirmed "Sign in as NAME on this device?" (issue 19).

Revision ID: 0010_login_code_browser
Revises: 0009_reply_mutes
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_login_code_browser"
down_revision: str | Sequence[str] | None = "0009_reply_mutes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reader_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("browser_hash", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reader_sessions", schema=None) as batch_op:
        batch_op.drop_column("browser_hash")
