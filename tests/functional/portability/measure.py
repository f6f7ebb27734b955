"""Import one file into a fresh SQLite database and print what it cost, as JSON.

Run as its own process (`python -m tests.functional.portability.measure FILE DB`), so that its
peak memory is the import's alone: the database is migrated and the site created by an earlier
process, the app is warmed up (renderer, parser modules), then the resident set size is read
before the import and the process's peak after it. The memory test in `make test` and
`bench/import_speed.py` both use it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
import tracemalloc
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")


def resident_bytes() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * PAGE


def reset_peak() -> None:
    """Start the peak resident set size (VmHWM) afresh: start-up peaks are not the import's."""
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")


def peak_bytes() -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", type=Path)
    parser.add_argument("database_url")
    parser.add_argument("--site", default="blog")
    parser.add_argument("--source", default="disqus")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations")
    args = parser.parse_args()

    from service import create_app
    from service.db import get_db
    from service.kernel.config import Settings
    from service.kernel.rendering import render_markdown
    from service.portability.import_run import ImportOptions
    from service.portability.importer import read_records, run_import

    settings = Settings(
        env="test",
        database_url=args.database_url,
        secret_key="measure-secret-0123456789",
        sanitizer=os.environ.get("SIDENOTE_SANITIZER", "bleach"),  # type: ignore[arg-type]
    )
    app = create_app(settings)
    render_markdown("warm *up*", settings.sanitizer)
    next(iter(read_records(args.source, args.file)), None)
    reset_peak()
    baseline = resident_bytes()
    if args.tracemalloc:
        tracemalloc.start()
    started = time.perf_counter()
    with app.app_context():
        summary = run_import(
            get_db(app),
            args.source,
            args.file,
            ImportOptions(
                site=args.site,
                sanitizer=settings.sanitizer,
                max_body_chars=settings.import_max_body_chars,
            ),
        )
    seconds = time.perf_counter() - started
    traced_peak = tracemalloc.get_traced_memory()[1] if args.tracemalloc else None
    peak = peak_bytes()
    print(
        json.dumps(
            {
                "file_bytes": args.file.stat().st_size,
                "comments": summary.imported,
                "threads": summary.threads_created,
                "skipped": summary.skipped_total,
                "seconds": round(seconds, 2),
                "comments_per_second": round(summary.imported / seconds, 1),
                "baseline_rss_bytes": baseline,
                "peak_rss_bytes": peak,
                "peak_growth_bytes": max(peak - baseline, 0),
                "tracemalloc_peak_bytes": traced_peak,
            }
        )
    )


if __name__ == "__main__":
    main()
