"""import installation: an imported comment's identity includes the installation it came from

Two installations of the same system (two WordPress blogs, two Isso databases) number their
comments from 1 each, so (site, source, source_id) made the second file's comments look "already
imported". `imported_comments.installation` holds the export's site URL, base URL, Disqus forum or
`--source NAME`, and the unique key becomes (site, source, installation, source_id).

Rows written before this revision get "" (their installation was never recorded): the importer
still recognises them on a re-import, by id and by the comment's creation time (see
`service.portability.importer._already_imported`), and then records the installation on them.

Revision ID: 0008_import_installation
Revises: 0007_thread_settled
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_import_installation"
down_revision: str | Sequence[str] | None = "0007_thread_settled"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("imported_comments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("installation", sa.String(length=300), server_default="", nullable=False)
        )
        batch_op.drop_constraint("uq_imported_comments_source", type_="unique")
        batch_op.create_unique_constraint(
            "uq_imported_comments_source_installation",
            ["site_id", "source", "installation", "source_id"],
        )


def downgrade() -> None:
    # Rows of a second installation would collide under the old key: keep the first of each.
    op.execute(
        "DELETE FROM imported_comments WHERE id NOT IN (SELECT MIN(id) FROM imported_comments"
        " GROUP BY site_id, source, source_id)"
    )
    with op.batch_alter_table("imported_comments", schema=None) as batch_op:
        batch_op.drop_constraint("uq_imported_comments_source_installation", type_="unique")
        batch_op.create_unique_constraint(
            "uq_imported_comments_source", ["site_id", "source", "source_id"]
        )
        batch_op.drop_column("installation")
