"""identity: SSO secrets and sessions, verified guests

Revision ID: 0004_identity
Revises: 0003_notifications
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import service.db

revision: str = "0004_identity"
down_revision: str | Sequence[str] | None = "0003_notifications"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("email_id", sa.Integer(), nullable=True),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("name_from_reader", sa.Boolean(), nullable=False),
        sa.Column("website", sa.String(length=300), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("email_verified", sa.Boolean(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("token_nonce", sa.String(length=32), nullable=False),
        sa.Column("created_at", service.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", service.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('sso', 'guest')", name=op.f("ck_identities_kind")),
        sa.ForeignKeyConstraint(
            ["email_id"],
            ["email_addresses.id"],
            name=op.f("fk_identities_email_id_email_addresses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_identities_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identities")),
        sa.UniqueConstraint("key", name=op.f("uq_identities_key")),
    )
    with op.batch_alter_table("identities", schema=None) as batch_op:
        batch_op.create_index("ix_identities_email", ["email_id"], unique=False)

    op.create_table(
        "sso_secrets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("created_at", service.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("retired_at", service.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_sso_secrets_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sso_secrets")),
    )
    with op.batch_alter_table("sso_secrets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sso_secrets_site_id"), ["site_id"], unique=False)

    op.create_table(
        "reader_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("identity_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", service.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", service.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["identity_id"],
            ["identities.id"],
            name=op.f("fk_reader_sessions_identity_id_identities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_reader_sessions_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reader_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_reader_sessions_token_hash")),
    )
    with op.batch_alter_table("reader_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_reader_sessions_expires", ["expires_at"], unique=False)
        batch_op.create_index("ix_reader_sessions_identity", ["identity_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reader_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_reader_sessions_identity")
        batch_op.drop_index("ix_reader_sessions_expires")
    op.drop_table("reader_sessions")
    with op.batch_alter_table("sso_secrets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sso_secrets_site_id"))
    op.drop_table("sso_secrets")
    with op.batch_alter_table("identities", schema=None) as batch_op:
        batch_op.drop_index("ix_identities_email")
    op.drop_table("identities")
