"""`sidenote serve`: gunicorn, configured from code so that one command serves production."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication

from service import create_app

#: Threads per worker. Sidenote's requests are CPU-bound Python (the database answers in well
#: under a millisecond on one host), and threads of one process share one interpreter lock: more
#: threads made posting a third slower in `make bench`. Scale with `--workers`; add threads only
#: when the database is far away (`sidenote serve --threads`).
THREADS = 1


class GunicornServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, load: Callable[[], Any], options: dict[str, Any]) -> None:
        self._load = load
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self._load()


def gunicorn_options(
    host: str, port: int, *, workers: int, threads: int = THREADS, timeout: int = 30
) -> dict[str, Any]:
    """The settings every Sidenote server (and the benchmark's baseline) runs with."""
    return {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": timeout,
        "graceful_timeout": 10,
        "keepalive": 5,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        # Several instances on one host would fight over ~/.gunicorn's control socket.
        "control_socket_disable": True,
    }


def run_gunicorn(*, host: str, port: int, workers: int, threads: int, timeout: int) -> None:
    with tempfile.TemporaryDirectory(prefix="sidenote-metrics-") as metrics_dir:
        # Workers share their counters through files here (prometheus_client multiprocess mode).
        os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", metrics_dir)
        options = gunicorn_options(host, port, workers=workers, threads=threads, timeout=timeout)
        GunicornServer(create_app, options).run()
