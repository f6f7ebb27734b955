"""`sidenote serve`: gunicorn, configured from code so that one command serves production."""

from __future__ import annotations

from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from service import create_app


class SidenoteServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return create_app()


def run_gunicorn(*, host: str, port: int, workers: int, timeout: int) -> None:
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    SidenoteServer(
        {
            "bind": bind,
            "workers": workers,
            "worker_class": "sync",
            "timeout": timeout,
            "graceful_timeout": 10,
            "keepalive": 5,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "info",
            # Several instances on one host would fight over ~/.gunicorn's control socket.
            "control_socket_disable": True,
        }
    ).run()
