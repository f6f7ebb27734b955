"""No input is a 500: cursors with other scripts' digits, huge integers or extreme dates, NUL bytes
and lone surrogates in any field, odd digits in token-protected forms. Each is a 400 envelope
(or, in a form, a no-op), on SQLite and PostgreSQL alike."""

from __future__ import annotations

import base64
import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from service.comments.reading import encode_cursor
from service.models import Site
from service.notifications import links
from service.notifications.subscriptions import get_or_create_address
from tests.factories import ORIGIN, Factories
from tests.functional.helpers import comment_payload, error_of

API = "/api/v1"


def bad_request(response, field: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 400, response.get_data(as_text=True)[:500]
    assert field in error_of(response)["fields"]


def queue_cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


# -- cursors ---------------------------------------------------------------------------------


@pytest.mark.parametrize("cursor", ["³", "٣", "1_0", " 7", "99999999999", "0", "-1"])
@pytest.mark.parametrize("listing", ["bans", "audit", "audit.csv"])
def test_moderation_listings_refuse_cursors_that_are_not_ascii_ids(
    client: FlaskClient, headers: dict[str, str], listing: str, cursor: str
) -> None:
    response = client.get(
        f"{API}/moderation/{listing}", query_string={"cursor": cursor}, headers=headers
    )
    bad_request(response, "cursor")


@pytest.mark.parametrize(
    "stamp",
    [
        "2026-01-01T00:00:00+00:00|³",
        "2026-01-01T00:00:00+00:00|99999999999999999999",
        "9999-12-31T23:59:59-14:00|5",
        "0001-01-01T00:00:00+14:00|5",
        "２０２６-01-01|5",
    ],
)
def test_the_queue_refuses_cursors_with_odd_digits_or_extreme_dates(
    client: FlaskClient, site: Site, headers: dict[str, str], stamp: str
) -> None:
    response = client.get(
        f"{API}/moderation/queue",
        query_string={"site": site.slug, "cursor": queue_cursor(stamp)},
        headers=headers,
    )
    bad_request(response, "cursor")


@pytest.mark.parametrize("since", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"])
def test_the_audit_log_refuses_dates_that_overflow_in_utc(
    client: FlaskClient, headers: dict[str, str], since: str
) -> None:
    response = client.get(f"{API}/moderation/audit", query_string={"since": since}, headers=headers)
    bad_request(response, "since")


@pytest.mark.parametrize(
    ("sort", "values"),
    [
        ("oldest", ["2026-01-01T00:00:00+00:00", 2**70]),
        ("newest", ["2026-01-01T00:00:00+00:00", -(2**63)]),
        ("top", [2**64, "2026-01-01T00:00:00+00:00", 1]),
        ("oldest", ["9999-12-31T23:59:59-14:00", 1]),
        ("oldest", ["0001-01-01T00:00:00+14:00", 1]),
    ],
)
def test_thread_pages_refuse_cursors_out_of_range(
    client: FlaskClient, make: Factories, sort: str, values: list[object]
) -> None:
    comment = make.comment()
    response = client.get(
        f"{API}/comments",
        query_string={
            "site": make.slug_of(comment),
            "thread": "/post",
            "sort": sort,
            "cursor": encode_cursor(list(values)),
        },
    )
    bad_request(response, "cursor")


# -- NUL bytes and lone surrogates -----------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("site", {"site": "blog\x00"}),
        ("thread_url", {"thread_url": f"{ORIGIN}/post\x00"}),
        ("thread", {"thread": "/post\x00"}),
        ("author.email", {"author": {"name": "Ann", "email": "ann@example.org\x00"}}),
        ("author.website", {"author": {"name": "Ann", "website": "https://ann.example/\x00"}}),
        ("thread_title", {"thread_title": "Title \ud800"}),
    ],
)
def test_a_nul_or_a_lone_surrogate_in_a_posted_field_is_400(
    client: FlaskClient, site: Site, field: str, change: dict[str, object]
) -> None:
    payload = comment_payload(site.slug) | change
    response = client.post(
        f"{API}/comments",
        data=json.dumps(payload),  # json.dumps escapes them as \\u0000 and \\ud800
        content_type="application/json",
    )
    bad_request(response, field)


def test_a_nul_in_a_query_string_is_400(client: FlaskClient, site: Site) -> None:
    response = client.get(f"{API}/comments", query_string={"site": "blog\x00", "thread": "/p"})
    bad_request(response, "site")


def test_a_nul_in_a_path_is_400(client: FlaskClient) -> None:
    bad_request(client.get(f"{API}/sites/blog%00/config"), "site")


def test_a_nul_in_a_moderation_filter_is_400(
    client: FlaskClient, site: Site, headers: dict[str, str]
) -> None:
    response = client.get(
        f"{API}/moderation/queue", query_string={"site": site.slug, "q": "a\x00"}, headers=headers
    )
    bad_request(response, "q")


# -- token-protected forms -------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["³", "٣", "99999999999999999999"])
def test_the_manage_page_ignores_a_subscription_id_in_other_digits(
    app: Flask, client: FlaskClient, session: Session, raw: str
) -> None:
    with app.app_context():
        address = get_or_create_address(session, "bob@example.org")
        session.commit()
        token = links.of(session).manage_token(address)
    response = client.post(
        f"/subscriptions/manage/{token}", data={"action": "cancel", "subscription": raw}
    )
    assert response.status_code == 303
