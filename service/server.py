"""`sidenote serve`: gunicorn, configured from code so that one command serves production."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from gunicorn.app.base import BaseApplication
from sqlalchemy.engine import make_url

from service import __version__, create_app
from service.http.access_log import configure_logging
from service.kernel.config import Settings, load_settings

log = logging.getLogger("sidenote.server")

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
    host: str,
    port: int,
    *,
    workers: int,
    threads: int = THREADS,
    timeout: int = 30,
    worker_connections: int | None = None,
) -> dict[str, Any]:
    """The settings every Sidenote server (and the benchmark's baseline) runs with.

    `worker_connections` caps the connections one worker holds (gunicorn's default, 1000, when
    None); `make bench` sets it so that wrk's kept-alive connections split evenly between the
    workers, for Sidenote and the static app alike."""
    options: dict[str, Any] = {
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
    if worker_connections is not None:
        options["worker_connections"] = worker_connections
    return options


def describe_database(url: str) -> str:
    """The database's kind and where it is, never its user or password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"sqlite ({parsed.database or ':memory:'})"
    where = f"{parsed.host or 'local socket'}{f':{parsed.port}' if parsed.port else ''}"
    return f"{parsed.get_backend_name()} ({where}/{parsed.database or ''})"


def start_line(settings: Settings, *, bind: str, workers: int, threads: int) -> str:
    if settings.smtp_url:
        smtp = urlsplit(settings.smtp_url)
        mail = f"mail to SMTP ({smtp.hostname}{f':{smtp.port}' if smtp.port else ''})"
    else:
        mail = "mail to the console (SIDENOTE_SMTP_URL unset)"
    return (
        f"sidenote {__version__} serving on {bind}: database "
        f"{describe_database(settings.sqlalchemy_url)}, {workers} gunicorn worker(s) (gthread, "
        f"{threads} thread(s) each), outbox worker mode {settings.worker}, {mail}"
    )


def run_gunicorn(
    *,
    host: str,
    port: int,
    workers: int,
    threads: int,
    timeout: int,
    worker_connections: int | None = None,
) -> None:
    settings = load_settings()  # a bad setting stops the start here, before any fork
    configure_logging()
    with tempfile.TemporaryDirectory(prefix="sidenote-metrics-") as metrics_dir:
        # Workers share their counters through files here (prometheus_client multiprocess mode).
        os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", metrics_dir)
        options = gunicorn_options(
            host,
            port,
            workers=workers,
            threads=threads,
            timeout=timeout,
            worker_connections=worker_connections,
        )
        log.info(start_line(settings, bind=options["bind"], workers=workers, threads=threads))
        GunicornServer(lambda: create_app(settings), options).run()
