"""Real processes on a real database file (and PostgreSQL): the worker command, a worker killed
between claim and send, several workers claiming at once, and the web process's inline worker."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from service import create_app
from service.db import get_db
from service.kernel import clock
from service.models import OutboxItem, Site, Subscription
from service.notifications import outbox
from service.notifications.subscriptions import add_subscription, confirm
from service.worker import Worker
from tests.conftest import TEST_SECRET, make_settings, migrated_database
from tests.factories import Factories
from tests.notifications.conftest import PUBLIC_URL, SmtpServer, free_port

pytestmark = pytest.mark.system
BOB = "bob@reader.example"
SIDENOTE = str(Path(sys.executable).with_name("sidenote"))


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database of its own, shared with the processes the test starts."""
    with migrated_database(request.param, tmp_path / "processes.db", "sidenote_proc") as url:
        yield url


@pytest.fixture
def app_for() -> Iterator[Callable[..., Flask]]:
    """Apps on the test's database; their engines are disposed (connections closed) at the end."""
    made: list[Flask] = []

    def build(database: str, **overrides: Any) -> Flask:
        app = create_app(make_settings(database, public_url=PUBLIC_URL, **overrides))
        made.append(app)
        return app

    yield build
    for app in made:
        get_db(app).dispose()


def environment(database: str, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIDENOTE_")}
    env |= {
        "SIDENOTE_ENV": "test",
        "SIDENOTE_DATABASE_URL": database,
        "SIDENOTE_SECRET_KEY": TEST_SECRET,
        "SIDENOTE_PUBLIC_URL": PUBLIC_URL,
        "SIDENOTE_RATELIMIT_ENABLED": "false",
    }
    env |= {f"SIDENOTE_{name.upper()}": value for name, value in settings.items()}
    return env


def seed_notification(app: Flask) -> int:
    """A confirmed thread subscriber and a new comment: one mail waits in the outbox."""
    with app.app_context(), get_db(app).session(write=True) as session:
        make = Factories(app, session)
        site = make.site()
        first = make.comment(site)
        thread = make.thread_of(first)
        subscription = add_subscription(
            session, site=site, thread=thread, comment=None, email=BOB, kind="thread"
        )
        confirm(session, subscription)
        session.commit()
        make.comment(site, body="Worth a mail")
        item_id = session.scalar(select(OutboxItem.id).where(OutboxItem.event == "comment"))
        assert item_id is not None
        return int(item_id)


def item(app: Flask, item_id: int) -> OutboxItem:
    with app.app_context(), get_db(app).session() as session:
        return session.get_one(OutboxItem, item_id)


def test_the_worker_command_sends_what_is_due(
    database: str, smtp_server: SmtpServer, app_for: Callable[..., Flask]
) -> None:
    app = app_for(database)
    item_id = seed_notification(app)
    finished = subprocess.run(
        [SIDENOTE, "worker", "--once"],
        env=environment(database, smtp_url=smtp_server.url),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    assert "sent 1," in finished.stdout
    assert [m.envelope_to for m in smtp_server.inbox.messages] == [[BOB]]
    assert item(app, item_id).status == "sent"


class Blackhole:
    """Accepts SMTP connections and never answers: a send that hangs after its claim."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.accepted.append(connection)

    def close(self) -> None:
        self.listener.close()
        for connection in self.accepted:
            connection.close()


def test_a_worker_killed_between_claim_and_send_delivers_exactly_once_after_restart(
    database: str, smtp_server: SmtpServer, app_for: Callable[..., Flask]
) -> None:
    app = app_for(database, smtp_url=smtp_server.url)
    item_id = seed_notification(app)
    blackhole = Blackhole()
    try:
        worker = subprocess.Popen(
            [SIDENOTE, "worker", "--id", "doomed"],
            env=environment(
                database,
                smtp_url=f"smtp://127.0.0.1:{blackhole.port}",
                smtp_timeout_seconds="60",
                outbox_lease_seconds="120",
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 30
            while not blackhole.accepted and time.monotonic() < deadline:
                time.sleep(0.05)
            assert blackhole.accepted, "the worker never started sending"
            claimed = item(app, item_id)
            assert (claimed.claimed_by, claimed.status) == ("doomed", "pending")
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(10)
    finally:
        blackhole.close()

    assert Worker(app, "restarted").drain().sent == 0  # the dead worker's lease still holds
    with clock.frozen(clock.now()) as frozen:
        frozen.advance(seconds=121)
        assert Worker(app, "restarted").drain().sent == 1
        frozen.advance(hours=1)
        assert Worker(app, "another").drain().claimed == 0
    [mail] = smtp_server.inbox.messages
    delivered = item(app, item_id)
    assert (delivered.status, delivered.attempts) == ("sent", 2)
    assert mail.message["Message-ID"] == f"<{delivered.uid}@localhost>"


def test_concurrent_workers_never_claim_the_same_item(
    database: str, app_for: Callable[..., Flask]
) -> None:
    app = app_for(database)
    with app.app_context(), get_db(app).session(write=True) as session:
        outbox.enqueue(
            session, [{"kind": "mail", "event": "load", "payload": {}} for _ in range(150)]
        )
        session.commit()
    claims: dict[str, list[int]] = {}
    start = threading.Barrier(4)

    def claimer(name: str) -> None:
        taken: list[int] = claims.setdefault(name, [])
        start.wait()
        with app.app_context():
            while True:
                with get_db(app).session(write=True) as session:
                    batch = outbox.claim(session, name, limit=7, lease_seconds=300)
                if not batch:
                    return
                taken.extend(batch)
                time.sleep(0.002)  # "sending": the others get their turn meanwhile

    threads = [threading.Thread(target=claimer, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    everything = [item_id for taken in claims.values() for item_id in taken]
    assert len(everything) == 150 == len(set(everything))
    assert sum(1 for taken in claims.values() if taken) >= 2


def wait_for_port(port: int, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the server did not start")


def test_the_web_process_drains_the_outbox_itself_when_the_worker_is_inline(
    database: str, smtp_server: SmtpServer, app_for: Callable[..., Flask]
) -> None:
    app = app_for(database)
    with app.app_context(), get_db(app).session(write=True) as session:
        make = Factories(app, session)
        make.comment(make.site("inline"))
    port = free_port()
    server = subprocess.Popen(
        [SIDENOTE, "run", "--port", str(port), "--no-debug"],
        env=environment(database, smtp_url=smtp_server.url, worker="inline"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, server)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/subscriptions",
            data=b'{"site":"inline","thread":"/post","email":"bob@reader.example","kind":"thread"}',
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 202
        deadline = time.monotonic() + 15
        while not smtp_server.inbox.messages and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        server.terminate()
        server.wait(10)
    [mail] = smtp_server.inbox.messages
    assert "Confirm your subscription" in str(mail.message["Subject"])
    with app.app_context(), get_db(app).session() as session:
        assert session.scalar(select(Subscription.confirmed_at)) is None
        assert session.scalar(select(Site.slug)) == "inline"
