"""An uncached thread read in process: a 200-comment page, alone and with 100,000 elsewhere.

    .venv/bin/python bench/uncached_reads.py [--postgres ADMIN_URL]

Measures `reading.thread_head` + `reading.read_thread` in a fresh session each time (as a request
does), median of 60, before and after seeding 100,000 comments on another site (then ANALYZE).
Prints figures; not a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from bench.seed import BodyPool, ensure_site, seed_thread
from service.comments import reading
from service.db import make_engine
from service.db.migrate import upgrade


def median_read_ms(engine: Engine, runs: int = 60) -> float:
    samples = []
    for _ in range(runs):
        with Session(engine) as session:
            started = time.perf_counter()
            head = reading.thread_head(session, "bench", "/t200")
            reading.read_thread(session, head, sort="oldest", limit=200, cursor=None)
            samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def run(url: str, label: str) -> None:
    upgrade(url)
    engine = make_engine(url)
    pool = BodyPool.make()
    site = ensure_site(engine, "bench", "http://bench.example")
    seed_thread(engine, site_id=site, key="/t200", origin="http://bench.example", pool=pool)
    small = median_read_ms(engine)
    other = ensure_site(engine, "elsewhere", "http://elsewhere.example")
    for n in range(500):
        seed_thread(
            engine,
            site_id=other,
            key=f"/e{n}",
            origin="http://elsewhere.example",
            pool=pool,
            seed=n,
        )
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    big = median_read_ms(engine)
    engine.dispose()
    print(
        f"{label:10s} alone {small:.2f} ms   with 100,000 elsewhere {big:.2f} ms   "
        f"ratio {big / small:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="PostgreSQL admin URL (a scratch database is made)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run(f"sqlite:///{Path(folder) / 'reads.db'}", "SQLite")
    if args.postgres:
        from tests.conftest import create_postgres_database, drop_postgres_database

        url = create_postgres_database(args.postgres, "sidenote_reads")
        try:
            run(url, "PostgreSQL")
        finally:
            drop_postgres_database(args.postgres, url)


if __name__ == "__main__":
    main()
