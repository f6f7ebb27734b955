""" "Notify me of" is honest (issue 22): asking for mails without an address is a field error on
the email and posts nothing; with an address, a confirmation mail goes out first."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.models import Comment
from tests.factories import Factories
from tests.functional.helpers import error_of, post_comment
from tests.notifications.conftest import Inbox, deliver

ANN = "ann@reader.example"


def comments(session: Session) -> int:
    session.expire_all()
    return int(session.scalar(select(func.count()).select_from(Comment)) or 0)


@pytest.mark.parametrize("notify", ["replies", "thread"])
@pytest.mark.parametrize("author", [None, {"name": "Ann"}, {"name": "Ann", "email": "  "}])
def test_asking_to_be_notified_without_an_email_is_a_field_error_and_posts_nothing(
    client: FlaskClient,
    make: Factories,
    session: Session,
    notify: str,
    author: dict[str, str] | None,
) -> None:
    site = make.site()
    response = post_comment(client, site.slug, body="Tell me", notify=notify, author=author)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "validation_failed"
    assert list(error["fields"]) == ["author.email"]
    assert "email" in error["fields"]["author.email"]
    assert comments(session) == 0


def test_not_asking_to_be_notified_needs_no_email(
    client: FlaskClient, make: Factories, session: Session
) -> None:
    site = make.site()
    for notify in (None, "none"):
        response = post_comment(client, site.slug, notify=notify, author={"name": "Ann"})
        assert response.status_code == 201, response.json
    assert comments(session) == 2


def test_asking_with_an_email_mails_a_confirmation_first(
    app: Flask, client: FlaskClient, make: Factories, inbox: Inbox
) -> None:
    site = make.site()
    response = post_comment(
        client, site.slug, notify="replies", author={"name": "Ann", "email": ANN}
    )
    assert response.status_code == 201, response.json
    deliver(app)
    [mail] = inbox.to(ANN)
    assert "Confirm your subscription" in str(mail.message["Subject"])
