"""Without `SIDENOTE_SMTP_URL` mails are printed to the console, with a warning in production."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.notifications.transport import ConsoleTransport
from service.worker import Worker
from tests.factories import Factories
from tests.notifications.conftest import MAIL_FROM, PUBLIC_URL, deliver
from tests.notifications.helpers import subscribe

BOB = "bob@reader.example"
WARNING = "SIDENOTE_SMTP_URL is not set: mails are printed to the console"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"smtp_url": "", "public_url": PUBLIC_URL, "mail_from": MAIL_FROM}


def test_without_an_smtp_url_the_worker_prints_each_mail_whole(
    app: Flask, client: FlaskClient, make: Factories, capsys: pytest.CaptureFixture[str]
) -> None:
    site = make.site()
    make.comment(site)
    assert subscribe(client, site.slug, BOB).status_code == 202
    assert deliver(app).sent == 1
    printed = capsys.readouterr().out
    assert "mail (SIDENOTE_SMTP_URL is not set, so it is printed here):" in printed
    assert f"To: {BOB}" in printed
    assert "Subject: Confirm your subscription to “A post”" in printed
    assert f"{PUBLIC_URL}/subscriptions/confirm/" in printed  # the text part, links usable


def test_the_worker_picks_the_console_when_no_smtp_url_is_set(app: Flask) -> None:
    assert isinstance(Worker(app).transport, ConsoleTransport)


def start_and_stop(app: Flask) -> None:
    """What `sidenote worker` does at start, then an immediate stop."""
    stop = threading.Event()
    stop.set()
    Worker(app, "console-test").run_forever(stop)


@pytest.mark.parametrize(
    "settings_overrides",
    [{"env": "production", "smtp_url": "", "public_url": "https://comments.example"}],
)
def test_a_production_worker_warns_at_start_that_mails_go_to_the_console(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="service.worker"):
        start_and_stop(app)
    assert [r.levelno for r in caplog.records if r.getMessage() == WARNING] == [logging.WARNING]


def test_outside_production_the_console_is_only_mentioned(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="service.worker"):
        start_and_stop(app)
    assert [r.levelno for r in caplog.records if r.getMessage() == WARNING] == [logging.INFO]
