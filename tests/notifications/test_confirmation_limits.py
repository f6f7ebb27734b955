"""Confirmation mails are limited per address and per requester's IP hash (outbox counts)."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.kernel import clock
from service.models import OutboxItem
from tests.factories import Factories
from tests.notifications.helpers import subscribe

BOB = "bob@reader.example"


@pytest.fixture
def settings_overrides(settings_overrides: dict[str, Any]) -> dict[str, Any]:
    return settings_overrides | {
        "ratelimit_enabled": True,
        "ratelimit_confirm_mail": "2/hour",
        "ratelimit_subscribe": "10/hour",
    }


def _confirmations(session: Session) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(OutboxItem).where(OutboxItem.event == "confirm")
        )
        or 0
    )


def test_confirmation_mails_are_limited_per_address(
    client: FlaskClient, make: Factories, session: Session
) -> None:
    site = make.site()
    for number in range(4):
        make.comment(site, thread=f"/t{number}")
    answers = {subscribe(client, site.slug, BOB, thread=f"/t{n}").status_code for n in range(4)}
    assert answers == {202}
    assert _confirmations(session) == 2


def test_confirmation_mails_are_limited_per_requesting_ip(
    client: FlaskClient, make: Factories, session: Session
) -> None:
    site = make.site()
    make.comment(site)
    for number in range(5):
        assert subscribe(client, site.slug, f"reader{number}@example.org").status_code == 202
    assert _confirmations(session) == 2


def test_confirmation_limit_frees_up_after_its_window(
    client: FlaskClient, make: Factories, session: Session
) -> None:
    site = make.site()
    for number in range(3):
        make.comment(site, thread=f"/t{number}")
    with clock.frozen(clock.now()) as frozen:
        subscribe(client, site.slug, BOB, thread="/t0")
        subscribe(client, site.slug, BOB, thread="/t1")
        subscribe(client, site.slug, BOB, thread="/t2")
        assert _confirmations(session) == 2
        frozen.advance(hours=1, seconds=1)
        subscribe(client, site.slug, BOB, thread="/t2")
        assert _confirmations(session) == 3


def test_subscribe_requests_are_rate_limited_per_ip(
    client: FlaskClient, make: Factories, settings_overrides: dict[str, Any]
) -> None:
    site = make.site()
    make.comment(site)
    statuses = [subscribe(client, site.slug, BOB).status_code for _ in range(11)]
    assert statuses == [202] * 10 + [429]
