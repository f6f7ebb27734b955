"""Small helpers of the notification tests: links out of mails, subscribing through the API."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.notifications.conftest import PUBLIC_URL, Received

LINK = re.compile(re.escape(PUBLIC_URL) + r"(/[^\s\"'<>]+)")


def links_in(mail: Received) -> list[str]:
    """Paths of our links in the plain-text part, in order."""
    return LINK.findall(mail.text)


def link_to(mail: Received, prefix: str) -> str:
    found = [path for path in links_in(mail) if path.startswith(prefix)]
    assert found, f"no {prefix} link in:\n{mail.text}"
    return found[0]


def one_click_path(mail: Received) -> str:
    """The RFC 8058 URL, as written on the wire (an encoded word would break mail clients)."""
    raw_headers = mail.raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].decode("ascii")
    [header] = re.findall(r"^List-Unsubscribe: (.*)$", raw_headers, flags=re.MULTILINE)
    match = re.fullmatch(r"<" + re.escape(PUBLIC_URL) + r"(/unsubscribe/[^>]+)>", header)
    assert match, header
    return match.group(1)


def subscribe(client: FlaskClient, site: str, email: str, **fields: Any) -> TestResponse:
    payload = {"site": site, "thread": "/post", "email": email, "kind": "thread", **fields}
    return client.post("/api/v1/subscriptions", json=payload)


def confirm(client: FlaskClient, mail: Received) -> None:
    path = link_to(mail, "/subscriptions/confirm/")
    response = client.post(path)
    assert response.status_code == 200, response.text
