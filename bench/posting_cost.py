"""What one post costs in process: wall time, Python CPU, database server CPU, statements.

    .venv/bin/python bench/posting_cost.py [--posts 1000] [--postgres ADMIN_URL]

Posts `--posts` comments one after another through the real app (Flask test client, the same
route, pipeline and outbox as `POST /api/v1/comments`, limits and form token off as in
`make bench`) into one thread, after 50 warm-up posts; on each backend with the default commits,
then with `SIDENOTE_DURABLE_COMMITS=true` ("durable": every commit waits for the disk). On
PostgreSQL running on this host, the server's CPU is read from /proc for its processes (the
backends stay open during the run). Explains
the posting row of `make bench`: under load on two cores, throughput follows total CPU per post.
Then it times a one-row query through the bare driver (no SQLAlchemy), the cost every statement
pays at least. Prints figures; not a test.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from bench.run import analyze, sidenote_env  # noqa: E402
from bench.seed import ensure_site  # noqa: E402
from service.db import make_engine  # noqa: E402
from service.db.migrate import upgrade  # noqa: E402

ORIGIN = "http://bench.example"
WARM_UP = 50


def postgres_server_seconds() -> float | None:
    """CPU seconds used so far by the PostgreSQL processes on this host (None if none are seen)."""
    ticks = 0
    seen = False
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if not (entry / "cmdline").read_bytes().startswith(b"postgres"):
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        seen = True
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK") if seen else None


def measure(url: str, label: str, posts: int, *, durable: bool = False) -> None:
    upgrade(url)
    setup = make_engine(url)
    ensure_site(setup, "bench", ORIGIN)
    os.environ.update(sidenote_env(url, SIDENOTE_DURABLE_COMMITS=str(durable).lower()))
    from service import create_app
    from service.db import get_db

    app = create_app()
    client = app.test_client()

    def post(n: int) -> None:
        answer = client.post(
            "/api/v1/comments",
            json={
                "site": "bench",
                "thread": "/posting",
                "thread_url": f"{ORIGIN}/posting",
                "body": f"Benchmark comment {n} ({label}) with *some* Markdown and enough words "
                "to look like a reply.",
            },
            headers={"Origin": ORIGIN},
        )
        assert answer.status_code == 201, answer.get_data(as_text=True)

    for n in range(WARM_UP):
        post(n)
    analyze(setup)  # statistics, as a live database has them (see `bench.run.analyze`)
    setup.dispose()
    statements = 0

    def count(*_args: object) -> None:
        nonlocal statements
        statements += 1

    with app.app_context():
        engine = get_db().engine
    event.listen(engine, "before_cursor_execute", count)
    is_postgres = engine.dialect.name == "postgresql"
    server_before = postgres_server_seconds() if is_postgres else None
    cpu_before, wall_before = time.process_time(), time.perf_counter()
    for n in range(posts):
        post(WARM_UP + n)
    wall = (time.perf_counter() - wall_before) / posts * 1000
    cpu = (time.process_time() - cpu_before) / posts * 1000
    server_after = postgres_server_seconds() if is_postgres else None
    event.remove(engine, "before_cursor_execute", count)
    with app.app_context():
        get_db().dispose()
    server = (
        f"{(server_after - server_before) / posts * 1000:.2f} ms"
        if server_before is not None and server_after is not None
        else "in process"
        if not is_postgres
        else "not on this host"
    )
    print(
        f"{label:10s} wall {wall:.2f} ms   Python CPU {cpu:.2f} ms   server CPU {server}   "
        f"statements {statements / posts:.1f} per post"
    )


def round_trip_cost(url: str, label: str, queries: int = 5000) -> None:
    """CPU of one one-row query through the bare driver, the floor under every statement."""
    engine = make_engine(url)
    is_postgres = engine.dialect.name == "postgresql"
    query = f"SELECT 1 WHERE 1 = {'%s' if is_postgres else '?'}"  # the driver's own placeholder
    try:
        with engine.connect() as connection:
            cursor = connection.connection.cursor()
            for _ in range(WARM_UP * 10):
                cursor.execute(query, (1,))
                cursor.fetchall()
            server_before = postgres_server_seconds() if is_postgres else None
            cpu_before = time.process_time()
            for _ in range(queries):
                cursor.execute(query, (1,))
                cursor.fetchall()
            cpu = (time.process_time() - cpu_before) / queries * 1e6
            server_after = postgres_server_seconds() if is_postgres else None
    finally:
        engine.dispose()
    server = (
        f"{(server_after - server_before) / queries * 1e6:.0f} µs"
        if server_before is not None and server_after is not None
        else "in process"
    )
    print(f"{label:10s} one-row query through the driver: client CPU {cpu:.0f} µs, server {server}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--postgres", help="PostgreSQL admin URL (a scratch database is made)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        measure(f"sqlite:///{Path(folder) / 'posting.db'}", "SQLite", args.posts)
        measure(f"sqlite:///{Path(folder) / 'durable.db'}", "durable", args.posts, durable=True)
        round_trip_cost(f"sqlite:///{Path(folder) / 'posting.db'}", "SQLite")
    if args.postgres:
        from tests.conftest import create_postgres_database, drop_postgres_database

        url = create_postgres_database(args.postgres, "sidenote_posting")
        try:
            measure(url, "PostgreSQL", args.posts)
            measure(url, "durable", args.posts, durable=True)
            round_trip_cost(url, "PostgreSQL")
        finally:
            drop_postgres_database(args.postgres, url)


if __name__ == "__main__":
    main()
