"""`sidenote serve`'s log: one start line, one line per request, and the request id."""

from __future__ import annotations

import io
import logging
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from flask.testing import FlaskClient

from service import __version__
from service.http.access_log import AccessLineHandler, AccessLog
from service.kernel.config import Settings
from service.server import describe_database, start_line
from tests.notifications.conftest import free_port

LINE = re.compile(r"request (\S+) (\S+) (\d{3}) (\d+\.\d)ms id=([A-Za-z0-9._-]{1,64})")


def access_lines(caplog: pytest.LogCaptureFixture) -> list[re.Match[str]]:
    matches = [LINE.fullmatch(r.getMessage()) for r in caplog.records]
    return [m for m in matches if m is not None]


def test_every_response_carries_a_request_id(client: FlaskClient) -> None:
    first = client.get("/healthz").headers["X-Request-Id"]
    second = client.get("/healthz").headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{16}", first)
    assert first != second


def test_a_request_is_one_line_without_its_query(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="sidenote.access"):
        answer = client.get("/api/v1/comments?site=nosuch&thread=/x&token=secret")
    (line,) = access_lines(caplog)
    method, path, status, _ms, rid = line.groups()
    assert (method, path, status) == ("GET", "/api/v1/comments", str(answer.status_code))
    assert rid == answer.headers["X-Request-Id"]
    assert "secret" not in caplog.text


def test_a_path_cannot_forge_a_log_line(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="sidenote.access"):
        client.get("/nothing%0Arequest GET /admin 200 1.0ms id=forged")
    (line,) = access_lines(caplog)
    assert line.group(2) == "/nothing%0Arequest%20GET%20/admin%20200%201.0ms%20id=forged"
    assert "\n" not in caplog.records[-1].getMessage()


def test_a_client_cannot_choose_its_request_id(client: FlaskClient) -> None:
    answer = client.get("/healthz", headers={"X-Request-Id": "chosen-by-client"})
    assert answer.headers["X-Request-Id"] != "chosen-by-client"


@pytest.mark.parametrize("settings_overrides", [{"trusted_proxies": 1}])
def test_a_trusted_proxy_s_request_id_is_kept(client: FlaskClient) -> None:
    kept = client.get("/healthz", headers={"X-Request-Id": "lb-7f3a.01"})
    assert kept.headers["X-Request-Id"] == "lb-7f3a.01"
    odd = client.get("/healthz", headers={"X-Request-Id": "no spaces\tor tabs"})
    assert re.fullmatch(r"[0-9a-f]{16}", odd.headers["X-Request-Id"])


def test_the_database_is_described_without_its_password() -> None:
    described = describe_database("postgresql+psycopg://sidenote:hunter2@db.internal:5433/comments")
    assert described == "postgresql (db.internal:5433/comments)"
    assert "hunter2" not in described and "sidenote:" not in described
    assert (
        describe_database("sqlite:////var/lib/sidenote/s.db") == "sqlite (/var/lib/sidenote/s.db)"
    )


def test_the_start_line_names_version_database_workers_and_mail() -> None:
    settings = Settings(
        secret_key="x" * 32,
        public_url="https://comments.example",
        database_url="postgresql://u:pw@db/c",
        worker="inline",
        smtp_url="smtp+starttls://u:pw@mail.example:587",
    )
    line = start_line(settings, bind="127.0.0.1:8000", workers=3, threads=1)
    assert line.startswith(
        f"sidenote {__version__} serving on 127.0.0.1:8000: database postgresql (db/c)"
    )
    assert "3 gunicorn worker(s) (gthread, 1 thread(s) each)" in line
    assert "outbox worker mode inline" in line
    assert "mail to SMTP (mail.example:587)" in line
    assert "pw" not in line


@pytest.mark.slow
def test_sidenote_serve_logs_its_start_and_each_request(tmp_path: Path) -> None:
    """Served under gunicorn's SCRIPT_NAME (docs/deploying.md, "Under a path prefix")."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIDENOTE_")}
    env.update(
        SIDENOTE_DATABASE_URL=f"sqlite:///{tmp_path / 'log.db'}",
        SIDENOTE_SECRET_KEY="log-test-secret-0123456789",
        SIDENOTE_PUBLIC_URL=f"http://127.0.0.1:{port}/comments",
        SCRIPT_NAME="/comments",
    )
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    subprocess.run(
        [sys.executable, "-m", "service.cli", "db", "upgrade"], env=env, check=True, timeout=60
    )
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                rid = requests.get(
                    f"http://127.0.0.1:{port}/comments/healthz?x=1", timeout=2
                ).headers["X-Request-Id"]
                break
            except requests.RequestException:
                assert time.monotonic() < deadline and server.poll() is None, log.read_text()
                time.sleep(0.2)
        moderate = requests.get(
            f"http://127.0.0.1:{port}/comments/moderate",
            headers={"Accept": "text/html"},
            allow_redirects=False,
            timeout=10,
        )
        assert moderate.status_code == 303
        assert moderate.headers["Location"].startswith("/comments/moderate/login?next=")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    lines = log.read_text().splitlines()
    starts = [line for line in lines if f" sidenote {__version__} serving on " in line]
    assert len(starts) == 1
    assert f"database sqlite ({tmp_path / 'log.db'})" in starts[0]
    assert "mail to the console" in starts[0]
    logged = [m.group(1, 2, 3, 5) for m in map(LINE.search, lines) if m]
    # (an earlier try may have timed out on the client's side and still been answered)
    assert ("GET", "/comments/healthz", "200", rid) in logged
    assert logged[-1][:3] == ("GET", "/comments/moderate", "303")


def test_serve_s_handler_writes_the_line_the_stock_formatter_would() -> None:
    """`sidenote serve`'s handler skips the LogRecord; its lines look the same as a record's."""
    fast, stock = io.StringIO(), io.StringIO()
    handler = AccessLineHandler()
    handler.setStream(fast)
    reference = logging.StreamHandler(stock)
    reference.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    logger = logging.getLogger("sidenote.access")
    saved = logger.handlers[:], logger.level, logger.propagate
    logger.handlers[:], logger.propagate = [handler], False
    logger.setLevel(logging.INFO)
    try:

        def answer(environ: dict[str, Any], start_response: Any) -> list[bytes]:
            start_response("204 No Content", [])
            return []

        AccessLog(answer, trust_incoming_id=False)(
            {"REQUEST_METHOD": "GET", "PATH_INFO": "/healthz", "SCRIPT_NAME": "/c"},
            lambda *_args: None,
        )
    finally:
        logger.handlers[:], logger.level, logger.propagate = saved
    reference.handle(logging.makeLogRecord({"msg": "request GET /c/healthz 204 0.0ms id=x"}))
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} "
    (line,) = fast.getvalue().splitlines()
    assert re.fullmatch(stamp + LINE.pattern, line)
    assert re.fullmatch(stamp + r"request GET /c/healthz 204 0\.0ms id=x", stock.getvalue().strip())
    assert line.split(" request ")[1].startswith("GET /c/healthz 204 ")
