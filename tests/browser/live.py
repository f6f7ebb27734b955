"""A real Sidenote server for browser tests and benchmarks: its own SQLite file and port.

`start_server` migrates, seeds the demo site for the port (development mode) and serves with
`sidenote run`, rate limits and form tokens off unless the caller's settings say otherwise.
`Seeder` writes sites and comments straight into that database through the comments domain.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from service import create_app
from service.db import get_db
from service.kernel.config import Settings
from service.models import Comment, Site, Thread
from tests.factories import Factories

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    # A page Playwright's router fulfils has no IP address, so Chromium's Local Network Access
    # check counts it as public and refuses its requests to Sidenote on loopback; real host
    # pages (the demo article on localhost) are loopback too and pass with or without it.
    "--disable-features=LocalNetworkAccessChecks",
]
SECRET = "browser-tests-secret-key-0123456789"
CLI = [sys.executable, "-c", "from service.cli import main; main()"]


@dataclass
class LiveServer:
    """Sidenote at `url`; the pages that embed it at `page_url`, another origin (as sites deploy
    it: `localhost` instead of `127.0.0.1`, the demo site lists both)."""

    url: str
    port: int
    database_url: str
    log: Path

    @property
    def page_url(self) -> str:
        return f"http://localhost:{self.port}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def server_environment(database_url: str, **settings: str) -> dict[str, str]:
    """This process's environment without any SIDENOTE_* of the developer's, plus ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIDENOTE_")}
    env.update(
        SIDENOTE_ENV="development",
        SIDENOTE_DATABASE_URL=database_url,
        SIDENOTE_SECRET_KEY=SECRET,
        SIDENOTE_RATELIMIT_ENABLED="false",
        SIDENOTE_FORM_TOKEN_REQUIRED="false",
        SIDENOTE_MIN_COMPOSE_SECONDS="0",
        # Tests seed the database from this process: the server must not trust thread heads.
        SIDENOTE_HEAD_CACHE_SECONDS="0",
    )
    env.update({"SIDENOTE_" + name.upper(): value for name, value in settings.items()})
    return env


def start_server(workdir: Path, **settings: str) -> tuple[subprocess.Popen[bytes], LiveServer]:
    """Migrate, seed the demo for a free port, and serve; return once the API answers."""
    database_url = f"sqlite:///{workdir / 'sidenote.db'}"
    port = _free_port()
    # The demo pages load the widget from here, so on `page_url` they embed it cross-origin;
    # links in mails point here too.
    settings.setdefault("public_url", f"http://127.0.0.1:{port}")
    env = server_environment(database_url, **settings)
    for args in (["db", "upgrade"], ["demo", "--port", str(port)]):
        subprocess.run(
            [*CLI, *args], env=env, cwd=workdir, check=True, capture_output=True, timeout=120
        )
    log = workdir / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*CLI, "run", "--host", "127.0.0.1", "--port", str(port), "--no-debug"],
            env=env,
            cwd=workdir,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = LiveServer(f"http://127.0.0.1:{port}", port, database_url, log)
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(server.url + "/api/v1/sites/demo/config", timeout=2):
                return process, server
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                stop_server(process)
                raise RuntimeError("the live server did not start:\n" + log.read_text()) from None
            time.sleep(0.1)


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Seeder:
    """Writes sites and comments straight into the live server's database, via the domain."""

    def __init__(self, server: LiveServer) -> None:
        settings = Settings(env="test", database_url=server.database_url, secret_key=SECRET)
        self.app: Flask = create_app(settings)
        self.session: Session = get_db(self.app).session(write=True)
        self.make = Factories(self.app, self.session)
        site = self.session.scalar(select(Site).where(Site.slug == "demo"))
        assert site is not None
        self.demo = site
        self.origin = server.page_url
        self.origins = [server.page_url, server.url]
        self.done()  # release SQLite's write lock before the server needs it

    def comment(self, thread: str, body: str = "A comment.", **fields: Any) -> Comment:
        """An approved comment (unless `status` says otherwise) on the demo site's `thread`."""
        fields.setdefault("status", "approved")
        site = fields.pop("site", self.demo)
        comment = self.make.comment(site, thread, body=body, **fields)
        self.done()
        return comment

    def site(self, slug: str, **options: Any) -> Site:
        options.setdefault("origins", self.origins)
        site = self.make.site(slug, **options)
        self.done()
        return site

    def pin(self, comment: Comment) -> None:
        """Pin a comment as a moderator would (the thread's version moves, so caches refresh)."""
        row = self.session.get_one(Comment, comment.id)
        row.pinned = True
        self.session.get_one(Thread, row.thread_id).version += 1
        self.done()

    def done(self) -> None:
        """End the open transaction: a write session holds SQLite's write lock until then."""
        self.session.commit()

    def close(self) -> None:
        self.session.close()
        get_db(self.app).dispose()
