"""System tests: real `sidenote serve` instances sharing real PostgreSQL and Redis, and real
`sidenote worker` processes (killed, restarted, racing) against a real SMTP server.

Each module gets its own PostgreSQL database (migrated, seeded with one site) and starts gunicorn
instances as subprocesses on free ports. Without PostgreSQL or Redis these tests are skipped with
the reason shown; `.ci/run` starts both, so CI always runs them.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from sqlalchemy import Engine

from service.comments.sites import create_site
from service.db import make_engine
from service.db.migrate import upgrade
from tests.conftest import create_postgres_database, drop_postgres_database, postgres_admin_url
from tests.notifications.conftest import smtp_server  # noqa: F401 - the worker tests' real SMTP server

ROOT = Path(__file__).resolve().parent.parent.parent
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SECRET = "system-test-secret-0123456789abcdef"
SITE = "sys"

pytestmark = pytest.mark.system


def redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class SystemDatabase:
    url: str
    engine: Engine
    origin: str


@pytest.fixture(scope="module")
def system_db() -> Iterator[SystemDatabase]:
    admin = postgres_admin_url()
    if admin is None:
        pytest.skip("system tests need PostgreSQL: TEST_DATABASE_URL unset or unreachable")
    if not redis_reachable():
        pytest.skip("system tests need Redis on 127.0.0.1:6379 (run .ci/run)")
    url = create_postgres_database(admin, prefix="sidenote_system")
    engine = make_engine(url)
    origin = "https://system.example"
    try:
        upgrade(url)
        from sqlalchemy.orm import Session

        from service import create_app
        from tests.conftest import make_settings

        app = create_app(make_settings(url))
        with app.app_context(), Session(engine) as session:
            create_site(session, slug=SITE, name="System", origins=[origin], moderation="post")
            session.commit()
        yield SystemDatabase(url=url, engine=engine, origin=origin)
    finally:
        engine.dispose()
        drop_postgres_database(admin, url)


@dataclass
class Instance:
    base: str
    process: subprocess.Popen[bytes]
    log: Path

    def url(self, path: str) -> str:
        return self.base + path


def instance_env(db: SystemDatabase, **settings: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SIDENOTE_")}
    env.update(
        SIDENOTE_DATABASE_URL=db.url,
        SIDENOTE_SECRET_KEY=SECRET,
        SIDENOTE_PUBLIC_URL="https://comments.example",  # required in production
        SIDENOTE_FORM_TOKEN_REQUIRED="false",
        SIDENOTE_RATELIMIT_ENABLED="false",
        SIDENOTE_WORKER="off",
        PYTHONPATH=str(ROOT),
    )
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env.update({f"SIDENOTE_{key.upper()}": value for key, value in settings.items()})
    return env


@contextlib.contextmanager
def running_instance(
    db: SystemDatabase, log_dir: Path, workers: int = 2, **settings: str
) -> Iterator[Instance]:
    port = free_port()
    log = log_dir / f"instance-{port}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "service.cli",
                "serve",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            env=instance_env(db, **settings),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        instance = Instance(f"http://127.0.0.1:{port}", process, log)
        try:
            wait_until_healthy(instance)
            yield instance
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wait_until_healthy(instance: Instance, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if instance.process.poll() is not None:
            raise RuntimeError(f"instance exited: {instance.log.read_text()[-2000:]}")
        try:
            if requests.get(f"{instance.base}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"instance not healthy in {timeout} s: {instance.log.read_text()[-2000:]}")


@pytest.fixture
def start(
    system_db: SystemDatabase, tmp_path: Path
) -> Callable[..., contextlib.AbstractContextManager[Instance]]:
    """`with start(**settings) as instance:` a real server on the module's database."""

    def launch(**settings: str) -> contextlib.AbstractContextManager[Instance]:
        return running_instance(system_db, tmp_path, **settings)

    return launch


def unique_client_ip() -> str:
    """A client address no other run used: Redis counters outlive a test."""
    value = uuid.uuid4().int
    return f"10.{value % 250}.{(value >> 8) % 250}.{(value >> 16) % 250 + 1}"


def comment_payload(
    db: SystemDatabase, thread: str, body: str, **fields: object
) -> dict[str, object]:
    return {
        "site": SITE,
        "thread": thread,
        "thread_url": f"{db.origin}{thread}",
        "body": body,
        **fields,
    }
