"""The HTTP contract: one error envelope for every failure, CORS per site, OpenAPI, no 500s."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.http.operations import app_operations
from service.kernel.errors import ERROR_CODES
from tests.factories import ORIGIN, Factories
from tests.functional.helpers import comment_payload, error_of, post_comment


def test_unknown_routes_are_a_json_404(client: FlaskClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_a_wrong_method_is_a_json_405(client: FlaskClient) -> None:
    response = client.put("/api/v1/counts")
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"


def test_a_body_that_is_not_json_is_415(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    response = client.post("/api/v1/comments", data={"site": site.slug, "body": "x"})
    assert response.status_code == 415
    assert error_of(response)["code"] == "unsupported_media_type"


def test_malformed_json_is_400(client: FlaskClient) -> None:
    response = client.post("/api/v1/comments", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["fields"] == {"body": "The request body is not valid JSON."}


@pytest.mark.parametrize("body", ["[]", "null", '"text"', "42"])
def test_json_that_is_not_an_object_is_400(client: FlaskClient, body: str) -> None:
    response = client.post("/api/v1/comments", data=body, content_type="application/json")
    assert response.status_code == 400


def test_a_request_over_the_size_limit_is_413(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    payload = comment_payload(site.slug, body="x" * 70_000)
    response = client.post("/api/v1/comments", json=payload)
    assert response.status_code == 413
    assert error_of(response)["code"] == "payload_too_large"


def test_invalid_utf8_is_400_not_500(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/comments", data=b'{"site": "\xff\xfe"}', content_type="application/json"
    )
    assert response.status_code == 400


def test_cors_allows_the_site_origin(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    response = client.get(
        f"/api/v1/comments?site={site.slug}&thread=/x", headers={"Origin": ORIGIN}
    )
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    assert "Origin" in response.headers["Vary"]


def test_cors_refuses_other_origins(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    make.site(origins=["https://other.example"])
    response = client.get(
        f"/api/v1/comments?site={site.slug}&thread=/x",
        headers={"Origin": "https://other.example"},
    )
    assert "Access-Control-Allow-Origin" not in response.headers


def test_cors_headers_are_on_errors_too(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    response = post_comment(client, site.slug, body="", headers={"Origin": ORIGIN})
    assert response.status_code == 400
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_cors_for_comment_routes_follows_the_comment_site(
    client: FlaskClient, make: Factories
) -> None:
    comment = make.comment()
    response = client.post(
        f"/api/v1/comments/{comment.id}/vote",
        json={"value": 1},
        headers={"Origin": ORIGIN, "X-Sidenote-Voter": "voter-aaaaaaaa"},
    )
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_preflight_is_answered_for_a_known_origin(client: FlaskClient, make: Factories) -> None:
    make.site()
    response = client.options(
        "/api/v1/comments",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "X-Sidenote-Edit-Token" in response.headers["Access-Control-Allow-Headers"]
    assert "PATCH" in response.headers["Access-Control-Allow-Methods"]


def test_preflight_from_an_unknown_origin_gets_no_grant(
    client: FlaskClient, make: Factories
) -> None:
    make.site()
    response = client.options(
        "/api/v1/comments",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "Access-Control-Allow-Origin" not in response.headers


def test_openapi_document_lists_every_operation_and_error_code(
    app: Flask, client: FlaskClient
) -> None:
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"] == "3.1.0"
    for operation in app_operations(app):
        assert operation.method in document["paths"][operation.path]
    assert set(document["x-error-codes"]) == set(ERROR_CODES)
    create = document["paths"]["/api/v1/comments"]["post"]
    assert "201" in create["responses"] and "400" in create["responses"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "CommentCreate"
    )


def test_every_api_route_is_declared_in_the_openapi_document(app: Flask) -> None:
    declared = {(op.path, op.method.upper()) for op in app_operations(app)}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "api.openapi":
            continue
        path = re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in declared, (path, method)


def _sample_value(schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    if kind == "integer":
        return 10**12
    if kind == "array":
        return ["x" * 3000]
    return "\x00<script>" * 50


def test_hostile_values_in_every_query_parameter_never_give_500(
    client: FlaskClient, make: Factories
) -> None:
    make.comment(make.site("s1"))
    document = client.get("/api/v1/openapi.json").json
    for path, methods in document["paths"].items():
        concrete = path.replace("{comment_id}", "1").replace("{site}", "s1")
        for method, operation in methods.items():
            query = {
                p["name"]: _sample_value(p["schema"])
                for p in operation.get("parameters", [])
                if p["in"] == "query"
            }
            response = client.open(
                concrete, method=method.upper(), query_string=query, json={"x": [None] * 3}
            )
            assert response.status_code < 500, (method, path, response.json)
