"""Import speed and memory: comments per second and peak memory on a generated Disqus export.

    .venv/bin/python bench/import_speed.py                 # 100,000 comments, SQLite
    .venv/bin/python bench/import_speed.py --comments 20000 --database postgresql://postgres@127.0.0.1/postgres
    .venv/bin/python bench/import_speed.py --comments 20000 --huge-comment-mb 20   # one 20 MB post

Generates a realistic export (HTML bodies of ~400 characters, 60% replies, posts shuffled),
migrates a fresh database, then imports in a process of its own that reports its peak resident
set size counted from the start of the import (see tests/functional/portability/measure.py).
With `--huge-comment-mb`, one post of that size sits in the middle of the file: it is skipped
(longer than SIDENOTE_IMPORT_MAX_BODY_CHARS) and the peak memory shows what holding it cost.
Prints the figures; it is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.functional.portability.exports import write_disqus  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--per-thread", type=int, default=50)
    parser.add_argument("--database", default="", help="PostgreSQL admin URL (default: SQLite)")
    parser.add_argument("--sanitizer", choices=["bleach", "nh3"], default="bleach")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations")
    parser.add_argument(
        "--huge-comment-mb", type=float, default=0, help="add one post of this many MB"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="sidenote-bench-") as scratch:
        folder = Path(scratch)
        started = time.perf_counter()
        export = write_disqus(
            folder / "disqus.xml",
            threads=max(args.comments // args.per_thread, 1),
            posts_per_thread=args.per_thread,
            huge_body_chars=int(args.huge_comment_mb * 1_000_000),
        )
        elapsed = time.perf_counter() - started
        print(f"generated {export.stat().st_size / 1e6:.1f} MB in {elapsed:.1f} s")
        url, cleanup = database(args.database, folder)
        env = {k: v for k, v in os.environ.items() if not k.startswith("SIDENOTE_")}
        env.update(
            SIDENOTE_DATABASE_URL=url,
            SIDENOTE_SECRET_KEY="measure-secret-0123456789",
            SIDENOTE_PUBLIC_URL="https://comments.example",  # required in production
            SIDENOTE_SANITIZER=args.sanitizer,
            PYTHONPATH=str(ROOT),
        )
        try:
            for command in (
                ("db", "upgrade"),
                ("site", "add", "blog", "--name", "Bench", "--origin", "https://blog.example"),
            ):
                subprocess.run(
                    [sys.executable, "-m", "service.cli", *command],
                    env=env,
                    check=True,
                    capture_output=True,
                )
            measure = [
                sys.executable,
                "-m",
                "tests.functional.portability.measure",
                str(export),
                url,
                *(["--tracemalloc"] if args.tracemalloc else []),
            ]
            result = subprocess.run(
                measure, env=env, cwd=ROOT, capture_output=True, text=True, check=True
            )
        finally:
            cleanup()
    figures = json.loads(result.stdout)
    backend = "PostgreSQL" if args.database else "SQLite"
    print(f"database: {backend}, sanitizer: {args.sanitizer}")
    print(
        f"file: {figures['file_bytes'] / 1e6:.1f} MB, comments imported: {figures['comments']}, "
        f"skipped: {figures['skipped']}"
    )
    print(f"time: {figures['seconds']} s, {figures['comments_per_second']} comments/s")
    print(
        f"memory: {figures['baseline_rss_bytes'] / 2**20:.0f} MiB before the import, peak "
        f"{figures['peak_rss_bytes'] / 2**20:.0f} MiB (+{figures['peak_growth_bytes'] / 2**20:.1f} "
        "MiB during it)"
    )
    if figures["tracemalloc_peak_bytes"] is not None:
        print(f"tracemalloc peak: {figures['tracemalloc_peak_bytes'] / 2**20:.1f} MiB")


def database(admin_url: str, folder: Path) -> tuple[str, object]:
    """A fresh database URL and a function that removes it."""
    if not admin_url:
        return f"sqlite:///{folder / 'bench.db'}", lambda: None
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"sidenote_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    return str(url), drop


if __name__ == "__main__":
    main()
