"""`sidenote serve`: gunicorn, configured from code so that one command serves production."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication

from service import create_app

#: Threads per worker: requests mostly wait on the database, so a few threads per process pay.
THREADS = 4


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


def gunicorn_options(host: str, port: int, *, workers: int, timeout: int = 30) -> dict[str, Any]:
    """The settings every Sidenote server (and the benchmark's baseline) runs with."""
    return {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": THREADS,
        "timeout": timeout,
        "graceful_timeout": 10,
        "keepalive": 5,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        # Several instances on one host would fight over ~/.gunicorn's control socket.
        "control_socket_disable": True,
    }


def run_gunicorn(*, host: str, port: int, workers: int, timeout: int) -> None:
    with tempfile.TemporaryDirectory(prefix="sidenote-metrics-") as metrics_dir:
        # Workers share their counters through files here (prometheus_client multiprocess mode).
        os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", metrics_dir)
        options = gunicorn_options(host, port, workers=workers, timeout=timeout)
        GunicornServer(create_app, options).run()
