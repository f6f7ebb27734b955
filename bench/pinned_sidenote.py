"""`sidenote serve` with each gunicorn worker's connections capped, for the read-ratio runs.

    python -m bench.pinned_sidenote --port 8001 --workers 2 --worker-connections 8

The same `run_gunicorn` as `sidenote serve` (logging, metrics directory, gunicorn settings),
with `worker_connections` set as the static app gets it: wrk's 16 kept-alive connections then
split 8 and 8 between the two workers of either app instead of landing by chance.
"""

from __future__ import annotations

import argparse

from service.server import THREADS, run_gunicorn


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-connections", type=int, required=True)
    args = parser.parse_args()
    run_gunicorn(
        host="127.0.0.1",
        port=args.port,
        workers=args.workers,
        threads=THREADS,
        timeout=30,
        worker_connections=args.worker_connections,
    )


if __name__ == "__main__":
    main()
