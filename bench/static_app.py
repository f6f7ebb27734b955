"""The baseline: a minimal WSGI app returning fixed bytes, served by the same gunicorn settings."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from service.server import GunicornServer, gunicorn_options

BODY = Path(os.environ.get("BENCH_BODY", "/dev/null")).read_bytes()
HEADERS = [
    ("Content-Type", "application/json"),
    ("Content-Length", str(len(BODY))),
    ("ETag", '"0123456789abcdef01234567"'),
    ("Cache-Control", "public, no-cache"),
    ("CDN-Cache-Control", "public, max-age=5, stale-while-revalidate=30"),
    ("Surrogate-Control", "max-age=5, stale-while-revalidate=30"),
]


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", HEADERS)
    return [BODY]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--worker-connections", type=int, default=None, help="gunicorn's cap per worker."
    )
    args = parser.parse_args()
    options = gunicorn_options(
        "127.0.0.1", args.port, workers=args.workers, worker_connections=args.worker_connections
    )
    GunicornServer(lambda: app, options).run()


if __name__ == "__main__":
    main()
