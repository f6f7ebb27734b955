"""Public endpoints whose point is an address answer a missing one with a 400 field error
(issue 22: "Verify email" with an empty address was an HTTP 500 from an AssertionError)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.models import EmailAddress, OutboxItem
from tests.factories import ORIGIN, Factories
from tests.functional.helpers import error_of

BLANKS = ["", "   "]


def nothing_written(session: Session) -> bool:
    session.expire_all()
    addresses = session.scalar(select(func.count()).select_from(EmailAddress))
    mails = session.scalar(select(func.count()).select_from(OutboxItem))
    return addresses == 0 and mails == 0


@pytest.mark.parametrize("email", BLANKS)
def test_verify_email_without_an_address_is_a_field_error(
    client: FlaskClient, make: Factories, session: Session, email: str
) -> None:
    site = make.site()
    for _attempt in range(2):  # the second one used to hit the AssertionError (HTTP 500)
        response = client.post(
            "/api/v1/guest/verify",
            json={"site": site.slug, "thread_url": f"{ORIGIN}/post", "email": email},
        )
        assert response.status_code == 400
        error = error_of(response)
        assert error["code"] == "validation_failed"
        assert list(error["fields"]) == ["email"]
    assert nothing_written(session)


@pytest.mark.parametrize("email", BLANKS)
def test_subscribing_without_an_address_is_a_field_error(
    client: FlaskClient, make: Factories, session: Session, email: str
) -> None:
    site = make.site()
    make.comment(site)
    response = client.post(
        "/api/v1/subscriptions",
        json={"site": site.slug, "thread": "/post", "email": email, "kind": "thread"},
    )
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "validation_failed" and list(error["fields"]) == ["email"]
    assert nothing_written(session)


def test_a_malformed_address_to_verify_is_a_field_error(
    client: FlaskClient, make: Factories
) -> None:
    site = make.site()
    response = client.post(
        "/api/v1/guest/verify",
        json={"site": site.slug, "thread_url": f"{ORIGIN}/post", "email": "not an address"},
    )
    assert response.status_code == 400
    assert list(error_of(response)["fields"]) == ["email"]
