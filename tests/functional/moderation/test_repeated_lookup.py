"""The repeated-comment lookup starts from the text, however many comments the poster has.

Given only an IP hash for the author (an anonymous poster), PostgreSQL planned the lookup through
the `ip_hash` index whenever that hash was missing from its statistics, and read every comment
ever posted from the address: posting slowed with each post from it (`docs/performance.md`).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Connection, func, insert, select

from service.db import table_of
from service.kernel import clock
from service.models import Comment
from service.moderation.history import _SAME_TEXT_BEFORE
from tests.factories import Factories

BUSY_IP = "b" * 32
POSTS_FROM_IT = 400


def plan_of_lookup(connection: Connection, site_id: int) -> str:
    compiled = _SAME_TEXT_BEFORE.compile(dialect=connection.dialect)
    params = compiled.construct_params(
        {
            "site_id": site_id,
            "fingerprint": "f" * 32,
            "since": clock.now() - timedelta(hours=24),
            "identity_key": None,
            "author_email": None,
            "ip_hash": BUSY_IP,
            "exclude_id": 0,
        }
    )
    if connection.dialect.name == "sqlite":
        positional = tuple(params[name] for name in compiled.positiontup or ())
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", positional)
        return "\n".join(str(row[-1]) for row in rows)
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")  # a small table is read whole
    rows = connection.exec_driver_sql(f"EXPLAIN {compiled}", params)
    return "\n".join(str(row[0]) for row in rows)


def add_comments(
    connection: Connection, thread_id: int, site_id: int, ip_hashes: list[str], *, texts: int
) -> None:
    """Comments from `ip_hashes` (one each), their texts cycling through `texts` fingerprints."""
    start = connection.scalar(select(func.count()).select_from(table_of(Comment)))
    connection.execute(
        insert(table_of(Comment)),
        [
            {
                "site_id": site_id,
                "thread_id": thread_id,
                "depth": 0,
                "path": f"{start + n:010d}",
                "status": "approved",
                "body_source": f"Comment number {start + n}",
                "body_html": f"<p>Comment number {start + n}</p>",
                "text_fingerprint": f"{(start + n) % texts:032x}",
                "ip_hash": ip_hash,
                "created_at": clock.now(),
            }
            for n, ip_hash in enumerate(ip_hashes)
        ],
    )


def test_the_lookup_never_starts_from_the_posters_address(
    connection: Connection, make: Factories
) -> None:
    """Statistics taken before the address got busy call it rare, rarer than a text; it is not."""
    site = make.site()
    thread_id = make.comment(site).thread_id
    every_address_once = [f"{n:032x}" for n in range(POSTS_FROM_IT)]
    add_comments(connection, thread_id, site.id, every_address_once, texts=4)
    connection.exec_driver_sql("ANALYZE comments")
    add_comments(connection, thread_id, site.id, [BUSY_IP] * POSTS_FROM_IT, texts=10**6)
    plan = plan_of_lookup(connection, site.id)
    assert "ix_comments_ip_hash" not in plan
