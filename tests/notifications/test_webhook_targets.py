"""Webhook URLs that resolve to loopback or private addresses are refused unless allowed."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

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
