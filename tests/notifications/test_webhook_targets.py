"""Webhook URLs that resolve to loopback or private addresses are refused unless allowed; the
address checked is the address connected to (no DNS rebinding between check and connect)."""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from service.notifications.transport import DeliveryError, post_webhook
from tests.factories import Factories
from tests.functional.helpers import post_comment
from tests.functional.moderation.conftest import Credentials
from tests.notifications.conftest import Receiver, deliver
from tests.notifications.test_webhooks import add_webhook


@pytest.fixture
def creds(app: Flask, session: Session) -> Credentials:
    return Credentials(app, session)


@pytest.fixture
def settings_overrides(settings_overrides: dict[str, Any]) -> dict[str, Any]:
    return settings_overrides | {"webhook_allow_private": False}


def test_private_addresses_are_refused_when_not_allowed(
    app: Flask, client: FlaskClient, make: Factories, creds: Credentials, receiver: Receiver
) -> None:
    site = make.site()
    hook = add_webhook(client, creds, site, receiver.url)
    post_comment(client, site.slug, body="To localhost")
    deliver(app)
    assert receiver.hits == []
    [entry] = client.get(
        f"/api/v1/moderation/sites/{site.slug}/webhooks/{hook['id']}/deliveries",
        headers=creds.headers(site),
    ).json["deliveries"]
    assert entry["status"] == "failed" and "non-public address" in entry["last_error"]


class Resolver:
    """A DNS that answers `first` for hooks.example, then `later` (a rebinding attacker)."""

    def __init__(self, real: Any, first: str, later: str) -> None:
        self.real, self.first, self.later, self.calls = real, first, later, 0

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != "hooks.example":
            return self.real(host, port, *args, **kwargs)
        self.calls += 1
        address = self.first if self.calls == 1 else self.later
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]


def test_a_rebinding_dns_answer_never_reaches_the_internal_address(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolver = Resolver(socket.getaddrinfo, first="8.8.8.8", later="127.0.0.1")
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    with pytest.raises(DeliveryError):
        post_webhook(
            f"http://hooks.example:{receiver.port}/hook",
            "{}",
            {},
            timeout=0.5,
            allow_private=False,
        )
    assert receiver.hits == []
    assert resolver.calls == 1


def test_the_checked_address_is_connected_to_with_the_urls_host_header(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolver = Resolver(socket.getaddrinfo, first="127.0.0.1", later="192.0.2.1")
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    status = post_webhook(
        f"http://hooks.example:{receiver.port}/hook?x=1",
        '{"ok": true}',
        {"X-Sidenote-Event": "test"},
        timeout=5,
        allow_private=True,
    )
    assert status == 200 and resolver.calls == 1
    [hit] = receiver.hits
    assert hit.path == "/hook?x=1"
    assert hit.headers["Host"] == f"hooks.example:{receiver.port}"
    assert hit.body == b'{"ok": true}'


def test_https_checks_the_certificate_and_sends_sni_for_the_urls_host(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=hooks.example",
            "-addext", "subjectAltName=DNS:hooks.example",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    names: list[str | None] = []
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert, key)
    server_tls.sni_callback = lambda _sock, name, _ctx: names.append(name)  # type: ignore[assignment,misc,func-returns-value]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = server_tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    real_context = ssl.create_default_context
    monkeypatch.setattr(  # trust the test's certificate, verify as usual otherwise
        ssl, "create_default_context", lambda *a, **k: real_context(cafile=str(cert))
    )
    monkeypatch.setattr(
        socket, "getaddrinfo", Resolver(socket.getaddrinfo, first="127.0.0.1", later="127.0.0.1")
    )
    try:
        status = post_webhook(
            f"https://hooks.example:{server.server_address[1]}/hook",
            "{}",
            {},
            timeout=5,
            allow_private=True,
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
    assert status == 204
    assert names == ["hooks.example"]  # and the certificate verified for it, not for 127.0.0.1
