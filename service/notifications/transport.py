"""Getting things out: SMTP (plain, STARTTLS or SSL, with auth), the console, and webhook POSTs.

Errors are `DeliveryError`s; `permanent` ones (a 5xx from the mail server about this message, a
webhook URL on a private network) are not retried.
"""

from __future__ import annotations

import http.client
import ipaddress
import logging
import smtplib
import socket
import ssl
import sys
from email.message import EmailMessage
from types import TracebackType
from typing import IO, Any, ClassVar, Protocol
from urllib.parse import unquote, urlsplit

log = logging.getLogger(__name__)

USER_AGENT = "Sidenote-Webhooks/1"


class DeliveryError(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class MailTransport(Protocol):
    """Sends messages; used as a context manager so one connection serves a batch."""

    def __enter__(self) -> MailTransport: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def send(self, message: EmailMessage) -> None: ...


class ConsoleTransport:
    """Development (and no SMTP configured): print each mail, whole, to a stream."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream

    def __enter__(self) -> ConsoleTransport:
        return self

    def __exit__(self, *args: object) -> None:
        return None

    def send(self, message: EmailMessage) -> None:
        """Headers (decoded) and the plain-text part: readable, links clickable."""
        stream = self.stream or sys.stdout
        rule = "-" * 72
        headers = "".join(
            f"{name}: {getattr(value, 'display', value)}\n" for name, value in message.items()
        )
        text = message.get_body(preferencelist=("plain",))
        body = text.get_content() if isinstance(text, EmailMessage) else ""
        stream.write(
            f"{rule}\nmail (SIDENOTE_SMTP_URL is not set, so it is printed here):\n"
            f"{headers}\n{body}\n{rule}\n"
        )
        stream.flush()


class SmtpTransport:
    """`smtp://` (plain), `smtp+starttls://` (STARTTLS required) or `smtps://` (TLS from the start).

    The connection opens on the first message of a batch and is dropped after any error.
    """

    DEFAULT_PORTS: ClassVar[dict[str, int]] = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}

    def __init__(self, url: str, *, timeout: float) -> None:
        parts = urlsplit(url)
        self.scheme = parts.scheme
        self.host = parts.hostname or "localhost"
        self.port = parts.port or self.DEFAULT_PORTS[self.scheme]
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else ""
        self.timeout = timeout
        self._connection: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpTransport:
        return self

    def __exit__(self, *args: object) -> None:
        self.close()

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        connection: smtplib.SMTP
        if self.scheme == "smtps":
            connection = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=context
            )
        else:
            connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.scheme == "smtp+starttls":
                connection.starttls(context=context)
            if self.username:
                connection.login(self.username, self.password)
        except BaseException:
            connection.close()
            raise
        return connection

    def send(self, message: EmailMessage) -> None:
        try:
            if self._connection is None:
                self._connection = self._connect()
            self._connection.send_message(message)
        except smtplib.SMTPResponseException as error:
            self.close()
            permanent = 500 <= error.smtp_code < 600 and not isinstance(
                error, smtplib.SMTPAuthenticationError
            )
            text = (
                error.smtp_error.decode("utf-8", "replace")
                if isinstance(error.smtp_error, bytes)
                else str(error.smtp_error)
            )
            raise DeliveryError(f"SMTP {error.smtp_code}: {text}", permanent=permanent) from None
        except smtplib.SMTPRecipientsRefused as error:
            self.close()
            codes = [code for code, _ in error.recipients.values()]
            raise DeliveryError(
                f"SMTP refused the recipient ({', '.join(map(str, codes))})",
                permanent=all(500 <= code < 600 for code in codes),
            ) from None
        except (OSError, smtplib.SMTPException) as error:
            self.close()
            raise DeliveryError(f"SMTP {type(error).__name__}: {error}") from None

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.quit()
        except (OSError, smtplib.SMTPException):
            connection.close()


def mail_transport(smtp_url: str, *, timeout: float) -> MailTransport:
    return SmtpTransport(smtp_url, timeout=timeout) if smtp_url else ConsoleTransport()


# -- webhooks ---------------------------------------------------------------------------------


Resolved = tuple[int, tuple[Any, ...]]  # (address family, socket address)


def resolve_checked(host: str, port: int, *, allow_private: bool) -> Resolved:
    """Resolve `host` once; unless private targets are allowed, refuse (permanently) a name
    with any non-public address. The caller connects to exactly this address, so a DNS answer
    that changes between check and connect (rebinding) cannot reach an internal host."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise DeliveryError(f"cannot resolve {host}: {error}") from None
    if not infos:
        raise DeliveryError(f"cannot resolve {host}: no address")
    if not allow_private:
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
            if not address.is_global:
                raise DeliveryError(
                    f"{host} resolves to a non-public address ({address}); "
                    "set SIDENOTE_WEBHOOK_ALLOW_PRIVATE=true to allow it",
                    permanent=True,
                )
    family, _type, _proto, _name, sockaddr = infos[0]
    return family, sockaddr


def _connect(target: Resolved, timeout: float) -> socket.socket:
    family, sockaddr = target
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(sockaddr)
    except OSError:
        sock.close()
        raise
    return sock


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to the checked address; `Host` still names the URL's host."""

    def __init__(self, host: str, port: int, target: Resolved, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._target = target

    def connect(self) -> None:
        self.sock = _connect(self._target, self.timeout or 10)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the checked address; SNI and certificate verification use the URL's host."""

    def __init__(
        self, host: str, port: int, target: Resolved, timeout: float, context: ssl.SSLContext
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._target = target
        self._tls = context

    def connect(self) -> None:
        sock = _connect(self._target, self.timeout or 10)
        try:
            self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)
        except (OSError, ssl.SSLError):
            sock.close()
            raise


def post_webhook(
    url: str, body: str, headers: dict[str, str], *, timeout: float, allow_private: bool
) -> int:
    """POST the body; returns the HTTP status of a 2xx answer, raises DeliveryError otherwise.

    The host is resolved once, checked, and connected to at that address (`resolve_checked`);
    redirects are not followed (one could point the signed request anywhere)."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise DeliveryError("the webhook URL is not valid", permanent=True) from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise DeliveryError("the webhook URL is not http(s)", permanent=True)
    host = parts.hostname
    target = resolve_checked(host, port, allow_private=allow_private)
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = _PinnedHTTPSConnection(
            host, port, target, timeout, ssl.create_default_context()
        )
    else:
        connection = _PinnedHTTPConnection(host, port, target, timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request(
            "POST",
            path,
            body=body.encode(),
            headers={"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers},
        )
        with connection.getresponse() as response:
            status = int(response.status)
            response.read(65_536)
    except (OSError, http.client.HTTPException, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise DeliveryError(f"{type(error).__name__}: {reason}") from None
    finally:
        connection.close()
    if not 200 <= status < 300:
        raise DeliveryError(f"HTTP {status}")
    return status
