"""SMTP settings against real TLS servers: STARTTLS and SMTPS, with authentication."""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from service.notifications.transport import DeliveryError, SmtpTransport
from tests.notifications.conftest import Inbox, free_port

USER, PASSWORD = "mailer", "p@ss:w/rd"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (openssl, as on every machine we run on)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


def authenticator(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def trust(certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker verifies certificates with the system's trust store; point it at ours."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))


def serve(certificate: tuple[Path, Path], *, implicit_tls: bool) -> tuple[Controller, Inbox]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*map(str, certificate))
    inbox = Inbox()
    options: dict[str, Any] = {"authenticator": authenticator, "auth_required": True}
    if implicit_tls:
        options["ssl_context"] = context
        # aiosmtpd only counts STARTTLS as TLS; the whole connection is TLS here.
        options["auth_require_tls"] = False
    else:
        options["tls_context"] = context
        options["require_starttls"] = True
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    return controller, inbox


@pytest.fixture
def starttls_server(certificate: tuple[Path, Path]) -> Iterator[tuple[int, Inbox]]:
    controller, inbox = serve(certificate, implicit_tls=False)
    yield controller.port, inbox
    controller.stop()


@pytest.fixture
def smtps_server(certificate: tuple[Path, Path]) -> Iterator[tuple[int, Inbox]]:
    controller, inbox = serve(certificate, implicit_tls=True)
    yield controller.port, inbox
    controller.stop()


def message() -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "comments@blog.example"
    mail["To"] = "bob@reader.example"
    mail["Subject"] = "Over TLS"
    mail.set_content("Hello")
    return mail


CREDENTIALS = "mailer:p%40ss%3Aw%2Frd"


def test_starttls_with_authentication_delivers(
    trust: None, starttls_server: tuple[int, Inbox]
) -> None:
    port, inbox = starttls_server
    with SmtpTransport(f"smtp+starttls://{CREDENTIALS}@127.0.0.1:{port}", timeout=10) as smtp:
        smtp.send(message())
    [received] = inbox.messages
    assert received.message["Subject"] == "Over TLS"


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_smtps_with_authentication_delivers(trust: None, smtps_server: tuple[int, Inbox]) -> None:
    port, inbox = smtps_server
    with SmtpTransport(f"smtps://{CREDENTIALS}@127.0.0.1:{port}", timeout=10) as smtp:
        smtp.send(message())
    assert len(inbox.messages) == 1


def test_a_wrong_password_is_a_retryable_failure(
    trust: None, starttls_server: tuple[int, Inbox]
) -> None:
    port, inbox = starttls_server
    url = f"smtp+starttls://mailer:wrong@127.0.0.1:{port}"
    with SmtpTransport(url, timeout=10) as smtp, pytest.raises(DeliveryError) as failure:
        smtp.send(message())
    assert not failure.value.permanent
    assert inbox.messages == []


def test_an_untrusted_certificate_is_refused(starttls_server: tuple[int, Inbox]) -> None:
    port, inbox = starttls_server
    url = f"smtp+starttls://{CREDENTIALS}@127.0.0.1:{port}"
    with (
        SmtpTransport(url, timeout=10) as smtp,
        pytest.raises(DeliveryError, match=r"SSL|certificate"),
    ):
        smtp.send(message())
    assert inbox.messages == []
