"""notifications: subscriptions, outbox, webhooks

Revision ID: 0003_notifications
Revises: 0002_moderation
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0003_notifications"
down_revision: str | Sequence[str] | None = "0002_moderation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
