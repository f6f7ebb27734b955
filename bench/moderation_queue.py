"""Moderation queue speed: the first page of Pending stays flat as the database grows.

Seeds a site with 1,000 comments (100 pending) and another database with 100,000 comments
(10,000 pending), then times `GET /api/v1/moderation/queue?site=…&status=pending` (first page,
25 cards with their threads, parents, reports and author histories) through the app in process,
with a bearer token, and the same listing across all sites (an all-sites admin token). The
target: the large case within 1.5 × the small one. Prints figures; not a test.

    .venv/bin/python -m bench.moderation_queue            # SQLite
    .venv/bin/python -m bench.moderation_queue --postgres postgresql://postgres@127.0.0.1/postgres
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from service import create_app
from service.comments.sites import create_site
from service.db import get_db
from service.db.migrate import upgrade
from service.kernel.config import Settings
from service.kernel.keys import keyed_hash
from service.models import PATH_WIDTH, Comment, Thread
from service.moderation import auth

THREADS = 500
RUNS = 200
START = datetime(2026, 1, 1, tzinfo=UTC)


def seed(app: Any, comments: int, pending: int) -> tuple[str, str]:
    """Bulk rows with the fields the domain derives; returns (site token, all-sites token)."""
    with app.app_context():
        session = get_db(app).session(write=True)
        site = create_site(session, slug="bench", name="Bench", origins=["https://b.example"])
        threads = [
            {"site_id": site.id, "key": f"/t{n}", "url": f"https://b.example/t{n}", "title": "T"}
            for n in range(THREADS)
        ]
        session.execute(insert(Thread), threads)
        thread_ids = [t.id for t in session.query(Thread).filter_by(site_id=site.id)]
        every = max(1, comments // pending)
        ip_hashes = [keyed_hash("ip", f"198.51.100.{n}") for n in range(200)]
        # Every reader writes about ten comments, however large the site: a card's author
        # history then costs the same in both cases, and only the database size differs.
        readers = max(1, comments // 10)
        rows = []
        for n in range(1, comments + 1):
            status = "pending" if n % every == 0 else "approved"
            rows.append(
                {
                    "id": n,
                    "site_id": site.id,
                    "thread_id": thread_ids[n % THREADS],
                    "root_id": n,
                    "depth": 0,
                    "path": str(n).zfill(PATH_WIDTH),
                    "status": status,
                    "author_name": f"Reader {n % readers}",
                    "author_email": f"reader{n % readers}@example.org",
                    "author_key": keyed_hash("avatar", f"reader{n % readers}", length=16),
                    "ip_hash": ip_hashes[n % len(ip_hashes)],
                    "body_source": f"Comment number {n} about the lighthouse.",
                    "body_html": f"<p>Comment number {n} about the lighthouse.</p>",
                    "created_at": START + timedelta(seconds=n),
                    "status_changed_at": START + timedelta(seconds=n),
                    "moderation_reasons": [],
                }
            )
            if len(rows) == 5_000:
                session.execute(insert(Comment), rows)
                rows = []
        if rows:
            session.execute(insert(Comment), rows)
        _token, site_token = auth.create_token(session, scope="read", site_slug="bench")
        _token, admin_token = auth.create_token(session, scope="admin", site_slug=None)
        session.commit()
        session.close()
    return site_token, admin_token


def timed(client: Any, token: str, params: dict[str, str]) -> list[float]:
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(5):
        assert client.get("/api/v1/moderation/queue", query_string=params, headers=headers).json
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get("/api/v1/moderation/queue", query_string=params, headers=headers)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200 and len(response.json["items"]) == 25
    return samples


def measure(url: str, comments: int, pending: int) -> dict[str, float]:
    upgrade(url)
    app = create_app(
        Settings(
            env="test",
            database_url=url,
            secret_key="bench-secret-0123456789",
            ratelimit_enabled=False,
        )
    )
    site_token, admin_token = seed(app, comments, pending)
    # Planner statistics, as a database that has lived with its data has them (autovacuum).
    with get_db(app).engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    client = app.test_client()
    one_site = timed(client, site_token, {"site": "bench", "status": "pending"})
    all_sites = timed(client, admin_token, {"status": "pending"})
    get_db(app).dispose()
    return {
        "site_p50": statistics.median(one_site),
        "site_p90": statistics.quantiles(one_site, n=10)[8],
        "all_p50": statistics.median(all_sites),
        "all_p90": statistics.quantiles(all_sites, n=10)[8],
    }


def postgres_database(admin_url: str) -> tuple[str, Any]:
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"sidenote_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    return str(url), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", metavar="ADMIN_URL", help="Also run on PostgreSQL.")
    args = parser.parse_args()
    backends = ["sqlite"] + (["postgresql"] if args.postgres else [])
    print(f"first page of Pending (25 cards), median and p90 of {RUNS} requests, in ms")
    for backend in backends:
        results = {}
        for comments, pending in ((1_000, 100), (100_000, 10_000)):
            if backend == "sqlite":
                folder = Path(tempfile.mkdtemp(prefix="sidenote-bench-"))
                url, cleanup = f"sqlite:///{folder / 'bench.db'}", None
            else:
                url, cleanup = postgres_database(args.postgres)
            try:
                results[comments] = measure(url, comments, pending)
            finally:
                if cleanup is not None:
                    cleanup()
        small, large = results[1_000], results[100_000]
        for scope in ("site", "all"):
            ratio = large[f"{scope}_p50"] / small[f"{scope}_p50"]
            verdict = "ok" if ratio <= 1.5 else "OVER 1.5x"
            label = "one site " if scope == "site" else "all sites"
            print(
                f"{backend:10} {label}  1,000: {small[f'{scope}_p50']:6.2f} "
                f"(p90 {small[f'{scope}_p90']:6.2f})   100,000: {large[f'{scope}_p50']:6.2f} "
                f"(p90 {large[f'{scope}_p90']:6.2f})   ratio {ratio:4.2f}  {verdict}"
            )


if __name__ == "__main__":
    main()
