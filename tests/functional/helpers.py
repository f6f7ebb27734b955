"""Small request helpers shared by the functional tests."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.factories import ORIGIN

VOTER = "voter-0123456789"


#: A valid passage anchor (the inline issue's wire shape).
ANCHOR: dict[str, Any] = {
    "v": 1,
    "kind": "quote",
    "quote": {"exact": "granite rose", "prefix": "a tower of ", "suffix": " from it"},
    "quote_end": None,
    "quote_length": 12,
    "position": {"start": 100, "end": 112},
    "doc": {"length": 5000, "fp": "0123456789abcdef"},
    "scope": None,
    "passage": None,
}


def comment_payload(site: str, **fields: Any) -> dict[str, Any]:
    thread = fields.pop("thread", "/post")
    payload: dict[str, Any] = {
        "site": site,
        "thread": thread,
        "thread_url": f"{ORIGIN}{thread}",
        "body": "Hello there",
    }
    payload.update(fields)
    return payload


def post_comment(client: FlaskClient, site: str, **fields: Any) -> TestResponse:
    headers = fields.pop("headers", {})
    return client.post("/api/v1/comments", json=comment_payload(site, **fields), headers=headers)


def read_thread(client: FlaskClient, site: str, thread: str = "/post", **params: Any) -> Any:
    response = client.get(
        "/api/v1/comments", query_string={"site": site, "thread": thread, **params}
    )
    assert response.status_code == 200, response.json
    return response.json


def error_of(response: TestResponse) -> dict[str, Any]:
    body = response.json
    assert isinstance(body, dict) and set(body) == {"error"}, body
    error: dict[str, Any] = body["error"]
    assert {"code", "message"} <= set(error)
    return error
